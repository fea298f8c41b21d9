"""centres' own call-next policy: the [policy] knobs a centre sets apart from the network's (an
empty table: it follows the network in everything)

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("centres", schema=None) as batch_op:
        batch_op.add_column(sa.Column("policy", sa.JSON(), nullable=False, server_default="{}"))


def downgrade():
    with op.batch_alter_table("centres", schema=None) as batch_op:
        batch_op.drop_column("policy")
