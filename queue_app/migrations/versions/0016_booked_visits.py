"""booked visits: the appointments of a visit of several services, booked as consecutive slots,
share visit_id, the id of its first appointment (NULL on the first: its code is the visit's)

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visit_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_appointments_visit_id_appointments", "appointments", ["visit_id"], ["id"])
        batch_op.create_index("ix_appointments_visit_id", ["visit_id"])


def downgrade():
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_visit_id")
        batch_op.drop_constraint("fk_appointments_visit_id_appointments", type_="foreignkey")
        batch_op.drop_column("visit_id")
