"""a counter's call reads a few rows a line, however long the line: tickets indexed by (centre,
status, service, priority, arrival) — a line's first ordinary tickets and its priority ones are a
range of it — and by (centre, status, appointment), for the appointments waiting; the old
(centre, status) index is the first's prefix and goes

Revision ID: 0021
Revises: 0020
"""
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_line", ["centre_id", "status", "service_id", "priority", "arrived_at"],
                              unique=False)
        batch_op.create_index("ix_tickets_centre_status_appointment", ["centre_id", "status", "appointment_id"],
                              unique=False)
        batch_op.drop_index("ix_tickets_centre_status")


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_centre_status", ["centre_id", "status"], unique=False)
        batch_op.drop_index("ix_tickets_centre_status_appointment")
        batch_op.drop_index("ix_tickets_line")
