"""served versions: a second number on each centre's queue version, bumped by the commits that change
what its counters are doing (a call, start, finish, a counter opened or closed: anything but issuing),
so that a process may keep the rows an estimate reads besides the waiting tickets — today's finished
visits, the tickets at counters, the open counters — and know by the same read whether they are still
those

Revision ID: 0024
Revises: 0023
"""
import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("queue_versions") as batch:
        batch.add_column(sa.Column("served", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("queue_versions") as batch:
        batch.drop_column("served")
