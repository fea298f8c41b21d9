"""Issuing tickets against a real database: numbering, refusals, positions and estimates."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from queue_app.domain.access import SYSTEM
from queue_app.domain.errors import CentreClosed, InvalidRequest, NotFound
from queue_app.extensions import db
from queue_app.models import Ticket, TicketEvent
from queue_app.services import issue_ticket
from tests.conftest import MSK, NOON, open_desk

NY = ZoneInfo("America/New_York")


def test_numbers_count_up_per_prefix(ctx):
    numbers = [issue_ticket("HQ", s, now=NOON, by=SYSTEM).ticket.number for s in ("birth", "birth", "tax", "birth", "tax")]
    assert numbers == ["A001", "A002", "C001", "A003", "C002"]


def test_issue_stores_a_waiting_ticket_and_its_event(ctx):
    issued = issue_ticket("HQ", "birth", now=NOON, priority=True, language="ru", phone="+79991234567", by=SYSTEM)
    t = db.session.get(Ticket, issued.ticket.id)
    assert (t.status, t.priority, t.language, t.phone, t.source) == ("waiting", True, "ru", "+79991234567", "kiosk")
    assert t.issued_at == t.arrived_at == NOON
    assert len(t.token) >= 43
    (event,) = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id)).all()
    assert (event.action, event.from_status, event.to_status, event.at) == ("issue", None, "waiting", NOON)


def test_tokens_are_unique_and_unguessable(ctx):
    tokens = {issue_ticket("HQ", "info", now=NOON, by=SYSTEM).ticket.token for _ in range(50)}
    assert len(tokens) == 50


def test_numbering_restarts_at_local_midnight(ctx):
    late = datetime(2026, 11, 23, 23, 59, tzinfo=MSK)
    assert issue_ticket("HQ", "birth", now=late, by=SYSTEM).ticket.number == "A001"
    assert issue_ticket("HQ", "birth", now=late, by=SYSTEM).ticket.number == "A002"
    after = late + timedelta(minutes=2)
    t = issue_ticket("HQ", "birth", now=after, by=SYSTEM).ticket
    assert (t.number, t.service_day.isoformat()) == ("A001", "2026-11-24")


def test_each_centre_counts_in_its_own_timezone(ctx):
    # 15:30 UTC on Monday: 18:30 in Moscow, 10:30 in New York — both the 23rd.
    now = datetime(2026, 11, 23, 15, 30, tzinfo=ZoneInfo("UTC"))
    assert issue_ticket("HQ", "birth", now=now, by=SYSTEM).ticket.number == "A001"
    assert issue_ticket("NYC", "birth", now=now, by=SYSTEM).ticket.number == "A001"
    # 21:30 UTC: already the 24th in Moscow (new day, A001), still the 23rd in New York (A002).
    later = now + timedelta(hours=6)
    hq = issue_ticket("HQ", "birth", now=later, by=SYSTEM).ticket
    ny = issue_ticket("NYC", "birth", now=later - timedelta(hours=5), by=SYSTEM).ticket
    assert (hq.number, str(hq.service_day)) == ("A001", "2026-11-24")
    assert (ny.number, str(ny.service_day)) == ("A002", "2026-11-23")


@pytest.mark.parametrize(
    "local",
    [
        datetime(2026, 11, 23, 8, 59, tzinfo=NY),  # before opening
        datetime(2026, 11, 23, 17, 0, tzinfo=NY),  # at closing
        datetime(2026, 11, 22, 12, 0, tzinfo=NY),  # Sunday
        datetime(2026, 12, 25, 12, 0, tzinfo=NY),  # closed exception day
        datetime(2026, 12, 24, 12, 30, tzinfo=NY),  # shortened exception day, after 12:00
    ],
)
def test_a_closed_centre_issues_nothing(ctx, local):
    with pytest.raises(CentreClosed, match="NYC is closed"):
        issue_ticket("NYC", "birth", now=local, by=SYSTEM)
    assert db.session.scalar(select(db.func.count()).select_from(Ticket)) == 0


@pytest.mark.parametrize(
    ("centre", "service", "language", "error", "message"),
    [
        ("XX", "birth", None, NotFound, "no centre with code 'XX'"),
        ("HQ", "nothing", None, NotFound, "no service with code 'nothing'"),
        ("HQ", "birth", "fr", InvalidRequest, "language 'fr' is not offered"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(ctx, centre, service, language, error, message):
    with pytest.raises(error, match=message):
        issue_ticket(centre, service, now=NOON, language=language, by=SYSTEM)
    assert db.session.scalar(select(db.func.count()).select_from(Ticket)) == 0
    # nor is a number burnt: the next ticket is still the first
    assert issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket.number == "A001"


def test_language_defaults_to_the_networks_first(ctx):
    assert issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket.language == "en"


def test_position_and_estimate_with_no_counter_open(ctx):
    issued = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM)
    assert issued.position == 1
    assert issued.estimated_wait_min is None  # nobody serves it: no made-up figure


def test_position_and_estimate_follow_the_open_counters(ctx):
    open_desk("HQ-01", "x1", primary=["birth"])
    waits = [issue_ticket("HQ", "birth", now=NOON, by=SYSTEM) for _ in range(3)]
    assert [w.position for w in waits] == [1, 2, 3]
    assert [w.estimated_wait_min for w in waits] == [0.0, 10.0, 20.0]
    t = db.session.get(Ticket, waits[2].ticket.id)
    assert t.estimate_at_issue_min == 20.0
    # another service's ticket is first in its own line
    assert issue_ticket("HQ", "tax", now=NOON, by=SYSTEM).position == 1
