"""staffing plans: the counters a manager plans per hour of a day

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staffing_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("counters", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"], name=op.f("fk_staffing_plans_centre_id_centres")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staffing_plans")),
        sa.UniqueConstraint("centre_id", "day", "hour", name="uq_staffing_plans_centre_day_hour"),
    )


def downgrade():
    op.drop_table("staffing_plans")
