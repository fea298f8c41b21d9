"""The report's figures from plain visits, each checked against a value computed by hand."""
from datetime import date, datetime, timedelta

import pytest

from queue_app.domain.report import ReportVisit, report, rolled_day_row

DAY = date(2026, 11, 23)


def at(hour: int, minute: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def visit(service, status, issued, called=None, started=None, finished=None, **kw) -> ReportVisit:
    return ReportVisit(service, status, issued, called, started, finished, centre=kw.pop("centre", "HQ"),
                       day=kw.pop("day", DAY), **kw)


def a_day() -> list[ReportVisit]:
    return [
        visit("birth", "done", at(10, 0), at(10, 5), at(10, 6), at(10, 16), outcome="resolved", clerk="Anna", rating=5),
        visit("passport", "done", at(10, 10), at(10, 30), at(10, 31), at(10, 51), outcome="unresolved",
              reason="missing_documents", clerk="Anna", rating=2),
        visit("tax", "no_show", at(11, 0), at(11, 2), finished=at(11, 10), clerk="Anna"),
        visit("birth", "cancelled", at(11, 5), finished=at(11, 20)),
        visit("passport", "transferred", at(11, 30), at(11, 40), at(11, 41), at(11, 45), clerk="Anna"),
        visit("tax", "done", at(11, 45), at(11, 50), at(11, 51), at(11, 54), outcome="resolved", clerk="Boris",
              source="transfer", rating=4),
    ]


def test_a_days_figures_equal_the_hand_computed_ones():
    r = report(a_day())
    assert (r.arrivals, r.served, r.no_show, r.cancelled, r.transferred) == (5, 3, 1, 1, 1)
    # waits 5, 20, 2, 10, 5 → mean 8.4, nearest-rank p90 = 5th of 5 = 20, 4 of 5 within 15 minutes
    assert r.average_wait_min == pytest.approx(8.4)
    assert r.p90_wait_min == 20
    assert r.within_target_share == pytest.approx(0.8)
    assert r.average_handling_min == pytest.approx((10 + 20 + 3) / 3)
    assert r.unresolved == {"missing_documents": 1}
    assert r.feedback.count == 3 and r.feedback.average == pytest.approx(11 / 3)
    assert r.feedback.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert [(s.name, s.served, s.average_handling_min) for s in r.services] == [
        ("birth", 1, 10), ("passport", 1, 20), ("tax", 1, 3)]
    assert [(c.name, c.served, c.average_handling_min) for c in r.clerks] == [("Anna", 2, 15), ("Boris", 1, 3)]
    assert [(h.hour, h.arrivals, h.served) for h in r.hours] == [(10, 2, 2), (11, 3, 1)]
    assert r.hours[0].average_wait_min == pytest.approx(12.5)
    assert r.hours[1].average_wait_min == pytest.approx(17 / 3)
    (row,) = r.days
    assert (row.centre, row.day, row.arrivals, row.served, row.no_show) == ("HQ", DAY, 5, 3, 1)
    assert row.satisfaction_average == pytest.approx(11 / 3) and row.feedback_count == 3


def test_a_period_gives_one_row_a_centre_day_and_targets_per_centre():
    next_day = DAY + timedelta(days=1)
    other = visit("birth", "done", at(9, 0, next_day), at(9, 20, next_day), at(9, 21, next_day), at(9, 31, next_day),
                  day=next_day, centre="NORTH", target_wait_min=30, clerk="Vera", rating=3)
    r = report([*a_day(), other])
    assert [(d.centre, d.day) for d in r.days] == [("HQ", DAY), ("NORTH", next_day)]
    assert r.average_wait_min == pytest.approx(62 / 6)
    assert r.within_target_share == pytest.approx(5 / 6)  # the 20-minute wait is within NORTH's 30
    assert r.feedback.average == pytest.approx(3.5)
    assert r.days[1].within_target_share == 1.0


def test_nothing_to_report_gives_zeros_and_no_averages():
    r = report([])
    assert (r.arrivals, r.served, r.average_wait_min, r.p90_wait_min, r.within_target_share) == (0, 0, None, None, None)
    assert r.feedback.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0} and r.days == [] and r.hours == []


def test_a_rolled_up_day_keeps_its_stored_figures_and_adds_later_ratings():
    figures = {"arrivals": 9, "served": 7, "no_show": 1, "cancelled": 1, "transferred": 0, "average_wait_min": 4.0,
               "p90_wait_min": 9.0, "within_target_share": 1.0, "average_handling_min": 6.5}
    row = rolled_day_row("HQ", DAY, figures, [4, 5])
    assert (row.arrivals, row.served, row.p90_wait_min, row.satisfaction_average, row.feedback_count) == (9, 7, 9.0, 4.5, 2)
