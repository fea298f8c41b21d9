"""centres.district: the district a centre serves, for the public board's "least busy near me"

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("centres", schema=None) as batch_op:
        batch_op.add_column(sa.Column("district", sa.String(60), nullable=True))


def downgrade():
    with op.batch_alter_table("centres", schema=None) as batch_op:
        batch_op.drop_column("district")
