"""The queue-quality comparisons of SPEC §8 on the simulated reference day (bench/reference_day.toml).

Reproduce from the repository root:

    .venv/bin/python bench/simulate.py                      # 10 seeds, both policies (~3 minutes on 2 cores)
    .venv/bin/python bench/simulate.py --seeds 3 --jobs 1   # a quick look
    .venv/bin/python bench/simulate.py --roster planner     # the staffing planner's roster (~6 minutes)
    .venv/bin/python bench/simulate.py --roster planner --check   # … checked by simulation first (+4½ min)
    .venv/bin/python bench/simulate.py --visits 0.2         # a fifth of the walk-ins come for a life event

Each seed draws one day of visitors (arrivals, services, handling times, appointments, no-shows);
the same day is then replayed through the real engine (`queue_app.simulation.simulate`, a fresh
SQLite database per run) twice: with the configured call-next policy (config.toml [policy]) and
with plain first-come-first-served — same visitors, same clerks, same staffing. Printed:
- the dispatch policy: share of visitors waiting longer than the target, per seed and pooled over
  all seeds, and how much lower the policy's is than FIFO's (SPEC §8: at least 25% lower);
- the estimate: mean absolute error of the wait printed on each ticket at issue against the real
  wait, beside the naive estimate (position × average handling ÷ open counters) taken at the same
  moment, under the configured policy (SPEC §8: MAE ≤ 3 min and at least 30% lower than naive).
With `--roster planner` (or `shipped`, or a TOML file of [[shifts]]) it compares staffing instead
(SPEC §8): the day replayed with that roster under the configured policy, beside the reference
day's shipped staffing (staffing.by_hour) under the same policy and the roster under FIFO: the
share of visitors called within the target wait, pooled over the seeds; the p99 wait; the clerk-hours
at a counter (breaks out); and the Erlang C clerk-hours — the sum over opening hours of the counters
Erlang C needs for the hour's pooled expected demand (every visitor at any counter, handling = the
service's configured mean) to keep 99.95% within the target: SPEC §8 asks ≥ 99.95% within target
with no more than Erlang C + 10%.
With `--visits SHARE` that share of the walk-ins come for a life event's visit of 2–4 services
(SPEC §11) and the day is replayed under the configured policy twice: with one ticket for the visit
(each next step waits in its line keeping the arrival time) and with the same visitors taking a
ticket per service, one after the other. Printed, over the visits of several steps served to their
end: door-to-door time mean and p90, the share whose every step was called within the target, and
the error of the door-to-door time predicted at arrival (the sum of the steps' estimated waits and
average handling times), pooled over the seeds.
Progress goes to stderr, the Markdown tables to stdout.
"""
from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import mean, quantiles

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POLICY_TARGET, ESTIMATE_RATIO_TARGET, ESTIMATE_MAE_TARGET = 0.25, 0.30, 3.0  # SPEC §8


def run(args: tuple) -> dict:
    """One day in a worker process; only plain figures travel back."""
    from queue_app.config import read_network_file
    from queue_app.simulation import read_plan, simulate
    from queue_app.simulation.cli import rostered

    seed, policy, plan_path, *roster = args
    plan = read_plan(plan_path)
    if roster and isinstance(roster[0], dict):  # --visits: (share, separate)
        return visit_run(seed, plan, **roster[0])
    if roster and isinstance(roster[0], list):  # shifts computed once (--check)
        from queue_app.simulation.plan import ShiftCfg
        from queue_app.simulation.roster import with_shifts

        plan = with_shifts(plan, [ShiftCfg(**s) for s in roster[0]])
        roster = ["planner, checked"]
    elif roster and roster[0] != "shipped":
        plan = rostered(plan, roster[0], {s.code: s.duration_min for s in read_network_file().services})
    result = simulate(plan, seed, policy=policy)
    k = result.kpis
    waits = [o.wait_min for o in result.outcomes if o.wait_min is not None]
    over = sum(1 for w in waits if w > k.target_wait_min)
    return {"seed": seed, "fifo": result.first_come_first_served, "tickets": k.tickets, "called": k.called,
            "waits": waits, "target": k.target_wait_min, "over": over, "over_share": k.over_target_share, "mean": k.mean_wait_min, "p90": k.p90_wait_min,
            "max": k.max_wait_min, "mae": k.estimate.mae_min, "bias": k.estimate.bias_min,
            "naive_mae": k.naive.mae_min, "naive_bias": k.naive.bias_min, "clerk_hours": result.clerk_hours,
            "roster": roster[0] if roster else "shipped"}


def range_run(args: tuple) -> dict:
    """One day for the estimate ranges: its (estimate, real wait) pairs, and with a calibration
    handed in, how the ranges it gave did."""
    from queue_app.simulation import read_plan, simulate

    seed, plan_path, calibration = args
    result = simulate(read_plan(plan_path), seed, calibration=calibration)
    k = result.kpis
    called = [o for o in result.outcomes if o.called_min is not None and o.estimate_min is not None]
    return {"seed": seed, "pairs": [(o.estimate_min, o.called_min - o.issued_min) for o in called],
            "mae": k.estimate.mae_min, "bias": k.estimate.bias_min, "called": len(called),
            "ranged": k.ranged, "range_share": k.range_share,
            "widths": [o.range_high - o.range_low for o in result.outcomes if o.range_low is not None]}


def compare_ranges(args) -> None:
    """Learn the ranges on seeds N+1..2N, then give them on seeds 1..N and count the real waits inside."""
    from queue_app.domain.ranges import SHARE, calibrate

    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        learnt = list(tqdm(pool.map(range_run, [(seed, args.plan, None) for seed in range(args.seeds + 1, 2 * args.seeds + 1)]),
                           total=args.seeds, desc="days to learn from", file=sys.stderr))
        calibration = calibrate([p for day in learnt for p in day["pairs"]], SHARE)
        days = list(tqdm(pool.map(range_run, [(seed, args.plan, calibration) for seed in range(1, args.seeds + 1)]),
                         total=args.seeds, desc="days given ranges", file=sys.stderr))
    if args.json:
        Path(args.json).write_text(json.dumps(days, indent=1))
    print(f"Reference day: {args.plan or 'bench/reference_day.toml'}; ranges learnt on seeds {args.seeds + 1}–"
          f"{2 * args.seeds}, given on seeds 1–{args.seeds}; stated share {pct(SHARE)}.\n")
    print("| band of estimate (min) | pairs learnt from | range: low / high (min added) |\n|---|---:|---|")
    for b in calibration.bands:
        upper = "∞" if b.upper == float("inf") else f"{b.upper:g}"
        print(f"| {b.lower:g}–{upper} | {b.pairs} | {b.low:+.1f} / {b.high:+.1f} |")
    print("\n| seed | tickets called | MAE (min) | bias (min) | given a range | real wait inside |\n|---:|---:|---:|---:|---:|---:|")
    for d in days:
        print(f"| {d['seed']} | {d['called']} | {num(d['mae'])} | {num(d['bias'])} | {d['ranged']} | {pct(d['range_share'])} |")
    ranged = sum(d["ranged"] for d in days)
    inside = sum(d["ranged"] * d["range_share"] for d in days if d["range_share"] is not None)
    widths = [w for d in days for w in d["widths"]]
    share = inside / ranged if ranged else None
    print(f"| all | {sum(d['called'] for d in days)} | {num(mean(d['mae'] for d in days))} "
          f"| {num(mean(d['bias'] for d in days))} | {ranged} | **{pct(share)}** |")
    print(f"\n- inside the range: {pct(share)} against the stated {pct(SHARE)} "
          f"({100 * (share - SHARE):+.1f} points; the issue asks ±5); mean width {mean(widths):.1f} min"
          if share is not None else "\n- no range given")


def visit_run(seed: int, plan, share: float, separate: bool) -> dict:
    """One day with life-event visits, one ticket a visit or a ticket per service."""
    from queue_app.simulation import simulate
    from queue_app.simulation.plan import with_life_events

    result = simulate(with_life_events(plan, share), seed, separate=separate)
    multi = [v for v in result.visits if len(v.services) > 1]
    served = [v for v in multi if v.ended_min is not None]
    return {"seed": seed, "separate": separate, "visits": result.visit_kpis.visits,
            "door": [v.door_to_door_min for v in served],
            "within": [all(w <= result.kpis.target_wait_min for w in v.step_waits) for v in served],
            "errors": [v.predicted_min - v.door_to_door_min for v in served if v.predicted_min is not None],
            "steps": [len(v.services) for v in multi], "over_share": result.kpis.over_target_share}


def visits_table(runs: dict[str, list[dict]]) -> list[str]:
    """Pooled over the seeds: door to door, every step within the target, the door-to-door estimate's error."""
    lines = ["| tickets | visits of 2+ steps (served) | steps a visit | door to door mean (min) | p90 (min) "
             "| every step within target | estimate MAE (min) | bias (min) | tickets over target |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, days in runs.items():
        door = [d for day in days for d in day["door"]]
        within = [w for day in days for w in day["within"]]
        errs = [e for day in days for e in day["errors"]]
        steps = [n for day in days for n in day["steps"]]
        lines.append(f"| {name} | {sum(d['visits'] for d in days)} ({len(door)}) | {mean(steps):.2f} "
                     f"| {mean(door):.1f} | {quantiles(door, n=10)[8]:.1f} | {pct(sum(within) / len(within))} "
                     f"| {mean(abs(e) for e in errs):.1f} | {mean(errs):.1f} "
                     f"| {pct(mean(d['over_share'] for d in days))} |")
    return lines


def compare_visits(args) -> None:
    sides = {"one ticket a visit": False, "a ticket per service": True}
    work = [(seed, {}, args.plan, {"share": args.visits, "separate": separate})
            for seed in range(1, args.seeds + 1) for separate in sides.values()]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        days = list(tqdm(pool.map(run, work), total=len(work), desc="simulated days", file=sys.stderr))
    runs = {name: [d for d in days if d["separate"] == separate] for name, separate in sides.items()}
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1))
    print(f"Reference day: {args.plan or 'bench/reference_day.toml'}; seeds 1–{args.seeds}; "
          f"{pct(args.visits)} of the walk-ins come for a life event's visit of 2–4 services; configured policy.\n")
    print("### Visits across agencies: one ticket a visit against a ticket per service\n")
    print("\n".join(visits_table(runs)))


def pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.1f}%"


def num(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def policy_table(pairs: list[tuple[dict, dict]]) -> list[str]:
    lines = ["| seed | tickets | over target: policy | over target: FIFO | policy lower by | mean wait policy / FIFO (min) "
             "| p90 policy / FIFO (min) | max policy / FIFO (min) |",
             "|---:|---:|---:|---:|---:|---|---|---|"]
    for ours, fifo in pairs:
        lower = 1 - ours["over_share"] / fifo["over_share"] if fifo["over_share"] else None
        lines.append(f"| {ours['seed']} | {ours['tickets']} | {pct(ours['over_share'])} | {pct(fifo['over_share'])} "
                     f"| {pct(lower)} | {num(ours['mean'])} / {num(fifo['mean'])} | {num(ours['p90'])} / {num(fifo['p90'])} "
                     f"| {num(ours['max'])} / {num(fifo['max'])} |")
    ours_share = sum(p[0]["over"] for p in pairs) / sum(p[0]["called"] for p in pairs)
    fifo_share = sum(p[1]["over"] for p in pairs) / sum(p[1]["called"] for p in pairs)
    lower = 1 - ours_share / fifo_share if fifo_share else 0.0
    lines.append(f"| all | {sum(p[0]['tickets'] for p in pairs)} | {pct(ours_share)} | {pct(fifo_share)} | "
                 f"**{pct(lower)}** | {num(mean(p[0]['mean'] for p in pairs))} / {num(mean(p[1]['mean'] for p in pairs))} "
                 f"| | {num(max(p[0]['max'] for p in pairs))} / {num(max(p[1]['max'] for p in pairs))} |")
    lines += ["", f"- share over target, pooled: policy {pct(ours_share)} vs FIFO {pct(fifo_share)}: "
                  f"{pct(lower)} lower (target: ≥ {pct(POLICY_TARGET)} lower; ratio {lower / POLICY_TARGET:.2f})",
              price([p[0] for p in pairs], [p[1] for p in pairs])]
    return lines


def price(ours: list[dict], fifo: list[dict]) -> str:
    """What the visitors who missed the target paid, pooled: their mean wait, and everyone's p99."""
    def figures(days: list[dict]) -> tuple[float, float]:
        waits = [w for d in days for w in d["waits"]]
        late = [w for w in waits if w > days[0]["target"]]
        return (mean(late) if late else 0.0), quantiles(waits, n=100)[98]
    (late_ours, p99_ours), (late_fifo, p99_fifo) = figures(ours), figures(fifo)
    return (f"- the price, pooled: those over the target waited {late_ours:.1f} min on average under the policy "
            f"against {late_fifo:.1f} under FIFO; p99 wait {p99_ours:.1f} against {p99_fifo:.1f} min")


def estimate_table(days: list[dict]) -> list[str]:
    lines = ["| seed | tickets compared | OneDoor MAE (min) | OneDoor bias (min) | naive MAE (min) | naive bias (min) "
             "| OneDoor lower by |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for d in days:
        lines.append(f"| {d['seed']} | {d['called']} | {num(d['mae'])} | {num(d['bias'])} | {num(d['naive_mae'])} "
                     f"| {num(d['naive_bias'])} | {pct(1 - d['mae'] / d['naive_mae'])} |")
    ours, naive = mean(d["mae"] for d in days), mean(d["naive_mae"] for d in days)
    lower = 1 - ours / naive
    lines.append(f"| all | {sum(d['called'] for d in days)} | **{num(ours)}** | {num(mean(d['bias'] for d in days))} "
                 f"| {num(naive)} | {num(mean(d['naive_bias'] for d in days))} | **{pct(lower)}** |")
    lines += ["", f"- MAE {ours:.2f} min (target ≤ {ESTIMATE_MAE_TARGET:g}: ratio {ours / ESTIMATE_MAE_TARGET:.2f} "
                  f"of the limit); {pct(lower)} lower than naive (target ≥ {pct(ESTIMATE_RATIO_TARGET)}: "
                  f"ratio {lower / ESTIMATE_RATIO_TARGET:.2f})"]
    return lines


def staffing_table(runs: dict[str, list[dict]], erlang_hours: int) -> list[str]:
    """One row per roster and policy: pooled share within target, p99 wait, clerk-hours against Erlang C."""
    lines = ["| roster, policy | visitors called | within target | p99 wait (min) | max wait (min) | clerk-hours "
             "| Erlang C clerk-hours | clerk-hours / Erlang C |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, days in runs.items():
        waits = [w for d in days for w in d["waits"]]
        within = sum(1 for w in waits if w <= days[0]["target"]) / len(waits)
        hours = mean(d["clerk_hours"] for d in days)
        lines.append(f"| {name} | {len(waits)} | {100 * within:.2f}% | {quantiles(waits, n=100)[98]:.1f} "
                     f"| {max(waits):.1f} | {hours:.1f} | {erlang_hours} | {hours / erlang_hours:.3f} |")
    return lines


def per_seed(runs: dict[str, list[dict]]) -> list[str]:
    names = list(runs)
    lines = ["| seed | " + " | ".join(f"within target: {n}" for n in names) + " |",
             "|---:|" + "---:|" * len(names)]
    for i, d in enumerate(runs[names[0]]):
        cells = []
        for n in names:
            day = runs[n][i]
            cells.append(pct(1 - day["over"] / len(day["waits"])) if day["waits"] else "—")
        lines.append(f"| {d['seed']} | " + " | ".join(cells) + " |")
    return lines


def compare_rosters(args) -> None:
    from queue_app.config import read_network_file
    from queue_app.simulation import read_plan
    from queue_app.simulation.roster import TARGET_SHARE, erlang_clerk_hours

    plan = read_plan(args.plan)
    durations = {s.code: s.duration_min for s in read_network_file().services}
    fifo = {"first_come_first_served": True}
    roster, label = args.roster, args.roster
    if args.check and roster == "planner":  # the checked proposal takes minutes: made once, here
        from queue_app.simulation.roster import planner_shifts

        tqdm.write("planner: proposing and checking by simulation (seeds 1001–1020) …", file=sys.stderr)
        roster = [s.model_dump(mode="json") for s in planner_shifts(plan, durations, network=read_network_file())]
        label = "planner checked by simulation"
    sides = {f"{label}, policy": ({}, roster), "shipped staffing, policy": ({}, "shipped"),
             f"{label}, FIFO": (fifo, roster)}
    if args.roster == "shipped":
        sides = {"shipped staffing, policy": ({}, "shipped"), "shipped staffing, FIFO": (fifo, "shipped")}
    work = [(seed, policy, args.plan, roster) for seed in range(1, args.seeds + 1) for policy, roster in sides.values()]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        days = list(tqdm(pool.map(run, work), total=len(work), desc="simulated days", file=sys.stderr))
    runs = {name: [d for d, w in zip(days, work) if (w[1], w[3]) == side] for name, side in sides.items()}
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1))
    hours = erlang_clerk_hours(plan, durations, TARGET_SHARE)
    print(f"Reference day: {args.plan or 'bench/reference_day.toml'}; seeds 1–{args.seeds}; roster: {args.roster}{' (checked by simulation)' if args.check else ''}; "
          f"Erlang C at {100 * TARGET_SHARE:g}% within {plan.day.target_wait_min} min.\n")
    print("### Staffing: share within the target wait and clerk-hours\n")
    print("\n".join(staffing_table(runs, hours)))
    print(f"\n- SPEC §8: ≥ {100 * TARGET_SHARE:g}% within target with clerk-hours ≤ Erlang C + 10% = {1.1 * hours:.1f}\n")
    print("\n".join(per_seed(runs)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="days to draw (seeds 1..N)")
    parser.add_argument("--jobs", type=int, default=2, help="days simulated at once (processes)")
    parser.add_argument("--plan", help="the day (default: bench/reference_day.toml)")
    parser.add_argument("--policy", action="append", default=[], metavar="KEY=VALUE",
                        help="change a [policy] setting of the policy side, e.g. primary_bonus=1")
    parser.add_argument("--json", help="write every day's figures here")
    parser.add_argument("--check", action="store_true",
                        help="with --roster planner: the proposal checked by simulating the expected day "
                             "(seeds of its own) and changed where visitors waited, within Erlang C + 10%%")
    parser.add_argument("--roster", metavar="planner|shipped|FILE",
                        help="compare staffing: this roster beside the shipped staffing and FIFO (see above)")
    parser.add_argument("--visits", type=float, metavar="SHARE",
                        help="compare visits of several steps: one ticket a visit against a ticket per service")
    parser.add_argument("--ranges", action="store_true",
                        help="estimate ranges: learnt on seeds N+1..2N, their coverage on seeds 1..N")
    args = parser.parse_args()
    if args.ranges:
        return compare_ranges(args)
    if args.visits is not None:
        return compare_visits(args)
    if args.roster:
        return compare_rosters(args)
    ours_policy = {k: json.loads(v) for k, v in (c.split("=", 1) for c in args.policy)}
    work = [(seed, policy, args.plan) for seed in range(1, args.seeds + 1)
            for policy in (ours_policy, {"first_come_first_served": True})]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        days = list(tqdm(pool.map(run, work), total=len(work), desc="simulated days", file=sys.stderr))
    ours = [d for d in days if not d["fifo"]]
    fifo = {d["seed"]: d for d in days if d["fifo"]}
    if args.json:
        Path(args.json).write_text(json.dumps(days, indent=1))
    changed = ", ".join(args.policy) or "config.toml [policy] as shipped"
    print(f"Reference day: {args.plan or 'bench/reference_day.toml'}; seeds 1–{args.seeds}; policy: {changed}.\n")
    print("### Dispatch policy against first come, first served\n")
    print("\n".join(policy_table([(d, fifo[d["seed"]]) for d in ours])))
    print("\n### Estimated wait at issue against the naive estimate (configured policy)\n")
    print("\n".join(estimate_table(ours)))


if __name__ == "__main__":
    main()
