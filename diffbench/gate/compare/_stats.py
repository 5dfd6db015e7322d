"""Statistics for comparing two sets of timing samples: bootstrap ratio CI and Mann-Whitney U.

Both work on raw samples (seconds) and need only NumPy. The Mann-Whitney U test is the two-sided
normal approximation with tie correction and continuity correction — the same as
``scipy.stats.mannwhitneyu(x, y, method="asymptotic")``. scipy is used when it is importable (it is
in the ``test`` extra only), always with ``method="asymptotic"``, so that a verdict never depends on
whether scipy happens to be installed; ``tests/test_compare_stats.py`` checks the two agree.
One-pair wrappers used only by tests live in ``tests/_stats_helpers.py``.
"""

from __future__ import annotations

import math

import numpy as np

MIN_SAMPLES = 3


def bootstrap_ratio_batch(
    base: np.ndarray, new: np.ndarray, confidence: float, n_boot: int = 2000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap intervals of ``median(new) / median(base)`` for ``k`` rows at once.

    Every row is resampled with the same seeded index matrices, so a row's interval depends only
    on its own samples, the seed and the sample sizes, never on the other rows in the batch.

    Args:
        base: ``(k, n1)`` baseline samples.
        new: ``(k, n2)`` new samples.
        confidence: Coverage of the intervals.
        n_boot: Resamples.
        seed: Seed of the index draws.

    Returns:
        ``(low, high)``, each of shape ``(k,)``.
    """
    rng = np.random.default_rng(seed)
    idx_base = rng.integers(0, base.shape[1], (n_boot, base.shape[1]))
    idx_new = rng.integers(0, new.shape[1], (n_boot, new.shape[1]))
    tail = 50.0 * (1.0 - confidence)
    lows, highs = [], []
    chunk = max(1, 2_000_000 // (n_boot * max(base.shape[1], new.shape[1])))  # ~16 MB a side
    for start in range(0, base.shape[0], chunk):
        med_base = _median_last(base[start : start + chunk, idx_base])
        med_new = _median_last(new[start : start + chunk, idx_new])
        low, high = np.percentile(med_new / med_base, [tail, 100.0 - tail], axis=-1)
        lows.append(low)
        highs.append(high)
    return np.concatenate(lows), np.concatenate(highs)


def _median_last(values: np.ndarray) -> np.ndarray:
    """Median along the last axis; sorting short rows is ~5x faster than ``np.median``."""
    ordered = np.sort(values, axis=-1)
    n = values.shape[-1]
    return 0.5 * (ordered[..., (n - 1) // 2] + ordered[..., n // 2])


def rankdata(values: np.ndarray) -> np.ndarray:
    """Ranks starting at 1, ties given their average rank (``scipy.stats.rankdata``)."""
    values = np.asarray(values, float)
    order = np.argsort(values, kind="mergesort")
    inverse = np.empty(values.size, dtype=np.intp)
    inverse[order] = np.arange(values.size)
    ordered = values[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]]
    dense = np.cumsum(first)[inverse]
    bounds = np.r_[np.nonzero(first)[0], values.size]
    return 0.5 * (bounds[dense] + bounds[dense - 1] + 1)


def mann_whitney_batch(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided Mann-Whitney U tests of ``k`` row pairs (normal approximation, own code).

    Normal approximation with tie correction and continuity correction, as
    ``scipy.stats.mannwhitneyu(method="asymptotic")``; O(n log n) per row.

    Args:
        x: ``(k, n1)`` first samples.
        y: ``(k, n2)`` second samples.

    Returns:
        ``(u1, p)``: U statistics of ``x`` and two-sided p-values (1.0 where every value ties).
    """
    x, y = np.atleast_2d(np.asarray(x, float)), np.atleast_2d(np.asarray(y, float))
    n1, n2 = x.shape[-1], y.shape[-1]
    n = n1 + n2
    u1, p = np.empty(x.shape[0]), np.empty(x.shape[0])
    for i, both in enumerate(np.concatenate([x, y], axis=-1)):
        u1[i] = rankdata(both)[:n1].sum() - n1 * (n1 + 1) / 2.0
        _, counts = np.unique(both, return_counts=True)
        tie_term = float((counts**3 - counts).sum()) / (n * (n - 1))
        sigma = math.sqrt(n1 * n2 / 12.0 * ((n + 1) - tie_term))
        u = max(u1[i], n1 * n2 - u1[i])
        z = (u - n1 * n2 / 2.0 - 0.5) / sigma if sigma > 0 else -math.inf
        p[i] = min(1.0, math.erfc(z / math.sqrt(2.0))) if sigma > 0 else 1.0
    return u1, p


def mann_whitney_p_batch(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Two-sided Mann-Whitney U p-values of ``k`` row pairs.

    Uses ``scipy.stats.mannwhitneyu(method="asymptotic", axis=-1)`` when scipy is importable,
    else ``mann_whitney_batch`` (the same numbers).

    Args:
        x: ``(k, n1)`` first samples, ``n1 >= MIN_SAMPLES``.
        y: ``(k, n2)`` second samples, ``n2 >= MIN_SAMPLES``.

    Returns:
        p-values of shape ``(k,)`` in [0, 1].
    """
    try:
        from scipy.stats import mannwhitneyu
    except ImportError:
        return mann_whitney_batch(x, y)[1]
    result = mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", axis=-1)
    return np.where(np.isfinite(result.pvalue), result.pvalue, 1.0)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); nan entries stay nan, not counted.

    A row is significant at false-discovery rate ``q`` when its adjusted value is below ``q``.
    When nothing changed, every null hypothesis is true and the chance of any false flag in the
    whole comparison is at most ``q`` (instead of ``q`` per row).

    Args:
        p_values: Raw p-values, any shape of 1-D array, nan where untested.

    Returns:
        Adjusted values in [0, 1], same shape.

    Example:
        >>> benjamini_hochberg(np.array([0.01, 0.04, np.nan, 0.03])).round(3).tolist()
        [0.03, 0.04, nan, 0.04]
    """
    p = np.asarray(p_values, float)
    out = np.full(p.shape, np.nan)
    tested = np.flatnonzero(np.isfinite(p))
    if tested.size == 0:
        return out
    order = tested[np.argsort(p[tested], kind="mergesort")]
    scaled = p[order] * tested.size / np.arange(1, tested.size + 1)
    out[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return out


def robust_sigma(values: np.ndarray) -> float:
    """Robust standard deviation: 1.4826 times the median absolute deviation (nan when empty)."""
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return math.nan
    return float(1.4826 * np.median(np.abs(values - np.median(values))))
