"""The planner checks its roster by simulation: the in-memory replay of a rostered day, and the
refinement that changes the roster where visitors waited past the target (no database)."""
from __future__ import annotations

from queue_app.domain.policy import PolicySettings
from queue_app.simulation.plan import DayPlan, ShiftCfg
from queue_app.simulation.refine import Duty, duties, refine, shifts_of, variants, well_formed
from queue_app.simulation.replay import Catalogue, replay

CATALOGUE = Catalogue({"birth": 10.0, "tax": 10.0}, {"birth": 1.0, "tax": 1.0}, frozenset())
FIFO = PolicySettings(target_wait_min=15, first_come_first_served=True)


def day(shifts: list[dict], visits: list[dict]) -> DayPlan:
    return DayPlan.model_validate({
        "day": {"opens": "09:00", "closes": "12:00", "counters": 3, "target_wait_min": 15},
        "visitors": {"expected": len(visits), "no_show_rate": 0, "walk_min": 0},
        "shifts": shifts, "visits": visits,
        "clerks": [{"count": 2, "primary": ["birth"]}, {"count": 1, "primary": ["tax"], "secondary": ["birth"]}],
    })


def visit(at: str, service: str = "birth") -> dict:
    return {"at": at, "service": service, "handling_min": 10}


def waits(plan: DayPlan) -> list[tuple[str, float]]:
    return [(s.service, round(s.wait_min, 1)) for s in replay(plan, 1, CATALOGUE, FIFO)]


def test_the_replay_opens_counters_at_the_shifts_and_a_break_pauses_one():
    plan = day([{"clerk": "clerk01", "start": "09:00", "end": "11:00", "breaks": [("09:30", "10:00")]}],
               [visit("09:00"), visit("09:35"), visit("10:05")])
    # clerk01 is on a break 09:30–10:00: the second visitor waits for its end, the third for the second
    assert waits(plan) == [("birth", 0.0), ("birth", 25.0), ("birth", 5.0)]


def test_the_replay_serves_a_visitor_only_at_a_counter_with_the_skill():
    # clerk01 and clerk03 (roster order interleaves the desks: clerk02 is the tax desk) serve births;
    # a tax visitor waits for the tax clerk's shift at 10:00
    plan = day([{"clerk": "clerk01", "start": "09:00", "end": "12:00"},
                {"clerk": "clerk02", "start": "10:00", "end": "12:00"}],
               [visit("09:10", "tax"), visit("09:20")])
    assert sorted(waits(plan)) == [("birth", 0.0), ("tax", 50.0)]


def late_day() -> DayPlan:
    """clerk01 alone until 10:00; then births arrive faster than one clerk serves them."""
    return day([{"clerk": "clerk01", "start": "09:00", "end": "12:00"},
                {"clerk": "clerk03", "start": "09:00", "end": "10:00"}],
               [visit(f"10:{m:02d}") for m in range(0, 60, 4)])


def test_refine_puts_a_clerk_where_visitors_waited_within_the_budget():
    plan = late_day()
    assert sum(w > 15 for _, w in waits(plan)) > 3
    refined = refine(plan, plan.shifts, CATALOGUE, FIFO, budget_min=60, aim=0.999, seeds=(1,))
    after = plan.model_copy(update={"shifts": refined})
    assert all(w <= 15 for _, w in waits(after))
    added = sum(s.on_duty_min for s in refined) - sum(s.on_duty_min for s in plan.shifts)
    assert 0 < added <= 60


def test_refine_without_budget_only_moves_shifts_and_never_adds_hours():
    plan = late_day()
    refined = refine(plan, plan.shifts, CATALOGUE, FIFO, budget_min=0, aim=0.999, seeds=(1,))
    assert sum(s.on_duty_min for s in refined) == sum(s.on_duty_min for s in plan.shifts)
    after = plan.model_copy(update={"shifts": refined})
    # moving clerk03's hour later is free and helps
    assert sum(w > 15 for _, w in waits(after)) < sum(w > 15 for _, w in waits(plan))


def test_refine_leaves_a_roster_that_meets_the_aim_alone():
    plan = day([{"clerk": "clerk01", "start": "09:00", "end": "12:00"}], [visit("09:00"), visit("10:00")])
    assert refine(plan, plan.shifts, CATALOGUE, FIFO, budget_min=60, aim=0.999, seeds=(1,)) == list(plan.shifts)


def test_a_duty_round_trips_to_shifts_with_its_break_and_split_parts():
    shifts = [ShiftCfg(clerk="clerk01", start="09:00", end="17:30", breaks=[("12:30", "13:00")]),
              ShiftCfg(clerk="clerk02", start="08:00", end="12:00"), ShiftCfg(clerk="clerk02", start="16:00", end="20:00")]
    found = duties(shifts)
    assert found == [Duty("clerk01", ((540, 1050),), (750, 780)), Duty("clerk02", ((480, 720), (960, 1200)))]
    assert shifts_of(found) == sorted(shifts, key=lambda s: s.start)


def test_the_changes_tried_keep_the_planners_shapes():
    part = Duty("clerk01", ((600, 960),))  # 10:00–16:00, six hours: no longer without a break
    shapes = [(changed, cost) for changed, cost in variants(part) if well_formed(changed, 480, 1200)]
    assert all(c.rest is None and c.parts[0][1] - c.parts[0][0] <= 360 or c.rest is not None for c, _ in shapes)
    full = [c for c, cost in shapes if c.rest]
    assert full and all(c.parts[0][1] - c.parts[0][0] == 420 and c.minutes == 390 for c in full)  # +1 h, a break
    assert not well_formed(Duty("clerk01", ((420, 600),)), 480, 1200)  # before opening
    assert not well_formed(Duty("clerk01", ((480, 1020),), (720, 750)), 480, 1200)  # 9 h
    assert not well_formed(Duty("clerk01", ((480, 720), (780, 1020))), 480, 1200)  # a split with 1 h between


def test_a_half_hour_where_nobody_waited_is_given_back():
    from queue_app.simulation.refine import _trim, late_cells

    plan = day([{"clerk": "clerk01", "start": "09:00", "end": "12:00"},
                {"clerk": "clerk03", "start": "09:00", "end": "12:00"}],
               [visit(f"11:{m:02d}") for m in range(0, 60, 3)])
    current = duties(plan.shifts)
    state = late_cells(plan, current, CATALOGUE, FIFO, (1,))
    skills = {"clerk01": {"birth"}, "clerk02": {"tax", "birth"}, "clerk03": {"birth"}}
    trimmed, cost, after = _trim(plan, current, state, skills, CATALOGUE, FIFO, (1,), 540, 720)
    assert cost == -30 and after[0] <= state[0]
    assert sum(d.minutes for d in trimmed) == sum(d.minutes for d in current) - 30
    assert [d.parts for d in trimmed if d.minutes == 150] in ([((570, 720),)],)  # the quiet 09:00–09:30 goes


def test_the_check_counts_the_same_with_the_seeds_visitors_drawn_once():
    from queue_app.simulation.plan import draw_visitors, read_plan
    from queue_app.simulation.refine import late_cells

    plan = read_plan()  # the reference day: drawn visitors, not written ones
    catalogue = Catalogue({s: 15.0 for s in plan.mix}, {s: 1.0 for s in plan.mix}, frozenset())
    roster_duties = [Duty(f"clerk{i:02d}", ((480, 960),)) for i in range(1, 21)]
    drawn = {seed: draw_visitors(plan, seed, catalogue.durations) for seed in (3, 4)}
    assert late_cells(plan, roster_duties, catalogue, FIFO, drawn) == late_cells(plan, roster_duties, catalogue, FIFO, (3, 4))
    assert late_cells(plan, roster_duties, catalogue, FIFO, (3, 4))[0] > 0  # a day where the count means something
    rostered = plan.model_copy(update={"staffing": None, "shifts": shifts_of(roster_duties)})
    assert replay(rostered, 3, catalogue, FIFO, drawn[3]) == replay(rostered, 3, catalogue, FIFO)
