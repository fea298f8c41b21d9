"""The shift planner (SPEC §10): from the counters needed per opening hour, the shifts that cover
every hour with the fewest clerk-hours, and, skill-aware, the need of each desk (clerk group).

Times are minutes after the local midnight of the day; the planner works in half-hour slots, so a
shift starts on the hour or the half-hour and every slot of an hour needs the hour's count.

The search is greedy, then repaired and pruned, and that is deliberate: the exact problem is an
integer programme (a set cover with multiplicities) and no solver ships with the product. Greedy
picks, again and again, the shift (shape, start, break) that covers the most still-short slots per
slot worked (the classic set-cover heuristic); it is run once per subset of the shapes and with a
second score (slots covered outright, better when clerks are few), and the best result kept. When
the clerks run out with slots still short, shifts are moved one at a time while that lowers what is
missing; finally shifts the others make redundant are dropped and the rest shortened where they can
be. On day-shaped profiles this reaches the lower bound (the sum of the needs) —
tests/unit/test_shift_planner.py checks it — in well under a second per desk.

Breaks: a shift over 6 h has a 30-min break near its middle (never in its first or last hour),
placed where the others leave the most to spare, so breaks stagger by themselves. A break counts as
off duty: the loop ends only when every slot has its need on duty, so no break leaves an hour short —
unless the clerks run out (`limit`), which the proposal then reports as short slots.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import erlang

SLOT = 30  # minutes: shifts start on the hour or half-hour
BREAK_AFTER = 360  # a shift longer than 6 h has a break
BREAK = 30
BREAK_MARGIN = 60  # a break starts at least an hour after the shift starts, ends an hour before it ends
BREAK_SWAY = 90  # and lies at most this far either side of the middle


@dataclass(frozen=True)
class Shape:
    """A shift a centre uses: its length from start to end, breaks included."""

    name: str
    length: int  # minutes (a split shift: each of its two parts)
    split: bool = False  # two parts with at least SPLIT_GAP off between them


SPLIT_GAP = 120
# A full day's shift (8 h at the counter + a 30-min break), part shifts of 4–6 h, and a split shift
# of two 4-h parts (which lets one clerk cover both ends of a long day).
SHAPES = (Shape("full", 510), Shape("part6", 360), Shape("part5", 300), Shape("part4", 240),
          Shape("split", 240, split=True))


@dataclass(frozen=True)
class Shift:
    """One proposed shift, minutes after local midnight; `rest` is its break (start, end) or None —
    or, for a split shift, the time off between its two parts."""

    group: str
    start: int
    end: int
    rest: tuple[int, int] | None = None

    @property
    def on_duty_min(self) -> int:
        return self.end - self.start - (self.rest[1] - self.rest[0] if self.rest else 0)

    @property
    def parts(self) -> list[tuple[int, int, tuple[int, int] | None]]:
        """(start, end, break) of each stretch worked: two for a split shift, else the shift itself."""
        if self.rest and self.rest[1] - self.rest[0] > BREAK:
            return [(self.start, self.rest[0], None), (self.rest[1], self.end, None)]
        return [(self.start, self.end, self.rest)]

    def on_duty(self, minute: int) -> bool:
        """Whether the clerk is at the counter through the slot starting at `minute`."""
        if not self.start <= minute < self.end:
            return False
        return self.rest is None or not self.rest[0] <= minute < self.rest[1]


@dataclass(frozen=True)
class Proposal:
    """The shifts for one group and the slots (start minute, missing counters) still short."""

    group: str
    shifts: tuple[Shift, ...]
    short: tuple[tuple[int, int], ...]

    @property
    def clerk_hours(self) -> float:
        """Hours at the counter, breaks excluded (comparable with counter-hours)."""
        return sum(s.on_duty_min for s in self.shifts) / 60


def slot_needs(need_by_hour: Sequence[int], opens: int, closes: int) -> list[int]:
    """The need of each half-hour slot from `opens` to `closes`: the need of its clock hour (index 0 =
    the hour `opens` falls in)."""
    first_hour = opens // 60
    return [need_by_hour[min((m // 60) - first_hour, len(need_by_hour) - 1)]
            for m in range(opens, closes, SLOT)]


Candidate = tuple[int, int, tuple]  # start, end, the breaks it may have (None: none)


def _candidates(opens: int, closes: int, shapes: Sequence[Shape]) -> list[Candidate]:
    """Every shift of the shapes that fits within opening hours, longest first; a day shorter than
    the shortest shape gets one shift from opening to closing."""
    found = set()
    for shape in shapes:
        for start in range(opens, closes - shape.length + 1, SLOT):
            if not shape.split:
                found.add((start, start + shape.length, tuple(_break_options(start, start + shape.length))))
                continue
            for second in range(start + shape.length + SPLIT_GAP, closes - shape.length + 1, SLOT):
                found.add((start, second + shape.length, ((start + shape.length, second),)))
    if not found:
        found.add((opens, closes, tuple(_break_options(opens, closes))))
    return sorted(found, key=lambda c: (-(c[1] - c[0]), c[0], c[2]))


def _worked(c: Candidate) -> int:
    return c[1] - c[0] - (c[2][0][1] - c[2][0][0] if c[2][0] else 0)


def _break_options(start: int, end: int) -> list[tuple[int, int] | None]:
    if end - start <= BREAK_AFTER:
        return [None]
    middle = start + ((end - start - BREAK) // 2) // SLOT * SLOT
    options = [middle + k for k in range(-BREAK_SWAY, BREAK_SWAY + 1, SLOT)]
    options = [b for b in options if start + BREAK_MARGIN <= b and b + BREAK <= end - BREAK_MARGIN]
    return [(b, b + BREAK) for b in sorted(options, key=lambda b: abs(b - middle))]


class _Board:
    """Need and cover per slot of the day."""

    def __init__(self, needs: list[int], opens: int):
        self.needs, self.opens = needs, opens
        self.cover = [0] * len(needs)

    def slots(self, shift: Shift) -> range:
        return range((shift.start - self.opens) // SLOT, (shift.end - self.opens) // SLOT)

    def duty(self, shift: Shift) -> list[int]:
        return [i for i in self.slots(shift) if shift.on_duty(self.opens + i * SLOT)]

    def add(self, shift: Shift, sign: int = 1) -> None:
        for i in self.duty(shift):
            self.cover[i] += sign

    def gain(self, shift: Shift) -> int:
        return sum(1 for i in self.duty(shift) if self.cover[i] < self.needs[i])

    def spare(self, shift: Shift) -> bool:
        """Whether removing `shift` leaves no slot worse off than its need."""
        return all(self.cover[i] - 1 >= self.needs[i] for i in self.duty(shift))

    def short(self) -> list[tuple[int, int]]:
        return [(self.opens + i * SLOT, n - c) for i, (n, c) in enumerate(zip(self.needs, self.cover)) if c < n]


def _best_break(board: _Board, candidate: Candidate, group: str) -> Shift:
    """The shift with its break where the others leave most to spare (ties: nearest the middle)."""
    start, end, rests = candidate
    options = [Shift(group, start, end, rest) for rest in rests]

    def room(shift: Shift) -> int:
        if shift.rest is None or len(rests) == 1:
            return 0
        i = (shift.rest[0] - board.opens) // SLOT
        return board.cover[i] - board.needs[i]

    return max(options, key=lambda s: (board.gain(s), room(s)))  # max keeps the first of equals


def propose(need_by_hour: Sequence[int], opens: int, closes: int, *, group: str = "",
            limit: int | None = None, shapes: Sequence[Shape] = SHAPES) -> Proposal:
    """Shifts within [opens, closes) covering every slot's need (from `need_by_hour`, one count per
    clock hour from the one `opens` falls in), with at most `limit` shifts (one per clerk; None: no
    limit). Greedy by slots covered per slot worked, then pruned, once for each subset of `shapes`
    (a full shift's break can cost a whole part shift, which greedy cannot foresee) and for both
    scores (see _greedy); the best
    wins: fewest short slot-counters, then fewest clerk-hours, then fewest shifts."""
    return cover(slot_needs(need_by_hour, opens, closes), opens, closes, group=group, limit=limit, shapes=shapes)


def cover(needs: Sequence[int], opens: int, closes: int, *, group: str = "", limit: int | None = None,
          shapes: Sequence[Shape] = SHAPES) -> Proposal:
    """`propose` for a need given per half-hour slot from `opens`."""
    if opens % SLOT or closes % SLOT:
        raise ValueError("opening and closing must fall on the hour or half-hour")
    if len(needs) != (closes - opens) // SLOT:
        raise ValueError("one need per half-hour slot of the opening hours")
    subsets = [[s for k, s in enumerate(shapes) if mask >> k & 1] for mask in range(1, 2 ** len(shapes))]
    tries = [_greedy(needs, opens, closes, group, limit, subset, per_slot)
             for subset in subsets for per_slot in (True, False)]
    return min(tries, key=lambda p: (sum(n for _, n in p.short), p.clerk_hours, len(p.shifts)))


def _greedy(needs: Sequence[int], opens: int, closes: int, group: str, limit: int | None,
            shapes: Sequence[Shape], per_slot: bool) -> Proposal:
    """One greedy pass: each time the shift covering the most short slots per slot worked
    (`per_slot`), or the most short slots outright (the better choice when clerks are few)."""
    board = _Board(list(needs), opens)
    candidates = _candidates(opens, closes, shapes)
    chosen: list[Shift] = []
    while board.short() and (limit is None or len(chosen) < limit):
        best, best_score = None, 0.0
        for candidate in candidates:
            shift = _best_break(board, candidate, group)
            score = board.gain(shift) / (len(board.duty(shift)) if per_slot else 1)
            if score > best_score:  # strictly better: among equals the longer, earlier shift listed first
                best, best_score = shift, score
        if best is None:
            break
        board.add(best)
        chosen.append(best)
    if board.short() and limit is not None and len(chosen) >= limit:
        chosen = _move(board, chosen, candidates, group)
    chosen = _prune(board, chosen, candidates, group)
    return Proposal(group, tuple(sorted(chosen, key=lambda s: (s.start, s.end))), tuple(board.short()))


def _missing(board: _Board) -> int:
    return sum(n for _, n in board.short())


def _move(board: _Board, chosen: list[Shift], candidates: list[Candidate], group: str) -> list[Shift]:
    """Out of clerks and still short (greedy fills the early hours first): move one shift at a time
    to the candidate (with its best break) that leaves the fewest counters missing, while that helps."""
    chosen = list(chosen)
    for _ in range(50):  # each round strictly lowers the missing count, so this bound is only a guard
        improved = False
        for k, shift in enumerate(chosen):
            now = _missing(board)
            board.add(shift, -1)
            best, best_missing = shift, now
            for start, end, rests in candidates:
                for rest in rests:
                    other = Shift(group, start, end, rest)
                    board.add(other)
                    missing = _missing(board)
                    board.add(other, -1)
                    if missing < best_missing:
                        best, best_missing = other, missing
            board.add(best)
            if best is not shift:
                chosen[k], improved = best, True
        if not improved or not board.short():
            break
    return chosen


def _prune(board: _Board, chosen: list[Shift], candidates: list[Candidate], group: str) -> list[Shift]:
    """Drop shifts the others make redundant (shortest-worked first), then swap each for the
    shortest candidate inside it that still leaves no slot short."""
    kept = []
    for shift in sorted(chosen, key=lambda s: s.on_duty_min):
        if board.spare(shift):
            board.add(shift, -1)
        else:
            kept.append(shift)
    result = []
    for shift in kept:
        before = dict(board.short())
        board.add(shift, -1)
        inside = [Shift(group, a, b, rest) for a, b, rests in sorted(candidates, key=_worked)
                  if shift.start <= a and b <= shift.end for rest in rests]
        better = next((s for s in inside if s.on_duty_min < shift.on_duty_min and _no_worse(board, s, before)), shift)
        board.add(better)
        result.append(better)
    return result


def _no_worse(board: _Board, shift: Shift, before: dict[int, int]) -> bool:
    """Whether the board with `shift` added is short nowhere more than `before` ({slot minute: missing})."""
    board.add(shift)
    ok = all(missing <= before.get(minute, 0) for minute, missing in board.short())
    board.add(shift, -1)
    return ok


# ---- skill-aware need: the desks ----

@dataclass(frozen=True)
class Desk:
    """A clerk group: its name, how many clerks it has, the services it is primarily for and those
    it also serves."""

    name: str
    size: int
    primary: frozenset[str]
    secondary: frozenset[str] = frozenset()


def desk_loads(arrivals: Mapping[str, Sequence[float]], desks: Sequence[Desk]) -> dict[str, dict[str, list[float]]]:
    """Each service's arrivals per hour split among the desks that hold it as primary skill (by
    their size), or, if none does, among those holding it as secondary: desk → service → per hour."""
    split: dict[str, dict[str, list[float]]] = {d.name: {} for d in desks}
    for service, per_hour in arrivals.items():
        holders = [d for d in desks if service in d.primary] or [d for d in desks if service in d.secondary]
        total = sum(d.size for d in holders)
        for d in holders:
            split[d.name][service] = [a * d.size / total for a in per_hour]
    return split


def need(arrivals: Mapping[str, Sequence[float]], handling: Mapping[str, float], hour: int,
         target: float, share: float) -> int:
    """Erlang C counters for one hour's pooled demand ({service: arrivals per hour}), handling in minutes."""
    rate = sum(per_hour[hour] for per_hour in arrivals.values()) / 60
    if rate <= 0:
        return 0
    return erlang.counters_needed(rate, load(arrivals, handling, hour) / rate, target, share)


def load(arrivals: Mapping[str, Sequence[float]], handling: Mapping[str, float], hour: int) -> float:
    """Offered load in erlangs of one hour's demand ({service: arrivals per hour}), handling in minutes."""
    return sum(per_hour[hour] * handling[s] for s, per_hour in arrivals.items()) / 60


def shared_needs(arrivals: Mapping[str, Sequence[float]], handling: Mapping[str, float], desks: Sequence[Desk],
                 hours: int, target: float, share: float) -> dict[str, list[int]]:
    """Per desk and opening hour, its part of the counters Erlang C needs for the hour's pooled
    demand: shared in proportion to the desks' loads (desk_loads) by largest remainder, at least one
    for a desk with any load, at most the desk's clerks (the excess goes to the next desk in need).

    Pooled, not per desk: Erlang C per desk at 99.95% would need nearly twice the clerks (small
    desks pay for their own peaks); the desks' secondary skills are what pools them in practice."""
    loads = desk_loads(arrivals, desks)
    result: dict[str, list[int]] = {d.name: [] for d in desks}
    for h in range(hours):
        total = need(arrivals, handling, h, target, share)
        weight = {d.name: load(loads[d.name], handling, h) for d in desks}
        whole = sum(weight.values()) or 1.0
        quota = {d.name: total * weight[d.name] / whole for d in desks}
        got = {d.name: min(d.size, max(int(quota[d.name]), 1 if weight[d.name] > 0 else 0)) for d in desks}
        order = sorted(desks, key=lambda d: got[d.name] - quota[d.name])  # furthest below its quota first
        while sum(got.values()) < total:
            d = next((d for d in order if got[d.name] < d.size and weight[d.name] > 0), None)
            if d is None:
                break
            got[d.name] += 1
            order = sorted(desks, key=lambda d: got[d.name] - quota[d.name])
        for d in desks:
            result[d.name].append(got[d.name])
    return _within_days(result, desks)


DAY_ON_DUTY = 8  # hours a clerk works at most in a day (one full shift, breaks out)
PACKING = 0.9  # of which shift shapes leave this share usable for a given profile: a desk's cap


def _within_days(needs: dict[str, list[int]], desks: Sequence[Desk]) -> dict[str, list[int]]:
    """Move counter-hours from a desk whose need exceeds what its clerks can work in a day (their
    8-h days × PACKING) to the desks that hold its primary services as secondary skills and have
    room, at the desk's busiest hours (one counter-hour at a time, to the helper with most room)."""
    cap = {d.name: int(d.size * DAY_ON_DUTY * PACKING) for d in desks}
    for d in desks:
        helpers = [h for h in desks if h is not d and h.secondary & d.primary]
        while sum(needs[d.name]) > cap[d.name]:
            room = [h for h in helpers if sum(needs[h.name]) < cap[h.name]]
            hours = [i for i, n in enumerate(needs[d.name]) if n > 1]
            if not room or not hours:
                break
            i = max(hours, key=lambda i: needs[d.name][i])
            h = max((h for h in room if needs[h.name][i] < h.size), default=None,
                    key=lambda h: cap[h.name] - sum(needs[h.name]))
            if h is None:
                break
            needs[d.name][i] -= 1
            needs[h.name][i] += 1
    return needs


def plan_desks(needs: Mapping[str, Sequence[int]], desks: Sequence[Desk], opens: int, closes: int) -> list[Proposal]:
    """One proposal per desk (need per opening hour), at most one shift per clerk of the desk. What a
    desk cannot cover with its own clerks passes, slot by slot, to the desks that hold any of its
    primary services as a secondary skill (each in order): a helper is re-planned with it added and
    takes what its new shifts cover beyond its own work, if its own work is no less covered —
    so a desk short of hands borrows from those able to help (e.g. with longer shifts)."""
    work = {d.name: slot_needs(needs[d.name], opens, closes) for d in desks}  # own need + what it took on
    plans = {d.name: cover(work[d.name], opens, closes, group=d.name, limit=d.size) for d in desks}
    for d in desks:
        for helper in (h for h in desks if h is not d and h.secondary & d.primary):
            short = dict(plans[d.name].short)
            if not short:
                break
            base = work[helper.name]
            wanted = list(base)
            for minute, missing in short.items():
                wanted[(minute - opens) // SLOT] += missing
            tried = cover(wanted, opens, closes, group=helper.name, limit=helper.size)
            board = _Board(list(base), opens)
            for shift in tried.shifts:
                board.add(shift)
            if sum(n for _, n in board.short()) > sum(n for _, n in plans[helper.name].short):
                continue
            taken = {m: min(n, max(0, board.cover[(m - opens) // SLOT] - base[(m - opens) // SLOT]))
                     for m, n in short.items()}
            if not any(taken.values()):
                continue
            work[helper.name] = [n + taken.get(opens + i * SLOT, 0) for i, n in enumerate(base)]
            plans[helper.name] = Proposal(helper.name, tried.shifts, tuple(board.short()))
            plans[d.name] = Proposal(d.name, plans[d.name].shifts,
                                     tuple((m, n - taken[m]) for m, n in short.items() if n > taken[m]))
    return [plans[d.name] for d in desks]


def name_shifts(proposals: Sequence[Proposal], clerks: Mapping[str, Sequence[str]]) -> list[tuple[str, Shift]]:
    """Give each desk's shifts to its clerks in the order listed (one shift each)."""
    return [(who, shift) for p in proposals for who, shift in zip(clerks[p.group], p.shifts)]
