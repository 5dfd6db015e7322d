"""Statistics for paired, nested timings: per case, per group, per method and function, session.

The data: for each case c and round r, the paired log-ratio ``d[c, r] = log(head / base)`` of
the two sides' round figures (seconds per call, taken back to back). Units judged:

- a **case**: its rounds. Estimate: the median of ``d[c, :]``, its standard error from a
  bootstrap over rounds; it regresses when the interval at a Bonferroni level over the cases
  lies above ``log(1 + tolerance)`` *and* Wilcoxon's signed-rank test, exact for the few
  rounds a run has (``scipy.stats.wilcoxon(method="exact")``), finds ``d - shift`` above that
  tolerance (one-sided, level ``alpha``): the interval gives the size, the exact test guards
  it against a bootstrap of very few rounds;
- a **pool** (a group: method, function, n-range, dtype; a method; a function): the mean of its
  cases' estimates; its standard error from a two-level bootstrap (cases within the pool,
  rounds within each case, as Kalibera & Jones recommend for nested benchmark data), combined
  with the bootstrap error of the shift it is measured against; the
  verdict from the normal interval at a Bonferroni level over the pools of that kind;
- the **session**: the median of all case estimates, bootstrapped over cases.

The noise a unit is judged against never comes from the unit: the *shift* subtracted from a
case or pool is the median estimate of the cases outside it (a difference in differences, so a
shift of the whole session, e.g. one worker landing on a slower core, does not flag every row),
and the *tolerances* are the spread of the same units in recorded A/A runs of one revision on
this kind of machine (``tests/data/gate_aa``; see ``CALIBRATION``). Each unit that does not
regress says what the run could have seen: the minimum detectable slowdown at 95% power,
``tolerance + (z(1 - alpha') + z(0.95)) * se`` on the log scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

POWER = 0.95
CALIBRATION = {"case": 0.10, "pool": 0.05, "session": 0.10}
"""Tolerances: the relative slowdown a unit must exceed, significantly, to regress.

A paired A/A run of one revision still differs between its two worker processes (code and
buffer placement, which core's caches are warm): on the 2-core machine at load average 10,
the three recorded A/A runs (``tests/data/gate_aa``) showed case estimates up to 15% from 1,
group estimates up to 8%, method and function estimates within 2%, the session within 1%. Those
are worker effects that more rounds do not average away, so a case must exceed 10% and a pool
5% (in the one-sided test at ``alpha``), and none of the recorded A/A units does.
"""

N_RANGES = ((16, "n<=16"), (256, "n<=256"), (math.inf, "n>256"))


@dataclass(frozen=True)
class Verdict:
    """The judgement of one unit.

    Attributes:
        level: ``case``, ``group``, ``method``, ``function`` or ``session``.
        unit: its name (``rosenbrock n=8 float32 central``, ``central``, ...).
        cases: cases pooled.
        ratio: ``exp(estimate - shift)``: head / base, after the session shift.
        low, high: the interval on that ratio at the unit's confidence level.
        shift: ``exp(shift)``: the movement of the other cases (1.0 for the session).
        p_value: the case's exact signed-rank p-value, one-sided (None for pools).
        mde: minimum detectable slowdown at 95% power (0.2 means 20%).
        verdict: ``regressed``, ``improved`` or ``unchanged``.
    """

    level: str
    unit: str
    cases: int
    ratio: float
    low: float
    high: float
    shift: float
    p_value: float | None
    mde: float
    verdict: str


def n_range(n: int) -> str:
    """Return the n-range label of a group (``n<=16``, ``n<=256``, ``n>256``)."""
    return next(label for bound, label in N_RANGES if n <= bound)


def log_ratios(pairs: np.ndarray) -> np.ndarray:
    """Return ``log(head / base)`` per round from an array of shape (rounds, 2)."""
    pairs = np.asarray(pairs, dtype=np.float64)
    return np.log(pairs[:, 1]) - np.log(pairs[:, 0])


def bootstrap_se(d: np.ndarray, reps: int = 2000, seed: int = 0) -> float:
    """Two-level bootstrap standard error of the mean over cases of each case's median round.

    Args:
        d: log-ratios of shape (cases, rounds).
        reps: bootstrap replicates.
        seed: seed of the resampling.
    """
    rng = np.random.default_rng(seed)
    cases, rounds = d.shape
    pick_case = rng.integers(cases, size=(reps, cases))
    pick_round = rng.integers(rounds, size=(reps, cases, rounds))
    draws = np.median(d[pick_case[..., None], pick_round], axis=2).mean(axis=1)
    return float(np.std(draws, ddof=1))


def judge(
    table: pd.DataFrame,
    d: np.ndarray,
    alpha: float = 0.01,
    tolerances: dict[str, float] | None = None,
) -> list[Verdict]:
    """Judge every case, pool and the session.

    Args:
        table: one row per case, columns ``label``, ``method``, ``function``, ``n``, ``dtype``,
            in the order of ``d``'s rows.
        d: log-ratios of shape (cases, rounds), at least 2 rounds.
        alpha: the false-alarm level per kind of unit (FDR for cases, family-wise for pools).
        tolerances: ``CALIBRATION`` unless given.

    Returns:
        Verdicts: cases first (table order), then groups, methods, functions, the session.
    """
    tol = {**CALIBRATION, **(tolerances or {})}
    estimates = np.median(d, axis=1)
    out = _cases(table, d, estimates, alpha, tol["case"])
    table = table.assign(group=[_group_name(r) for r in table.itertuples()])
    for level, column in (("group", "group"), ("method", "method"), ("function", "function")):
        members = {k: np.flatnonzero(table[column].to_numpy() == k) for k in table[column].unique()}
        members = {k: v for k, v in members.items() if 2 <= len(v) < len(table)}
        z = stats.norm.ppf(1 - alpha / max(1, len(members)))
        for name, rows in members.items():
            out.append(_pool(level, str(name), d, estimates, rows, z, tol["pool"]))
    out.append(_session(d, estimates, alpha, tol["session"]))
    return out


def _group_name(row: object) -> str:
    return f"{row.function} {n_range(int(row.n))} {row.dtype} {row.method}"  # type: ignore[attr-defined]


def _shift_se(d: np.ndarray, rows: np.ndarray, reps: int = 500) -> float:
    """Bootstrap standard error of the shift (the median estimate of the cases outside ``rows``).

    The difference in differences subtracts the shift, so its uncertainty adds to the pool's.
    """
    mask = np.ones(len(d), dtype=bool)
    mask[rows] = False
    outside = d[mask]
    if len(outside) < 2:
        return 0.0
    rng = np.random.default_rng(len(rows))
    cases, rounds = outside.shape
    pick_case = rng.integers(cases, size=(reps, cases))
    pick_round = rng.integers(rounds, size=(reps, cases, rounds))
    draws = np.median(np.median(outside[pick_case[..., None], pick_round], axis=2), axis=1)
    return float(np.std(draws, ddof=1))


def _outside_shift(estimates: np.ndarray, rows: np.ndarray) -> float:
    mask = np.ones(len(estimates), dtype=bool)
    mask[rows] = False
    return float(np.median(estimates[mask])) if mask.any() else 0.0


def _cases(
    table: pd.DataFrame, d: np.ndarray, estimates: np.ndarray, alpha: float, tol: float
) -> list[Verdict]:
    z = stats.norm.ppf(1 - alpha / max(1, len(d)))
    bar = math.log1p(tol)
    out = []
    for i, label in enumerate(table["label"]):
        shift = _outside_shift(estimates, np.array([i]))
        effect = float(estimates[i]) - shift
        se = bootstrap_se(d[i : i + 1], seed=i)
        low, high = effect - z * se, effect + z * se
        p_up = _signed_rank(d[i] - shift - bar, "greater")
        p_down = _signed_rank(d[i] - shift + bar, "less")
        verdict = (
            "regressed" if low > bar and p_up < alpha
            else "improved" if high < -bar and p_down < alpha
            else "unchanged"
        )  # fmt: skip
        out.append(
            Verdict(
                "case", str(label), 1, math.exp(effect), math.exp(low), math.exp(high),
                math.exp(shift), min(p_up, p_down), _mde(tol, z, se), verdict,
            )
        )  # fmt: skip
    return out


def _signed_rank(x: np.ndarray, alternative: str) -> float:
    if np.all(x == 0):
        return 1.0
    method = "exact" if len(x) <= 50 else "auto"
    return float(stats.wilcoxon(x, alternative=alternative, method=method).pvalue)


def _pool(
    level: str, name: str, d: np.ndarray, estimates: np.ndarray, rows: np.ndarray, z: float,
    tol: float,
) -> Verdict:  # fmt: skip
    shift = _outside_shift(estimates, rows)
    effect = float(estimates[rows].mean()) - shift
    se = math.hypot(bootstrap_se(d[rows], seed=len(rows)), _shift_se(d, rows))
    low, high = effect - z * se, effect + z * se
    bar = math.log1p(tol)
    verdict = "regressed" if low > bar else "improved" if high < -bar else "unchanged"
    return Verdict(
        level, name, len(rows), math.exp(effect), math.exp(low), math.exp(high),
        math.exp(shift), None, _mde(tol, z, se), verdict,
    )  # fmt: skip


def _session(d: np.ndarray, estimates: np.ndarray, alpha: float, tol: float) -> Verdict:
    rng = np.random.default_rng(0)
    draws = np.median(estimates[rng.integers(len(d), size=(2000, len(d)))], axis=1)
    se = float(np.std(draws, ddof=1)) if len(d) > 1 else math.inf
    effect = float(np.median(estimates))
    z = stats.norm.ppf(1 - alpha)
    low, high = effect - z * se, effect + z * se
    bar = math.log1p(tol)
    verdict = "regressed" if low > bar else "improved" if high < -bar else "unchanged"
    return Verdict(
        "session", "all cases", len(d), math.exp(effect), math.exp(low), math.exp(high), 1.0,
        None, _mde(tol, z, se), verdict,
    )  # fmt: skip


def _mde(tol: float, z: float, se: float) -> float:
    """Minimum detectable slowdown at ``POWER``: ``exp(log1p(tol) + (z + z_power) se) - 1``."""
    if not math.isfinite(se):
        return math.inf
    return math.expm1(math.log1p(tol) + (z + stats.norm.ppf(POWER)) * se)
