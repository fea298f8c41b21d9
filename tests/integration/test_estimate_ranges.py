"""Estimate ranges from the centre's own past waits (issue 20): stored at issue, given by the API,
measured against the real waits in the day's figures."""
import math
from datetime import datetime, timedelta

from sqlalchemy import select

from queue_app.db import utcnow
from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Centre, Ticket
from queue_app.services import call_next, issue_ticket
from queue_app.services.reading import day_stats
from tests.conftest import NOON, open_desk, told_waits

MIN = timedelta(minutes=1)


def history(n: int, estimate: float, errors: list[float], days_ago: int = 3, before: datetime | None = None) -> None:
    """n past tickets at HQ, each estimated `estimate` minutes and called after estimate + error,
    `days_ago` days before `before` (now, on the real clock the API and the pages run on: the
    calibration looks back 28 days from the moment it is asked)."""
    told_waits((before or utcnow()) - timedelta(days=days_ago), [estimate + errors[i % len(errors)] for i in range(n)],
               estimate, tag=f"history-{days_ago}")


def test_no_history_no_range_then_the_centres_own_errors_make_one(ctx):
    open_desk("HQ-01", "k1", primary=["birth"])
    for _ in range(12):  # a queue: the estimate of the next is in the 10–20 band
        issue_ticket("HQ", "birth", now=NOON, by=SYSTEM)
    first = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM)
    assert first.estimated_wait_range_min is None and first.ticket.estimate_low_min is None
    history(40, first.estimated_wait_min, [-4, -3, -2, -1, 0, 0, 1, 2, 5, 9], before=NOON)
    from queue_app.services import ranges

    ranges.forget()
    issued = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM)
    low, high = issued.estimated_wait_range_min
    e = issued.estimated_wait_min
    assert (low, high) == (max(0, math.floor(e - 3)), math.ceil(e + 5))  # 8 of the 10 errors (domain/ranges.py)
    assert (issued.ticket.estimate_low_min, issued.ticket.estimate_high_min) == (low, high)


def test_the_api_gives_the_range_and_the_day_measures_the_share_inside(api, ctx):
    kiosk = api.device()
    open_desk("HQ-01", "k1", primary=["birth"])
    history(40, 0.0, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4])  # estimates of 0 were 0–4 minutes short: 80% 0–3
    body = api.post("/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"}).get_json()
    assert body["estimated_wait_min"] == 0 and body["estimated_wait_range_min"] == [0, 3]
    status = api.get(f"/api/v1/tickets/{body['token']}").get_json()
    assert status["estimated_wait_range_min"] == [0, 3]
    call_next("HQ-01", by=SYSTEM)
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    ticket = db.session.get(Ticket, body["id"])
    figures = day_stats(hq, ticket.service_day)
    assert figures.estimate_range_share == 1.0 and figures.estimate_bias_min is not None


def test_the_menu_the_centre_and_the_screens_give_each_wait_its_range(api, ctx):
    from queue_app.services import ranges
    from queue_app.services.screens import queue_summary

    open_desk("HQ-01", "k1", primary=["birth"])
    menu = lambda: {o["service"]: o for o in api.get("/api/v1/centres/HQ/services").get_json()}  # noqa: E731
    before = menu()
    assert before["birth"]["estimated_wait_min"] == 0 and before["birth"]["estimated_wait_range_min"] is None
    assert api.get("/api/v1/centres/HQ").get_json()["estimated_wait_range_min"] is None
    history(40, 0.0, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4])  # estimates of 0 were 0–4 minutes short: 80% 0–3
    ranges.forget()
    after = menu()
    assert after["birth"]["estimated_wait_range_min"] == [0, 3]
    assert all(o["estimated_wait_range_min"] is None for o in after.values() if o["estimated_wait_min"] is None)
    assert api.get("/api/v1/centres/HQ").get_json()["estimated_wait_range_min"] == [0, 3]
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    shown = {s["service"]: s for s in queue_summary(hq)["services"]}  # the kiosk's and the display's socket
    assert shown["birth"]["estimated_wait_range_min"] == (0, 3)
