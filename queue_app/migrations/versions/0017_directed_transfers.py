"""directed transfers: a visitor sent on to a named counter (or the clerk at it) waits for that
counter alone (tickets.for_counter_id), and goes back to the line if it closes

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("for_counter_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_tickets_for_counter_id_counters", "counters", ["for_counter_id"], ["id"])


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint("fk_tickets_for_counter_id_counters", type_="foreignkey")
        batch_op.drop_column("for_counter_id")
