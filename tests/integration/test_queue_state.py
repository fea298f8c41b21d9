"""A centre's queue as queue_state computes it — read line by line, ordered from the lines
(policy.centre_order), pressure read from each line's back, replayed on a heap when every counter
serves everything — equals the full recomputation: every waiting ticket ranked one by one
(policy.calling_order) and replayed counter by counter, on either database, for any policy."""
from __future__ import annotations

import random
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from queue_app.domain.access import SYSTEM
from queue_app.domain.estimates import estimate_waits
from queue_app.domain.lifecycle import COUNTER_OPEN
from queue_app.domain.policy import Candidate, PolicySettings, calling_order, ordinary_lines
from queue_app.extensions import db
from queue_app.models import Centre, Counter, Service
from queue_app.services.arrivals import arriving_loads
from queue_app.services.queue import (
    QueueState, _open_loads, candidates, handling_times, place, pressure, queue_state, served,
)
from queue_app.services.tickets import create_ticket
from tests.conftest import NOON, checked_in

SERVICES = ["birth", "tax", "passport", "info"]
POLICIES = [PolicySettings(), PolicySettings(priority_first=False), PolicySettings(first_come_first_served=True),
            PolicySettings(route_by_pressure=False), PolicySettings(appointment_grace_min=5.0),
            PolicySettings(defer_late_min=10.0), PolicySettings(escalate_past_target=False)]


def recomputed(centre: Centre, now, policy: PolicySettings, newcomer: Candidate | None):
    """The queue as it was computed before: every ticket ranked, every counter looked at (read
    afresh, where queue_state keeps what the counters are doing between issues)."""
    pool = candidates(centre.id) + ([newcomer] if newcomer else [])
    seen = served(centre, now)
    durations = handling_times(centre, now, seen)
    loads, clerks = _open_loads(seen, now, durations)
    order = calling_order(pool, now, policy, pressure=pressure(centre.id, ordinary_lines(pool), now, policy, loads))
    return order, estimate_waits(order, loads + arriving_loads(centre, now, clerks), durations, services=sorted(durations))


def fill(rng: random.Random, centre: Centre, services: dict[str, Service], n: int) -> None:
    for i in range(n):
        service = services[rng.choice(SERVICES)]
        arrived = NOON - timedelta(minutes=rng.choice([rng.randrange(0, 60), 15, 20]), seconds=rng.randrange(60))
        fields = {}
        kind = rng.random()
        if kind < 0.1:
            fields["priority"] = True
        elif kind < 0.2:
            start = NOON + timedelta(minutes=rng.randrange(-30, 30))
            fields["appointment_id"] = checked_in(f"QS{centre.id}{i:05d}", centre, service, start).id
            fields["priority"] = rng.random() < 0.3
        ticket = create_ticket(centre, service, NOON, arrived_at=arrived, by=SYSTEM, **fields)
        if rng.random() < 0.1:
            ticket.status = rng.choice(["done", "cancelled"])  # no longer waiting


@pytest.mark.parametrize("skills", ["every service at every counter", "desks of their own"])
def test_the_queue_equals_its_full_recomputation(ctx, skills):
    rng = random.Random(34)
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    services = {s.code: s for s in db.session.scalars(select(Service).where(Service.code.in_(SERVICES)))}
    fill(rng, hq, services, 120)
    for i, counter in enumerate(db.session.scalars(select(Counter).where(Counter.centre_id == hq.id))):
        counter.state = COUNTER_OPEN
        serving = SERVICES if skills.startswith("every") else [SERVICES[i % 4], SERVICES[(i + 1) % 4]][: 1 + i % 2]
        counter.skills = {"primary": serving, "secondary": []}
    db.session.commit()

    checked = 0
    for minutes in (0, 7, 25):
        now = NOON + timedelta(minutes=minutes)
        for policy in POLICIES:
            for newcomer in (None, Candidate(sys.maxsize, "tax", now, False, None, services["tax"].weight),
                             Candidate(sys.maxsize, "info", now, True, None, services["info"].weight)):
                state = queue_state(hq, now, policy, newcomer=newcomer)
                order, estimates = recomputed(hq, now, policy, newcomer)
                assert state.order == order, (minutes, policy, newcomer)
                assert state.estimates == estimates, (minutes, policy, newcomer)
                # one ticket's place, replayed only as far as that ticket: the first, the last, some between
                for c in [*order[:2], *rng.sample(order, 3), order[-1], *([newcomer] if newcomer else [])]:
                    assert place(hq, now, c.id, newcomer=newcomer, policy=policy) == state.place(c.id), (c, policy)
                checked += 1
    assert checked == 3 * len(POLICIES) * 3
    assert len(queue_state(hq, NOON).order) > 90  # the queue is long enough to mean something


QUEUE_STATE_USERS = ["queue_app.services", "queue_app.services.queue", "queue_app.services.tickets", "queue_app.services.visits",
                     "queue_app.services.board", "queue_app.services.remote", "queue_app.services.offer",
                     "queue_app.services.reading", "queue_app.print_worker", "queue_app.notifications.delivery"]


@pytest.mark.reference_day
def test_every_queue_of_the_simulated_reference_day_equals_its_full_recomputation(monkeypatch):
    """bench/reference_day.toml's day (seed 1) through the real engine, each queue the engine
    computes — every issue's, every estimate's — recomputed in full beside it."""
    import importlib

    from queue_app.services.lookup import policy_for
    from queue_app.simulation import read_plan, simulate

    queue = importlib.import_module("queue_app.services.queue")
    computed, computed_place = queue.queue_state, queue.place
    lengths, differing = [], []

    def checked(centre, now, policy=None, *, newcomer=None):
        state = computed(centre, now, policy, newcomer=newcomer)
        order, estimates = recomputed(centre, now, policy or policy_for(centre), newcomer)
        lengths.append(len(order))
        if state.order != order or state.estimates != estimates:
            differing.append((now, newcomer))
        return state

    def checked_place(centre, now, ticket_id, *, newcomer=None, policy=None):
        answer = computed_place(centre, now, ticket_id, newcomer=newcomer, policy=policy)
        order, estimates = recomputed(centre, now, policy or policy_for(centre), newcomer)
        lengths.append(len(order))
        if answer != QueueState(centre.id, now, order, estimates, 0).place(ticket_id):
            differing.append((now, newcomer, ticket_id))
        return answer

    for name in QUEUE_STATE_USERS:
        module = importlib.import_module(name)
        for attr, original, check in (("queue_state", computed, checked), ("place", computed_place, checked_place)):
            if getattr(module, attr, None) is original:
                monkeypatch.setattr(module, attr, check)
    result = simulate(read_plan(None), 1)
    assert differing == []
    assert len(lengths) >= len(result.outcomes) and max(lengths) >= 10  # every issue, and queues of some length
