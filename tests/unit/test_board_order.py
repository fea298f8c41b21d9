"""The board's orders and usual busy hours (domain/board.py), on plain data."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from queue_app.domain.board import BY_NAME, BY_WAIT, board_order, usual_arrivals


def row(code, district=None, open_now=True, waiting=0, wait=None):
    return {"code": code, "district": district, "open_now": open_now, "waiting": waiting, "estimated_wait_min": wait}


ROWS = [row("A", "North", waiting=5, wait=30), row("B", "South", waiting=2, wait=5), row("C", "North", waiting=0),
        row("D", "South", open_now=False), row("E", "North", waiting=3, wait=None)]


def codes(rows):
    return [r["code"] for r in rows]


def test_least_busy_first_puts_closed_centres_and_unknown_waits_last():
    assert codes(board_order(ROWS, BY_WAIT)) == ["C", "B", "A", "E", "D"]


def test_least_busy_near_me_puts_the_district_first():
    assert codes(board_order(ROWS, BY_WAIT, "South")) == ["B", "D", "C", "A", "E"]
    assert codes(board_order(ROWS, BY_NAME, "North")) == ["A", "C", "E", "B", "D"]


def test_by_name_uses_the_names_given():
    names = {"A": "zeta", "B": "Alpha", "C": "beta", "D": "Gamma", "E": "delta"}
    assert codes(board_order(ROWS, BY_NAME, name=lambda r: names[r["code"]])) == ["B", "C", "E", "D", "A"]


def test_usual_arrivals_average_over_each_weekday_of_the_window():
    monday = date(2026, 11, 16)
    days = [monday + timedelta(days=n) for n in range(14)]  # two of each weekday
    arrivals = [datetime(2026, 11, 16, 9, 5), datetime(2026, 11, 23, 9, 50), datetime(2026, 11, 23, 10, 0),
                datetime(2026, 11, 18, 15, 0)]
    usual = usual_arrivals(arrivals, days)
    assert usual[0] == {9: 1.0, 10: 0.5} and usual[2] == {15: 0.5} and usual[6] == {}
