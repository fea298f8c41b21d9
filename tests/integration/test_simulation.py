"""The day simulator through the real engine: a tiny day worked out by hand, the same day for the
same seed, and the `queue-app simulate` command."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from queue_app.config import read_network_file
from queue_app.simulation import read_plan, simulate
from queue_app.simulation.plan import DayPlan

DATA = Path(__file__).resolve().parents[1] / "data"
TINY = DATA / "tiny_day.toml"


@pytest.fixture(scope="module")
def network():
    return read_network_file(DATA / "network.toml")  # passport: 20 minutes configured


def waits(result) -> dict[str, float]:
    """Wait per ticket, named by arrival order A, B, C… (numbers differ: appointments are numbered at check-in)."""
    ordered = sorted(result.outcomes, key=lambda o: o.issued_min)
    return {"ABCDE"[i]: o.wait_min for i, o in enumerate(ordered)}


def test_the_tiny_day_under_the_policy_matches_the_hand_computed_figures(network):
    # 09:00 A called at once, at the counter 09:00.5, done 09:10.5. Then C (priority) 09:10.5 → 7.5;
    # done 09:16, when E's 09:20 appointment is due (5 min lead) → E called 09:16, before its slot: 0;
    # done 09:21.5 → B 19.5; done 09:27 → D 23.0, not there, a no-show at 09:29.
    result = simulate(read_plan(TINY), 1, network=network)
    assert waits(result) == {"A": 0.0, "B": 19.5, "C": 7.5, "D": 23.0, "E": 0.0}
    k = result.kpis
    assert (k.tickets, k.called, k.appointments) == (5, 5, 1)
    assert (k.mean_wait_min, k.p90_wait_min, k.max_wait_min, k.over_target_share) == (10.0, 23.0, 23.0, 0.4)
    assert sorted(o.status for o in result.outcomes) == ["done", "done", "done", "done", "no_show"]
    b = min((o for o in result.outcomes if o.issued_min == 9 * 60 + 2), key=lambda o: o.issued_min)
    # At 09:02 A has been at the counter 1.5 of its 20 expected minutes; B is first in line.
    assert (b.estimate_min, b.naive_min) == (18.5, 20.0)
    errors = [(o.estimate_min - (o.called_min - o.issued_min)) for o in result.outcomes]
    assert k.estimate.mae_min == pytest.approx(sum(map(abs, errors)) / 5)
    assert k.estimate.bias_min == pytest.approx(sum(errors) / 5)
    assert result.staffing == [1]


def test_the_tiny_day_first_come_first_served(network):
    # A 0; B 09:10.5 → 8.5; C 09:16 → 13.0; D 09:21.5 → 17.5 (no-show 09:23.5); E 09:23.5, 3.5 after its slot.
    result = simulate(read_plan(TINY), 1, network=network, policy={"first_come_first_served": True})
    assert waits(result) == {"A": 0.0, "B": 8.5, "C": 13.0, "D": 17.5, "E": 3.5}
    assert (result.kpis.mean_wait_min, result.kpis.over_target_share) == (8.5, 0.2)


def small_day() -> DayPlan:
    return DayPlan.model_validate({
        "day": {"opens": "09:00", "closes": "11:00", "counters": 4},
        "visitors": {"expected": 50, "by_hour": [2, 1], "appointment_share": 0.2},
        "mix": {"birth": 2, "passport": 1, "tax": 1},
        "staffing": {"by_hour": [2, 3]},
        "clerks": [{"count": 2, "primary": ["birth", "passport"]}, {"count": 2, "primary": ["tax"], "secondary": ["birth"]}],
    })


def test_the_same_seed_gives_the_same_day_and_another_seed_another(network):
    first, again, other = (simulate(small_day(), seed, network=network) for seed in (7, 7, 8))
    assert first.outcomes == again.outcomes and first.kpis == again.kpis
    assert len(first.outcomes) > 30 and first.kpis.called == len(first.outcomes)
    assert other.outcomes != first.outcomes
    assert first.staffing == [2, 3]


def test_simulate_command_prints_the_figures_and_saves_the_chart(runner, tmp_path):
    chart, figures = tmp_path / "day.png", tmp_path / "day.json"
    result = runner.invoke(args=["simulate", "--plan", str(TINY), "--chart", str(chart), "--json", str(figures)])
    assert result.exit_code == 0, result.output
    assert "wait mean / p90 / max  10.0 min / 23.0 min / 23.0 min" in result.output
    assert "over 15 min target     40.0%" in result.output
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads(figures.read_text())
    assert saved["kpis"]["over_target_share"] == 0.4 and len(saved["tickets"]) == 5

    fifo = runner.invoke(args=["simulate", "--plan", str(TINY), "--fifo"])
    assert "first come, first served" in fifo.output and "over 15 min target     20.0%" in fifo.output


@pytest.mark.parametrize("args, message", [
    (["--plan", "nowhere.toml"], "no such file"),
    (["--plan", str(TINY), "--policy", "primary_bonus=lots"], "KEY=VALUE"),
    (["--plan", str(TINY), "--policy", "no_such_rule=1"], "policy.no_such_rule"),
])
def test_simulate_command_refuses_bad_input(runner, args, message):
    result = runner.invoke(args=["simulate", *args])
    assert result.exit_code == 2
    assert message in result.output


def tiny_with(shifts: list[dict]) -> DayPlan:
    from queue_app.simulation.roster import with_shifts
    from queue_app.simulation.plan import ShiftCfg

    return with_shifts(read_plan(TINY), [ShiftCfg.model_validate(s) for s in shifts])


def test_a_roster_of_one_shift_replays_the_tiny_day_as_its_staffing_did(network):
    result = simulate(tiny_with([{"clerk": "clerk01", "start": "09:00", "end": "10:00"}]), 1, network=network)
    assert waits(result) == {"A": 0.0, "B": 19.5, "C": 7.5, "D": 23.0, "E": 0.0}
    assert (result.staffing, result.clerk_hours) == ([1], 1.0)


def test_a_break_closes_the_counter_after_the_visit_and_opens_it_when_it_ends(network):
    # A done 09:10.5 → C called (7.5), at the counter 09:11 until 09:16: the break starts at 09:12,
    # so the clerk leaves when C is done. Back at 09:22: E (slot 09:20) first → 2.0; done 09:27.5
    # → B 25.5; done 09:33 → D 29.0, a no-show.
    shift = {"group": "group1", "start": "09:00", "end": "10:00", "breaks": [["09:12", "09:22"]]}
    result = simulate(tiny_with([shift]), 1, network=network)
    assert waits(result) == {"A": 0.0, "B": 25.5, "C": 7.5, "D": 29.0, "E": 2.0}
    assert result.clerk_hours == pytest.approx(50 / 60)


@pytest.mark.parametrize("shifts, message", [
    ([{"clerk": "clerk09", "start": "09:00", "end": "10:00"}], "no clerk clerk09"),
    ([{"group": "desks", "start": "09:00", "end": "10:00"}], "no clerk group desks"),
    ([{"clerk": "clerk01", "start": "09:00", "end": "10:00", "breaks": [["08:00", "09:30"]]}], "must fall within"),
    ([{"clerk": "clerk01", "start": "09:00", "end": "09:40"}, {"clerk": "clerk01", "start": "09:30", "end": "10:00"}],
     "overlap"),
])
def test_a_roster_that_does_not_fit_the_day_is_refused(shifts, message):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        tiny_with(shifts)


def test_simulate_command_replays_a_roster_file_and_the_planners_roster(runner, tmp_path):
    roster = tmp_path / "roster.toml"
    roster.write_text('[[shifts]]\nclerk = "clerk01"\nstart = "09:00"\nend = "10:00"\n')
    result = runner.invoke(args=["simulate", "--plan", str(TINY), "--roster", str(roster)])
    assert result.exit_code == 0, result.output
    assert "over 15 min target     40.0%" in result.output and "clerk-hours            1.0" in result.output

    day = tmp_path / "small.toml"
    day.write_text(SMALL_DAY)
    planned = runner.invoke(args=["simulate", "--plan", str(day), "--roster", "planner"])
    assert planned.exit_code == 0, planned.output
    assert "clerk-hours" in planned.output and "called" in planned.output

    bad = runner.invoke(args=["simulate", "--plan", str(TINY), "--roster", str(tmp_path / "none.toml")])
    assert bad.exit_code == 2 and "no such file" in bad.output


def clerk_hours(output: str) -> float:
    return float(next(line for line in output.splitlines() if line.startswith("clerk-hours")).split()[-1])


def test_simulate_command_replays_the_planners_roster_checked_by_simulation(runner, tmp_path):
    from queue_app.simulation.roster import erlang_clerk_hours

    day = tmp_path / "small.toml"
    day.write_text(SMALL_DAY)
    planned = runner.invoke(args=["simulate", "--plan", str(day), "--roster", "planner"])
    checked = runner.invoke(args=["simulate", "--plan", str(day), "--roster", "planner", "--check"])
    assert checked.exit_code == 0, checked.output
    durations = {s.code: s.duration_min for s in read_network_file(DATA / "network.toml").services}
    assert clerk_hours(planned.output) <= clerk_hours(checked.output) <= 1.1 * erlang_clerk_hours(read_plan(day), durations)


SMALL_DAY = """
[day]
opens = "09:00"
closes = "11:00"
counters = 4
[visitors]
expected = 50
by_hour = [2, 1]
[mix]
birth = 2
passport = 1
tax = 1
[staffing]
by_hour = [2, 3]
[[clerks]]
count = 2
primary = ["birth", "passport"]
[[clerks]]
count = 2
primary = ["tax"]
secondary = ["birth"]
"""
