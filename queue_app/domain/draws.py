"""Random draws for the demo day and the simulator, from a seeded `random.Random`."""
from __future__ import annotations

import math
import random


def lognormal(rng: random.Random, mean: float, sigma: float) -> float:
    """A log-normal draw with the given mean (not median) and shape."""
    if sigma == 0:
        return mean
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method for small means, a rounded normal for large ones (hourly counts ≤ a few hundred)."""
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
