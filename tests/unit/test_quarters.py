"""The 15-minute periods of a centre's hours and one period's figures, from plain rows."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_app.domain.hours import OpeningHours, parse_span
from queue_app.domain.quarters import PERIOD, closed_periods, is_period_start, period_figures, periods_of_day
from queue_app.domain.stats import Visit

NY = ZoneInfo("America/New_York")
WEEKDAYS = OpeningHours(weekly={d: parse_span("08:50-10:00") for d in ("mon", "tue", "wed", "thu", "fri")})
ALWAYS = OpeningHours(always_open=True)
MONDAY = date(2026, 11, 23)


def at(hh, mm=0, day=MONDAY):
    return datetime.combine(day, time(hh, mm), NY)


def test_the_quarters_that_overlap_the_opening_hours():
    starts = periods_of_day(WEEKDAYS, NY, MONDAY)
    assert [s.strftime("%H:%M") for s in starts] == ["08:45", "09:00", "09:15", "09:30", "09:45"]
    assert periods_of_day(WEEKDAYS, NY, date(2026, 11, 22)) == []  # Sunday: closed
    assert is_period_start(WEEKDAYS, NY, at(9, 15)) and not is_period_start(WEEKDAYS, NY, at(10, 0))


def test_a_day_the_clocks_go_back_has_100_quarters_round_the_clock():
    assert len(periods_of_day(ALWAYS, NY, date(2026, 11, 1))) == 100
    assert len(periods_of_day(ALWAYS, NY, MONDAY)) == 96


def test_closed_periods_of_yesterday_and_today_once_settled():
    monday = closed_periods(WEEKDAYS, NY, at(9, 16))  # Sunday closed; 09:00 ended a minute ago
    assert [s.strftime("%H:%M") for s in monday] == ["08:45", "09:00"]
    tuesday = closed_periods(WEEKDAYS, NY, at(8, 0, date(2026, 11, 24)))
    assert len(tuesday) == 5 and tuesday[0].date() == MONDAY


def row(issued, called=None, finished=None, status="done", outcome="resolved", estimate=None, visit=None):
    return Visit("passport", status, issued, called_at=called, started_at=called, finished_at=finished,
                 outcome=outcome if status == "done" else None, estimate_min=estimate, visit=visit)


def test_five_visitors_make_a_figure_four_do_not():
    five = [row(at(9, 0), at(9, 2 + i), at(9, 5 + i), visit=i, outcome="resolved" if i else "unresolved")
            for i in range(5)]
    figures = period_figures(five, at(9, 0), 15, counters_open=2)
    assert figures.door_to_door_mean_min == 7.0  # 5, 6, 7, 8, 9
    assert figures.first_visit_resolution == 0.8
    assert (figures.wait_p50_min, figures.wait_p90_min) == (4.0, 6.0)
    assert figures.estimate_mae_min is None  # nobody was told an estimate
    four = period_figures(five[:4], at(9, 0), 15, counters_open=2)
    assert (four.door_to_door_mean_min, four.first_visit_resolution, four.wait_p50_min) == (None, None, None)
    assert (four.called, four.visits_over, four.arrivals) == (4, 4, 4)  # counts are published as they are


def test_waiting_at_the_end_leaves_out_those_called_or_gone():
    rows = [row(at(9, 1), status="waiting", outcome=None),
            row(at(9, 2), at(9, 15)),  # called at the very end: still waiting until then
            row(at(9, 3), at(9, 10)),
            row(at(9, 4), finished=at(9, 6), status="cancelled"),
            row(at(9, 15), status="waiting", outcome=None)]  # the next period's
    assert period_figures(rows, at(9, 0), 15, None).waiting == 2
    assert PERIOD == timedelta(minutes=15)
