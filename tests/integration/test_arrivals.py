"""One day's arrivals, one figure: the report page, its PDF and CSV, `queue-app report`, the stats API,
the dashboard, open data (JSON, CSV, page) and the stored roll-up all count the same visitors.

The day holds a ticket of every kind: walk-ins, a remote join, an appointment checked in, a
cancellation, a no-show, a transfer (one visitor, two tickets), and tickets either side of the
centre's midnight (HQ is open round the clock, in Moscow: 00:20 local is 21:20 UTC the day before).
"""
from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.jobs import run_due
from queue_app.models import Appointment, Centre, CentreDay, Service
from queue_app.services.screens import manager_state
from queue_app.services import call_next, cancel, check_in, finish, issue_ticket, no_show, open_counter, start, transfer
from queue_app.services.remote import join_remotely
from queue_app.services.reports import build_report, period_of
from tests.conftest import MSK, add_clerk
from tests.integration.test_reports import sign_in

DAY = date(2026, 11, 23)
ARRIVALS = 8  # visitors of DAY at HQ, counted by hand below; 9 tickets, the transfer making the 9th


def at(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MSK)


def served(now: datetime, minutes: int = 5):
    ticket = call_next("HQ-01", now=now, by=SYSTEM)
    start(ticket.id, now=now + timedelta(minutes=1), by=SYSTEM)
    finish(ticket.id, "resolved", now=now + timedelta(minutes=minutes), by=SYSTEM)
    return ticket


def seed() -> None:
    """DAY at HQ, one kind of ticket after another, so a single counter calls each in turn."""
    add_clerk("anna", "HQ", primary=("birth", "passport", "tax", "info"))
    open_counter("HQ-01", "anna", now=at(DAY - timedelta(days=1), 23, 0), by=SYSTEM)
    issue_ticket("HQ", "info", now=at(DAY - timedelta(days=1), 23, 50), by=SYSTEM)  # the day before: not counted
    served(at(DAY - timedelta(days=1), 23, 51))
    issue_ticket("HQ", "birth", now=at(DAY, 0, 20), by=SYSTEM)  # 1: just after midnight, the day before in UTC
    served(at(DAY, 0, 25))
    issue_ticket("HQ", "birth", now=at(DAY, 10, 0), by=SYSTEM)  # 2: a walk-in
    served(at(DAY, 10, 5))
    join_remotely("HQ", "tax", "+34 612 345 678", now=at(DAY, 10, 30))  # 3: joined from home
    served(at(DAY, 10, 40))
    db.session.add(Appointment(
        code="K7QW3ZP2", centre_id=db.session.scalar(select(Centre.id).where(Centre.code == "HQ")),
        service_id=db.session.scalar(select(Service.id).where(Service.code == "passport")),
        start=at(DAY, 12, 0), end=at(DAY, 12, 20), name="Ana Ruiz", phone="+34600000000", language="es"))
    db.session.commit()
    check_in("HQ", "K7QW3ZP2", now=at(DAY, 11, 50), by=SYSTEM)  # 4: an appointment checked in
    served(at(DAY, 11, 55))
    cancel(issue_ticket("HQ", "birth", now=at(DAY, 13, 0), by=SYSTEM).ticket.id, now=at(DAY, 13, 5), by=SYSTEM)  # 5: left
    issue_ticket("HQ", "info", now=at(DAY, 14, 0), by=SYSTEM)  # 6: called, never came
    no_show(call_next("HQ-01", now=at(DAY, 14, 1), by=SYSTEM).id, now=at(DAY, 14, 4), by=SYSTEM)
    issue_ticket("HQ", "passport", now=at(DAY, 15, 0), by=SYSTEM)  # 7: sent on to tax, served there
    moved = call_next("HQ-01", now=at(DAY, 15, 2), by=SYSTEM)
    start(moved.id, now=at(DAY, 15, 3), by=SYSTEM)
    transfer(moved.id, "tax", now=at(DAY, 15, 10), by=SYSTEM)
    served(at(DAY, 15, 11))
    issue_ticket("HQ", "birth", now=at(DAY, 23, 55), by=SYSTEM)  # 8: just before midnight, still waiting
    issue_ticket("HQ", "info", now=at(DAY + timedelta(days=1), 0, 10), by=SYSTEM)  # the next day (still DAY in UTC)


def pdf_words(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def figure_in_pdf(words: str, label: str) -> int:
    return int(re.search(rf"^\s*{label}\s+(\d+)\s*$", words, re.MULTILINE).group(1))


def arrivals_in_csv(text: str) -> int:
    (row,) = [r for r in csv.DictReader(io.StringIO(text)) if r["centre"] == "HQ" and r["date"] == DAY.isoformat()]
    return int(row["arrivals"])


def every_output(client, runner, tmp_path) -> dict[str, int]:
    """The day's arrivals as each output says them."""
    query = f"centre=HQ&mode=day&date={DAY}"
    out = {"report": build_report("HQ", period_of(day=DAY.isoformat())).report.arrivals}
    page = client.get(f"/manager/reports?{query}&lang=en").get_data(as_text=True)
    out["page"] = int(re.search(r"<dt>Arrivals</dt><dd>(\d+)</dd>", page).group(1))
    ru = client.get(f"/manager/reports?{query}&lang=ru").get_data(as_text=True)
    out["page_ru"] = int(re.search(r"<dt>Пришли</dt><dd>(\d+)</dd>", ru).group(1))
    out["pdf"] = figure_in_pdf(pdf_words(client.get(f"/manager/reports.pdf?{query}&lang=en").data, tmp_path), "Arrivals")
    out["csv"] = arrivals_in_csv(client.get(f"/manager/reports.csv?{query}").get_data(as_text=True))
    table = tmp_path / "cli.csv"
    result = runner.invoke(args=["report", "--centre", "HQ", "--date", DAY.isoformat(), "--csv", str(table)])
    assert result.exit_code == 0, result.output
    out["cli"] = int(re.search(r"(\d+) arrivals", result.output).group(1))
    out["cli_csv"] = arrivals_in_csv(table.read_text(encoding="utf-8"))
    out["stats_api"] = client.get(f"/api/v1/centres/HQ/stats?date={DAY}").get_json()["arrivals"]
    (record,) = client.get(f"/api/v1/open-data/daily?centre=HQ&from={DAY}&to={DAY}").get_json()
    out["open_data"] = record["arrivals"]
    out["open_data_csv"] = arrivals_in_csv(
        client.get(f"/api/v1/open-data/daily?centre=HQ&from={DAY}&to={DAY}&format=csv").get_data(as_text=True))
    public = client.get(f"/open-data?from={DAY}&to={DAY}&lang=en").get_data(as_text=True)
    assert ">Arrivals</th>" in public
    out["open_data_page"] = int(re.search(r'id="centre-HQ".*?<tbody>\s*<tr>\s*<th scope="row">[^<]*</th>\s*<td>(\d+)</td>',
                                          public, re.DOTALL).group(1))
    return out


def test_every_output_gives_the_same_arrivals(ctx, client, runner, tmp_path):
    seed()
    sign_in(client, "root", "admin", centres=())
    now = every_output(client, runner, tmp_path)
    assert now == dict.fromkeys(now, ARRIVALS)
    report = build_report("HQ", period_of(day=DAY.isoformat())).report
    assert sum(h.arrivals for h in report.hours) == ARRIVALS
    assert (report.served, report.cancelled, report.no_show, report.transferred) == (5, 1, 1, 1)  # + 1 waiting
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    today = manager_state(hq, now=at(DAY, 23, 58))["today"]  # the dashboard, late in the day
    assert today["arrivals"] == sum(h["arrivals"] for h in today["hourly"]) == ARRIVALS

    run_due(at(DAY + timedelta(days=1), 0, 30))  # the day is closed and rolled up: read from centre_days now
    stored = db.session.scalar(select(CentreDay.figures).where(CentreDay.day == DAY))
    assert stored["arrivals"] == ARRIVALS
    rolled = every_output(client, runner, tmp_path)
    assert rolled == dict.fromkeys(rolled, ARRIVALS)


@pytest.mark.parametrize("day, expected", [(DAY - timedelta(days=1), 1), (DAY + timedelta(days=1), 1)])
def test_the_days_either_side_count_their_own_midnight_tickets(ctx, day, expected):
    seed()
    assert build_report("HQ", period_of(day=day.isoformat())).report.arrivals == expected
