"""What a counter's call picks from (queue.head_candidates): each line's first ordinary tickets
and every special one, read line by line on indexes — the same tickets as numbering the whole
queue would keep (policy.heads over every waiting ticket), on either database."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from queue_app.domain.access import SYSTEM
from queue_app.domain.policy import heads
from queue_app.extensions import db
from queue_app.models import Centre, Counter, Service, Ticket
from queue_app.services.queue import candidates, head_candidates
from queue_app.services.tickets import create_ticket
from tests.conftest import NOON, checked_in

SERVICES = ["birth", "tax", "passport", "info"]


def test_a_call_picks_from_the_same_tickets_as_the_whole_queue_would_give(ctx):
    rng = random.Random(21)
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    nyc = db.session.scalar(select(Centre).where(Centre.code == "NYC"))
    services = {s.code: s for s in db.session.scalars(select(Service).where(Service.code.in_(SERVICES)))}
    counter = db.session.scalar(select(Counter).where(Counter.centre_id == hq.id))
    for i in range(160):
        service = services[rng.choice(SERVICES)]
        centre = nyc if i % 10 == 9 else hq  # another centre's tickets are never picked here
        arrived = NOON - timedelta(minutes=rng.randrange(0, 90), seconds=rng.randrange(60))  # ties and disorder
        fields = {}
        kind = rng.random()
        if kind < 0.1:
            fields["priority"] = True
        elif kind < 0.2:
            start = NOON + timedelta(minutes=rng.randrange(-30, 30))
            fields["appointment_id"] = checked_in(f"AP{i:06d}", centre, service, start).id
            fields["priority"] = rng.random() < 0.3  # an appointment may hold a priority too
        elif kind < 0.25:
            fields["for_counter_id"] = counter.id  # sent to a named counter: waits for it alone
        ticket = create_ticket(centre, service, NOON, arrived_at=arrived, by=SYSTEM, **fields)
        if rng.random() < 0.15:
            ticket.status = rng.choice(["called", "done", "cancelled"])  # no longer waiting
    db.session.commit()

    sent = set(db.session.scalars(select(Ticket.id).where(Ticket.for_counter_id.is_not(None))))
    for served in [frozenset(SERVICES), frozenset({"tax"}), frozenset({"birth", "info"}), frozenset()]:
        for per_service in (1, 3, 16):
            whole = [c for c in candidates(hq.id) if c.service in served and c.id not in sent]
            expected = sorted(heads(whole, per_service))
            got = sorted(head_candidates(hq.id, served, per_service))
            assert got == expected, (sorted(served), per_service)
    assert len(head_candidates(hq.id, frozenset(SERVICES), 3)) < len(candidates(hq.id))  # a real cut
