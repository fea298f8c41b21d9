"""prefixes of up to three letters: services.prefix and ticket_sequences.prefix widened to 3
(a line is 1–3 letters, shared by services of one agency: domain/lines.py); tickets.number,
String(8), already holds a 3-letter prefix and a 5-digit day's sequence

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLES = ("services", "ticket_sequences")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("prefix", existing_type=sa.String(length=2), type_=sa.String(length=3),
                                  existing_nullable=False)


def downgrade():
    # Refused rather than truncated while a 3-letter prefix is in use: two lines would merge.
    bind = op.get_bind()
    for table in TABLES:
        if bind.execute(sa.text(f"select count(*) from {table} where length(prefix) > 2")).scalar():
            raise RuntimeError(f"{table} holds 3-letter prefixes; rename those lines before downgrading")
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("prefix", existing_type=sa.String(length=3), type_=sa.String(length=2),
                                  existing_nullable=False)
