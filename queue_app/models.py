"""Tables. Rules live in domain/ and services/; a model holds only what a column needs."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import UTCDateTime, utcnow
from .domain.appointments import BOOKED
from .domain.hours import OpeningHours
from .domain.lifecycle import COUNTER_CLOSED
from .domain.policy import Skills
from .extensions import db

JSON = sa.JSON


class Setting(db.Model):
    """Network-wide settings loaded from config.toml (languages, policy, defaults)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)


class Language(db.Model):
    __tablename__ = "languages"
    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    position: Mapped[int] = mapped_column(default=0)


class Agency(db.Model):
    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)


life_event_services = sa.Table(
    "life_event_services",
    db.metadata,
    sa.Column("life_event_id", sa.ForeignKey("life_events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("service_id", sa.ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False, default=0),
)


class Service(db.Model):
    __tablename__ = "services"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    prefix: Mapped[str] = mapped_column(sa.String(3))
    name: Mapped[dict] = mapped_column(JSON)
    duration_min: Mapped[float]
    weight: Mapped[float] = mapped_column(default=1.0)
    bookable: Mapped[bool] = mapped_column(default=True)
    documents: Mapped[dict] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    agency: Mapped[Agency] = relationship()


class LifeEvent(db.Model):
    __tablename__ = "life_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[dict] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    services: Mapped[list[Service]] = relationship(
        secondary=life_event_services, order_by=life_event_services.c.position
    )


class Centre(db.Model):
    __tablename__ = "centres"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(8), unique=True)
    name: Mapped[dict] = mapped_column(JSON)
    address: Mapped[dict] = mapped_column(JSON)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    hours: Mapped[dict] = mapped_column(JSON)
    target_wait_min: Mapped[int] = mapped_column(default=15)
    recall_limit: Mapped[int] = mapped_column(default=2)
    call_timeout_min: Mapped[int] = mapped_column(default=5)
    policy: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")  # its own [policy] knobs
    active: Mapped[bool] = mapped_column(default=True)
    district: Mapped[str | None] = mapped_column(sa.String(60))  # the public board's "near me" (no geolocation)

    counters: Mapped[list[Counter]] = relationship(back_populates="centre", order_by="Counter.number")  # retired too

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def opening_hours(self) -> OpeningHours:
        return OpeningHours.from_json(self.hours)


staff_centres = sa.Table(
    "staff_centres",
    db.metadata,
    sa.Column("staff_id", sa.ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("centre_id", sa.ForeignKey("centres.id", ondelete="CASCADE"), primary_key=True),
)


class Staff(UserMixin, db.Model):
    """A person who works in the network: admin, manager or clerk (Flask-Login's user)."""

    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(10))
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    centres: Mapped[list[Centre]] = relationship(secondary=staff_centres, order_by=Centre.code)
    skills: Mapped[list[StaffSkill]] = relationship(cascade="all, delete-orphan", back_populates="staff")

    def skill_set(self) -> Skills:
        return Skills.of(
            (s.service.code for s in self.skills if s.level == "primary"),
            (s.service.code for s in self.skills if s.level == "secondary"),
        )

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account's sessions stop working
        return self.active


class ApiToken(db.Model):
    """A staff bearer token for the API, stored only as its hash; expires, can be revoked."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship()


class StaffSkill(db.Model):
    __tablename__ = "staff_skills"
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), primary_key=True)
    level: Mapped[str] = mapped_column(sa.String(10))

    staff: Mapped[Staff] = relationship(back_populates="skills")
    service: Mapped[Service] = relationship()


class Counter(db.Model):
    """A desk. While open it has a clerk and the skills it serves this session."""

    __tablename__ = "counters"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(60))
    state: Mapped[str] = mapped_column(sa.String(8), default=COUNTER_CLOSED)  # see domain/lifecycle.py
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    skills: Mapped[dict] = mapped_column(JSON, default=dict)  # {"primary": [...], "secondary": [...]}
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())  # False: retired

    centre: Mapped[Centre] = relationship(back_populates="counters")
    staff: Mapped[Staff | None] = relationship()

    def skill_set(self) -> Skills:
        return Skills.of(self.skills.get("primary", ()), self.skills.get("secondary", ()))


class Device(db.Model):
    """A kiosk or a display, authenticated by a token stored only as its hash."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # kiosk | display
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    printer_uri: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # to the minute (auth.seen)

    centre: Mapped[Centre] = relationship()


class TicketSequence(db.Model):
    """The last number issued per centre, prefix and service day: one row, bumped atomically."""

    __tablename__ = "ticket_sequences"
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), primary_key=True)
    prefix: Mapped[str] = mapped_column(sa.String(3), primary_key=True)
    service_day: Mapped[date] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class QueueVersion(db.Model):
    """A centre's queue version: bumped by every commit that moves one of its tickets (after the
    moves, just before the commit: services/waiting.py), so a process that holds the centre's
    waiting tickets knows, by one indexed read, whether they are still those. Each row starts
    at a random number, so a database made anew never repeats a version a process holds."""

    __tablename__ = "queue_versions"
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger)
    # bumped too by the commits that change what the counters are doing (anything but issuing), so
    # that a process may keep what an estimate reads of them (services/queue.py `Served`)
    served: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    # the tickets the commit that set `version` moved (ids, comma-separated): a process one version
    # behind re-reads just those (services/waiting.py); NULL: not known (a row from before 0025)
    last_moved: Mapped[str | None] = mapped_column(sa.Text)


class Appointment(db.Model):
    """A booked slot. A live booking holds place 1..n of its slot; the unique constraint makes a
    concurrent booking of the same place fail, and a cancelled one frees its place (NULL)."""

    __tablename__ = "appointments"
    __table_args__ = (sa.UniqueConstraint("centre_id", "service_id", "start", "place", name="uq_appointments_place"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(12), default=BOOKED)  # domain/appointments.py STATUSES
    name: Mapped[str] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(16), default="en")
    place: Mapped[int | None]  # 1..places of the slot while booked or checked in; NULL once cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the visitor was told of the booking (NULL: still to tell, or a failed try to retry)
    # and reminded the day before; each is set by the one sender that claims it.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A visit of several services booked as consecutive slots: its later appointments name the
    # first (whose code the visitor holds); NULL on the first and on a one-service booking.
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointments.id"), index=True)

    centre: Mapped[Centre] = relationship()
    service: Mapped[Service] = relationship()


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        # a line's first ordinary tickets, and its priority ones, are each a range of this (queue.head_candidates)
        sa.Index("ix_tickets_line", "centre_id", "status", "service_id", "priority", "arrived_at"),
        sa.Index("ix_tickets_centre_status_appointment", "centre_id", "status", "appointment_id"),
        # the visitors sent on to a counter, which its every call-next looks for first (calling._SENT_HERE)
        sa.Index("ix_tickets_for_counter", "for_counter_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"))
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    service_day: Mapped[date]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(8))
    token: Mapped[str] = mapped_column(sa.String(43), unique=True)
    status: Mapped[str] = mapped_column(sa.String(12))
    source: Mapped[str] = mapped_column(sa.String(12), default="kiosk")  # kiosk|remote|appointment|transfer
    priority: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(sa.String(16), default="en")
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("counters.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    recall_count: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str | None] = mapped_column(sa.String(12))
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    appointment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointments.id"))
    transferred_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tickets.id"))
    estimate_at_issue_min: Mapped[float | None]
    # The range the estimate was shown with (domain/ranges.py); NULL: shown as a single number.
    estimate_low_min: Mapped[int | None]
    estimate_high_min: Mapped[int | None]
    near_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # "your turn is near" went out
    # A visit of several services (SPEC §11) is a chain of rows, one per step, each made when the
    # step before it ends (or by a transfer): they share the number, the arrival time and visit_id,
    # the id of the visit's first row (NULL on a first row: a visit is its own first row).
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tickets.id"), index=True)
    step: Mapped[int] = mapped_column(default=1, server_default="1")  # 1-based; a transfer keeps it
    next_steps: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")  # service ids to come
    note: Mapped[str | None] = mapped_column(sa.String(280))  # for the next clerk of the visit
    contact_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)  # keyed hash: repeat visits
    # Sent on to one counter (a directed transfer): only it calls the ticket, first; NULL: the line's.
    for_counter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("counters.id"))

    centre: Mapped[Centre] = relationship()
    service: Mapped[Service] = relationship()
    counter: Mapped[Counter | None] = relationship(foreign_keys=[counter_id])
    for_counter: Mapped[Counter | None] = relationship(foreign_keys=[for_counter_id])
    appointment: Mapped[Appointment | None] = relationship()
    transferred_from: Mapped[Ticket | None] = relationship(remote_side=[id], foreign_keys=[transferred_from_id])

    @property
    def booked(self) -> bool:
        """The visitor came for a booked appointment (also after a transfer)."""
        return self.appointment_id is not None

    @property
    def visit_key(self) -> int:
        """The id every row of this ticket's visit shares: its first row's."""
        return self.visit_id if self.visit_id is not None else self.id


class TicketEvent(db.Model):
    """One row per transition: the audit trail and the source of every statistic."""

    __tablename__ = "ticket_events"
    __table_args__ = (sa.Index("ix_ticket_events_centre_at", "centre_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id"), index=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"))
    action: Mapped[str] = mapped_column(sa.String(12))
    from_status: Mapped[str | None] = mapped_column(sa.String(12))
    to_status: Mapped[str] = mapped_column(sa.String(12))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    counter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("counters.id"))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))  # the counter's clerk (statistics)
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    # Who acted (SPEC §9): the signed-in staff member, or the device; neither for the system or a visitor.
    actor_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    device_id: Mapped[int | None] = mapped_column(sa.ForeignKey("devices.id"))


class Feedback(db.Model):
    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id"), unique=True)
    rating: Mapped[int]
    comment: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PrintJob(db.Model):
    """A ticket to print, stored with the ticket so a printer fault never loses it."""

    __tablename__ = "print_jobs"
    __table_args__ = (sa.Index("ix_print_jobs_status_next", "status", "next_attempt_at"),
                      sa.Index("ix_print_jobs_device_id", "device_id", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(sa.ForeignKey("devices.id"))
    printer_uri: Mapped[str] = mapped_column(sa.String(255))
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")  # pending|printed|failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JobRun(db.Model):
    """One occasion of a scheduled job done (e.g. closing, "HQ:2026-11-23"). Inserted first in the
    job's transaction: the unique pair makes every occasion run once across server processes."""

    __tablename__ = "job_runs"
    __table_args__ = (sa.UniqueConstraint("job", "occasion", name="uq_job_runs_job_occasion"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(20))
    occasion: Mapped[str] = mapped_column(sa.String(40))
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class CentreDay(db.Model):
    """A centre's figures for one local day, rolled up after it closed (reports, open data)."""

    __tablename__ = "centre_days"
    __table_args__ = (sa.UniqueConstraint("centre_id", "day", name="uq_centre_days_centre_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"))
    day: Mapped[date]
    figures: Mapped[dict] = mapped_column(JSON)
    rolled_up_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StaffingPlan(db.Model):
    """How many counters a manager plans to open in one local hour of one day at a centre."""

    __tablename__ = "staffing_plans"
    __table_args__ = (sa.UniqueConstraint("centre_id", "day", "hour", name="uq_staffing_plans_centre_day_hour"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"))
    day: Mapped[date]
    hour: Mapped[int]  # 0..23, the centre's local wall-clock hour
    counters: Mapped[int]


class Shift(db.Model):
    """One clerk's shift in a centre's roster (SPEC §10). `day` is the centre-local day the shift
    starts on; `breaks` a list of {"start", "end"} in UTC ISO 8601; `skills` the service codes
    served in the shift, or None for all the clerk's skills."""

    __tablename__ = "shifts"
    __table_args__ = (sa.Index("ix_shifts_centre_day", "centre_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"))
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    day: Mapped[date]
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    breaks: Mapped[list] = mapped_column(JSON, default=list)
    skills: Mapped[list | None] = mapped_column(JSON)

    staff: Mapped[Staff] = relationship()


class RosterDraft(db.Model):
    """The staffing planner's proposed shifts for a centre's local day (SPEC §10), until a manager
    accepts it (the day's roster is then replaced by it) or discards it (deleted). `shifts` as the
    audit trail writes them: {"staff", "start", "end", "breaks": [{"start", "end"}], "skills"}, UTC."""

    __tablename__ = "roster_drafts"
    __table_args__ = (sa.Index("ix_roster_drafts_centre_day", "centre_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"))
    day: Mapped[date]
    shifts: Mapped[list] = mapped_column(JSON)
    created_by_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))


class AuditEvent(db.Model):
    """One change made to the network's set-up (a roster, later the administration), in the same
    transaction as the change: who acted, on what, and the state before and after."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_entity_key", "entity", "entity_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    device_id: Mapped[int | None] = mapped_column(sa.ForeignKey("devices.id"))
    centre_id: Mapped[int | None] = mapped_column(sa.ForeignKey("centres.id"))
    entity: Mapped[str] = mapped_column(sa.String(40))
    entity_key: Mapped[str] = mapped_column(sa.String(120))
    action: Mapped[str] = mapped_column(sa.String(40))
    before: Mapped[dict | list | None] = mapped_column(JSON)
    after: Mapped[dict | list | None] = mapped_column(JSON)


class Handoff(db.Model):
    """A secret (a first password, a device token) on its way from the form that made it to the one
    page that shows it, for minutes at most. Held encrypted with a one-time pad that only the
    browser's session holds: neither the database nor the cookie alone reveals it (services/handoffs.py)."""

    __tablename__ = "handoffs"
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    key: Mapped[str] = mapped_column(sa.String(120))
    sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class OpenDataPeriod(db.Model):
    """A centre's closed 15-minute period as open data publishes it (domain/quarters.py), stored
    once: the unique pair makes it done once across processes, and a stored record never changes."""

    __tablename__ = "open_data_periods"
    __table_args__ = (sa.UniqueConstraint("centre_id", "start", name="uq_open_data_periods_centre_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    figures: Mapped[dict] = mapped_column(JSON)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)
