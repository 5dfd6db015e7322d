"""Saddle points: how long each optimizer takes to leave one (``saddles``).

Seed text 000 ("Saddle points"): at a saddle the gradient is zero but it is no minimum; the
second derivatives tell (the Hessian has eigenvalues of both signs), and momentum helps to
escape. For x^2 - y^2 (``saddle``) and the monkey saddle x^3 - 3xy^2 (``monkey_saddle``,
degenerate: its Hessian is zero there, so the second-derivative test says nothing), every
optimizer starts at distance r = 1e-1 ... 1e-8 from the stationary point 0, in random
directions, and we count the steps until the iterate leaves the unit disc. Each
(function, optimizer) is one jitted ``lax.scan``, vmapped over every start.

The loop is written here rather than with ``optimize.minimize``, which records losses, not the
step at which an iterate leaves a region. ``sgd_noise`` is gradient descent on gradients with
Gaussian noise (standard deviation ``NOISE``), the model of minibatch noise.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pandas as pd

from .. import functions, optimize
from .._gradient import hessian
from ..optimize._loop import optax_promotion

FUNCTIONS = ("saddle", "monkey_saddle")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "sgd_noise")
LR = 0.01
NOISE = 1e-3
RADIUS = 1.0
DISTANCES = tuple(10.0**-k for k in range(1, 9))
NEVER = -1

SIZES = {"default": {"angles": 32, "steps": 3000}, "small": {"angles": 4, "steps": 300}}


def run(size: str) -> pd.DataFrame:
    """Return one row per (function, optimizer, distance): escape fraction and steps."""
    cfg = SIZES[size]
    starts, distance = start_points(cfg["angles"])
    rows = []
    for name in FUNCTIONS:
        test = second_derivative_test(name)
        for opt in OPTIMIZERS:
            steps = escape_steps(name, opt, starts, cfg["steps"])
            rows += [
                {"part": "escape", "function": name, "optimizer": opt, "lr": LR} | row | test
                for row in summarize(steps, distance, cfg["steps"])
            ]
    return pd.DataFrame(rows)


def start_points(angles: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Starts at every distance in ``DISTANCES`` and ``angles`` random directions.

    Returns:
        ``(points, distance)``: float64 arrays of shape ``(D * angles, 2)`` and ``(D * angles,)``.
    """
    theta = np.asarray(jax.random.uniform(jax.random.key(seed), (angles,), jnp.float64)) * 2 * np.pi
    radius = np.repeat(np.asarray(DISTANCES), angles)
    theta = np.tile(theta, len(DISTANCES))
    return np.stack([radius * np.cos(theta), radius * np.sin(theta)], axis=1), radius


def second_derivative_test(name: str) -> dict[str, Any]:
    """The Hessian's eigenvalues at 0 (``diffbench.hessian``) and what the test concludes."""
    eig = np.linalg.eigvalsh(np.asarray(hessian(name, jnp.zeros(2, jnp.float64))))
    if eig[0] < 0 < eig[-1]:
        verdict = "saddle"
    elif eig[0] > 0:
        verdict = "minimum"
    elif eig[-1] < 0:
        verdict = "maximum"
    else:
        verdict = "inconclusive"
    return {"hess_eig_min": float(eig[0]), "hess_eig_max": float(eig[-1]), "test": verdict}


def _transformation(opt: str) -> optax.GradientTransformation:
    return optimize.optimizer("sgd" if opt == "sgd_noise" else opt).build(LR)


def escape_steps(name: str, opt: str, starts: np.ndarray, steps: int) -> np.ndarray:
    """The first step at which each run's iterate has norm > ``RADIUS`` (``NEVER`` if none).

    Returns an int array of shape ``(len(starts),)``.
    """
    keys = jax.random.split(jax.random.key(1), len(starts))
    run = _compiled(name, opt, steps)
    with optax_promotion():  # optax mixes Python ints and int32 step counts
        return np.asarray(run(jnp.asarray(starts, jnp.float64), keys))


_CACHE: dict[tuple[str, str, int], Any] = {}


def _compiled(name: str, opt: str, steps: int) -> Any:
    """The jitted, vmapped escape loop of (function, optimizer, budget), built once."""
    key = (name, opt, steps)
    if key not in _CACHE:
        f = functions.get(name)
        tx = _transformation(opt)
        noise = NOISE if opt == "sgd_noise" else 0.0
        one = _escape_loop(lambda x: f.fn(jnp, x), tx, noise, steps)
        _CACHE[key] = jax.jit(jax.vmap(one))
    return _CACHE[key]


def _escape_loop(f: Any, tx: optax.GradientTransformation, noise: float, steps: int) -> Any:
    grad = jax.grad(f)

    def one(x0: jax.Array, key: jax.Array) -> jax.Array:
        def step(carry: tuple, k: jax.Array) -> tuple[tuple, None]:
            x, state, left, key = carry
            key, sub = jax.random.split(key)
            g = grad(x) + noise * jax.random.normal(sub, x.shape, x.dtype)
            updates, state = tx.update(g, state, x)
            x = optax.apply_updates(x, updates)
            outside = jnp.sum(x**2) > RADIUS**2
            left = jnp.where((left == NEVER) & outside, k + 1, left)
            return (x, state, left, key), None

        carry = (x0, tx.init(x0), jnp.asarray(NEVER, jnp.int32), key)
        (_, _, left, _), _ = jax.lax.scan(step, carry, jnp.arange(steps, dtype=jnp.int32))
        return left

    return one


def summarize(steps: np.ndarray, distance: np.ndarray, budget: int) -> list[dict[str, Any]]:
    """Per distance: fraction of runs that escaped, median and quartiles of their steps."""
    rows = []
    for r in DISTANCES:
        mine = steps[distance == r]
        out = mine[mine != NEVER].astype(np.float64)
        q = np.quantile(out, [0.25, 0.5, 0.75]) if out.size else np.full(3, np.nan)
        rows.append(
            {"distance": r, "runs": int(mine.size), "steps": budget}
            | {"escaped_fraction": float(out.size / mine.size)}
            | {"steps_to_escape_median": q[1], "steps_to_escape_q25": q[0]}
            | {"steps_to_escape_q75": q[2]}
        )
    return rows
