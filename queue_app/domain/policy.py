"""Choosing the next ticket (SPEC §3): a pure, configurable policy over plain data.

Tiers, first to last:
  0. checked-in appointments whose slot has started or starts within the lead time (unless the
     centre gives appointments a grace, below);
  1. priority tickets (elderly, disabled, pregnant), if `priority_first`;
  2. tickets past the centre's target wait, longest first, if `escalate_past_target`;
  3. everyone else by effective wait = minutes waited × service weight × (1 + primary bonus
     when the service is one of the counter's primary skills). With `route_by_pressure`, the
     minutes are not the ticket's own wait but its service's *pressure*: the longest wait the
     service's line is heading for, max over its k-th ticket of (waited + k × handling time ÷
     open counters serving the service). A counter then helps the line that is about to miss the
     target — a service few counters serve, or a long line — rather than the ticket that merely
     came first, and leaves a line that many counters will soon empty to them. All tickets of a
     service share its pressure, so each line still goes by arrival.
With `appointment_grace_min` set (off by default, as SPEC §3 puts appointments first), an
appointment is not called ahead of everyone the moment its slot starts: it counts as waiting from
(slot start + grace − target) and ranks with the walk-ins by that wait, so it reaches the
past-target tier, and the front, at slot start + grace at the latest, and meanwhile a walk-in about
to miss the target goes first. Under load this spares the walk-ins what appointments-first costs
them (docs/benchmarks.md, "Second round").
With `defer_late_min` set (off by default, as SPEC §3 puts tickets past the target first), a
service's line whose ordinary tickets have all missed the target gives way to lines that can still
make it, until its first ticket is `defer_late_min` past the target; lines that can still make it
rank by the effective wait of their first ticket still under the target (pressure is not used).
Every ticket of a line ranks as its line does, so a line always keeps its arrival order. The
share of visitors over the target falls ~29% below first-come-first-served on the simulated
reference day, where the past-target-first default does no better than FIFO; the price is paid
by the visitors already late, who wait longer (docs/benchmarks.md, "Third round"). A counter
sees each line's first HEADS_PER_SERVICE tickets (services/calling.py): a line with more late
tickets than that counts as all late.
Ties fall to the earlier arrival, then the lower id, so the order is total and repeatable.

With `first_come_first_served` all of this is off: tickets go strictly by arrival, the plain
first-come-first-served a centre may choose, and the baseline the simulator measures the policy
against (bench/simulate.py).

Within one service, ordinary tickets (no priority, no appointment) always keep their arrival
order, since weight and bonus are the service's. So only each service's oldest ordinary tickets
and the special ones can ever come next: `heads` keeps just those, and a counter need not load
a centre's whole queue to call.
"""
from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from itertools import chain
from operator import itemgetter
from typing import Iterable, Mapping, NamedTuple, Sequence

PRIMARY = "primary"
SECONDARY = "secondary"


class Candidate(NamedTuple):
    """A waiting ticket as the policy sees it. A named tuple rather than a frozen dataclass: a
    centre's whole queue is built into these on every issue, and a tuple is made ~4x faster."""

    id: int
    service: str
    arrived_at: datetime
    priority: bool = False
    appointment_start: datetime | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class Skills:
    """The services a counter serves this session, each primary or secondary."""

    primary: frozenset[str] = frozenset()
    secondary: frozenset[str] = frozenset()

    @classmethod
    def of(cls, primary: Iterable[str] = (), secondary: Iterable[str] = ()) -> Skills:
        p = frozenset(primary)
        return cls(p, frozenset(secondary) - p)

    def serves(self, service: str) -> bool:
        return service in self.primary or service in self.secondary

    def level(self, service: str) -> str | None:
        if service in self.primary:
            return PRIMARY
        return SECONDARY if service in self.secondary else None

    @property
    def services(self) -> frozenset[str]:
        return self.primary | self.secondary


@dataclass(frozen=True)
class PolicySettings:
    appointment_lead_min: float = 5.0
    primary_bonus: float = 0.5
    priority_first: bool = True
    escalate_past_target: bool = True
    target_wait_min: float = 15.0
    first_come_first_served: bool = False
    route_by_pressure: bool = True
    appointment_grace_min: float | None = None
    defer_late_min: float | None = None


def overridden(network: Mapping, own: Mapping) -> dict:
    """The network's knobs with a centre's own over them; a centre's false on a knob the network
    may leave unset (an appointment grace, a deferral) turns that knob off at the centre."""
    optional = {f.name for f in fields(PolicySettings) if f.default is None}
    return {**network, **{k: None if v is False and k in optional else v for k, v in own.items()}}


def waited_minutes(c: Candidate, now: datetime, settings: PolicySettings | None = None) -> float:
    """Minutes the ticket has waited; with an appointment grace, an appointment's count from
    slot start + grace − target."""
    since = c.arrived_at
    if graced(c, settings):
        since = c.appointment_start + timedelta(minutes=settings.appointment_grace_min - settings.target_wait_min)
    return max((now - since).total_seconds() / 60.0, 0.0)


def graced(c: Candidate, settings: PolicySettings | None) -> bool:
    return c.appointment_start is not None and settings is not None and settings.appointment_grace_min is not None


def appointment_due(c: Candidate, now: datetime, settings: PolicySettings) -> bool:
    lead = timedelta(minutes=settings.appointment_lead_min)
    return c.appointment_start is not None and c.appointment_start - lead <= now


def effective_wait(
    c: Candidate, now: datetime, settings: PolicySettings, skills: Skills | None,
    pressure: Mapping[str, float] | None = None, minutes: float | None = None,
) -> float:
    """Minutes waited (or the service's pressure, or the given minutes) × service weight, with
    the bonus for a counter's primary skill."""
    bonus = settings.primary_bonus if skills is not None and c.service in skills.primary else 0.0
    if minutes is not None:
        return minutes * c.weight * (1.0 + bonus)
    minutes = waited_minutes(c, now, settings)
    if pressure is not None and not is_special(c):
        minutes = pressure.get(c.service, minutes)
    return minutes * c.weight * (1.0 + bonus)


def queue_pressure(
    candidates: Iterable[Candidate], now: datetime, durations: Mapping[str, float], servers: Mapping[str, int]
) -> dict[str, float]:
    """Per service, the longest wait its line of ordinary tickets is heading for: the maximum over
    its k-th ticket (by arrival) of minutes waited + k × handling minutes ÷ open counters serving
    the service (one, if none does)."""
    return line_pressure(ordinary_lines(candidates), now, durations, servers)


def line_pressure(
    lines: Mapping[str, Sequence[Candidate]], now: datetime, durations: Mapping[str, float], servers: Mapping[str, int]
) -> dict[str, float]:
    """`queue_pressure` of each service's ordinary tickets already in arrival order (ordinary_lines).

    Each line is read from its back: minutes waited never grow along a line (the k-th ticket came
    no earlier than the one before) while k × step does, so no ticket nearer the front can beat
    the best found once the first ticket's wait plus its own k × step falls below it — the same
    maximum, of the same terms, after a few tickets rather than the whole line.
    """
    out = {}
    for service, line in lines.items():
        if not line:
            continue
        step = durations.get(service, 10.0) / max(servers.get(service, 0), 1)
        # waited_minutes(c, now), inlined: this runs on every issue
        first = max((now - line[0].arrived_at).total_seconds() / 60.0, 0.0)
        best = None
        for k in range(len(line), 0, -1):
            reach = k * step
            if best is not None and first + reach < best:
                break
            value = max((now - line[k - 1].arrived_at).total_seconds() / 60.0, 0.0) + reach
            if best is None or value > best:
                best = value
        out[service] = best
    return out


def ordinary_lines(candidates: Iterable[Candidate]) -> dict[str, list[Candidate]]:
    """Each service's ordinary tickets (no priority, no appointment), by arrival."""
    lines: dict[str, list[Candidate]] = {}
    for c in candidates:
        if not is_special(c):
            lines.setdefault(c.service, []).append(c)
    for line in lines.values():
        line.sort(key=lambda c: (c.arrived_at, c.id))
    return lines


@dataclass(frozen=True)
class Line:
    """A service's line of ordinary tickets as deferral sees it: minutes its first ticket has
    waited, and minutes waited by its first ticket still under the target (None: all are late)."""

    first: float
    savable: float | None


def lines_of(candidates: Iterable[Candidate], now: datetime, target_min: float) -> dict[str, Line]:
    """Each service's Line over the ordinary candidates."""
    out = {}
    for service, line in ordinary_lines(candidates).items():
        waits = [waited_minutes(c, now) for c in line]
        out[service] = Line(waits[0], next((w for w in waits if w < target_min), None))
    return out


def rank(
    c: Candidate, now: datetime, settings: PolicySettings, skills: Skills | None = None,
    pressure: Mapping[str, float] | None = None, lines: Mapping[str, Line] | None = None,
) -> tuple:
    """Sort key of a candidate: lower is called sooner. `lines` (from lines_of) is used when
    the settings defer late lines."""
    tie = (c.arrived_at, c.id)
    if settings.first_come_first_served:
        return (0, 0.0, 0.0, *tie)
    if appointment_due(c, now, settings) and not graced(c, settings):
        return (0, c.appointment_start.timestamp(), 0.0, *tie)
    if settings.priority_first and c.priority:
        return (1, 0.0, 0.0, *tie)
    waited = waited_minutes(c, now, settings)
    target = settings.target_wait_min
    if settings.escalate_past_target and settings.defer_late_min is not None and not is_special(c):
        # Every ticket of a line ranks as the line does, so a line keeps its arrival order.
        line = (lines or {}).get(c.service) or Line(waited, waited if waited < target else None)
        if line.first >= target + settings.defer_late_min:
            return (2, -line.first, 0.0, *tie)
        if line.savable is None:
            return (4, -line.first, 0.0, *tie)
        return (3, 0.0, -effective_wait(c, now, settings, skills, minutes=line.savable), *tie)
    if settings.escalate_past_target and waited >= target:
        return (2, -waited, 0.0, *tie)
    return (3, 0.0, -effective_wait(c, now, settings, skills, pressure), *tie)


def calling_order(
    candidates: Iterable[Candidate],
    now: datetime,
    settings: PolicySettings,
    skills: Skills | None = None,
    pressure: Mapping[str, float] | None = None,
) -> list[Candidate]:
    """Return the candidates a counter with `skills` could serve, in the order it would call them.

    With `skills` None the order is the centre-wide one (no skill filter, no primary bonus).
    `pressure` (from queue_pressure) is used when the settings route by pressure.
    """
    pressure = pressure if settings.route_by_pressure else None
    pool = [c for c in candidates if skills is None or skills.serves(c.service)]
    return sorted(pool, key=ranker(pool, now, settings, skills, pressure))


ARRIVAL = itemgetter(2, 0)  # a candidate's (arrived_at, id): the last word of every rank
WEIGHT = itemgetter(5)


def centre_order(
    lines: Mapping[str, Sequence[Candidate]],
    special: Iterable[Candidate],
    now: datetime,
    settings: PolicySettings,
    pressure: Mapping[str, float] | None = None,
) -> list[Candidate]:
    """`calling_order(every ticket, now, settings, pressure=pressure)` — the centre-wide order —
    from each service's ordinary tickets already in arrival order (`lines`, as ordinary_lines
    gives them, each line of one weight) and the special ones, without ranking every ticket.

    Ranks tell an ordinary ticket little: past the target (tier 2) the longest wait goes first,
    which among ordinary tickets is arrival order, and a line's late tickets are its front; below
    it (tier 3) every ticket of a line ranks by the line's pressure. So the order is the special
    tickets ranked, each line cut where its tickets reach the target (a binary search), the late
    fronts merged by arrival, and the rest of each line as one block, the blocks by pressure.
    tests/unit/test_policy.py holds it equal to calling_order.
    """
    special = list(special)
    pressure = pressure if settings.route_by_pressure else None
    if settings.first_come_first_served:
        return sorted(special + list(chain.from_iterable(lines.values())), key=ARRIVAL)
    if any(line and len(set(map(WEIGHT, line))) > 1 for line in lines.values()):
        return calling_order(special + list(chain.from_iterable(lines.values())), now, settings, pressure=pressure)
    if settings.defer_late_min is not None and settings.escalate_past_target:
        return _deferring_order(lines, special, now, settings, pressure)
    if pressure is None or any(line and service not in pressure for service, line in lines.items()):
        return calling_order(special + list(chain.from_iterable(lines.values())), now, settings, pressure=pressure)
    key = ranker(special, now, settings, None, pressure)  # no deferral: ranker looks at no line
    front, late, blocks = [], [], []
    for c in special:
        k = key(c)
        if k[0] < 2:
            front.append((k, c))
        elif k[0] == 2:
            late.append(c)
        else:
            blocks.append((k[2], [c]))
    front.sort(key=itemgetter(0))
    target = settings.target_wait_min

    neg_waited = _minus_waited(now)
    past = []
    for service, line in lines.items():
        cut = bisect_right(line, -target, key=neg_waited) if settings.escalate_past_target else 0
        past.extend(line[:cut])
        if cut < len(line):
            blocks.append((-(pressure[service] * line[cut].weight * 1.0), line[cut:]))
    past.sort(key=ARRIVAL)
    for c in late:
        insort(past, c, key=key)
    return [c for _, c in front] + past + by_rank(blocks)


def by_rank(blocks: list[tuple[object, Sequence[Candidate]]]) -> list[Candidate]:
    """The tickets of `blocks` — (a rank, tickets in arrival order) each — by rank; those of
    blocks of one rank (lines, or a special ticket, ranking alike) by arrival."""
    blocks.sort(key=itemgetter(0))
    order = []
    i = 0
    while i < len(blocks):
        j = i + 1
        while j < len(blocks) and blocks[j][0] == blocks[i][0]:
            j += 1
        if j == i + 1:
            order.extend(blocks[i][1])
        else:
            order.extend(sorted((c for _, tickets in blocks[i:j] for c in tickets), key=ARRIVAL))
        i = j
    return order


def _minus_waited(now: datetime):
    """A line's bisection key: minus the minutes a ticket has waited at `now`, as ranker and
    lines_of reckon them (never growing along a line in arrival order)."""
    return lambda c: -max((now - c.arrived_at).total_seconds() / 60.0, 0.0)


def _deferring_order(
    lines: Mapping[str, Sequence[Candidate]], special: list[Candidate], now: datetime, settings: PolicySettings,
    pressure: Mapping[str, float] | None,
) -> list[Candidate]:
    """centre_order when late lines are deferred: every ordinary ticket ranks as its line does
    (rank's deferral tiers), so each line is one block in arrival order under one key, found from
    its first ticket and its first ticket still under the target (a binary search: waits never
    grow along a line); the blocks and the special tickets, each ranked, go by key, and those of
    one key by arrival — what sorting every ticket by its rank gives."""
    key = ranker(special, now, settings, None, pressure)  # a special ticket's rank looks at no line
    ranked = [(key(c)[:3], [c]) for c in special]
    target, defer = settings.target_wait_min, settings.defer_late_min

    neg_waited = _minus_waited(now)
    for line in lines.values():
        if not line:
            continue
        first = -neg_waited(line[0])
        cut = bisect_right(line, -target, key=neg_waited)  # its first ticket still under the target
        if first >= target + defer:
            ranked.append(((2, -first, 0.0), line))
        elif cut == len(line):
            ranked.append(((4, -first, 0.0), line))
        else:
            savable = -neg_waited(line[cut])
            ranked.append(((3, 0.0, -(savable * line[cut].weight)), line))
    return by_rank(ranked)


def ranker(candidates: Iterable[Candidate], now: datetime, settings: PolicySettings, skills: Skills | None = None,
           pressure: Mapping[str, float] | None = None):
    """`rank` as one function of the candidate (the lines deferral looks at are those of
    `candidates`). Without deferral, the same key with what depends only on the settings worked
    out once rather than per candidate (a centre's whole queue is ranked on every issue);
    tests/unit/test_policy.py holds the two equal."""
    if settings.defer_late_min is not None:
        lines = lines_of(candidates, now, settings.target_wait_min)
        return lambda c: rank(c, now, settings, skills, pressure, lines)
    if settings.first_come_first_served:
        return lambda c: (0, 0.0, 0.0, c.arrived_at, c.id)
    lead = timedelta(minutes=settings.appointment_lead_min)
    graced_by = (None if settings.appointment_grace_min is None
                 else timedelta(minutes=settings.appointment_grace_min - settings.target_wait_min))
    priority_first, escalate = settings.priority_first, settings.escalate_past_target
    target, bonus = settings.target_wait_min, settings.primary_bonus
    primary = skills.primary if skills is not None else frozenset()

    def key(c: Candidate) -> tuple:
        start = c.appointment_start
        if start is not None and graced_by is None and start - lead <= now:
            return (0, start.timestamp(), 0.0, c.arrived_at, c.id)
        if priority_first and c.priority:
            return (1, 0.0, 0.0, c.arrived_at, c.id)
        since = c.arrived_at if start is None or graced_by is None else start + graced_by
        waited = max((now - since).total_seconds() / 60.0, 0.0)
        if escalate and waited >= target:
            return (2, -waited, 0.0, c.arrived_at, c.id)
        if pressure is not None and not (c.priority or start is not None):
            waited = pressure.get(c.service, waited)
        return (3, 0.0, -(waited * c.weight * (1.0 + (bonus if c.service in primary else 0.0))), c.arrived_at, c.id)

    return key


def is_special(c: Candidate) -> bool:
    return c.priority or c.appointment_start is not None


def heads(candidates: Iterable[Candidate], per_service: int) -> list[Candidate]:
    """Keep every special ticket and the `per_service` oldest ordinary ones of each service."""
    candidates = list(candidates)
    kept = [c for c in candidates if is_special(c)]
    for line in ordinary_lines(candidates).values():
        kept.extend(line[:per_service])
    return kept


def choose_next(
    candidates: Sequence[Candidate],
    now: datetime,
    settings: PolicySettings,
    skills: Skills,
    pressure: Mapping[str, float] | None = None,
) -> Candidate | None:
    """Return the next ticket this counter should call, or None."""
    pressure = pressure if settings.route_by_pressure else None
    ranked = ranker(candidates, now, settings, skills, pressure)
    best = None
    best_key = None
    for c in candidates:
        if not skills.serves(c.service):
            continue
        key = ranked(c)
        if best_key is None or key < best_key:
            best, best_key = c, key
    return best
