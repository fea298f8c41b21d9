"""rosters: a centre's shifts per day (SPEC §10); audit events: one row per change of the set-up

`shifts.day` is the centre-local day a shift starts on; `breaks` holds {"start", "end"} in UTC
ISO 8601; `skills` null means all the clerk's skills. `audit_events` names who acted (the staff
member or the device), on what (`entity`, `entity_key`), and the state before and after.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("breaks", sa.JSON(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"], name=op.f("fk_shifts_centre_id_centres")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_shifts_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.create_index("ix_shifts_centre_day", ["centre_id", "day"], unique=False)
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_staff_id", sa.Integer(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("centre_id", sa.Integer(), nullable=True),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_key", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["actor_staff_id"], ["staff.id"], name=op.f("fk_audit_events_actor_staff_id_staff")),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name=op.f("fk_audit_events_device_id_devices")),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"], name=op.f("fk_audit_events_centre_id_centres")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_events_entity_key", ["entity", "entity_key"], unique=False)


def downgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_entity_key")
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))
    op.drop_table("audit_events")
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_index("ix_shifts_centre_day")
    op.drop_table("shifts")
