"""roster drafts: the staffing planner's proposed shifts for a centre's day (SPEC §10)

`shifts` holds the proposed shifts as the roster API writes them ({"staff", "start", "end",
"breaks": [{"start", "end"}], "skills"}, UTC ISO 8601); a draft is accepted once (accepted_at/by:
the day's roster was then replaced by it) or discarded (the row is deleted; the audit keeps it).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "roster_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("shifts", sa.JSON(), nullable=False),
        sa.Column("created_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by_staff_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"], name=op.f("fk_roster_drafts_centre_id_centres")),
        sa.ForeignKeyConstraint(["created_by_staff_id"], ["staff.id"],
                                name=op.f("fk_roster_drafts_created_by_staff_id_staff")),
        sa.ForeignKeyConstraint(["accepted_by_staff_id"], ["staff.id"],
                                name=op.f("fk_roster_drafts_accepted_by_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_drafts")),
    )
    with op.batch_alter_table("roster_drafts", schema=None) as batch_op:
        batch_op.create_index("ix_roster_drafts_centre_day", ["centre_id", "day"], unique=False)


def downgrade():
    with op.batch_alter_table("roster_drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_roster_drafts_centre_day")
    op.drop_table("roster_drafts")
