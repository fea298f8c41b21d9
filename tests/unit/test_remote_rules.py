"""The rules of joining from home and of rating a visit, as plain functions."""
import pytest

from queue_app.domain.errors import InvalidRequest
from queue_app.domain.feedback import check_rating, why_not_rate
from queue_app.domain.remote import RemoteRules, normalise_phone, why_not_join
from queue_app.refusals import http_status

RULES = RemoteRules(enabled=True, per_phone_per_day=1, max_ahead_min=90)
FREE = {"open_now": True, "live_for_phone": 0, "wait_min": 10.0, "minutes_to_closing": None}


def refusal(rules=RULES, **changes):
    why = why_not_join(rules, **{**FREE, **changes})
    return None if why is None else (http_status(why), why.code)


def test_an_open_centre_with_a_short_wait_takes_the_phone():
    assert refusal() is None


@pytest.mark.parametrize("changes, expected", [
    ({"open_now": False}, (409, "centre_closed")),
    ({"live_for_phone": 1}, (409, "phone_limit")),
    ({"wait_min": None}, (409, "not_served_now")),
    ({"wait_min": 90.01}, (409, "too_far_ahead")),
    ({"wait_min": 30.0, "minutes_to_closing": 30.0}, (409, "closes_too_soon")),
])
def test_each_refusal_has_its_code(changes, expected):
    assert refusal(**changes) == expected


def test_the_arrival_cap_is_inclusive():
    assert refusal(wait_min=90.0) is None
    assert refusal(wait_min=0.0, minutes_to_closing=1.0) is None


def test_the_phone_limit_follows_the_setting():
    two = RemoteRules(per_phone_per_day=2)
    assert refusal(two, live_for_phone=1) is None
    assert refusal(two, live_for_phone=2) == (409, "phone_limit")


def test_switched_off_comes_first():
    off = RemoteRules(enabled=False)
    assert refusal(off, open_now=False, live_for_phone=5) == (409, "remote_disabled")


def test_the_too_far_ahead_message_says_what_to_do():
    why = why_not_join(RULES, **{**FREE, "wait_min": 134.6})
    assert "135 min" in why.message and "come later" in why.message and "book an appointment" in why.message


def test_rules_are_read_from_the_setting_ignoring_unknown_keys():
    assert RemoteRules.of({"enabled": False, "max_ahead_min": 30, "future": 1}) == RemoteRules(False, 1, 30)
    assert RemoteRules.of({}) == RemoteRules()


@pytest.mark.parametrize("typed", ["+34 612 345 678", "+34612345678", "+34 (612) 34-56-78", " +34 612 345 678 "])
def test_a_phone_is_kept_in_one_form(typed):
    assert normalise_phone(typed) == "+34612345678"


@pytest.mark.parametrize("typed", [None, "", "   ", "612 345 678", "+34 12", "call me", "+" + "1" * 40])
def test_a_phone_that_is_not_one_is_refused(typed):
    with pytest.raises(InvalidRequest):
        normalise_phone(typed)


@pytest.mark.parametrize("rating", [1, 5])
def test_ratings_from_one_to_five(rating):
    assert check_rating(rating, "  fine  ") == (rating, "fine")
    assert check_rating(rating, "   ") == (rating, None)


@pytest.mark.parametrize("rating", [0, 6, True, 2.5, "3", None])
def test_other_ratings_are_refused(rating):
    with pytest.raises(InvalidRequest):
        check_rating(rating, None)


def test_a_comment_has_a_length_limit():
    assert check_rating(3, "x" * 1000)[1] == "x" * 1000
    with pytest.raises(InvalidRequest):
        check_rating(3, "x" * 1001)


@pytest.mark.parametrize("status, rated, code", [
    ("done", False, None), ("done", True, "already_rated"), ("waiting", False, "not_finished"),
    ("serving", False, "not_finished"), ("no_show", False, "not_finished"), ("cancelled", False, "not_finished"),
])
def test_only_a_finished_visit_is_rated_once(status, rated, code):
    why = why_not_rate(status, rated)
    assert (why.code if why else None) == code
