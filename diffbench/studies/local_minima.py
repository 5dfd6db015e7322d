"""Local minima: the fraction of random starts that find the global one (``local-minima``).

Seed text 000 ("Local minima"): gradient descent stops in whichever basin it starts in; the
cure is several random starts. For five multimodal classics (``FUNCTIONS``; himmelblau has
four global minima, six-hump camel two) and three optimizers, ``optimize.minimize`` runs every
start of one (function, optimizer) in one vmapped call. A run succeeds when it reaches the
global target f* + 10^e (COCO-style: at any checked step), e the largest power of ten below
the gap to the function's lowest non-global local minimum (``TARGET_EXPONENT``): 1e-1
(rastrigin 0.995, ackley 2.6, six-hump camel 0.82 above f*), 1e-3 for griewank (0.0074).
A tighter target would measure how well an optimizer converges (ackley's kink at 0 keeps
gradient steps oscillating at f ~ lr |g|), not which basin it found.

Starts are uniform in the registry's bounds, except for ackley and griewank, whose VLSE boxes
(+-32.768, +-600) hold so many basins that none of ~1000 starts succeeds: there the box is
``START_BOX`` (the rate p is then of that box; the question is the same).

Two independent batches of starts:

- ``single``: the single-start success rate p from the first ``starts`` runs, with its
  Clopper-Pearson 95 % interval;
- ``k_starts``: the second batch split into disjoint groups of k starts; a group succeeds when
  any of its runs does. Its measured rate and 95 % interval stand beside 1 - (1 - p)^k, the
  rate the independence of starts predicts from p. ``within_ci`` says whether the prediction
  lies in the measured interval; the prediction is uncertain too (p comes from a finite batch,
  and 1 - (1 - p)^k magnifies its error k(1 - p)^(k-1)-fold), so ``predicted_low`` /
  ``predicted_high`` map p's interval through it and ``intervals_overlap`` says whether the
  two intervals meet.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from scipy import stats

from .. import functions, optimize

FUNCTIONS = ("rastrigin", "ackley", "himmelblau", "six_hump_camel", "griewank")
OPTIMIZERS = {"sgd": 1e-3, "momentum": 1e-3, "adam": 1e-2}
"""Optimizer: learning rate (sgd and momentum at 1e-3 stay below 2/L on every function)."""

TARGET_EXPONENT = {"griewank": -3}
"""Success: f <= f* + 10^e at some checked step; e = -1 unless listed."""

START_BOX = {"ackley": 2.0, "griewank": 10.0}
"""Half-widths of the start box where the registry's bounds are replaced (see above)."""

CONFIDENCE = 0.95
KS = (1, 2, 4, 8, 16)
N = 2

SIZES = {
    "default": {"single": 512, "grouped": 1024, "steps": 1000},
    "small": {"single": 32, "grouped": 64, "steps": 100},
}


def run(size: str) -> pd.DataFrame:
    """Return the ``single`` and ``k_starts`` rows of every function and optimizer."""
    cfg = SIZES[size]
    rows: list[dict[str, Any]] = []
    for name in FUNCTIONS:
        for opt, lr in OPTIMIZERS.items():
            success, x_final = successes(
                name, opt, lr, cfg["single"] + cfg["grouped"], cfg["steps"]
            )
            common = {"function": name, "optimizer": opt, "lr": lr, "steps": cfg["steps"]} | {
                "target_gap": 10.0 ** target_exponent(name),
                "start_box": START_BOX.get(name, np.nan),
            }
            first, second = success[: cfg["single"]], success[cfg["single"] :]
            single = single_row(first, x_final[: cfg["single"]])
            rows.append({"part": "single"} | common | single)
            p_ci = (single["ci_low"], single["ci_high"])
            rows += [{"part": "k_starts"} | common | r for r in k_rows(second, single["p"], p_ci)]
    return pd.DataFrame(rows)


def successes(name: str, opt: str, lr: float, starts: int, steps: int) -> tuple[np.ndarray, ...]:
    """Whether each of ``starts`` uniform random starts reached the target; final iterates.

    Returns ``(success, x_final)``: a bool array ``(starts,)`` and a float64 ``(starts, n)``.
    """
    x0 = start_points(name, starts)
    res = optimize.minimize(name, opt, steps, x0=x0, lr=lr, repeats=1)
    column = list(optimize.EXPONENTS).index(target_exponent(name))
    return res.hit_step[:, column] >= 0, np.asarray(res.x_final, np.float64)


def target_exponent(name: str) -> int:
    """The exponent e of the success target f* + 10^e of function ``name``."""
    return TARGET_EXPONENT.get(name, -1)


def start_points(name: str, starts: int, seed: int = 7) -> np.ndarray:
    """``starts`` uniform random points in the start box of ``name``, float64 ``(starts, N)``."""
    lo, hi = functions.get(name).bounds(N)
    if name in START_BOX:
        lo, hi = np.full(N, -START_BOX[name]), np.full(N, START_BOX[name])
    u = np.asarray(jax.random.uniform(jax.random.key(seed), (starts, N), jnp.float64))
    return lo + u * (hi - lo)


def interval(successes: int, trials: int) -> tuple[float, float]:
    """Clopper-Pearson ``CONFIDENCE`` interval of a binomial proportion (scipy.stats)."""
    ci = stats.binomtest(successes, trials).proportion_ci(CONFIDENCE, method="exact")
    return float(ci.low), float(ci.high)


def distinct_minima(x_final: np.ndarray, tol: float = 0.5) -> int:
    """The number of distinct points among ``x_final`` (greedy clusters of radius ``tol``)."""
    centres: list[np.ndarray] = []
    for x in x_final:
        if all(np.linalg.norm(x - c) > tol for c in centres):
            centres.append(x)
    return len(centres)


def single_row(success: np.ndarray, x_final: np.ndarray) -> dict[str, Any]:
    """Single-start rate p, its interval, and how many distinct global minima were found."""
    k, n = int(success.sum()), int(success.size)
    low, high = interval(k, n)
    found = distinct_minima(x_final[success])
    return {"k": 1, "groups": n, "successes": k, "p": k / n, "ci_low": low, "ci_high": high} | {
        "distinct_minima": found
    }


def k_rows(
    success: np.ndarray, p: float, p_ci: tuple[float, float] | None = None
) -> list[dict[str, Any]]:
    """For each k: groups of k disjoint starts, measured success and its interval, and
    1 - (1 - p)^k with the interval ``p_ci`` of p mapped through it (p itself if None)."""
    low_p, high_p = (p, p) if p_ci is None else p_ci
    rows = []
    for k in KS:
        groups = success.size // k
        if groups < 1:
            continue
        hit = success[: groups * k].reshape(groups, k).any(axis=1)
        low, high = interval(int(hit.sum()), groups)
        predicted = 1.0 - (1.0 - p) ** k
        band = (1.0 - (1.0 - low_p) ** k, 1.0 - (1.0 - high_p) ** k)
        rows.append(
            {"k": k, "groups": groups, "successes": int(hit.sum()), "p": float(hit.mean())}
            | {"ci_low": low, "ci_high": high, "predicted": predicted}
            | {"predicted_low": band[0], "predicted_high": band[1]}
            | {"within_ci": bool(low <= predicted <= high)}
            | {"intervals_overlap": bool(band[0] <= high and low <= band[1])}
        )
    return rows
