"""ticket events name who acted: the staff member or the device (SPEC §9)

`staff_id` stays the clerk holding the counter (what statistics count); a manager acting at
that counter, an admin or a kiosk is now named too. Earlier events name nobody.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_staff_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("device_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_ticket_events_actor_staff_id_staff"), "staff",
                                    ["actor_staff_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_ticket_events_device_id_devices"), "devices",
                                    ["device_id"], ["id"])


def downgrade():
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_ticket_events_device_id_devices"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_ticket_events_actor_staff_id_staff"), type_="foreignkey")
        batch_op.drop_column("device_id")
        batch_op.drop_column("actor_staff_id")
