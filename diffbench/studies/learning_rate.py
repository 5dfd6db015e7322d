"""Learning-rate sensitivity and the stability edge 2/L (``learning-rate``).

Seed text 000 ("Learning rate"): too large a rate overshoots and diverges, too small a rate
crawls. Gradient descent on a function whose Hessian's largest eigenvalue is L is stable near
a minimum for lr < 2/L: along that eigenvector the error is multiplied by 1 - lr L each step.
For the texts' (x - 3)^2 (L = 2, so 2/L = 1), rosenbrock and the registry's logistic
regression, ``optimize.sweep`` runs plain gradient descent over a log-spaced grid
(``lr_grid``, ``PER_DECADE`` rates a decade, DeepOBS's range widened to 1e-4 ... 1e2), all
rates in one vmapped call, and L comes from power iteration on Hessian-vector products.

A run is ``unstable`` when its loss became non-finite, ended above its start, or rose from one
step to the next anywhere in the second half of the run (by more than rounding, ``FLOOR``):
below 2/L, gradient descent near a minimum decreases the loss at every step (the descent
lemma); above it the error along the top eigenvector grows or settles into an oscillation
(the logistic regression's period-2 orbits), whose loss alternates. The trace is recorded at
every step for this. The measured edge is the geometric mean of the largest rate below which
every run is stable and the next rate of the grid; it should lie within one grid step of 2/L at the
minimum. Rosenbrock's curvature at the start (-1.2, 1) is larger than at its minimum, so the
report draws both edges there.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from .. import functions, optimize
from .._objective import as_objective
from ..methods.hessian import hvp

FUNCTIONS = ("quadratic_loss", "rosenbrock", "logistic_regression")
LR_RANGE = (1e-4, 1e2)
PER_DECADE = 10
FLOOR = 1e-12
"""A rise of the loss below FLOOR * (1 + |f*|) is rounding, no instability."""
POWER_ITERATIONS = 200
TEXT_LR = 0.1
"""The texts' example: gradient descent on (x - 3)^2 from 0 at rate 0.1 gives 0.6, then 1.08."""

SIZES = {"default": {"steps": 2000}, "small": {"steps": 200}}


def run(size: str) -> pd.DataFrame:
    """Return the ``sweep`` rows, one ``edge`` row per function and the texts' ``iterates``."""
    steps = SIZES[size]["steps"]
    grid = learning_rates()
    frames = [iterate_rows()]
    for name in FUNCTIONS:
        sweep, edge = sweep_rows(name, grid, steps)
        frames += [sweep, edge]
    return pd.concat(frames, ignore_index=True)


def learning_rates() -> np.ndarray:
    """The grid: ``PER_DECADE`` log-spaced rates a decade over ``LR_RANGE`` (both ends in)."""
    lo, hi = LR_RANGE
    return optimize.lr_grid(lo, hi, num=int(round(np.log10(hi / lo))) * PER_DECADE + 1)


def largest_eigenvalue(f: Any, x: Any, iterations: int = POWER_ITERATIONS) -> float:
    """The largest-magnitude Hessian eigenvalue of ``f`` at ``x``, by power iteration on HVPs.

    Each iteration is one forward-over-reverse Hessian-vector product; the loop is one jitted
    ``lax.fori_loop`` from a fixed random unit vector. Returns the Rayleigh quotient v.Hv.
    """
    fn = as_objective(f).jax_fn
    x = jnp.asarray(x, jnp.float64)
    v0 = jax.random.normal(jax.random.key(0), x.shape, jnp.float64)

    @jax.jit
    def power(x: jax.Array, v: jax.Array) -> jax.Array:
        def body(_: int, v: jax.Array) -> jax.Array:
            w = hvp(fn, x, v)
            return w / jnp.linalg.norm(w)

        v = jax.lax.fori_loop(0, iterations, body, v / jnp.linalg.norm(v))
        return jnp.vdot(v, hvp(fn, x, v))

    return float(power(x, v0))


def iterate_rows() -> pd.DataFrame:
    """The texts' first two iterates of gradient descent on (x - 3)^2 from 0 at rate 0.1."""
    rows = []
    for k in (1, 2):
        res = optimize.minimize("quadratic_loss", "sgd", k, x0=[0.0], lr=TEXT_LR, repeats=1)
        rows.append(
            {"part": "iterates", "function": "quadratic_loss", "lr": TEXT_LR, "steps": k}
            | {"x_final": float(res.x_final[0, 0]), "f_final": float(res.f_final[0])}
        )
    return pd.DataFrame(rows)


def unstable(res: optimize.OptimizeResult, f_opt: float) -> np.ndarray:
    """Whether each run diverged, ended above its start, or its loss rose in the second half.

    ``res`` must carry a trace at every step (``trace_every=1``); returns a bool ``(R,)``.
    """
    trace = np.where(np.isfinite(res.trace), res.trace, np.inf)
    late = trace[trace.shape[0] // 2 :]
    with np.errstate(invalid="ignore"):
        rises = np.diff(late, axis=0) > FLOOR * (1.0 + abs(f_opt))
    above = ~(res.f_final <= trace[0])  # NaN counts as above
    return res.diverged | above | rises.any(axis=0)


def measured_edge(lrs: np.ndarray, bad: np.ndarray) -> tuple[float, float, float]:
    """``(lo, hi, edge)``: the largest rate below which all runs are stable, the next one, and
    their geometric mean; ``hi`` and ``edge`` are NaN when no run of the grid is unstable."""
    order = np.argsort(lrs)
    lrs, bad = lrs[order], bad[order]
    if not bad.any():
        return float(lrs[-1]), float("nan"), float("nan")
    first = int(np.argmax(bad))
    if first == 0:
        return float("nan"), float(lrs[0]), float("nan")
    lo, hi = float(lrs[first - 1]), float(lrs[first])
    return lo, hi, float(np.sqrt(lo * hi))


def sweep_rows(name: str, grid: np.ndarray, steps: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sweep of ``name`` over ``grid`` and its stability-edge row."""
    tf = functions.get(name)
    x0, x_opt, f_opt = tf.x0(), tf.x_opt(), float(tf.f_opt())
    res = optimize.sweep(name, "sgd", steps, x0=x0, lrs=grid, repeats=1, trace_every=1)
    bad = unstable(res, f_opt)
    L_opt, L_start = largest_eigenvalue(name, x_opt), largest_eigenvalue(name, x0)
    common = {"function": name, "steps": steps, "L": L_opt, "L_start": L_start}
    sweep = pd.DataFrame(
        {"part": "sweep", **common, "lr": res.lr, "f_final": res.f_final}
        | {"gap_final": res.f_final - f_opt, "unstable": bad, "run_status": res.status}
    )
    lo, hi, edge = measured_edge(res.lr, bad)
    step = 1.0 / PER_DECADE
    theory = 2.0 / L_opt
    edge_row = {"part": "edge", **common, "edge_theory": theory, "edge_start": 2.0 / L_start}
    edge_row |= {"edge_lo": lo, "edge_hi": hi, "edge_measured": edge, "grid_step": step}
    edge_row["within_one_step"] = bool(abs(np.log10(edge / theory)) <= step + 1e-12)
    return sweep, pd.DataFrame([edge_row])
