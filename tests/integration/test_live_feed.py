"""Open data's 15-minute feed: a worked hour at NYC (tickets made with the engine at fixed times)
gives hand-computed records, stored once by the scheduled job and never changed; JSON valid against
the published schema, CSV the same as JSON, no personal data, small counts null."""
from __future__ import annotations

import csv
import io

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select, update

from queue_app.extensions import db, limiter
from queue_app.jobs import run_due
from queue_app.models import Centre, OpenDataPeriod, Staff, Ticket
from queue_app.services import SYSTEM, call_next, cancel, close_counter, finish, issue_ticket, no_show, start
from tests.conftest import error_of
from tests.integration.test_jobs import MONDAY, at, open_nyc_desk

URL = "/api/v1/open-data/live"
PHONE = "+12125550123"
CLERK = "Josefina Quetzal"


def serve(called_at, finished_at, outcome="resolved", reason=None):
    ticket = call_next("NYC-01", now=called_at, by=SYSTEM)
    start(ticket.id, now=called_at, by=SYSTEM)
    finish(ticket.id, outcome, reason, now=finished_at, by=SYSTEM)
    return ticket


def first_quarter() -> list[int]:
    """09:00–09:15: six tickets at 09:00..09:05 (one with a phone), five served one after another
    (waits 2, 4, 6, 8, 10 min; told 3 min each), one at 09:10 cancelled at 09:12, one more at 09:14."""
    open_nyc_desk(at(MONDAY, 9))
    db.session.execute(update(Staff).where(Staff.username == "nyc1").values(name=CLERK))
    db.session.commit()
    ids = [issue_ticket("NYC", "passport", now=at(MONDAY, 9, m), by=SYSTEM,
                       phone=PHONE if m == 0 else None).ticket.id for m in range(6)]
    for called, finished in ((2, 4), (5, 7), (8, 10), (11, 13)):
        serve(at(MONDAY, 9, called), at(MONDAY, 9, finished))
        if called == 8:
            late = issue_ticket("NYC", "passport", now=at(MONDAY, 9, 10), by=SYSTEM).ticket.id
            cancel(late, now=at(MONDAY, 9, 12), by=SYSTEM)
    fifth = call_next("NYC-01", now=at(MONDAY, 9, 14), by=SYSTEM)
    start(fifth.id, now=at(MONDAY, 9, 14), by=SYSTEM)
    ids.append(issue_ticket("NYC", "passport", now=at(MONDAY, 9, 14), by=SYSTEM).ticket.id)
    db.session.execute(update(Ticket).where(Ticket.id.in_(ids[:5])).values(estimate_at_issue_min=3.0))
    db.session.commit()
    return ids


def second_quarter(ids: list[int]) -> None:
    """09:15–09:30: the fifth visit ends at 09:16; the sixth is called at 09:20 (a no-show at 09:22),
    the 09:14 one at 09:23 and served to 09:25; the counter closes at 09:26."""
    finish(ids[4], "resolved", now=at(MONDAY, 9, 16), by=SYSTEM)
    sixth = call_next("NYC-01", now=at(MONDAY, 9, 20), by=SYSTEM)
    no_show(sixth.id, now=at(MONDAY, 9, 22), by=SYSTEM)
    serve(at(MONDAY, 9, 23), at(MONDAY, 9, 25))
    close_counter("NYC-01", by=SYSTEM)


NINE = {"centre": "NYC", "start": "2026-11-23T09:00:00-05:00", "end": "2026-11-23T09:15:00-05:00",
        "url": "/api/v1/open-data/live/NYC/2026-11-23T09:00", "target_wait_min": 10,
        "waiting": 2,  # the sixth (called 09:20) and the 09:14 one; the 09:10 one left at 09:12
        "counters_open": 1, "arrivals": 8, "called": 5,
        "wait_p50_min": 6.0, "wait_p90_min": 10.0, "over_target_share": 0.0,  # 10 is not over a 10-minute target
        "estimate_mae_min": 3.4, "estimate_bias_min": -3.0,  # errors 3-2, 3-4, 3-6, 3-8, 3-10
        "estimate_range_share": None,  # no history: nobody was told a range
        "visits_over": 5,  # four served and the one cancelled
        "door_to_door_mean_min": None,  # only four served to their end: fewer than 5
        "first_visit_resolution": 0.8}
QUARTER_PAST = {"centre": "NYC", "start": "2026-11-23T09:15:00-05:00", "end": "2026-11-23T09:30:00-05:00",
                "url": "/api/v1/open-data/live/NYC/2026-11-23T09:15", "target_wait_min": 10,
                "waiting": 0, "counters_open": None,  # stored at 09:40: the counters were not seen at 09:30
                "arrivals": 0, "called": 2, "wait_p50_min": None, "wait_p90_min": None, "over_target_share": None,
                "estimate_mae_min": None, "estimate_bias_min": None, "estimate_range_share": None, "visits_over": 3,
                "door_to_door_mean_min": None, "first_visit_resolution": None}


def nyc(keys: list[str]) -> list[str]:
    return [k for k in keys if k.startswith("NYC:")]


def test_a_worked_half_hour_gives_hand_computed_records_stored_once(ctx, client):
    ids = first_quarter()
    assert nyc(run_due(at(MONDAY, 9, 15, ss=30)).periods) == []  # closed, not yet settled
    assert nyc(run_due(at(MONDAY, 9, 16, ss=30)).periods) == ["NYC:2026-11-23T09:00"]
    assert nyc(run_due(at(MONDAY, 9, 17)).periods) == []  # done once
    second_quarter(ids)
    assert nyc(run_due(at(MONDAY, 9, 40)).periods) == ["NYC:2026-11-23T09:15"]
    body = client.get(f"{URL}?centre=NYC&from=2026-11-23")
    assert body.status_code == 200
    assert body.get_json() == [NINE, QUARTER_PAST]  # nine o'clock's record is as it was stored: counter open
    assert db.session.scalar(select(OpenDataPeriod.stored_at).join(Centre).where(
        Centre.code == "NYC", OpenDataPeriod.start == at(MONDAY, 9))) == at(MONDAY, 9, 16, ss=30)


def test_a_closed_period_never_changes_when_more_tickets_come(ctx, client):
    ids = first_quarter()
    run_due(at(MONDAY, 9, 16, ss=30))
    before = client.get(NINE["url"]).get_json()
    assert before == NINE
    # a ticket back-dated into the closed period (a clock skew) would change its arrivals if it were recomputed
    issue_ticket("NYC", "passport", now=at(MONDAY, 9, 14, ss=59), by=SYSTEM)
    second_quarter(ids)
    run_due(at(MONDAY, 9, 40))
    run_due(at(MONDAY, 10, 1))
    assert client.get(NINE["url"]).get_json() == before
    stored = select(OpenDataPeriod.id).join(Centre).where(Centre.code == "NYC", OpenDataPeriod.start == at(MONDAY, 9))
    assert len(db.session.scalars(stored).all()) == 1


def test_a_period_stored_after_the_turn_looked_is_left_as_it_was_stored(ctx, client, monkeypatch):
    """Another process's turn stores 09:00 after this one read what was stored (here written in this
    turn's own transaction at that moment: on SQLite two writers cannot overlap; on PostgreSQL the
    insert would wait for the other's commit and then meet the row the same way). This turn stores
    the rest, keeps the other's record as it is and does not report it as its own."""
    from queue_app.services import live_feed

    first_quarter()
    nyc_id = db.session.scalar(select(Centre.id).where(Centre.code == "NYC"))
    counted = live_feed._counters_open

    def meanwhile(centre_id):
        if centre_id == nyc_id:
            db.session.execute(OpenDataPeriod.__table__.insert().values(
                centre_id=nyc_id, start=at(MONDAY, 9), figures={"arrivals": 99}, stored_at=at(MONDAY, 9, 16)))
        return counted(centre_id)

    monkeypatch.setattr(live_feed, "_counters_open", meanwhile)
    assert nyc(run_due(at(MONDAY, 9, 31)).periods) == ["NYC:2026-11-23T09:15"]
    stored = db.session.execute(select(OpenDataPeriod.start, OpenDataPeriod.figures).join(Centre)
                                .where(Centre.code == "NYC", OpenDataPeriod.start >= at(MONDAY, 9))
                                .order_by(OpenDataPeriod.start)).all()
    assert [(start, figures["arrivals"]) for start, figures in stored] == [(at(MONDAY, 9), 99), (at(MONDAY, 9, 15), 0)]


def test_the_json_validates_against_the_published_schema(ctx, client):
    from tests.integration.test_reports import seed

    ids = first_quarter()
    run_due(at(MONDAY, 9, 16, ss=30))
    second_quarter(ids)
    run_due(at(MONDAY, 9, 40))
    schema = client.get("/api/v1/open-data/schema")
    assert schema.status_code == 200 and schema.mimetype == "application/schema+json"
    document = schema.get_json()
    Draft202012Validator.check_schema(document)
    assert document["license"]["name"] == "CC BY 4.0"
    validator = Draft202012Validator(document)
    live = client.get(f"{URL}?centre=NYC&from=2026-11-22&to=2026-11-23").get_json()
    assert len(live) == 2
    seed()  # HQ's worked days of the reports' tests, for the daily records
    daily = client.get("/api/v1/open-data/daily?from=2026-11-23&to=2026-11-24").get_json()
    assert daily
    for one in live + daily:
        errors = list(validator.iter_errors(one))
        assert not errors, errors
    broken = dict(live[0], waiting=-1)
    assert list(validator.iter_errors(broken))  # the schema can refuse


def test_no_personal_data_and_small_counts_are_null(ctx, client):
    ids = first_quarter()
    run_due(at(MONDAY, 9, 16, ss=30))
    second_quarter(ids)
    run_due(at(MONDAY, 9, 40))
    tokens = db.session.scalars(select(Ticket.token)).all()
    for url in (f"{URL}?centre=NYC&from=2026-11-23", f"{URL}?centre=NYC&from=2026-11-23&format=csv"):
        text = client.get(url).get_data(as_text=True)
        for secret in (PHONE, "2125550123", CLERK, "nyc1", "staff", "phone", "token", *tokens):
            assert secret not in text
    small = client.get(QUARTER_PAST["url"]).get_json()
    assert small["called"] == 2 and small["wait_p50_min"] is None and small["over_target_share"] is None


def test_csv_matches_json(ctx, client):
    ids = first_quarter()
    run_due(at(MONDAY, 9, 16, ss=30))
    second_quarter(ids)
    run_due(at(MONDAY, 9, 40))
    as_json = client.get(f"{URL}?centre=NYC&from=2026-11-23").get_json()
    for response in (client.get(f"{URL}?centre=NYC&from=2026-11-23", headers={"Accept": "text/csv"}),
                     client.get(f"{URL}?centre=NYC&from=2026-11-23&format=csv")):
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert len(rows) == len(as_json) == 2
        for row, record in zip(rows, as_json):
            assert set(row) == set(record)
            for name, value in record.items():
                cell = row[name]
                if value is None:
                    assert cell == ""
                elif isinstance(value, float):
                    assert float(cell) == pytest.approx(value, abs=0.005)
                else:
                    assert cell == str(value)
    one = client.get(f"{NINE['url']}?format=csv").get_data(as_text=True).splitlines()
    assert len(one) == 2 and one[1].startswith("NYC,2026-11-23T09:00:00-05:00,")


@pytest.mark.parametrize("query", [
    "?from=2026-11-23",  # the centre is required
    "?centre=NYC",
    "?centre=NYC&from=2026-11-24&to=2026-11-23",
    "?centre=NYC&from=2026-11-01&to=2026-12-02",  # 32 days
    "?centre=NYC&from=2026-11-23&format=xml",
    "?centre=NYC&from=2026-11-23&colour=red",
])
def test_a_bad_query_is_a_422_json_refusal(client, query):
    assert error_of(client.get(URL + query)) == (422, "invalid")


def test_a_period_by_its_address(ctx, client):
    first_quarter()
    assert client.get(f"{URL}?centre=NYC&from=2026-11-01&to=2026-12-01").status_code == 200  # 31 days
    assert error_of(client.get(f"{URL}/NYC/2026-11-23T09:00")) == (404, "not_found")  # not stored yet
    run_due(at(MONDAY, 9, 16, ss=30))
    assert client.get(f"{URL}/NYC/2026-11-23T09:00").get_json() == NINE
    assert error_of(client.get(f"{URL}/NYC/2026-11-23T09:07")) == (422, "invalid")
    assert error_of(client.get(f"{URL}/NYC/23-11-2026")) == (422, "invalid")
    assert error_of(client.get(f"{URL}/XX/2026-11-23T09:00")) == (404, "not_found")
    assert error_of(client.get(f"{URL}?centre=XX&from=2026-11-23")) == (404, "not_found")


def test_the_public_limit_applies(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ONEDOOR_PUBLIC_RATE_LIMIT", "2/minute")
    limiter.reset()
    try:
        for _ in range(2):
            assert client.get(f"{URL}?centre=NYC&from=2026-11-23").status_code == 200
            assert client.get("/api/v1/open-data/schema").status_code == 200
        assert error_of(client.get(f"{URL}?centre=NYC&from=2026-11-23")) == (429, "rate_limited")
        assert error_of(client.get("/api/v1/open-data/schema")) == (429, "rate_limited")
    finally:
        limiter.reset()


def test_the_hour_a_clock_turns_back_gives_each_of_its_periods_an_address_of_its_own(ctx):
    from datetime import datetime, timedelta, timezone

    from queue_app.domain.errors import InvalidRequest
    from queue_app.services.live_feed import address, parse_start
    from queue_app.services.lookup import centre_by_code

    nyc = centre_by_code("NYC")  # New York: on 2026-11-01 the clock goes from 02:00 EDT back to 01:00 EST
    first = datetime(2026, 11, 1, 5, 15, tzinfo=timezone.utc)  # 01:15 EDT
    second = first + timedelta(hours=1)  # 01:15 again, EST
    assert (address(first, nyc.tz), address(second, nyc.tz)) == ("2026-11-01T01:15-04:00", "2026-11-01T01:15-05:00")
    assert parse_start("2026-11-01T01:15-04:00", nyc) == first and parse_start("2026-11-01T01:15-05:00", nyc) == second
    assert parse_start("2026-11-01T01:15", nyc) == first  # without its offset: the first time it comes
    assert address(datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc), nyc.tz) == "2026-11-23T09:00"  # any other day
    assert parse_start("2026-11-23T09:00-05:00", nyc) == datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)
    for wrong in ("2026-11-01T01:15+03:00", "2026-11-01T01:15Z", "2026-11-01T01:15-0400"):
        with pytest.raises(InvalidRequest):
            parse_start(wrong, nyc)
