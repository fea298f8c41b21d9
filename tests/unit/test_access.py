"""Centre scoping and who may act at a counter (domain/access.py): plain data, no fixtures."""
import pytest

from queue_app.domain.access import SYSTEM, Actor, centre_scope, covers, holds


@pytest.mark.parametrize(
    ("role", "own", "centre", "expected"),
    [
        ("admin", [], 7, True),        # an admin acts everywhere, with or without centres
        ("system", [], 7, True),
        ("manager", [1, 2], 2, True),
        ("manager", [1, 2], 7, False),
        ("clerk", [1], 1, True),
        ("clerk", [], 1, False),
        ("kiosk", [3], 3, True),
        ("display", [3], 4, False),
    ],
)
def test_centre_scoping(role, own, centre, expected):
    assert covers(centre_scope(role, own), centre) is expected


def test_a_clerk_acts_only_at_the_counter_they_hold():
    clara = Actor("clerk", "clara", staff_id=5)
    assert holds("clerk", clara, 5) and not holds("clerk", clara, 6) and not holds("clerk", clara, None)
    mona = Actor("manager", "mona", staff_id=8)
    assert holds("manager", mona, 5) and holds("admin", mona, None) and holds("system", SYSTEM, 5)
