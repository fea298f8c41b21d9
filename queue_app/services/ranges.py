"""The calibration of each centre's estimate ranges, from the waits it saw (domain/ranges.py).

A centre's last HISTORY_DAYS of called tickets give its own bands; a band it has too few pairs for
borrows the network's (its most recent NETWORK_SAMPLE called tickets). Kept per process for
KEEP_MINUTES: the errors of weeks move little in a quarter of an hour, and an issue reads nothing.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select

from ..domain.ranges import MIN_PAIRS, SHARE, Band, Calibration, calibrate
from ..extensions import db
from ..models import Ticket

HISTORY_DAYS = 28
NETWORK_SAMPLE = 20_000
KEEP_MINUTES = 15

_PAIRS = (select(Ticket.estimate_at_issue_min, Ticket.issued_at, Ticket.called_at)
          .where(Ticket.centre_id == bindparam("centre_id"), Ticket.issued_at >= bindparam("since"),
                 Ticket.estimate_at_issue_min.is_not(None), Ticket.called_at.is_not(None)))
_NETWORK = (select(Ticket.estimate_at_issue_min, Ticket.issued_at, Ticket.called_at)
            .where(Ticket.estimate_at_issue_min.is_not(None), Ticket.called_at.is_not(None))
            .order_by(Ticket.id.desc()).limit(NETWORK_SAMPLE))

_kept: dict[object, tuple[float, Calibration]] = {}  # read and written without a lock: each is one dict step
_preset: Calibration | None = None  # stands in for every centre's history (the simulator's days have none)


def preset(calibration: Calibration | None) -> None:
    """Use `calibration` for every centre instead of its history (None: the history again)."""
    global _preset
    _preset = calibration


def _pairs(rows) -> list[tuple[float, float]]:
    return [(estimate, (called - issued).total_seconds() / 60.0) for estimate, issued, called in rows]


def _cached(key, build) -> Calibration:
    # No lock: a notifier's round reads this once for each waiting visitor, and under load gevent's
    # lock here took 15% of a serving process's samples (bench/network.py); two builds of the same
    # calibration at once cost a few queries, and either result is right.
    now = time.monotonic()
    found = _kept.get(key)
    if found is not None and now - found[0] < KEEP_MINUTES * 60:
        return found[1]
    calibration = build()
    _kept[key] = (now, calibration)
    return calibration


def forget() -> None:
    """Drop every kept calibration (tests; a network reloaded)."""
    _kept.clear()


def network_calibration() -> Calibration:
    return _cached("network", lambda: calibrate(_pairs(db.session.execute(_NETWORK)), SHARE, min_pairs=MIN_PAIRS))


def calibration_for(centre_id: int, now: datetime) -> Calibration:
    """The centre's calibration: its own bands where it has the pairs, the network's elsewhere."""
    if _preset is not None:
        return _preset

    def build() -> Calibration:
        since = now - timedelta(days=HISTORY_DAYS)
        own = calibrate(_pairs(db.session.execute(_PAIRS, {"centre_id": centre_id, "since": since})), SHARE)
        mine = {b.upper: b for b in own.bands}
        borrowed: list[Band] = [mine.get(b.upper, b) for b in network_calibration().bands]
        bands = sorted({b.upper: b for b in [*borrowed, *own.bands]}.values(), key=lambda b: b.upper)
        return Calibration(SHARE, tuple(bands))
    return _cached(("centre", centre_id), build)


def wait_range(centre_id: int, estimate: float | None, now: datetime) -> tuple[int, int] | None:
    """The range to show around a wait estimate at this centre, or None (a single number)."""
    if estimate is None:
        return None
    return calibration_for(centre_id, now).range(estimate)
