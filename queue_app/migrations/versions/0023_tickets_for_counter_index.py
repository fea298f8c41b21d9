"""every call-next first looks for a visitor sent on to its counter: tickets indexed by (the
counter they were sent to, status), where that look read the whole table of tickets

Revision ID: 0023
Revises: 0022
"""
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_for_counter", ["for_counter_id", "status"], unique=False)


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_for_counter")
