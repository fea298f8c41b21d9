"""estimate ranges: the range of whole minutes a ticket's estimated wait was shown with at issue
(calibrated from the errors seen before; NULL where the data said too little), so that the share
of real waits inside their range can be measured

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("estimate_low_min", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("estimate_high_min", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("estimate_high_min")
        batch_op.drop_column("estimate_low_min")
