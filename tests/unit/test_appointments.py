"""When a booked visitor may check in."""
from datetime import datetime, timedelta, timezone

import pytest

from queue_app.domain import appointments as ap
from queue_app.domain.appointments import EARLY, LATE, ON_TIME, check_in_window
from queue_app.domain.errors import InvalidRequest

START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("minutes", "verdict"), [
    (-31, EARLY), (-30, ON_TIME), (0, ON_TIME), (15, ON_TIME), (15.01, LATE), (120, LATE),
])
def test_the_window_runs_from_early_before_to_late_after_the_start(minutes, verdict):
    assert check_in_window(START, START + timedelta(minutes=minutes), 30, 15) == verdict


@pytest.mark.parametrize(("current", "action", "after"), [
    (None, ap.BOOK, ap.BOOKED), (ap.BOOKED, ap.RESCHEDULE, ap.BOOKED), (ap.BOOKED, ap.CANCEL, ap.CANCELLED),
    (ap.BOOKED, ap.CHECK_IN, ap.CHECKED_IN), (ap.BOOKED, ap.MISS, ap.MISSED),
])
def test_the_legal_moves(current, action, after):
    assert ap.next_status(current, action) == after


@pytest.mark.parametrize(("current", "code"), [
    (ap.CANCELLED, "already_cancelled"), (ap.MISSED, "missed"), (ap.CHECKED_IN, "already_checked_in"),
])
@pytest.mark.parametrize("action", [ap.RESCHEDULE, ap.CANCEL, ap.CHECK_IN, ap.MISS])
def test_an_appointment_no_longer_booked_refuses_every_move_saying_why(current, action, code):
    with pytest.raises(ap.AppointmentRefused) as refused:
        ap.next_status(current, action, "appointment X")
    assert refused.value.code == code and refused.value.message.startswith("appointment X ")


def test_only_a_booked_appointment_holds_its_place_until_it_is_checked_in():
    assert ap.LIVE == {ap.BOOKED, ap.CHECKED_IN} and set(ap.STATUSES) == ap.LIVE | {ap.CANCELLED, ap.MISSED}
    with pytest.raises(InvalidRequest):
        ap.next_status(ap.BOOKED, "teleport")
