"""One-pair wrappers of the gate's batch statistics, used only by tests.

They moved here from ``diffbench/gate/compare/_stats.py``, which keeps only what ``compare``
runs: ``bootstrap_ratio_batch``, ``mann_whitney_batch``, ``mann_whitney_p_batch``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from diffbench.gate.compare._stats import (
    MIN_SAMPLES,
    bootstrap_ratio_batch,
    mann_whitney_batch,
    mann_whitney_p_batch,
)


class RatioCI(NamedTuple):
    """A ratio of medians ``new / base`` with a bootstrap confidence interval."""

    ratio: float
    low: float
    high: float


def ratio_of_medians(
    base: np.ndarray,
    new: np.ndarray,
    *,
    confidence: float = 0.99,
    n_boot: int = 2000,
    seed: int = 0,
) -> RatioCI:
    """Ratio of medians ``median(new) / median(base)`` with a percentile bootstrap interval.

    Each side is resampled with replacement independently, ``n_boot`` times, in one vectorized
    draw; the interval holds the central ``confidence`` mass of the resampled ratios. With fewer
    than ``MIN_SAMPLES`` samples on a side the interval is ``(nan, nan)``.

    Args:
        base: Baseline samples (seconds, any positive unit).
        new: New samples, same unit.
        confidence: Coverage of the interval, e.g. 0.99.
        n_boot: Bootstrap resamples.
        seed: Seed of the generator, so that the same inputs give the same interval.

    Returns:
        ``RatioCI(ratio, low, high)``; ratio > 1 means ``new`` is slower.

    Example:
        >>> r = ratio_of_medians(np.array([1.0, 1.1, 0.9]), np.array([2.0, 2.2, 1.8]))
        >>> round(r.ratio, 6)
        2.0
    """
    base, new = np.asarray(base, float), np.asarray(new, float)
    ratio = float(np.median(new) / np.median(base))
    if base.size < MIN_SAMPLES or new.size < MIN_SAMPLES:
        return RatioCI(ratio, math.nan, math.nan)
    low, high = bootstrap_ratio_batch(base[None], new[None], confidence, n_boot, seed)
    return RatioCI(ratio, float(low[0]), float(high[0]))


def mann_whitney_u_numpy(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Two-sided Mann-Whitney U test of one pair of samples; see ``mann_whitney_batch``."""
    u1, p = mann_whitney_batch(np.asarray(x, float)[None], np.asarray(y, float)[None])
    return float(u1[0]), float(p[0])


def mann_whitney_p(x: np.ndarray, y: np.ndarray) -> float:
    """Two-sided Mann-Whitney U p-value of one pair; nan with fewer than ``MIN_SAMPLES``."""
    if len(x) < MIN_SAMPLES or len(y) < MIN_SAMPLES:
        return math.nan
    return float(mann_whitney_p_batch(np.asarray(x, float)[None], np.asarray(y, float)[None])[0])
