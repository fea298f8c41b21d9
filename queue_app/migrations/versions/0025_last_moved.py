"""the last commit's moves on the queue version: the ids of the tickets the commit that set a
centre's version moved, so that a process holding the centre's waiting tickets one version behind
(a commit it has not heard of yet: another process's, or one of its own whose news is still on the
way) re-reads just those tickets instead of the whole queue

Revision ID: 0025
Revises: 0024
"""
import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("queue_versions") as batch:
        batch.add_column(sa.Column("last_moved", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("queue_versions") as batch:
        batch.drop_column("last_moved")
