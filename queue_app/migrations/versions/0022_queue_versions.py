"""queue versions: one row per centre, bumped by every commit that moves one of its tickets, so
that a process may keep the centre's waiting tickets between requests and know by one read whether
they are still those

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "queue_versions",
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"], name=op.f("fk_queue_versions_centre_id_centres")),
        sa.PrimaryKeyConstraint("centre_id", name=op.f("pk_queue_versions")),
    )


def downgrade():
    op.drop_table("queue_versions")
