"""The planner checks its own proposal by simulation (SPEC §8): it replays the day's *expected*
demand — days drawn from the plan's own model, with seeds of its own (PLANNER_SEEDS, never the
bench's 1–10) — in memory (replay.py) and, while more visitors than the aim wait past the target,
changes the roster where they waited, within a budget of clerk-hours.

Why: Erlang C sizes the pooled demand as if anyone served anyone; the desks pool only through their
secondary skills, so a small desk's share of the pooled need is thin when its own visitors bunch.
The replay sees that; the hourly need cannot.

Each round takes the half-hour slots in which late visitors were waiting, and tries, for the clerks
able to serve them, the changes that put a clerk at the counter there: a shift moved by half an
hour, its break by up to an hour (these cost nothing), a shift stretched by half an hour or an hour
at either end (a split shift's inner ends too), a part shift made a full one (an hour longer with a
break), a clerk with no shift given a 4-h one — always within the planner's shapes (well_formed). The candidates most on duty in those slots are
replayed (then the next ones, if none helps) and the one that lowers the late count most per
half-hour it costs is kept. Stuck, or out of budget, it gives back the first or last half-hour of a
shift where fewest late visitors waited, if no more visitors are then late (at most TRIMS times).
It stops when the aim holds or nothing helps. The seeds' visitors are drawn once (a roster does not
change them: a fifth of a replay's time). On the reference day it takes ~4 minutes (20 days per
candidate, ~0.26 s of CPU): too slow for the planner page, so it is an option of the simulator
(`queue-app simulate --roster planner --check`, `bench/simulate.py --roster planner --check`).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..domain.policy import PolicySettings
from .plan import DayPlan, ShiftCfg, Visitor, draw_visitors, minutes_of, roster
from .replay import Catalogue, replay

PLANNER_SEEDS = tuple(range(1001, 1021))  # the planner's own days; the bench draws seeds 1–10
SLOT = 30
PART_MAX = 360  # a shift without a break: at most 6 h
FULL_MAX = 510  # with its 30-min break: 8½ h
SPLIT_PART_MAX = 300
TRIED = 12  # candidates replayed per round


@dataclass(frozen=True)
class Duty:
    """One clerk's day: their stretches at the counter as (start, end) minutes, and a break inside."""

    clerk: str
    parts: tuple[tuple[int, int], ...]
    rest: tuple[int, int] | None = None  # a break inside the one stretch

    @property
    def minutes(self) -> int:
        return sum(b - a for a, b in self.parts) - (self.rest[1] - self.rest[0] if self.rest else 0)

    def on(self, minute: int) -> bool:
        inside = any(a <= minute < b for a, b in self.parts)
        return inside and not (self.rest and self.rest[0] <= minute < self.rest[1])


def duties(shifts: Sequence[ShiftCfg]) -> list[Duty]:
    """The shifts of named clerks, one Duty per clerk (a split shift's two parts together)."""
    by_clerk: dict[str, list[ShiftCfg]] = {}
    for s in shifts:
        by_clerk.setdefault(s.clerk, []).append(s)
    found = []
    for clerk, own in by_clerk.items():
        parts = tuple(sorted((minutes_of(s.start), minutes_of(s.end)) for s in own))
        rests = [(minutes_of(a), minutes_of(b)) for s in own for a, b in s.breaks]
        found.append(Duty(clerk, parts, rests[0] if rests else None))
    return found


def shifts_of(found: Sequence[Duty]) -> list[ShiftCfg]:
    """The duties as the simulator's [[shifts]], by start."""
    out = []
    for d in found:
        for a, b in d.parts:
            rest = [(clock(d.rest[0]), clock(d.rest[1]))] if d.rest and a <= d.rest[0] < b else []
            out.append(ShiftCfg(clerk=d.clerk, start=clock(a), end=clock(b), breaks=rest))
    return sorted(out, key=lambda s: (minutes_of(s.start), s.clerk))


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def well_formed(d: Duty, opens: int, closes: int) -> bool:
    """Within opening hours, the shapes the planner uses: ≤ 6 h without a break, ≤ 8½ h with one an
    hour or more from either end, split parts ≤ 5 h at least 2 h apart."""
    if not all(opens <= a < b <= closes for a, b in d.parts):
        return False
    if len(d.parts) == 2:
        (a1, b1), (a2, b2) = d.parts
        return a2 - b1 >= 120 and b1 - a1 <= SPLIT_PART_MAX and b2 - a2 <= SPLIT_PART_MAX
    (a, b), = d.parts
    if d.rest is None:
        return b - a <= PART_MAX
    return b - a <= FULL_MAX and a + 60 <= d.rest[0] and d.rest[1] <= b - 60


def variants(d: Duty) -> list[tuple[Duty, int]]:
    """(changed duty, extra minutes at the counter) for the changes tried on one clerk's day."""
    def moved(k: int) -> Duty:
        return replace(d, parts=tuple((a + k, b + k) for a, b in d.parts),
                       rest=(d.rest[0] + k, d.rest[1] + k) if d.rest else None)

    out = [(moved(k), 0) for k in (-30, 30)]
    if d.rest:
        out += [(replace(d, rest=(d.rest[0] + k, d.rest[1] + k)), 0) for k in (-60, -30, 30, 60)]
    first, last = d.parts[0], d.parts[-1]
    for k in (SLOT, 2 * SLOT):
        out.append((replace(d, parts=((first[0] - k, first[1]),) + d.parts[1:]), k))
        out.append((replace(d, parts=d.parts[:-1] + ((last[0], last[1] + k),)), k))
        if len(d.parts) == 2:  # the split's inner ends
            out.append((replace(d, parts=((first[0], first[1] + k), last)), k))
            out.append((replace(d, parts=(first, (last[0] - k, last[1]))), k))
    if len(d.parts) == 1 and d.rest is None:  # a part shift becomes a full one: an hour more, a break
        a, b = first
        for start, end in ((a - 2 * SLOT, b), (a, b + 2 * SLOT)):
            middle = start + (end - start - SLOT) // 2 // SLOT * SLOT
            out.append((Duty(d.clerk, ((start, end),), (middle, middle + SLOT)), SLOT))
    return out


def late_cells(plan: DayPlan, roster_duties: Sequence[Duty], catalogue: Catalogue, settings: PolicySettings,
               seeds: Sequence[int] | Mapping[int, Sequence[Visitor]]) -> tuple[int, float, Counter, int]:
    """Visitors past the target over the seeds (or {seed: its visitors already drawn}), their minutes
    past it, (service, slot) → how many late visitors were waiting in that half-hour slot, and the
    visitors called."""
    rostered = plan.model_copy(update={"staffing": None, "shifts": shifts_of(roster_duties)})
    target = plan.day.target_wait_min
    late, excess, cells, called = 0, 0.0, Counter(), 0
    for seed in seeds:
        drawn = seeds[seed] if isinstance(seeds, Mapping) else None
        for s in replay(rostered, seed, catalogue, settings, drawn):
            called += 1
            if s.wait_min > target:
                late += 1
                excess += s.wait_min - target
                for slot in range(int(s.since_min) // SLOT * SLOT, int(s.since_min + s.wait_min), SLOT):
                    cells[(s.service, slot)] += 1
    return late, excess, cells, called


def refine(plan: DayPlan, shifts: Sequence[ShiftCfg], catalogue: Catalogue, settings: PolicySettings, *,
           budget_min: int, aim: float, seeds: Sequence[int] = PLANNER_SEEDS,
           rounds: int = 80) -> list[ShiftCfg]:
    """The roster changed, round by round, until at most `1 − aim` of the seeds' visitors wait past
    the target, adding at most `budget_min` clerk-minutes (see the module's doc)."""
    opens, closes = minutes_of(plan.day.opens), minutes_of(plan.day.closes)
    skills = {name: set(g.primary) | set(g.secondary) for name, g in zip(roster_names(plan), roster(plan))}
    seeds = {seed: draw_visitors(plan, seed, catalogue.durations) for seed in seeds}  # once: a fifth of a replay
    current = duties(shifts)
    state = late_cells(plan, current, catalogue, settings, seeds)
    spent, trims = 0, TRIMS
    for _ in range(rounds):
        late, excess, cells, visitors = state
        if late <= (1 - aim) * visitors:
            break
        tries = [(k, changed, cost) for k, d in enumerate(current) for changed, cost in variants(d)
                 if spent + cost <= budget_min and well_formed(changed, opens, closes)]
        taken = {d.clerk for d in current}
        tries += [(None, Duty(clerk, ((start, start + 240),)), 240) for clerk in roster_names(plan)
                  if clerk not in taken and spent + 240 <= budget_min
                  for start in range(opens, closes - 240 + 1, SLOT)]

        def heat(t) -> float:  # late visitors' waiting slots the change puts this clerk in, minus those it leaves
            k, changed, _ = t
            before = current[k] if k is not None else Duty(changed.clerk, ())
            return sum(n * (changed.on(slot) - before.on(slot)) for (service, slot), n in cells.items()
                       if service in skills[changed.clerk])

        hot = sorted((t for t in tries if heat(t) > 0), key=lambda t: -heat(t) / max(t[2], SLOT))
        free, paid = [t for t in hot if t[2] == 0], [t for t in hot if t[2] > 0]
        best = None
        for chunk in range(WIDEN):  # nothing in the first candidates helps: look further down
            best = _best(plan, current, state, free[chunk * TRIED // 2:(chunk + 1) * TRIED // 2]
                         + paid[chunk * TRIED:(chunk + 1) * TRIED], catalogue, settings, seeds)
            if best is not None:
                break
        if best is None and trims:  # stuck or out of budget: give back the half-hour missed least
            trims -= 1
            best = _trim(plan, current, state, skills, catalogue, settings, seeds, opens, closes)
        if best is None:
            break
        current, cost, state = best
        spent += cost
    return shifts_of(current)


WIDEN = 3  # chunks of candidates looked at before giving up
TRIMS = 10  # half-hours given back at most


def _best(plan, current, state, tries, catalogue, settings, seeds):
    """Of `tries`, the change lowering the late count (then the minutes late ÷ 100) most per
    half-hour it costs (free moves count one): (roster, cost, state), or None if none helps."""
    late, excess = state[0], state[1]
    best, found = 0.0, None
    for k, changed, cost in tries:
        trial = list(current)
        if k is None:
            trial.append(changed)
        else:
            trial[k] = changed
        got = late_cells(plan, trial, catalogue, settings, seeds)
        gain = ((late - got[0]) + (excess - got[1]) / 100) / max(cost, SLOT)
        if gain > best:
            best, found = gain, (trial, cost, got)
    return found


def _trim(plan, current, state, skills, catalogue, settings, seeds, opens, closes):
    """The first or last half-hour of a shift, among those where fewest late visitors waited, whose
    removal leaves no more visitors late: (roster, −30, state), or None."""
    cells = state[2]
    tries = []
    for k, d in enumerate(current):
        first, last = d.parts[0], d.parts[-1]
        for changed, gone in ((replace(d, parts=((first[0] + SLOT, first[1]),) + d.parts[1:]), first[0]),
                              (replace(d, parts=d.parts[:-1] + ((last[0], last[1] - SLOT),)), last[1] - SLOT)):
            if all(b - a >= 120 for a, b in changed.parts) and well_formed(changed, opens, closes):
                cold = sum(n for (service, slot), n in cells.items() if slot == gone and service in skills[d.clerk])
                tries.append((cold, k, changed))
    found, least = None, None
    for _, k, changed in sorted(tries, key=lambda t: t[0])[:TRIED]:
        trial = list(current)
        trial[k] = changed
        got = late_cells(plan, trial, catalogue, settings, seeds)
        if got[0] <= state[0] and (least is None or got[1] < least):
            found, least = (trial, -SLOT, got), got[1]
    return found


def catalogue_of(network) -> Catalogue:
    """The replay's view of a network's services."""
    return Catalogue({s.code: float(s.duration_min) for s in network.services},
                     {s.code: float(s.weight) for s in network.services},
                     frozenset(s.code for s in network.services if s.bookable))


def settings_of(network, plan: DayPlan, first_come_first_served: bool = False) -> PolicySettings:
    """The network's [policy] at the day's target wait."""
    return PolicySettings(**{**network.policy.model_dump(), "target_wait_min": plan.day.target_wait_min,
                             "first_come_first_served": first_come_first_served})


def roster_names(plan: DayPlan) -> list[str]:
    """clerk01… in roster order (plan.roster)."""
    return [f"clerk{i:02d}" for i in range(1, plan.roster_size + 1)]
