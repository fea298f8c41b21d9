"""open data's 15-minute records: one stored row per centre and closed period, never changed

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "open_data_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"], name=op.f("fk_open_data_periods_centre_id_centres")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open_data_periods")),
        sa.UniqueConstraint("centre_id", "start", name="uq_open_data_periods_centre_start"),
    )


def downgrade():
    op.drop_table("open_data_periods")
