"""When a booked visitor may check in."""
from datetime import datetime, timedelta, timezone

import pytest

from queue_app.domain.appointments import EARLY, LATE, ON_TIME, check_in_window

START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("minutes", "verdict"), [
    (-31, EARLY), (-30, ON_TIME), (0, ON_TIME), (15, ON_TIME), (15.01, LATE), (120, LATE),
])
def test_the_window_runs_from_early_before_to_late_after_the_start(minutes, verdict):
    assert check_in_window(START, START + timedelta(minutes=minutes), 30, 15) == verdict
