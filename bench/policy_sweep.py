"""Many call-next policies on many simulated days, in seconds: the reference day replayed in memory.

bench/simulate.py replays each day through the real engine (database, services, estimator: ~12 s
a day). To search the space of [policy] settings this script replays the same days — the same
visitors drawn by queue_app.simulation.plan, the same clerks on duty in the same roster order, the
same rules (a free counter calls at once, a counter with nothing it serves waits for the next
arrival it serves, a no-show costs the clerk `no_show_after_min`) — in memory, choosing each call
with the product's own domain/policy.py over every waiting ticket. What it leaves out: booking
(an appointment gets the first slot of its service at or after the time it wanted, with no slot
capacity) and the engine's 16-tickets-a-line view. On seeds 1–10 it gave FIFO 4.17%, the SPEC §3
default 4.35% and a 5-min appointment grace 4.00% over the target, where the engine gave 4.20%,
4.35% and 4.02%: use it to choose, then measure the choice with bench/simulate.py.

    .venv/bin/python bench/policy_sweep.py                                    # the standard variants
    .venv/bin/python bench/policy_sweep.py --seeds 60 --staffing 0.9          # more days, fewer clerks
    .venv/bin/python bench/policy_sweep.py --variant "defer_late_min=30 appointment_grace_min=10"

Each variant is a set of [policy] changes to config.toml's; `first_come_first_served=true` is FIFO.
Printed per variant, pooled over the seeds: share over the target and how much lower than FIFO,
mean wait, p99 and max wait, and the mean wait of those over the target (what the others' gain costs).
"""
from __future__ import annotations

import argparse
import heapq
import itertools
import json
import math
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from statistics import mean, quantiles

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from queue_app.config import read_network_file  # noqa: E402
from queue_app.domain.policy import Candidate, PolicySettings, Skills, choose_next, queue_pressure  # noqa: E402
from queue_app.simulation.plan import DayPlan, draw_visitors, minutes_of, read_plan, roster  # noqa: E402

SPEC_DEFAULT = "appointment_grace_min=null defer_late_min=null route_by_pressure=true"
VARIANTS = [
    "first_come_first_served=true",
    SPEC_DEFAULT,
    "",  # config.toml as shipped
    "appointment_grace_min=5 defer_late_min=null route_by_pressure=true",
    "appointment_grace_min=10 defer_late_min=null",
    "appointment_grace_min=null defer_late_min=20",
    "appointment_grace_min=5 defer_late_min=20",
    "appointment_grace_min=10 defer_late_min=10",
    "appointment_grace_min=10 defer_late_min=30",
    "appointment_grace_min=15 defer_late_min=20",
]
MIDNIGHT = datetime(2026, 1, 1, tzinfo=timezone.utc)  # any: the policy sees only differences


def at(minute: float) -> datetime:
    return MIDNIGHT + timedelta(minutes=minute)


def waits_of_day(plan: DayPlan, seed: int, settings: PolicySettings, durations: dict, weights: dict,
                 bookable: set) -> list[float]:
    """Every called visitor's wait (from ticket, or from the slot for an appointment, to the call)."""
    visitors = draw_visitors(plan, seed, durations)
    opens = minutes_of(plan.day.opens)
    desks = [Skills.of(g.primary, g.secondary) for g in roster(plan)][: plan.day.counters]
    events: list = []
    order = itertools.count()

    def schedule(minute: float, kind: str, what: object) -> None:
        heapq.heappush(events, (minute, next(order), kind, what))

    for h in range(plan.day.hours):
        schedule(opens + 60 * h, "shift", h)
    for i, v in enumerate(visitors):
        if v.appointment_min is None or v.service not in bookable:
            schedule(v.appointment_min if v.appointment_min is not None else v.arrives_min, "arrive", (i, None))
            continue
        step = durations[v.service]
        slot = opens + max(0, math.ceil((v.appointment_min - 1 - opens) / step)) * step
        schedule(max(slot - (v.appointment_min - v.arrives_min), opens), "arrive", (i, slot))

    waiting: dict[int, Candidate] = {}
    on_duty: list[int] = []
    idle: set[int] = set()
    busy: set[int] = set()
    leaving: set[int] = set()
    waits: list[float] = []

    def call(desk: int, now: float) -> None:
        pressure = None
        if settings.route_by_pressure and not settings.first_come_first_served:
            servers: dict[str, int] = {}
            for d in on_duty:
                for service in desks[d].services:
                    servers[service] = servers.get(service, 0) + 1
            pressure = queue_pressure(waiting.values(), at(now), durations, servers)
        chosen = choose_next(list(waiting.values()), at(now), settings, desks[desk], pressure)
        if chosen is None:
            idle.add(desk)
            return
        idle.discard(desk)
        del waiting[chosen.id]
        since = chosen.arrived_at if chosen.appointment_start is None else max(chosen.arrived_at, chosen.appointment_start)
        waits.append(max(now - (since - MIDNIGHT).total_seconds() / 60, 0.0))
        busy.add(desk)
        v = visitors[chosen.id]
        pv = plan.visitors
        schedule(now + (pv.walk_min + v.handling_min if v.shows else pv.no_show_after_min), "free", desk)

    while events:
        now, _, kind, what = heapq.heappop(events)
        if kind == "arrive":
            i, slot = what
            v = visitors[i]
            waiting[i] = Candidate(i, v.service, at(now), v.priority and slot is None,
                                   at(slot) if slot is not None else None, weights[v.service])
            for d in list(on_duty):
                if d in idle and desks[d].serves(v.service):
                    call(d, now)
        elif kind == "shift":
            wanted = min(plan.staffed(what), len(desks))
            while len(on_duty) > wanted:
                d = on_duty.pop()
                (leaving.add if d in busy else idle.discard)(d)
            for d in range(len(on_duty), wanted):
                leaving.discard(d)
                on_duty.append(d)
                if d not in busy:
                    call(d, now)
        else:  # a counter is free
            busy.discard(what)
            if what in leaving:
                leaving.discard(what)
            elif what in on_duty:
                call(what, now)
    return waits


def settings_of(base: dict, variant: str, target: float) -> PolicySettings:
    changes = {k: json.loads(v) for k, v in (item.split("=", 1) for item in variant.split())}
    unknown = set(changes) - set(PolicySettings.__dataclass_fields__)
    if unknown:
        raise SystemExit(f"unknown [policy] setting: {', '.join(sorted(unknown))}")
    return PolicySettings(**{**base, **changes, "target_wait_min": target})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=40, help="days to draw (seeds 1..N)")
    parser.add_argument("--plan", help="the day (default: bench/reference_day.toml)")
    parser.add_argument("--staffing", type=float, default=1.0, help="multiply the counters on duty each hour")
    parser.add_argument("--variant", action="append", metavar="'KEY=VALUE …'",
                        help="[policy] changes to compare (default: a standard set)")
    args = parser.parse_args()
    plan = read_plan(args.plan)
    if args.staffing != 1.0:
        staffed = [max(1, round(n * args.staffing)) for n in plan.staffing.by_hour]
        plan = plan.model_copy(update={"staffing": plan.staffing.model_copy(update={"by_hour": staffed})})
    network = read_network_file()
    durations = {s.code: float(s.duration_min) for s in network.services}
    weights = {s.code: float(s.weight) for s in network.services}
    bookable = {s.code for s in network.services if s.bookable}
    base = network.policy.model_dump()
    target = plan.day.target_wait_min
    variants = ["first_come_first_served=true"] + [v for v in (args.variant or VARIANTS) if v != "first_come_first_served=true"]
    print(f"{plan.day.counters}-counter day, seeds 1–{args.seeds}, staffing × {args.staffing:g}, target {target} min\n")
    print("| [policy] changes | over target | lower than FIFO | mean wait | p99 wait | max wait | mean wait of those over |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    fifo_share = None
    for variant in tqdm(variants, desc="variants", file=sys.stderr):
        settings = settings_of(base, variant, target)
        waits = [w for seed in range(1, args.seeds + 1)
                 for w in waits_of_day(plan, seed, settings, durations, weights, bookable)]
        late = [w for w in waits if w > target]
        share = len(late) / len(waits)
        fifo_share = share if fifo_share is None else fifo_share
        name = ("FIFO" if settings.first_come_first_served else "SPEC §3 default" if variant == SPEC_DEFAULT
                else f"`{variant}`" if variant else "**config.toml as shipped**")
        tqdm.write(f"| {name} | {100 * share:.2f}% | {100 * (1 - share / fifo_share):.0f}% | {mean(waits):.2f} "
                   f"| {quantiles(waits, n=100)[98]:.1f} | {max(waits):.0f} | {mean(late) if late else 0:.1f} |",
                   file=sys.stdout)


if __name__ == "__main__":
    main()
