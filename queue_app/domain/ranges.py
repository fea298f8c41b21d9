"""Ranges around estimated waits (issue 20): where the real wait falls a stated share of the time.

An estimate E is shown as [low, high] from the errors seen before at estimates like it: the pairs
(estimate given at issue, real wait) fall into bands of E, and each band keeps the quantiles of
the error (real − E) that leave as many of its pairs below the range as above it, and `share` of
them inside once the ranges are shown in whole minutes. A band with too few pairs gives no range —
the estimate stays a single number, "where the data say so".

Worked example (share 0.8): a band whose 10 errors are −4, −3, −2, −1, 0, 0, 1, 2, 5, 9, all at
an estimate of 12. Leaving 10% out on each side (nearest rank: −4 and 5) would hold 9 of the 10;
leaving 20% (−3 and 5) holds 8, the stated share: an estimate of 12 is shown as 9–17.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

SHARE = 0.8  # the stated share of visitors whose real wait falls inside their range
BANDS = (5.0, 10.0, 20.0, 40.0, 80.0, math.inf)  # upper bounds (exclusive) of the estimate bands, minutes
MIN_PAIRS = 30  # a band with fewer pairs gives no range


@dataclass(frozen=True)
class Band:
    lower: float  # estimates from this minute…
    upper: float  # …up to (not including) this one fall in the band
    low: float  # minutes added to the estimate for the range's low end (≤ 0 as a rule)
    high: float  # minutes added for its high end
    pairs: int


@dataclass(frozen=True)
class Calibration:
    share: float
    bands: tuple[Band, ...] = ()

    def band(self, estimate: float) -> Band | None:
        return next((b for b in self.bands if b.lower <= estimate < b.upper), None)

    def range(self, estimate: float | None) -> tuple[int, int] | None:
        """The whole minutes [low, high] around `estimate`, or None where the data say too little."""
        if estimate is None:
            return None
        band = self.band(estimate)
        return None if band is None else span(estimate, band)


def span(estimate: float, band: Band) -> tuple[int, int]:
    """The whole minutes an estimate of `band` is shown with: never below zero, never short of the
    estimate itself."""
    low = max(0, math.floor(estimate + band.low))
    return low, max(low, math.ceil(estimate + band.high), math.ceil(estimate))


def nearest_rank(sorted_values: Sequence[float], q: float) -> float:
    """The nearest-rank q-quantile (0 < q ≤ 1) of values already sorted."""
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


TAILS = tuple(t / 100 for t in range(2, 31))  # the share left outside on each side, tried in turn
JUDGED = 1000  # pairs of a band a tried range is judged on (28 days of a busy centre hold ~14,000)


def _inside(pairs: list[tuple[float, float]], band: Band) -> float:
    """The share of `pairs` whose real wait falls inside the range their estimate is shown with."""
    hits = 0
    for estimate, real in pairs:
        low, high = span(estimate, band)
        hits += low <= real <= high
    return hits / len(pairs)


def calibrate(pairs: Iterable[tuple[float, float]], share: float = SHARE, bands: Sequence[float] = BANDS,
              min_pairs: int = MIN_PAIRS) -> Calibration:
    """A calibration from (estimate, real wait) pairs: per band of estimate, the error quantiles
    that leave the same share of the band's pairs below the range as above it, that share chosen
    so that the ranges as shown (whole minutes, ends included) hold `share` of the band's pairs.
    Waits pile up on whole values (no wait at all, above all): the plain (1 − share) / 2 quantiles
    would hold more than `share`."""
    found: dict[float, list[tuple[float, float]]] = {upper: [] for upper in bands}
    for estimate, real in pairs:
        upper = next((u for u in bands if estimate < u), None)
        if upper is not None:
            found[upper].append((estimate, real))
    kept = []
    for lower, upper in zip((0.0, *bands), bands):
        band_pairs = found[upper]
        if len(band_pairs) < min_pairs:
            continue
        errors = sorted(real - estimate for estimate, real in band_pairs)
        tried = [Band(lower, upper, nearest_rank(errors, tail), nearest_rank(errors, 1.0 - tail), len(errors))
                 for tail in TAILS]
        judged = band_pairs[::max(1, len(band_pairs) // JUDGED)]  # every k-th pair: enough to judge a share
        kept.append(min(tried, key=lambda b: abs(_inside(judged, b) - share)))
    return Calibration(share, tuple(kept))


@dataclass(frozen=True)
class Accuracy:
    """How the estimates given did against the real waits: over the visitors called."""

    called: int
    mae_min: float | None
    bias_min: float | None  # mean of estimate − real: positive, the estimates were too long
    ranged: int  # of them, given a range
    inside_share: float | None  # share of those ranged whose real wait fell inside it


def accuracy(rows: Iterable[tuple[float | None, float, int | None, int | None]]) -> Accuracy:
    """From (estimate, real wait, range low, range high) of each visitor called."""
    errors, inside, ranged = [], 0, 0
    for estimate, real, low, high in rows:
        if estimate is not None:
            errors.append(estimate - real)
        if low is not None and high is not None:
            ranged += 1
            inside += low <= real <= high
    called = len(errors)
    return Accuracy(
        called=called,
        mae_min=sum(abs(e) for e in errors) / called if called else None,
        bias_min=sum(errors) / called if called else None,
        ranged=ranged,
        inside_share=inside / ranged if ranged else None,
    )
