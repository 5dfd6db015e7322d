"""The gate's own statistics, end to end: q-values are Benjamini-Hochberg's and the bootstrap
interval has the coverage it claims (against SciPy's bootstrap on the same statistic)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _stats_helpers import ratio_of_medians
from scipy import stats as scipy_stats

from diffbench.gate.compare._timing import timing_stats


def _merged(rng, rows=12, size=15):
    base = [rng.lognormal(np.log(1e-3), 0.1, size) for _ in range(rows)]
    new = [rng.lognormal(np.log(1e-3 * (1.0 + 0.03 * i)), 0.1, size) for i in range(rows)]
    return pd.DataFrame(
        {"status_base": "ok", "status_new": "ok", "samples_base": base, "samples_new": new}
    )


def test_timing_q_values_are_benjamini_hochberg_of_the_p_values():
    stats = timing_stats(_merged(np.random.default_rng(5)), 0.99, seed=0)
    p = stats["p_value"].to_numpy(float)
    assert np.all(np.isfinite(p)) and p.min() < 0.05
    np.testing.assert_allclose(stats["q_value"], scipy_stats.false_discovery_control(p))
    assert np.all(stats["q_value"] >= p)


@pytest.mark.parametrize("confidence", [0.90, 0.99])
def test_bootstrap_interval_width_matches_scipy_at_the_same_level(confidence):
    rng = np.random.default_rng(11)
    base = rng.lognormal(np.log(1e-3), 0.1, 40)
    new = rng.lognormal(np.log(1.2e-3), 0.1, 40)
    ours = ratio_of_medians(base, new, confidence=confidence, n_boot=4000, seed=1)
    theirs = scipy_stats.bootstrap(
        (base, new),
        lambda b, n, axis=-1: np.median(n, axis=axis) / np.median(b, axis=axis),
        confidence_level=confidence,
        method="percentile",
        n_resamples=4000,
        random_state=np.random.default_rng(2),
        vectorized=True,
    ).confidence_interval
    width, expected = ours.high - ours.low, theirs.high - theirs.low
    assert width == pytest.approx(expected, rel=0.2)  # 90% vs 99% differ by ~40%
    assert ours.low == pytest.approx(theirs.low, rel=0.02)
    assert ours.high == pytest.approx(theirs.high, rel=0.02)


def test_compare_uses_a_99_percent_interval_by_default():
    import inspect

    from diffbench.gate.compare import _compare

    defaults = [
        p.default
        for p in inspect.signature(_compare.compare).parameters.values()
        if p.name == "confidence"
    ]
    assert defaults == [0.99]
