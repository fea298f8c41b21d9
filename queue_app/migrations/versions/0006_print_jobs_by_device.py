"""print jobs by device: a kiosk asks how its printer last did (its newest tried job)

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_print_jobs_device_id", "print_jobs", ["device_id", "id"], unique=False)


def downgrade():
    op.drop_index("ix_print_jobs_device_id", table_name="print_jobs")
