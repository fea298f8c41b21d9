"""handoffs: a secret made by an admin page (a first password, a device token) held, sealed with a
one-time pad the browser's session keeps, until the next page shows it once

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "handoffs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_handoffs_expires_at", "handoffs", ["expires_at"])


def downgrade():
    op.drop_index("ix_handoffs_expires_at", table_name="handoffs")
    op.drop_table("handoffs")
