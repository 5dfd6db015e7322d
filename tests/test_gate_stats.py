"""The gate's statistics, judged on recorded real A/A paired sessions of one revision.

``tests/data/gate_aa/*.csv`` are the ``pairs.csv`` files of paired runs of one revision against
itself (``diffbench continuous REV REV --suite gate``) on the shared 2-core machine. Plants
multiply the HEAD side of chosen cases by a known factor: the truth is the factor.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from diffbench.gate import judge
from diffbench.gate._stats import _signed_rank, bootstrap_se, log_ratios

DATA = sorted((Path(__file__).parent / "data" / "gate_aa").glob("*.csv"))
ONE_CASE = ("rosenbrock", 64, "float32", "central")


def _session(path, factor=None):
    """Return (table, d) of one recorded session, HEAD multiplied by ``factor(row)``."""
    pairs = pd.read_csv(path)
    if factor is not None:
        pairs["head_s"] = pairs["head_s"] * pairs.apply(factor, axis=1)
    keys = ["function", "n", "dtype", "method"]
    rows, ratios = [], []
    for key, case in pairs.groupby(keys, sort=False):
        rows.append(dict(zip(keys, key, strict=True), label=" ".join(map(str, key))))
        ratios.append(log_ratios(case.sort_values("round")[["base_s", "head_s"]].to_numpy()))
    return pd.DataFrame(rows), np.vstack(ratios)


def _regressed(verdicts):
    return {(v.level, v.unit) for v in verdicts if v.verdict == "regressed"}


@pytest.fixture(scope="module", params=DATA, ids=[p.stem for p in DATA])
def session(request):
    return request.param


def test_there_are_recorded_sessions():
    assert len(DATA) >= 3


def test_recorded_aa_sessions_raise_no_timing_regression(session):
    table, d = _session(session)
    assert len(table) == 40 and d.shape[1] >= 10
    assert _regressed(judge(table, d)) == set()


def test_one_case_50_percent_slower_is_estimated_and_found_when_the_run_can_see_it(session):
    label = " ".join(map(str, ONE_CASE))
    (quiet,) = [v for v in judge(*_session(session)) if v.unit == label]

    def slower(row):
        return 1.5 if tuple(row[["function", "n", "dtype", "method"]]) == ONE_CASE else 1.0

    verdicts = judge(*_session(session, slower))
    (case,) = [v for v in verdicts if v.unit == label]
    assert case.low < 1.5 * quiet.ratio < case.high  # the estimate moves by the plant
    assert case.ratio == pytest.approx(1.5 * quiet.ratio, rel=0.05)
    assert quiet.mde < 0.5  # the recorded run could see 50% on this case ...
    assert case.verdict == "regressed"  # ... and does
    assert {u for level, u in _regressed(verdicts) if level == "case"} <= {label}


def test_one_method_20_percent_slower_is_estimated_and_found_when_the_run_can_see_it(session):
    (quiet,) = [
        v for v in judge(*_session(session)) if (v.level, v.unit) == ("method", "reverse_ad")
    ]
    table, d = _session(session, lambda row: 1.2 if row["method"] == "reverse_ad" else 1.0)
    verdicts = judge(table, d)
    (method,) = [v for v in verdicts if (v.level, v.unit) == ("method", "reverse_ad")]
    assert method.low < 1.2 * quiet.ratio < method.high
    assert quiet.mde < 0.2
    assert method.verdict == "regressed"
    assert all("reverse_ad" in unit for _, unit in _regressed(verdicts))


def test_a_shift_of_the_whole_session_flags_the_session_only(session):
    table, d = _session(session, lambda row: 1.3)
    assert _regressed(judge(table, d)) == {("session", "all cases")}


def test_a_slowdown_just_above_the_printed_detectable_size_is_found(session):
    table, d = _session(session)
    (quiet,) = [v for v in judge(table, d) if (v.level, v.unit) == ("method", "central4")]
    factor = (1 + quiet.mde) * 1.05
    table, d = _session(session, lambda row: factor if row["method"] == "central4" else 1.0)
    (loud,) = [v for v in judge(table, d) if (v.level, v.unit) == ("method", "central4")]
    assert loud.verdict == "regressed", (quiet.mde, loud)


def test_the_signed_rank_test_is_exact_for_few_rounds():
    assert _signed_rank(np.linspace(0.1, 1.5, 15), "greater") == pytest.approx(2.0**-15)
    assert _signed_rank(np.linspace(0.1, 1.5, 15), "less") == pytest.approx(1.0)


def test_bootstrap_se_of_one_case_matches_the_spread_of_the_median_over_sessions():
    rng = np.random.default_rng(0)
    sigma, rounds = 0.1, 15
    truth = np.std(np.median(rng.normal(0.0, sigma, size=(20000, rounds)), axis=1))  # Monte Carlo
    estimates = [bootstrap_se(rng.normal(0.0, sigma, size=(1, rounds)), seed=i) for i in range(60)]
    assert np.mean(estimates) == pytest.approx(truth, rel=0.15)


def test_the_printed_detectable_size_is_found_in_most_resampled_sessions():
    """95% power at the printed size: plant it into sessions resampled from a recorded one."""
    table, d = _session(DATA[-1])
    (quiet,) = [v for v in judge(table, d) if (v.level, v.unit) == ("method", "central4")]
    rows = (table["method"] == "central4").to_numpy()
    rng = np.random.default_rng(1)
    found = 0
    for _ in range(20):
        resampled = d[:, rng.integers(d.shape[1], size=d.shape[1])]
        resampled[rows] += math.log1p(quiet.mde)
        verdicts = judge(table, resampled)
        found += any(v.unit == "central4" and v.verdict == "regressed" for v in verdicts)
    assert found >= 17, found  # 95% power: 19 of 20 expected; 17 allows for the draw
