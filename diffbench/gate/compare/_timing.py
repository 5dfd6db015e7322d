"""Timing statistics of a comparison: ratios, intervals, U tests, FDR control, noise floor.

For every row measured ``ok`` on both sides: the ratio of medians ``new / base``, its bootstrap
interval, the Mann-Whitney U p-value and the Benjamini-Hochberg q-value over all tested rows (a
comparison tests hundreds of rows; at ``p < 0.01`` per row an unchanged tree would still flag a
few by chance, while ``q < 0.01`` bounds the chance of any false flag in the comparison by 1%).

Noise floor: the samples of one session share that session's conditions (load, frequency,
thread placement), so on a shared machine whole rows move between sessions by more than their
own samples suggest, and the U test cannot see it. The spread of the log ratios across all tested
rows measures it: ``sigma`` = 1.4826 x MAD around their median. The threshold a timing change must
pass is ``max(threshold, exp(k sigma) - 1)`` when at least ``MIN_ROWS`` rows were tested, with
``k`` the one-sided normal quantile at ``alpha / rows`` (at least 3): the largest of that many
rows of pure noise stays below it with probability ``1 - alpha`` (k = 4.0 for 400 rows at
alpha = 0.01). A global shift (every row slower) moves the median, not the spread, so it still
shows; use ``--normalize`` to cancel machine speed.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from ._stats import (
    MIN_SAMPLES,
    benjamini_hochberg,
    bootstrap_ratio_batch,
    mann_whitney_p_batch,
    robust_sigma,
)

STATS = ["ratio", "ci_low", "ci_high", "p_value", "q_value"]
MIN_ROWS = 30
MIN_SIGMAS = 3.0


def timing_stats(merged: pd.DataFrame, confidence: float, seed: int) -> pd.DataFrame:
    """Ratio, bootstrap interval, p-value and q-value of every row ``ok`` on both sides.

    Rows with at least ``MIN_SAMPLES`` samples on both sides are batched by sample sizes; rows
    with fewer get the ratio alone (nan interval, p and q).

    Args:
        merged: Rows with ``status_base``, ``status_new``, ``samples_base``, ``samples_new``.
        confidence: Coverage of the intervals.
        seed: Bootstrap seed.

    Returns:
        A frame with the columns ``STATS``, aligned with ``merged``.
    """
    stats = pd.DataFrame(np.nan, index=merged.index, columns=STATS)
    ok = (merged["status_base"] == "ok") & (merged["status_new"] == "ok")
    pairs = {
        i: (merged.at[i, "samples_base"], merged.at[i, "samples_new"])
        for i in merged.index[ok]
        if merged.at[i, "samples_base"].size and merged.at[i, "samples_new"].size
    }
    groups: dict[tuple[int, int], list] = {}
    for i, (base, new) in pairs.items():
        stats.at[i, "ratio"] = np.median(new) / np.median(base)
        if min(base.size, new.size) >= MIN_SAMPLES:
            groups.setdefault((base.size, new.size), []).append(i)
    for index in groups.values():
        base = np.stack([pairs[i][0] for i in index])
        new = np.stack([pairs[i][1] for i in index])
        low, high = bootstrap_ratio_batch(base, new, confidence, seed=seed)
        stats.loc[index, "ci_low"], stats.loc[index, "ci_high"] = low, high
        stats.loc[index, "p_value"] = mann_whitney_p_batch(base, new)
    stats["q_value"] = benjamini_hochberg(stats["p_value"].to_numpy(float))
    return stats


def noise_sigma(ratios: pd.Series) -> tuple[float, int]:
    """Robust spread of ``log(ratio)`` across rows and the number of rows it came from.

    Returns:
        ``(sigma, rows)``; sigma is nan with fewer than ``MIN_ROWS`` rows.
    """
    logs = np.log(ratios.to_numpy(float))
    logs = logs[np.isfinite(logs)]
    return (robust_sigma(logs) if logs.size >= MIN_ROWS else math.nan), int(logs.size)


def effective_threshold(threshold: float, sigma: float, rows: int, alpha: float) -> float:
    """``max(threshold, exp(k sigma) - 1)`` with ``k`` as in the module docstring.

    Args:
        threshold: The threshold asked for (0.10 for 10%).
        sigma: Robust spread of log ratios (nan: no floor).
        rows: Rows the spread came from.
        alpha: Family-wise level, ``1 - confidence``.

    Returns:
        The threshold to apply.
    """
    if not math.isfinite(sigma):
        return threshold
    k = max(MIN_SIGMAS, NormalDist().inv_cdf(1.0 - alpha / max(rows, 1)))
    return max(threshold, math.expm1(k * sigma))
