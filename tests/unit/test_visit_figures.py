"""Visit figures of a worked example, by hand: four visits, a transfer, a no-show, a repeat."""
from datetime import date, datetime, timedelta

import pytest

from queue_app.domain.report import DayRow, published
from queue_app.domain.stats import Visit, day_figures
from queue_app.domain.visit_figures import Repeats, Resolved, repeats, visit_figures, visit_groups


def at(hour, minute=0, days=0):
    return datetime(2026, 3, 2, hour, minute) + timedelta(days=days)


def row(visit, step, service, status, issued, finished=None, *, outcome=None, reason=None, source="kiosk",
        to_come=0, contact=None, arrived=None):
    called = issued + timedelta(minutes=1) if finished else None
    return Visit(service, status, issued, called, called, finished, outcome=outcome, reason=reason, source=source,
                 visit=visit, arrived_at=arrived or issued, step=step, steps_to_come=to_come, contact=contact)


# Visit 1 (contact a), 09:00: BIRTH then PASS, both resolved, over at 09:40 → 40 min, 2 steps.
# Visit 3 (contact b), 09:10: TAX transferred to PASS (step 1 still), unresolved, then BIRTH resolved
#   at 10:10 → 60 min, 2 steps (the transferred row is no step), not resolved first time.
# Visit 6 (no contact), 09:30: TAX resolved, then a no-show at PASS: over (the no-show ends it),
#   no door-to-door time (never served to its end), 2 steps, not resolved.
# Visit 8 (contact a), 11:00: PASS, waiting: not over, 1 step; a came back for PASS 80 minutes
#   after visit 1 resolved it → a repeat.
ROWS = [
    row(1, 1, "BIRTH", "done", at(9), at(9, 16), outcome="resolved", to_come=1, contact="a"),
    row(1, 2, "PASS", "done", at(9, 16), at(9, 40), outcome="resolved", source="step", contact="a", arrived=at(9)),
    row(3, 1, "TAX", "transferred", at(9, 10), at(9, 20), contact="b"),
    row(3, 1, "PASS", "done", at(9, 20), at(9, 50), outcome="unresolved", reason="missing_documents",
        source="transfer", to_come=1, contact="b", arrived=at(9, 10)),
    row(3, 2, "BIRTH", "done", at(9, 50), at(10, 10), outcome="resolved", source="step", contact="b",
        arrived=at(9, 10)),
    row(6, 1, "TAX", "done", at(9, 30), at(9, 45), outcome="resolved", to_come=2),
    row(6, 2, "PASS", "no_show", at(9, 45), at(10), source="step", to_come=1, arrived=at(9, 30)),
    row(8, 1, "PASS", "waiting", at(11), contact="a"),
]
EARLIER = [
    Resolved("b", "TAX", 100, at(12, days=-10)),  # b resolved TAX ten days ago and came for it again
    Resolved("b", "BIRTH", 101, at(12, days=-40)),  # too long ago to count
]


def test_worked_example():
    f = visit_figures(ROWS, EARLIER)
    assert (f.visits, f.over) == (4, 3)
    assert f.door_to_door_mean_min == pytest.approx(50.0)  # (40 + 60) / 2
    assert f.door_to_door_p90_min == pytest.approx(60.0)  # nearest rank: the 2nd of 2
    assert f.steps_per_visit == pytest.approx(7 / 4)  # 2 + 2 + 2 + 1
    assert f.first_visit_resolution == pytest.approx(1 / 3)  # visit 1 of the three over
    assert f.unresolved_by_service == {"PASS": {"missing_documents": 1}}
    # BIRTH: visits 1 and 3, no earlier resolved BIRTH within 30 days (visit 1's own does not count)
    # PASS: visits 1, 3 and 8; 8 came back after visit 1 resolved it.  TAX: visit 3, after the 10-day-old one.
    assert f.repeats == [Repeats("BIRTH", 2, 0, 0.0), Repeats("PASS", 3, 1, pytest.approx(1 / 3)),
                         Repeats("TAX", 1, 1, 1.0)]


def test_arrivals_count_each_visit_once_and_the_day_carries_the_visit_figures():
    day = day_figures(ROWS, target_wait_min=15, earlier=EARLIER)
    assert day.arrivals == 4  # later steps and transfers are no new arrivals
    assert day.visits == visit_figures(ROWS, EARLIER)


def test_a_visit_is_grouped_and_ordered_by_its_steps():
    groups = visit_groups(list(reversed(ROWS)))
    by_first = {g[0].visit: [(r.step, r.service) for r in g] for g in groups}
    assert by_first[3] == [(1, "TAX"), (1, "PASS"), (2, "BIRTH")]


@pytest.mark.parametrize(("days_before", "counted"), [(30, 1), (31, 0)])
def test_the_repeat_window_is_thirty_days(days_before, counted):
    came = [row(9, 1, "PASS", "waiting", at(9), contact="c")]
    earlier = [Resolved("c", "PASS", 50, at(9, days=-days_before))]
    assert repeats(visit_groups(came), earlier) == [Repeats("PASS", 1, counted, float(counted))]


def test_rows_without_a_visit_are_each_a_visit_of_their_own():
    rows = [Visit("TAX", "done", at(9), at(9, 5), at(9, 5), at(9, 15), outcome="resolved")] * 2
    f = visit_figures(rows)
    assert (f.visits, f.over, f.first_visit_resolution, f.door_to_door_mean_min) == (2, 2, 1.0, 15.0)
    assert f.repeats == []  # no contact, nothing to match


def test_no_rows_no_figures():
    f = visit_figures([])
    assert (f.visits, f.door_to_door_mean_min, f.steps_per_visit, f.first_visit_resolution) == (0, None, None, None)


@pytest.mark.parametrize(("repeat", "shown"), [(None, None), (0, None), (4, None), (5, 5), (12, 12)])
def test_open_data_publishes_a_count_of_repeat_visits_from_five(repeat, shown):
    row = DayRow("HQ", date(2026, 3, 2), 10, 9, 0, 0, 0, None, None, None, None, None, 0,
                 repeat_visits=repeat, repeat_share=None if repeat is None else repeat / 20)
    out = published(row)
    assert out.repeat_visits == shown and (out.repeat_share is None) == (shown is None)
