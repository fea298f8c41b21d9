"""The centre pages (/admin/centres, /admin/centres/<code>) through the test client: who sees what,
an admin's details form, a manager's hours, holidays with the bookings they leave without a place,
counters and their 409 refusal; a refusal shown by its field and changing nothing."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from queue_app.db import utcnow
from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Centre, Counter
from queue_app.services import book, call_next, issue_ticket
from tests.conftest import open_desk
from tests.integration.test_admin_centres import a_free_slot, snapshot
from tests.integration.test_admin_pages import page
from tests.integration.test_dashboard import sign_in


def post(client, url: str, form_url: str, **data):
    """Post `data` with the CSRF token of the page at `form_url`."""
    html = page(client, form_url)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    return client.post(url, data={"csrf_token": token, **data})


def centre(code: str) -> Centre:
    db.session.rollback()
    return db.session.scalar(select(Centre).where(Centre.code == code))


def test_a_manager_sees_their_centre_read_only_and_no_other(client):
    sign_in(client, "max", "manager", centres=("NYC",))
    listing = page(client, "/admin/centres?lang=en")
    assert "/admin/centres/NYC" in listing and "/admin/centres/HQ" not in listing
    assert "/manager/NYC/roster" in listing
    assert client.get("/admin/centres/HQ").status_code == 403
    assert client.get("/admin/centres/NOPE").status_code == 404
    html = page(client, "/admin/centres/NYC?lang=en")
    assert "Only an administrator changes a centre" in html and "Save the details" not in html
    before = snapshot()
    assert post(client, "/admin/centres/NYC/details", "/admin/centres/NYC", timezone="UTC").status_code == 403
    assert snapshot() == before


def details(**changes) -> dict:
    names = {"en": "Midtown", "es": "Midtown ES", "ru": "Мидтаун", "ar": "ميدتاون"}
    base = {f"name_{k}": v for k, v in names.items()} | {f"address_{k}": f"5th Ave {k}" for k in names}
    return base | {"timezone": "America/New_York", "target_wait_min": "25", "recall_limit": "3",
                   "call_timeout_min": "4"} | changes


def test_an_admin_changes_the_details_in_every_language(client):
    sign_in(client, "ada", "admin", centres=())
    response = post(client, "/admin/centres/NYC/details", "/admin/centres/NYC", **details())
    assert response.status_code == 303
    nyc = centre("NYC")
    assert nyc.name["ru"] == "Мидтаун" and nyc.address["ar"] == "5th Ave ar" and nyc.target_wait_min == 25
    assert (nyc.recall_limit, nyc.call_timeout_min) == (3, 4)


@pytest.mark.parametrize("changes, message", [
    ({"name_es": ""}, "text is missing"),
    ({"target_wait_min": "0"}, "target_wait_min"),
    ({"timezone": "Mars/Olympus"}, "Not a valid choice"),
])
def test_a_refused_detail_is_shown_by_its_field_and_changes_nothing(client, changes, message):
    sign_in(client, "ada", "admin", centres=())
    before = snapshot()
    response = post(client, "/admin/centres/NYC/details?lang=en", "/admin/centres/NYC", **details(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_manager_sets_the_weekly_hours_and_247(client):
    sign_in(client, "max", "manager", centres=("NYC",))
    week = {f"open_{d}": "y" for d in ("mon", "tue", "wed", "thu", "fri")}
    times = {f"{k}_{d}": v for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
             for k, v in (("from", "08:30"), ("to", "00:00"))}
    assert post(client, "/admin/centres/NYC/hours", "/admin/centres/NYC", **week, **times).status_code == 303
    hours = centre("NYC").hours
    assert hours["weekly"]["mon"] == "08:30-24:00" and hours["weekly"]["sat"] == "closed"
    before = snapshot()
    bad = post(client, "/admin/centres/NYC/hours?lang=en", "/admin/centres/NYC", **week, **times | {"from_mon": "8h"})
    assert bad.status_code == 422 and "Write a time as HH:MM." in bad.get_data(as_text=True)
    assert snapshot() == before
    assert post(client, "/admin/centres/NYC/hours", "/admin/centres/NYC", always="y").status_code == 303
    assert centre("NYC").hours["always_open"] is True


def test_a_holiday_lists_the_booking_on_it_with_where_to_move_it(client):
    free = a_free_slot("NYC", "birth")
    booked = book("NYC", "birth", free.start, name="Ana", phone="+34612345678")
    day = free.start.date().isoformat()
    sign_in(client, "max", "manager", centres=("NYC",))
    response = post(client, "/admin/centres/NYC/days", "/admin/centres/NYC", date=day, kind="closed", note="Storm")
    assert response.status_code == 303 and f"day={day}" in response.headers["Location"]
    html = page(client, response.headers["Location"] + "&lang=en")
    assert "1 booking has no place any more" in html and "Bookings without a place" in html
    assert booked.code in html and f"/book/manage/{booked.code}/move" in html
    assert f"/manager/NYC/roster?week={day}" in html
    assert re.search(rf'data-day="{day}" aria-current="date">.*?<span class="visually-hidden">[^<]*Holiday: closed — Storm</span>',
                     html, re.S)
    assert centre("NYC").hours["notes"] == {day: "Storm"}
    removed = post(client, "/admin/centres/NYC/days/remove", "/admin/centres/NYC", date=day)
    assert removed.status_code == 303
    assert "Bookings without a place" not in page(client, removed.headers["Location"])
    before = snapshot()
    past = post(client, "/admin/centres/NYC/days?lang=en", "/admin/centres/NYC", date="2020-01-01", kind="closed")
    assert past.status_code == 422 and "has passed at centre NYC" in past.get_data(as_text=True)
    assert snapshot() == before


def test_counters_are_added_renamed_and_a_busy_one_is_not_retired(client):
    sign_in(client, "max", "manager", centres=("HQ",))
    assert post(client, "/admin/centres/HQ/counters", "/admin/centres/HQ", name="Front").status_code == 303
    db.session.rollback()
    added = db.session.scalars(select(Counter).join(Centre).where(Centre.code == "HQ").order_by(Counter.number)).all()[-1]
    assert added.name == "Front"
    assert post(client, f"/admin/centres/HQ/counters/{added.code}/name", "/admin/centres/HQ", name="Desk A").status_code == 303
    assert post(client, f"/admin/centres/HQ/counters/{added.code}/active", "/admin/centres/HQ").status_code == 303
    db.session.rollback()
    assert (db.session.get(Counter, added.id).name, db.session.get(Counter, added.id).active) == ("Desk A", False)
    now = utcnow()
    open_desk("HQ-01", "c1", primary=["birth"], now=now)
    issue_ticket("HQ", "birth", by=SYSTEM, now=now)
    call_next("HQ-01", by=SYSTEM, now=now)
    before = snapshot()
    refused = post(client, "/admin/centres/HQ/counters/HQ-01/active?lang=en", "/admin/centres/HQ")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "This is still in use" in text and "the clerk must finish and close it first" in text
    assert snapshot() == before
    assert post(client, "/admin/centres/NYC/counters", "/admin/centres/HQ").status_code == 403
    assert post(client, "/admin/centres/HQ/counters/NYC-01/name", "/admin/centres/HQ", name="x").status_code == 404
