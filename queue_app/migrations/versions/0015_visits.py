"""visits across agencies (SPEC §11): a ticket row is one step of a visit; the rows of one visit share
its first row's id (visit_id), count their step, carry the services still to come (next_steps), a
note for the next clerk, and a keyed hash of the visitor's contact (repeat visits, never shown)

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("step", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("next_steps", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("note", sa.String(280), nullable=True))
        batch_op.add_column(sa.Column("contact_hash", sa.String(64), nullable=True))
        batch_op.create_foreign_key("fk_tickets_visit_id_tickets", "tickets", ["visit_id"], ["id"])
        batch_op.create_index("ix_tickets_visit_id", ["visit_id"])
        batch_op.create_index("ix_tickets_contact_hash", ["contact_hash"])


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_contact_hash")
        batch_op.drop_index("ix_tickets_visit_id")
        batch_op.drop_constraint("fk_tickets_visit_id_tickets", type_="foreignkey")
        batch_op.drop_column("contact_hash")
        batch_op.drop_column("note")
        batch_op.drop_column("next_steps")
        batch_op.drop_column("step")
        batch_op.drop_column("visit_id")
