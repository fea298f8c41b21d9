"""scheduled jobs and notifications: job runs, daily roll-ups, who was told what

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=20), nullable=False),
        sa.Column("occasion", sa.String(length=40), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
        sa.UniqueConstraint("job", "occasion", name="uq_job_runs_job_occasion"),
    )
    op.create_table(
        "centre_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("rolled_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"], name=op.f("fk_centre_days_centre_id_centres")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centre_days")),
        sa.UniqueConstraint("centre_id", "day", name="uq_centre_days_centre_day"),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("near_notified_at", sa.DateTime(timezone=True), nullable=True))
    # Bookings made before notifications existed are not confirmed again after the upgrade;
    # tickets already issued do not start receiving "your turn is near" messages.
    op.execute("UPDATE appointments SET confirmed_at = created_at")
    op.execute("UPDATE tickets SET near_notified_at = issued_at")


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("near_notified_at")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("confirmed_at")
    op.drop_table("centre_days")
    op.drop_table("job_runs")
