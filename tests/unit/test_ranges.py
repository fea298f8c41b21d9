"""Ranges around estimated waits: calibrated from the errors seen before (domain/ranges.py)."""
import math
import random

from queue_app.domain.ranges import Calibration, accuracy, calibrate


def test_the_worked_example_of_the_module():
    errors = [-4, -3, -2, -1, 0, 0, 1, 2, 5, 9]
    calibration = calibrate([(12.0, 12.0 + e) for e in errors], share=0.8, min_pairs=10)
    [band] = calibration.bands
    assert (band.lower, band.upper, band.low, band.high, band.pairs) == (10.0, 20.0, -3, 5, 10)
    assert calibration.range(12.0) == (9, 17)
    assert calibration.range(3.0) is None  # no pairs in that band: a single number
    assert calibration.range(None) is None


def test_a_band_with_too_few_pairs_gives_no_range_and_a_range_never_goes_below_zero():
    calibration = calibrate([(2.0, 0.0)] * 29 + [(30.0, 25.0)] * 30, min_pairs=30)
    assert [b.upper for b in calibration.bands] == [40.0]
    assert calibration.range(3.0) is None
    assert Calibration(0.8, calibration.bands).range(30.0) == (25, 30)  # never narrower than the estimate
    skewed = calibrate([(4.0, 0.0)] * 40)
    assert skewed.range(4.0) == (0, 4)


def test_on_draws_like_its_own_the_range_holds_the_stated_share():
    rng = random.Random(3)
    draw = lambda: [(e, max(0.0, e + rng.gauss(0, 2 + e / 4))) for e in (rng.uniform(0, 60) for _ in range(4000))]  # noqa: E731
    calibration = calibrate(draw(), share=0.8)
    fresh = draw()
    ranges = [calibration.range(e) for e, _ in fresh]
    found = accuracy([(e, real, *(r or (None, None))) for (e, real), r in zip(fresh, ranges)])
    assert found.ranged == len(fresh) and math.isclose(found.inside_share, 0.8, abs_tol=0.04)


def test_accuracy_counts_mae_bias_and_the_share_inside():
    found = accuracy([(10.0, 12.0, 8, 14), (5.0, 2.0, 3, 7), (None, 4.0, None, None), (6.0, 6.0, None, None)])
    assert (found.called, found.ranged) == (3, 2)
    assert (found.mae_min, found.bias_min, found.inside_share) == (5 / 3, 1 / 3, 0.5)
    assert accuracy([]).mae_min is None and accuracy([]).inside_share is None
