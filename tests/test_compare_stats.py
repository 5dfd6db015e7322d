"""The comparison statistics: Mann-Whitney U against scipy, ranks, and the bootstrap interval."""

import math

import numpy as np
import pytest
from _stats_helpers import mann_whitney_p, mann_whitney_u_numpy, ratio_of_medians

from diffbench.gate.compare._stats import rankdata

scipy_stats = pytest.importorskip("scipy.stats")


@pytest.mark.parametrize("seed", range(40))
def test_mann_whitney_matches_scipy_asymptotic(seed):
    rng = np.random.default_rng(seed)
    x = np.round(rng.lognormal(0.0, 0.2, rng.integers(3, 40)), 1)  # rounding makes ties
    y = np.round(rng.lognormal(0.1 * (seed % 3), 0.2, rng.integers(3, 40)), 1)
    u, p = mann_whitney_u_numpy(x, y)
    expected = scipy_stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
    assert u == pytest.approx(expected.statistic, abs=1e-9)
    assert p == pytest.approx(expected.pvalue, rel=1e-10, abs=1e-14)
    assert mann_whitney_p(x, y) == pytest.approx(p, rel=1e-10, abs=1e-14)


def test_mann_whitney_all_ties_and_tiny_samples():
    assert mann_whitney_u_numpy([1.0, 1.0, 1.0], [1.0, 1.0, 1.0])[1] == 1.0
    assert math.isnan(mann_whitney_p([1.0, 2.0], [1.0, 2.0, 3.0]))


def test_rankdata_matches_scipy():
    values = np.array([3.0, 1.0, 3.0, 2.0, 1.0, 5.0, 3.0])
    np.testing.assert_allclose(rankdata(values), scipy_stats.rankdata(values))


def test_bootstrap_interval_is_seeded_and_covers_the_true_ratio():
    rng = np.random.default_rng(1)
    base = rng.lognormal(np.log(1e-3), 0.05, 20)
    new = rng.lognormal(np.log(1.3e-3), 0.05, 20)
    first = ratio_of_medians(base, new, seed=3)
    assert first == ratio_of_medians(base, new, seed=3)
    assert first.low < 1.3 < first.high
    assert first.low < first.ratio < first.high


def test_bootstrap_without_enough_samples_has_no_interval():
    result = ratio_of_medians(np.array([1.0]), np.array([2.0]))
    assert result.ratio == 2.0
    assert math.isnan(result.low) and math.isnan(result.high)


def test_numpy_batch_matches_scipy_batch():
    from diffbench.gate.compare._stats import mann_whitney_batch

    rng = np.random.default_rng(5)
    x = np.round(rng.lognormal(0.0, 0.1, (50, 12)), 2)
    y = np.round(rng.lognormal(0.05, 0.1, (50, 9)), 2)
    u, p = mann_whitney_batch(x, y)
    expected = scipy_stats.mannwhitneyu(x, y, method="asymptotic", axis=-1)
    np.testing.assert_allclose(u, expected.statistic, atol=1e-9)
    np.testing.assert_allclose(p, expected.pvalue, rtol=1e-10, atol=1e-14)


def test_benjamini_hochberg_matches_scipy():
    from diffbench.gate.compare._stats import benjamini_hochberg

    p = np.random.default_rng(2).random(80) ** 3
    np.testing.assert_allclose(benjamini_hochberg(p), scipy_stats.false_discovery_control(p))
    with_gaps = np.array([0.01, np.nan, 0.04, 0.03])
    np.testing.assert_allclose(benjamini_hochberg(with_gaps), [0.03, np.nan, 0.04, 0.04])
