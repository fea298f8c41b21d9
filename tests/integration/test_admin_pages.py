"""The /admin pages through the test client: who may open them, the admin home's health figures (each
limited to the reader's centres), and the audit page's filters, pages and CSV.

The test network: HQ (Europe/Moscow, open round the clock) and NYC; services birth, passport, tax, info.
"""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from queue_app.db import utcnow
from queue_app.domain.roster import ShiftPlan
from queue_app.extensions import db
from queue_app.models import Device, PrintJob, Service, Staff
from queue_app.services import actor_of, create_device, issue_ticket
from queue_app.services.roster import replace_roster
from tests.conftest import utc
from tests.integration.test_dashboard import sign_in


def test_anonymous_goes_to_sign_in_and_a_clerk_is_refused(client):
    for url in ("/admin/", "/admin/audit", "/admin/audit.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"], url
    sign_in(client, "carl", "clerk")
    for url in ("/admin/", "/admin/audit", "/admin/audit.csv"):
        response = client.get(url)
        assert response.status_code == 403 and "Only managers and administrators" in response.get_data(as_text=True)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def make_troubles() -> None:
    """The test network's devices seen just now; then at HQ a kiosk never seen whose printer fails, at
    NYC a display silent for an hour; and the service `tax` lost its Arabic name."""
    now = utcnow()
    db.session.execute(update(Device).values(last_seen_at=now))
    kiosk = create_device("kiosk", "HQ", printer="tcp://127.0.0.1:9", name="Lobby kiosk").device.id
    nyc = create_device("display", "NYC", name="NYC screen").device.id
    db.session.execute(update(Device).where(Device.id == nyc).values(last_seen_at=now - timedelta(hours=1)))
    tax = db.session.scalar(select(Service).where(Service.code == "tax"))
    tax.name = {k: v for k, v in tax.name.items() if k != "ar"}
    db.session.commit()
    issue_ticket("HQ", "birth", by=actor_of(db.session.get(Device, kiosk)), printer_uri="tcp://127.0.0.1:9")
    db.session.execute(update(PrintJob).values(attempts=3, last_error="connection refused"))
    db.session.commit()


@pytest.fixture
def troubles(ctx):
    make_troubles()
    return ctx


def test_an_admin_sees_the_whole_networks_health(troubles, client):
    sign_in(client, "ada", "admin", centres=())
    html = page(client, "/admin/?lang=en")
    assert "of 2" in html and "Yes" in html  # centres open now, of all
    assert "Lobby kiosk" in html and "never seen" in html and "NYC screen" in html and "Hall" not in html
    assert "1 ticket not printed" in html and "connection refused" in html
    assert "Service name: Taxes" in html or "Service name: Tax" in html
    assert 'href="/manager/HQ/roster"' in html and 'href="/manager/NYC/plan"' in html  # where to act


def test_a_manager_sees_only_their_centres_and_no_catalogue(troubles, client):
    sign_in(client, "max", "manager", centres=("HQ",))
    html = page(client, "/admin/?lang=en")
    assert "of 1" in html and "Lobby kiosk" in html
    assert "NYC screen" not in html and "/manager/NYC" not in html  # neither the row nor the navigation
    assert "Texts missing a translation" not in html


def test_the_home_speaks_every_configured_language(troubles, client):
    sign_in(client, "ada", "admin", centres=())
    assert 'dir="rtl"' in page(client, "/admin/?lang=ar")
    for lang in ("es", "ru", "ar"):
        assert "Network health" not in page(client, f"/admin/?lang={lang}"), lang
        assert "Audit trail" not in page(client, f"/admin/audit?lang={lang}"), lang


@pytest.fixture
def changes(ctx):
    """Three roster changes at HQ by max and one at NYC by ned."""
    for shift_day in ("2026-12-07", "2026-12-08", "2026-12-09"):
        replace_roster("HQ", _day(shift_day), [_shift("ana", shift_day, 9, 13)], by=_actor("max", "HQ"))
    replace_roster("NYC", _day("2026-12-07"), [_shift("nora", "2026-12-07", 14, 18)], by=_actor("ned", "NYC"))
    return ctx


def _day(text):
    from datetime import date

    return date.fromisoformat(text)


def _shift(staff, day, start, end):
    d = _day(day)
    return ShiftPlan(staff, utc(d.year, d.month, d.day, start), utc(d.year, d.month, d.day, end))


def _actor(username, centre):
    from queue_app.services import create_user

    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        create_user(username, "manager", password="correct horse battery", centres=[centre])
        staff = db.session.scalar(select(Staff).where(Staff.username == username))
    return actor_of(staff)


def test_the_audit_page_filters_and_shows_each_change(changes, client):
    sign_in(client, "ada", "admin", centres=())
    html = page(client, "/admin/audit?lang=en")
    assert "4 changes" in html and "HQ:2026-12-09" in html and "NYC:2026-12-07" in html
    assert 'class="change-added"' in html and "&#34;staff&#34;: &#34;ana&#34;" in html
    html = page(client, "/admin/audit?lang=en&staff=ned")
    assert "1 change" in html and "HQ:2026-12-09" not in html
    html = page(client, "/admin/audit?lang=en&centre=HQ&entity=roster&action=replace")
    assert "3 changes" in html


def test_the_audit_page_refuses_bad_dates_and_other_centres(changes, client):
    sign_in(client, "max", "manager", centres=("HQ",))
    response = client.get("/admin/audit?lang=en&from=2026-12-09&to=2026-12-01")
    assert response.status_code == 422 and "The period ends before it starts" in response.get_data(as_text=True)
    assert client.get("/admin/audit?lang=en&from=yesterday").status_code == 422
    assert client.get("/admin/audit?centre=NYC").status_code == 403
    assert client.get("/admin/audit.csv?to=nope").status_code == 422
    html = page(client, "/admin/audit?lang=en")
    assert "3 changes" in html and "NYC:2026-12-07" not in html


def test_the_csv_holds_the_filtered_rows(changes, client):
    sign_in(client, "max", "manager", centres=("HQ",))
    response = client.get("/admin/audit.csv?entity=roster&from=2000-01-01")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["key"] for r in rows] == ["HQ:2026-12-09", "HQ:2026-12-08", "HQ:2026-12-07"]
    assert rows[0]["who"] == "max" and "ana" in rows[0]["changes"]


def test_the_audit_page_goes_a_page_at_a_time(changes, client, monkeypatch):
    import queue_app.admin.audit as audit_pages

    monkeypatch.setattr(audit_pages, "ROWS_PER_PAGE", 3)
    sign_in(client, "ada", "admin", centres=())
    first = page(client, "/admin/audit?lang=en&entity=roster")
    assert "Page 1 of 2" in first and 'rel="next" href="/admin/audit?page=2&amp;entity=roster"' in first
    second = page(client, "/admin/audit?lang=en&entity=roster&page=2")
    assert "Page 2 of 2" in second and "HQ:2026-12-07" in second and "HQ:2026-12-09" not in second


def statements_of(body) -> int:
    """How many SQL statements `body()` runs."""
    from sqlalchemy import event

    ran = []
    count = lambda *args: ran.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        body()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(ran)


def test_the_networks_health_reads_as_many_statements_for_ten_centres_as_for_two(troubles):
    """The admin home of a 150-centre network is read on every load: its queries must not grow with
    the centres (bench/admin_home.py measures the time)."""
    from queue_app.models import Centre
    from queue_app.services.network_health import network_health

    ada = db.session.get(Staff, _actor("ada", "HQ").staff_id)
    ada.role = "admin"
    db.session.commit()
    health = lambda: network_health(ada, utcnow())  # noqa: E731
    health()  # the catalogue's cached readings (menu, languages) are read once for all
    db.session.expire_all()
    before = statements_of(health)
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    for n in range(8):
        db.session.add(Centre(code=f"X{n}", name=hq.name, address=hq.address, timezone=hq.timezone, hours=hq.hours))
    db.session.commit()
    for n in range(8):
        create_device("kiosk", f"X{n}", printer="tcp://127.0.0.1:9", name=f"Kiosk {n}")
    from queue_app.services import create_user

    create_user("xena", "clerk", password="correct horse battery", centres=["X1"], primary="all")
    replace_roster("X1", utcnow().date(), [_shift("xena", utcnow().date().isoformat(), 9, 13)], by=_actor("ada", "HQ"))
    db.session.expire_all()
    assert len(health().centres) == 10
    db.session.expire_all()
    assert statements_of(health) == before


def test_the_gaps_ahead_are_each_days_coverage_of_the_hours_to_come(changes):
    """gaps_ahead (read for many centres at once) counts what coverage shows, day by day."""
    from queue_app.services import SYSTEM
    from queue_app.services.roster import coverage, gaps_ahead

    now = utc(2026, 12, 7, 10, 30)
    ahead = gaps_ahead("HQ", now, by=SYSTEM)
    assert [d["day"].isoformat() for d in ahead][:3] == ["2026-12-07", "2026-12-08", "2026-12-09"]
    for entry in ahead:
        day = coverage("HQ", entry["day"], by=SYSTEM)
        assert entry["gaps"] == sum(len(h.not_covered(day.menu)) for h in day.hours if h.end > now), entry["day"]
        assert entry["open"] == bool(day.hours)
    assert ahead[0]["gaps"] < ahead[3]["gaps"]  # the rostered morning covers some of the day
