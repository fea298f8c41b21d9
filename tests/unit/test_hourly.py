"""A day hour by hour: arrivals, served and waits per local hour, computed by hand."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from queue_app.domain.hourly import Hour, hourly
from queue_app.domain.lifecycle import CANCELLED, DONE, NO_SHOW, SERVING, WAITING
from queue_app.domain.stats import Visit

MSK = ZoneInfo("Europe/Moscow")  # UTC+3 all year
UTC = timezone.utc


def utc(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC)


def visit(status, issued, called=None, finished=None, service="birth"):
    started = called + timedelta(minutes=1) if called and finished else None
    return Visit(service, status, issued, called, started, finished)


def test_no_tickets_no_hours():
    assert hourly([], MSK) == []
    assert hourly([], MSK, now=utc(9)) == []


def test_arrivals_served_and_waits_fall_in_their_local_hours():
    visits = [
        # 06:00 UTC = 09:00 Moscow
        visit(DONE, utc(6, 0), called=utc(6, 10), finished=utc(6, 30)),  # wait 10, served at 09
        visit(DONE, utc(6, 40), called=utc(7, 10), finished=utc(7, 20)),  # wait 30 ends at 10, served at 10
        visit(NO_SHOW, utc(6, 50), called=utc(7, 0)),  # wait 10 ends at 10, not served
        visit(CANCELLED, utc(7, 5)),  # an arrival only
        visit(SERVING, utc(7, 30), called=utc(7, 50)),  # wait 20 at 10, not served yet
        visit(WAITING, utc(9, 15)),  # 12:15, still waiting: an arrival, no wait yet
    ]
    assert hourly(visits, MSK) == [
        Hour(hour=9, arrivals=3, served=1, average_wait_min=10.0, p90_wait_min=10.0),
        Hour(hour=10, arrivals=2, served=1, average_wait_min=20.0, p90_wait_min=30.0),
        Hour(hour=11, arrivals=0, served=0, average_wait_min=None, p90_wait_min=None),  # a quiet hour stays
        Hour(hour=12, arrivals=1, served=0, average_wait_min=None, p90_wait_min=None),
    ]


def test_the_series_runs_on_to_the_current_hour():
    visits = [visit(DONE, utc(6, 0), called=utc(6, 5), finished=utc(6, 15))]
    hours = hourly(visits, MSK, now=utc(8, 59))  # 11:59 Moscow
    assert [h.hour for h in hours] == [9, 10, 11]
    assert [(h.arrivals, h.served) for h in hours] == [(1, 1), (0, 0), (0, 0)]
    assert hourly(visits, MSK, now=utc(5, 0))[-1].hour == 9  # a `now` before the activity shortens nothing


def test_p90_is_the_nearest_rank_of_the_hour():
    # ten visitors called between 09:00 and 09:59 with waits 1..10 min: rank ceil(0.9 × 10) = 9
    visits = [visit(DONE, utc(6, 0), called=utc(6, w), finished=utc(6, 50)) for w in range(1, 11)]
    [hour] = hourly(visits, MSK)
    assert hour.average_wait_min == pytest.approx(5.5)
    assert hour.p90_wait_min == 9.0
    assert (hour.arrivals, hour.served) == (10, 10)
