"""Many call-next policies on many simulated days, in seconds: the reference day replayed in memory.

bench/simulate.py replays each day through the real engine (database, services, estimator: ~12 s
a day). To search the space of [policy] settings this script replays the same days — the same
visitors drawn by queue_app.simulation.plan, the same clerks on duty in the same roster order, the
same rules, in memory (queue_app/simulation/replay.py, with which the staffing planner also
checks its rosters: a free counter calls at once, a counter with nothing it serves waits for the next
arrival it serves, a no-show costs the clerk `no_show_after_min`), choosing each call
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
import json
import sys
from pathlib import Path
from statistics import mean, quantiles

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from queue_app.config import read_network_file  # noqa: E402
from queue_app.domain.policy import PolicySettings  # noqa: E402
from queue_app.simulation.plan import DayPlan, read_plan  # noqa: E402
from queue_app.simulation.refine import catalogue_of  # noqa: E402
from queue_app.simulation.replay import Catalogue, replay  # noqa: E402

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
def waits_of_day(plan: DayPlan, seed: int, settings: PolicySettings, catalogue: Catalogue) -> list[float]:
    """Every called visitor's wait (from ticket, or from the slot for an appointment, to the call)."""
    return [s.wait_min for s in replay(plan, seed, catalogue, settings)]


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
    catalogue = catalogue_of(network)
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
                 for w in waits_of_day(plan, seed, settings, catalogue)]
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
