"""What a centre offers follows its coverage (SPEC §10): GET /centres/{c}/services, the refusal of
a ticket nobody will serve today (kiosk and remote join, 409 `not_served_today` with when next and
whether it can be booked; nothing stored, no number used), check-in still allowed, and estimates
that count a clerk the roster brings on duty later today.

HQ never closes (Moscow); ana holds birth, passport and tax, ben tax and info. On Monday 23 Nov
the roster has only ana: 09:00–11:00 and 14:00–18:00. So at noon birth and passport are served
from 14:00, info by nobody today (tomorrow is not rostered: every clerk from 00:00, ben among them).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

import queue_app.api.public as public_api
import queue_app.services.appointments as appointments_service
import queue_app.services.remote as remote_service
import queue_app.services.tickets as tickets_service
from queue_app.domain.access import SYSTEM
from queue_app.domain.errors import NotServedToday
from queue_app.domain.roster import Break, ShiftPlan
from queue_app.extensions import db
from queue_app.models import Ticket, TicketSequence
from queue_app.services import issue_ticket, open_counter
from queue_app.services.roster import replace_roster
from tests.conftest import MSK, NOON, error_of
from tests.integration.test_check_in import book

PHONE = "+34 612 345 678"
NEW_YORK = ZoneInfo("America/New_York")


def at(h: int, m: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, h, m, tzinfo=MSK)


def roster_ana(*parts: tuple[int, int], breaks=()) -> None:
    replace_roster("HQ", NOON.date(), [ShiftPlan("ana", at(a), at(b), tuple(Break(at(x), at(y)) for x, y in breaks))
                                       for a, b in parts], by=SYSTEM)


@pytest.fixture
def clock(monkeypatch):
    """Set the server's clock for the API's views and the services they call."""
    def set_to(moment: datetime) -> None:
        for module in (public_api, tickets_service, remote_service, appointments_service):
            monkeypatch.setattr(module, "utcnow", lambda: moment)
    return set_to


def offers(api, centre="HQ") -> dict[str, dict]:
    response = api.get(f"/api/v1/centres/{centre}/services")
    assert response.status_code == 200, response.get_json()
    return {o["service"]: o for o in response.get_json()}


def test_each_service_is_served_now_from_a_time_today_or_not_today(api, clock):
    roster_ana((9, 11), (14, 18))
    open_counter("HQ-02", "ben", skills=["tax"], now=at(11, 30), by=SYSTEM)  # ben: tax only, off the roster
    clock(NOON)
    found = offers(api)
    assert list(found) == ["birth", "passport", "tax", "info"]  # the menu's order
    assert found["tax"] == {"service": "tax", "served_now": True, "served_today": True, "bookable": False,
                            "next_served_at": "2026-11-23T12:00:00+03:00", "waiting": 0, "estimated_wait_min": 0.0,
                            "estimated_wait_range_min": None}
    assert found["birth"] == {"service": "birth", "served_now": False, "served_today": True, "bookable": True,
                              "next_served_at": "2026-11-23T14:00:00+03:00", "waiting": 0,
                              "estimated_wait_min": 120.0, "estimated_wait_range_min": None}  # ana arrives at 14:00
    assert found["info"] == {"service": "info", "served_now": False, "served_today": False, "bookable": True,
                             "next_served_at": "2026-11-24T00:00:00+03:00", "waiting": 0, "estimated_wait_min": None,
                             "estimated_wait_range_min": None}


def test_a_clerk_on_a_break_comes_back_at_its_end(api, clock):
    roster_ana((9, 18), breaks=[(11, 13)])
    clock(NOON)
    assert offers(api)["passport"]["next_served_at"] == "2026-11-23T13:00:00+03:00"
    clock(at(17, 59))
    assert offers(api)["passport"]["next_served_at"] == "2026-11-23T17:59:00+03:00"  # on duty: as soon as she sits
    clock(at(18, 0))
    assert offers(api)["passport"]["served_today"] is False


def test_a_closed_centre_serves_nothing_now_and_names_its_next_covered_opening(api, clock):
    sunday = datetime(2026, 11, 29, 12, 0, tzinfo=NEW_YORK)
    clock(sunday)
    found = offers(api, "NYC")
    assert all(not o["served_now"] and not o["served_today"] for o in found.values())
    assert {o["next_served_at"] for o in found.values()} == {"2026-11-30T09:00:00-05:00"}  # nora, Monday's opening


def test_a_walk_in_nobody_serves_today_is_refused_with_when_next_and_no_number_used(api, clock):
    kiosk = api.device()
    roster_ana((9, 11), (14, 18))
    clock(NOON)
    first = api.post("/api/v1/centres/HQ/tickets", kiosk, json={"service": "info"})
    assert error_of(first) == (409, "not_served_today")
    error = first.get_json()["error"]
    assert (error["next_served_at"], error["bookable"]) == ("2026-11-24T00:00:00+03:00", True)
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0
    assert db.session.scalar(select(func.count()).select_from(TicketSequence)) == 0  # no number taken
    # served from 14:00: the ticket is issued, with an honest estimate
    later = api.post("/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"})
    assert later.status_code == 201 and later.get_json()["estimated_wait_min"] == 120.0
    # once a counter serves info, its numbering starts at 1: the refusal left no gap
    open_counter("HQ-03", "ben", now=NOON, by=SYSTEM)
    assert api.post("/api/v1/centres/HQ/tickets", kiosk, json={"service": "info"}).get_json()["number"] == "D001"


def test_joining_from_home_follows_the_same_rule(api, clock):
    roster_ana((9, 11), (14, 18))
    clock(NOON)
    refused = api.post("/api/v1/centres/HQ/remote-tickets", json={"service": "info", "phone": PHONE})
    assert error_of(refused) == (409, "not_served_today")
    assert refused.get_json()["error"]["next_served_at"] == "2026-11-24T00:00:00+03:00"
    # birth is served from 14:00: two hours away, past the arrival cap (90 min) rather than "not served now"
    later = api.post("/api/v1/centres/HQ/remote-tickets", json={"service": "birth", "phone": PHONE})
    assert error_of(later) == (409, "too_far_ahead")
    clock(at(13, 0))
    joined = api.post("/api/v1/centres/HQ/remote-tickets", json={"service": "birth", "phone": PHONE})
    assert joined.status_code == 201 and joined.get_json()["estimated_wait_min"] == 60.0
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_a_booked_visitor_checks_in_even_when_nobody_serves_it_today(api, clock):
    kiosk = api.device()
    roster_ana((9, 11), (14, 18))
    book(service="info", start=NOON + timedelta(minutes=5))
    clock(NOON)
    assert api.post("/api/v1/centres/HQ/tickets", kiosk, json={"service": "info"}).status_code == 409
    checked = api.post("/api/v1/appointments/K7QW3ZP2/check-in", kiosk, json={})
    assert checked.status_code == 201, checked.get_json()


def test_a_ticket_taken_before_the_first_shift_waits_for_it(ctx):
    roster_ana((10, 18))
    first = issue_ticket("HQ", "birth", now=at(9, 50), by=SYSTEM)
    second = issue_ticket("HQ", "birth", now=at(9, 51), by=SYSTEM)
    assert (first.estimated_wait_min, second.estimated_wait_min) == (10.0, 19.0)  # ana arrives at 10:00; then after one visit of 10 min
    # ana at a counter already counts there, not again as arriving
    open_counter("HQ-01", "ana", now=at(9, 52), by=SYSTEM)
    third = issue_ticket("HQ", "birth", now=at(9, 52), by=SYSTEM)
    assert third.estimated_wait_min == 20.0


def test_the_service_layer_names_the_refusal(ctx):
    roster_ana((9, 11))
    with pytest.raises(NotServedToday) as refused:
        issue_ticket("HQ", "birth", now=NOON, by=SYSTEM)
    assert refused.value.details == {"service": "birth", "next_served_at": "2026-11-24T00:00:00+03:00", "bookable": True}


def test_the_join_page_labels_each_service_and_says_when_a_refused_one_is_served_next(client, clock, monkeypatch):
    import queue_app.pages.routes as pages

    monkeypatch.setattr(pages, "utcnow", lambda: NOON)
    roster_ana((9, 11), (14, 18))
    clock(NOON)
    page = client.get("/join?centre=HQ&lang=es").get_data(as_text=True)
    assert "Registro de nacimiento — se atiende desde las 14:00" in page
    assert "Información — hoy no se atiende" in page and "Lo que se atiende hoy en Sede central" in page
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    refused = client.post("/join", data={"csrf_token": csrf, "centre": "HQ", "service": "info", "phone": PHONE})
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "Hoy ya nadie atiende este servicio aquí. Se atenderá el martes 24 noviembre desde las 00:00." in text
    assert 'href="/book/info/HQ"' in text  # the booking site's page for that service and centre
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0
