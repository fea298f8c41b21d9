"""Visits of several steps in the day simulator, worked out by hand: the same visitors with one
ticket for the visit (the engine keeps the arrival) and with a ticket per service."""
from __future__ import annotations

from pathlib import Path

import pytest

from queue_app.config import read_network_file
from queue_app.simulation import read_plan, simulate
from queue_app.simulation.plan import DayPlan, draw_visitors

DATA = Path(__file__).resolve().parents[1] / "data"
TINY = DATA / "tiny_visits_day.toml"


@pytest.fixture(scope="module")
def network():
    return read_network_file(DATA / "network.toml")  # birth 10, passport 20 minutes configured


def test_one_ticket_keeps_the_visits_arrival_in_the_next_line(network):
    # A: birth 09:00–09:10.5; its passport row waits from 09:10.5 with A's arrival, 09:00, so it goes
    # before C (09:06): B is served 09:05–09:15.5, then A, called 09:15.5 (waited 5.0) and done 09:26:
    # 26 min door to door, every step within the 15-minute target; C waits until 09:26.
    result = simulate(read_plan(TINY), 1, network=network)
    a = next(v for v in result.visits if len(v.services) == 2)
    assert (a.step_waits, a.door_to_door_min, a.predicted_min) == ((0.0, 5.0), 26.0, pytest.approx(30.0))
    k = result.visit_kpis
    assert (k.visits, k.served, k.door_to_door_mean_min, k.every_step_within_target_share) == (1, 1, 26.0, 1.0)
    assert (k.estimate.mae_min, k.estimate.bias_min) == (pytest.approx(4.0), pytest.approx(4.0))
    assert result.kpis.tickets == 4  # A's visit: one ticket, two rows
    c = max(result.outcomes, key=lambda o: o.called_min)
    assert (c.issued_min - 9 * 60, c.wait_min) == (6.0, 20.0)


def test_separate_tickets_send_the_visitor_to_the_back_of_the_next_line(network):
    # A: birth 09:00–09:10.5, then a new passport ticket at 09:10.5, behind C (09:06): B is served
    # 09:05–09:15.5, C 09:15.5–09:26, A called 09:26 (waited 15.5) and done 09:36.5: 36.5 min door to door.
    result = simulate(read_plan(TINY), 1, network=network, separate=True)
    a = next(v for v in result.visits if len(v.services) == 2)
    assert (a.step_waits, a.ended_min - 9 * 60, a.door_to_door_min) == ((0.0, 15.5), 36.5, 36.5)
    # predicted at 09:00: no wait at either line, handling 10 + 20 configured
    assert a.predicted_min == pytest.approx(30.0)
    k = result.visit_kpis
    assert (k.visits, k.served, k.door_to_door_mean_min, k.every_step_within_target_share) == (1, 1, 36.5, 0.0)
    assert (k.estimate.mae_min, k.estimate.bias_min) == (pytest.approx(6.5), pytest.approx(-6.5))
    assert result.kpis.tickets == 4  # A took two


def life_event_day(share: float) -> DayPlan:
    return DayPlan.model_validate({
        "day": {"opens": "09:00", "closes": "11:00", "counters": 4},
        "visitors": {"expected": 60, "appointment_share": 0, "life_event_share": share},
        "mix": {"birth": 2, "passport": 1, "tax": 1},
        "staffing": {"by_hour": [4, 4]},
        "clerks": [{"count": 2, "primary": ["birth", "passport"]}, {"count": 2, "primary": ["tax", "info"]}],
    })


def test_a_share_of_walk_ins_comes_for_a_life_events_visit(network):
    durations = {s.code: s.duration_min for s in network.services}
    events = {e.code: list(e.services) for e in network.life_events}
    plain = draw_visitors(life_event_day(0), 3, durations, events)
    assert plain == draw_visitors(life_event_day(0), 3, durations)  # no share: the same day as before
    visitors = draw_visitors(life_event_day(0.5), 3, durations, events)
    multi = [v for v in visitors if v.later]
    assert 0.3 < len(multi) / len(visitors) < 0.7
    for v in multi:  # 2–4 of an event's services, in its order, each once
        event = next(services for services in events.values() if set(v.services) <= set(services))
        assert 2 <= len(v.services) <= 4 and v.services == [s for s in event if s in v.services]


def test_simulate_command_prints_the_visits_figures(runner):
    result = runner.invoke(args=["simulate", "--plan", str(TINY), "--separate"])
    assert result.exit_code == 0, result.output
    assert "visits of 2+ steps     1 (a ticket per service), 1 served to their end" in result.output
    assert "door to door mean/p90  36.5 min / 36.5 min" in result.output
    assert "every step in target   0.0%" in result.output
    assert "door-to-door estimate  MAE 6.5 min, bias -6.5 min (1 visits)" in result.output
    refused = runner.invoke(args=["simulate", "--plan", str(TINY), "--life-events", "2"])
    assert refused.exit_code == 2
