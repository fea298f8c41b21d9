"""What a centre offers per service (domain/menu.py), worked by hand.

Moscow, Monday 2026-12-07, closing 13:00. Clerks: ann {birth, passport}, ben {tax, info}, cat {birth}.
- ann 09:30–11:00 and 12:00–13:00 (a split shift), all her skills;
- ben 09:00–13:00, break 10:45–11:15, serving only tax in this shift;
- cat 10:00–13:00, break 11:50–12:10.
At 10:50: ann is on duty (till 11:00), ben on his break (back 11:15), cat on duty.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from queue_app.domain.menu import Arrival, Offer, coming_on_duty, first_on_duty, offers
from queue_app.domain.roster import Break, ShiftPlan

MSK = ZoneInfo("Europe/Moscow")
DAY = date(2026, 12, 7)
SKILLS = {"ann": frozenset({"birth", "passport"}), "ben": frozenset({"tax", "info"}), "cat": frozenset({"birth"})}
MENU = ["birth", "passport", "tax", "info"]


def at(h: int, m: int = 0) -> datetime:
    return datetime(2026, 12, 7, h, m, tzinfo=MSK)


SHIFTS = [
    ShiftPlan("ann", at(9, 30), at(11)), ShiftPlan("ann", at(12), at(13)),
    ShiftPlan("ben", at(9), at(13), (Break(at(10, 45), at(11, 15)),), frozenset({"tax"})),
    ShiftPlan("cat", at(10), at(13), (Break(at(11, 50), at(12, 10)),)),
]


def test_first_on_duty_skips_breaks_and_reaches_the_second_part_of_a_split_shift():
    # at 11:00: ann off until 12:00, ben on his break until 11:15, cat on duty now
    assert first_on_duty(SHIFTS, SKILLS, at(11), at(13)) == {"birth": at(11), "passport": at(12), "tax": at(11, 15)}
    # before opening duty is clipped to the window's start; info is never served (ben: tax only)
    assert first_on_duty(SHIFTS, SKILLS, at(9, 30), at(13)) == {"birth": at(9, 30), "passport": at(9, 30), "tax": at(9, 30)}
    assert first_on_duty(SHIFTS, SKILLS, at(12, 30), at(12, 30)) == {}


def test_served_now_later_today_or_not_today():
    # 11:05, one counter open for tax; ann gone till 12:00, cat on duty but at no counter yet
    found = offers(MENU, [frozenset({"tax"})], [], SHIFTS, SKILLS, at(11, 5), at(13))
    assert found == [
        Offer("birth", False, True, at(11, 5)),  # cat is on duty now: served as soon as she sits down
        Offer("passport", False, True, at(12)),
        Offer("tax", True, True, at(11, 5)),
        Offer("info", False, False, None),
    ]


def test_a_counter_with_no_skills_named_serves_everything_and_a_paused_one_serves_later():
    assert all(o.served_now for o in offers(MENU, [frozenset()], [], [], SKILLS, at(11), at(13)))
    info = offers(["info"], [], [frozenset({"info"})], [], SKILLS, at(11), at(13))
    assert info == [Offer("info", False, True, None)]  # its clerk comes back, when is not known


def test_after_closing_only_open_counters_serve():
    assert offers(["birth"], [], [], SHIFTS, SKILLS, at(13), at(13)) == [Offer("birth", False, False, None)]
    assert offers(["birth"], [], [], SHIFTS, SKILLS, at(8), None) == [Offer("birth", False, False, None)]


def test_clerks_coming_on_duty_are_counted_once_at_their_first_stretch():
    # 09:50: ann and ben on duty now (not counted: when they sit down is unknown), cat from 10:00
    assert coming_on_duty(SHIFTS, SKILLS, [], at(9, 50), at(13)) == [Arrival("cat", 10.0, frozenset({"birth"}))]
    # 11:00: ann back at 12:00 (60 min); ben on his break, back 11:15 (15 min, tax only); cat is on duty
    assert coming_on_duty(SHIFTS, SKILLS, [], at(11), at(13)) == [
        Arrival("ben", 15.0, frozenset({"tax"})), Arrival("ann", 60.0, frozenset({"birth", "passport"}))]
    # a clerk at an open counter already counts there
    assert coming_on_duty(SHIFTS, SKILLS, ["ben"], at(11), at(13)) == [Arrival("ann", 60.0, frozenset({"birth", "passport"}))]
    # nobody arrives after closing
    assert coming_on_duty(SHIFTS, SKILLS, [], at(11), at(11, 30)) == [Arrival("ben", 15.0, frozenset({"tax"}))]
    assert coming_on_duty(SHIFTS, SKILLS, [], at(11), None) == []
