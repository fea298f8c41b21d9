"""`queue-app simulate`: a day through the real engine, its figures printed, its chart saved."""
from __future__ import annotations

import json
import sys
from dataclasses import asdict

import click
from flask import current_app
from flask.cli import with_appcontext

from ..config import ConfigError, read_network_file
from ..domain.errors import DomainError


def _refuse(message: str) -> None:
    click.secho(f"simulate: {message}", fg="red", err=True)
    sys.exit(2)


def kpi_lines(result) -> list[str]:
    k = result.kpis

    def minutes(v):
        return "—" if v is None else f"{v:.1f} min"

    def share(v):
        return "—" if v is None else f"{100 * v:.1f}%"

    ratio = (k.estimate.mae_min / k.naive.mae_min) if k.estimate.mae_min is not None and k.naive.mae_min else None
    return [
        f"policy                 {result.policy_name}",
        f"visitors               {result.visitors} drawn; {k.tickets} tickets ({k.appointments} appointments), {k.called} called",
        f"wait mean / p90 / max  {minutes(k.mean_wait_min)} / {minutes(k.p90_wait_min)} / {minutes(k.max_wait_min)}",
        f"over {k.target_wait_min:g} min target     {share(k.over_target_share)}",
        f"estimate at issue      MAE {minutes(k.estimate.mae_min)}, bias {minutes(k.estimate.bias_min)} "
        f"({k.estimate.count} tickets)",
        f"naive estimate         MAE {minutes(k.naive.mae_min)}, bias {minutes(k.naive.bias_min)}"
        + (f"; OneDoor's error is {100 * (1 - ratio):.0f}% lower" if ratio is not None else ""),
    ] + visit_lines(result, minutes, share)


def visit_lines(result, minutes, share) -> list[str]:
    """The visits of several steps, when the day had any: door to door, every step within target, estimate."""
    v = result.visit_kpis
    if v is None or not v.visits:
        return []
    how = "a ticket per service" if result.separate else "one ticket a visit"
    return [
        f"visits of 2+ steps     {v.visits} ({how}), {v.served} served to their end",
        f"door to door mean/p90  {minutes(v.door_to_door_mean_min)} / {minutes(v.door_to_door_p90_min)}",
        f"every step in target   {share(v.every_step_within_target_share)}",
        f"door-to-door estimate  MAE {minutes(v.estimate.mae_min)}, bias {minutes(v.estimate.bias_min)} "
        f"({v.estimate.count} visits)",
    ]


def rostered(plan, source: str, durations: dict[str, float], checked_by=None):
    """The plan with the roster of `source` (a file, or "planner": checked by simulation against
    the network `checked_by` if given); ConfigError when it does not fit."""
    from pydantic import ValidationError

    from .roster import planner_shifts, read_roster, with_shifts

    shifts = planner_shifts(plan, durations, network=checked_by) if source == "planner" else read_roster(source)
    try:
        return with_shifts(plan, shifts)
    except ValidationError as exc:
        raise ConfigError("; ".join(e["msg"] for e in exc.errors())) from None


@click.command("simulate")
@click.option("--plan", "plan_path", type=click.Path(dir_okay=False),
              help="the day to simulate (TOML; default: bench/reference_day.toml, SPEC §8's reference day)")
@click.option("--seed", default=1, show_default=True, help="draws the day's visitors; same seed, same day")
@click.option("--fifo", is_flag=True, help="plain first-come-first-served instead of the configured policy")
@click.option("--policy", "changes", multiple=True, metavar="KEY=VALUE",
              help="change a [policy] setting for this run, e.g. --policy primary_bonus=1 (repeatable)")
@click.option("--roster", "roster_source", metavar="FILE|planner",
              help="replay a roster instead of the day's staffing: a TOML file of [[shifts]], or 'planner' "
                   "for the staffing planner's proposal for the day's expected demand")
@click.option("--check", is_flag=True,
              help="with --roster planner: check the proposal by simulating the expected day and add "
                   "clerk-hours where visitors waited past the target, within Erlang C + 10% (~4½ min)")
@click.option("--life-events", "life_event_share", type=click.FloatRange(0, 1),
              help="this share of the walk-ins come for a life event's visit of 2–4 services (default: the plan's)")
@click.option("--separate", is_flag=True,
              help="the visitors of several services take a ticket per service, one after the other, "
                   "instead of one ticket for the visit")
@click.option("--chart", type=click.Path(dir_okay=False), help="save the day's chart here (PNG)")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="write the figures and every ticket here")
@click.option("--database", help="run in this database (its tables are REPLACED); default: a temporary SQLite file")
@with_appcontext
def simulate_command(plan_path, seed, fifo, changes, roster_source, check, life_event_share, separate, chart,
                     json_path, database):
    """Replay a day of visitors through the real engine with a simulated clock; print its KPIs."""
    policy = {"first_come_first_served": True} if fifo else {}
    for change in changes:
        key, _, value = change.partition("=")
        try:
            policy[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            _refuse(f"--policy {change!r}: write KEY=VALUE with a number or true/false")
    from .chart import save_chart
    from .plan import draw_visitors, read_plan, with_life_events
    from .runner import simulate

    try:
        plan = read_plan(plan_path)
        if life_event_share is not None:
            plan = with_life_events(plan, life_event_share)
        network = read_network_file(current_app.config["ONEDOOR_CONFIG"])
        durations = {s.code: s.duration_min for s in network.services}
        if roster_source:
            plan = rostered(plan, roster_source, durations, network if check else None)
        expected = len(draw_visitors(plan, seed, durations)) if set(plan.mix) <= set(durations) else 0
    except ConfigError as exc:
        _refuse(str(exc))
    with click.progressbar(length=expected, label=f"simulating seed {seed}", file=sys.stderr) as bar:
        try:
            result = simulate(plan, seed, policy=policy, database_url=database, network=network,
                              progress=bar.update, separate=separate)
        except (ConfigError, DomainError) as exc:
            _refuse(getattr(exc, "message", str(exc)))
    for line in kpi_lines(result) + [f"clerk-hours            {result.clerk_hours:.1f}"]:
        click.echo(line)
    if chart:
        click.echo(f"chart                  {save_chart(result, chart)}")
    if json_path:
        with open(json_path, "w", encoding="utf-8") as fh:
            json.dump({"seed": seed, "policy": policy, "kpis": asdict(result.kpis),
                       "staffing": result.staffing, "clerk_hours": result.clerk_hours,
                       "tickets": [asdict(o) for o in result.outcomes],
                       "visit_kpis": asdict(result.visit_kpis) if result.visit_kpis else None}, fh, indent=1)
        click.echo(f"figures                {json_path}")
