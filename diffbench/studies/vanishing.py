"""Vanishing and exploding gradients: the seed texts' 0.25^n, measured (``vanishing-exploding``).

Seed text 000 ("Vanishing Gradients"): the sigmoid's derivative is at most 0.25 (at 0), so a
gradient through ten sigmoid layers shrinks by up to 0.25^10 ~ 1e-6; when the factors exceed
one the gradient explodes instead. Four parts, every one jitted and vmapped:

- ``bound``: the registry's ``deep_chain`` (h_i = sigmoid(h_{i-1} + x_i)), df/dx_1 by reverse
  mode at depths 1..D, at the start where every pre-activation is 0 (the bound is attained)
  and at random points (below it), beside the bound 0.25^n;
- ``layers``: per-layer weight-gradient norms of a width-W, depth-D chain of sigmoid, tanh and
  ReLU layers at gains that vanish, hold and explode (``GAINS``), median over seeds;
- ``digits``: correct digits of df/dx_1 (about 0.25^n) by ``central`` and ``richardson`` and
  by reverse mode, against mpmath at 50 digits, float32 and float64: the depth at which a
  finite difference loses every digit while reverse mode keeps them all;
- ``clipping``: SGD on a deep scalar linear chain (prod(w) - 1)^2 from w = 1.25 (each layer
  multiplies by more than one), with and without ``optax.clip_by_global_norm(1)``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pandas as pd

from .. import functions, methods, optimize
from .._objective import Objective

SIGMOID_MAX_SLOPE = 0.25
"""sigmoid'(0) = sigmoid(0)(1 - sigmoid(0)) = 0.25, its largest slope: the per-layer bound."""

HOLD_GAIN = {"sigmoid": 4.0, "tanh": 1.0, "relu": float(np.sqrt(2.0))}
"""Weight gain at which the backward factor is one near 0: 1/sigmoid'(0), tanh'(0) = 1, He."""

GAINS = {"vanish": 0.5, "hold": 1.0, "explode": 2.0}
"""Initialisations, as multiples of ``HOLD_GAIN``: weights ~ N(0, (gain * hold)^2 / width)."""

ACTIVATIONS = {"sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "relu": jax.nn.relu}
FD_METHODS = ("central", "richardson", "reverse_ad")
CLIP_NORM = 1.0
MAX_DIGITS = {"float64": float(-np.log10(np.finfo(np.float64).eps)), "float32": 7.22}

SIZES = {
    "default": {"depth": 50, "width": 16, "batch": 16, "seeds": 8, "points": 32}
    | {"clip_depths": (5, 10, 20, 40), "clip_lrs": (1e-3, 1e-2, 1e-1), "clip_steps": 500},
    "small": {"depth": 12, "width": 4, "batch": 4, "seeds": 2, "points": 4}
    | {"clip_depths": (5, 20), "clip_lrs": (1e-2,), "clip_steps": 50},
}


def run(size: str) -> pd.DataFrame:
    """Return the study's rows (parts ``bound``, ``layers``, ``digits``, ``clipping``)."""
    cfg = SIZES[size]
    parts = [
        bound_rows(cfg["depth"], cfg["points"]),
        layer_rows(cfg["depth"], cfg["width"], cfg["batch"], cfg["seeds"]),
        digits_rows(cfg["depth"]),
        clipping_rows(cfg["clip_depths"], cfg["clip_lrs"], cfg["clip_steps"]),
    ]
    return pd.concat(parts, ignore_index=True)


# -- the scalar sigmoid chain of the texts ---------------------------------------------------------


def masked_chain(x: jax.Array, depth: jax.Array) -> jax.Array:
    """``deep_chain`` with only its first ``depth`` layers: h_i = sigmoid(h_{i-1} + x_i).

    Layers from ``depth`` on pass h through, so one compiled function serves every depth
    (vmapped over ``depth``). Returns h_depth, a scalar of x's dtype.
    """

    def layer(h: jax.Array, item: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, None]:
        i, xi = item
        return jnp.where(i < depth, jax.nn.sigmoid(h + xi), h), None

    index = jnp.arange(x.shape[0])
    h, _ = jax.lax.scan(layer, jnp.zeros((), x.dtype), (index, x))
    return h


def chain_start(depth: int, dtype: Any = np.float64) -> np.ndarray:
    """The registry's ``deep_chain`` start (0, -0.5, ...): every pre-activation is exactly 0."""
    return np.asarray(functions.get("deep_chain").x0(depth), dtype=dtype)


@jax.jit
def _first_partials(points: jax.Array, depths: jax.Array) -> jax.Array:
    """df/dx_1 of the masked chain, reverse mode, for every (point, depth): shape (P, D)."""
    grad = jax.grad(masked_chain)
    per_depth = jax.vmap(lambda x, d: grad(x, d)[0], in_axes=(None, 0))
    return jax.vmap(per_depth, in_axes=(0, None))(points, depths)


def bound_rows(depth: int, points: int) -> pd.DataFrame:
    """df/dx_1 against depth at the bound-attaining start and at random points, with 0.25^n."""
    depths = np.arange(1, depth + 1)
    start = chain_start(depth)[None, :]
    lo, hi = functions.get("deep_chain").bounds(depth)
    u = jax.random.uniform(jax.random.key(0), (points, depth), jnp.float64)
    random = lo + np.asarray(u) * (hi - lo)
    at_start = np.asarray(_first_partials(jnp.asarray(start), jnp.asarray(depths)))[0]
    at_random = np.abs(np.asarray(_first_partials(jnp.asarray(random), jnp.asarray(depths))))
    rows = []
    for k, n in enumerate(depths):
        common = {"part": "bound", "activation": "sigmoid", "depth": int(n), "dtype": "float64"}
        bound = SIGMOID_MAX_SLOPE ** float(n)
        rows.append(common | {"init": "start", "grad_norm": at_start[k], "bound": bound})
        rows.append(
            common
            | {"init": "random", "grad_norm": float(np.median(at_random[:, k])), "bound": bound}
            | {"grad_norm_max": float(at_random[:, k].max()), "samples": points}
        )
    return pd.DataFrame(rows)


# -- per-layer gradient norms of a width-W chain ---------------------------------------------


def _chain_loss(weights: jax.Array, inputs: jax.Array, act: Any) -> jax.Array:
    """Half the squared norm of the last layer's output, mean over the batch."""

    def layer(h: jax.Array, w: jax.Array) -> tuple[jax.Array, None]:
        return act(h @ w), None

    h, _ = jax.lax.scan(layer, inputs, weights)
    return 0.5 * jnp.mean(jnp.sum(h**2, axis=-1))


def _layer_norms(act_name: str, depth: int, width: int, batch: int, seeds: int) -> np.ndarray:
    """Frobenius norms of dL/dW_i, shape (gains, seeds, depth), float64."""
    act = ACTIVATIONS[act_name]
    gains = jnp.asarray([g * HOLD_GAIN[act_name] for g in GAINS.values()], jnp.float64)

    def one(gain: jax.Array, key: jax.Array) -> jax.Array:
        kw, kx = jax.random.split(key)
        w = jax.random.normal(kw, (depth, width, width), jnp.float64) * gain / np.sqrt(width)
        x = jax.random.normal(kx, (batch, width), jnp.float64)
        g = jax.grad(_chain_loss)(w, x, act)
        return jnp.sqrt(jnp.sum(g**2, axis=(1, 2)))

    keys = jax.random.split(jax.random.key(1), seeds)
    per_gain = jax.vmap(jax.vmap(one, in_axes=(None, 0)), in_axes=(0, None))
    return np.asarray(jax.jit(per_gain)(gains, keys))


def layer_rows(depth: int, width: int, batch: int, seeds: int) -> pd.DataFrame:
    """Median over seeds of ||dL/dW_i|| for every layer i, activation and initialisation."""
    rows = []
    for act_name in ACTIVATIONS:
        norms = _layer_norms(act_name, depth, width, batch, seeds)
        for g, (init, gain) in enumerate(GAINS.items()):
            med = np.median(norms[g], axis=0)
            rows += [
                {"part": "layers", "activation": act_name, "init": init, "depth": i + 1}
                | {"gain": gain * HOLD_GAIN[act_name], "grad_norm": float(med[i])}
                | {"dtype": "float64", "width": width, "samples": seeds}
                for i in range(depth)
            ]
    return pd.DataFrame(rows)


# -- digits of finite differences as the gradient vanishes -----------------------------------


DIGITS_JITTER = 0.1
"""The digits part starts from ``deep_chain``'s x0 plus uniform noise of this half-width: the
gradient still shrinks about 4-fold a layer, but no rounding lines up exactly (at x0 itself
every value is a dyadic fraction and some differences come out exact by accident)."""


def digits_point(depth: int, dtype: Any) -> np.ndarray:
    """The point of the digits part in ``dtype``: x0 plus seeded uniform jitter, shape (depth,)."""
    u = np.asarray(jax.random.uniform(jax.random.key(2), (depth,), jnp.float64))
    return np.asarray(chain_start(depth) + DIGITS_JITTER * (2 * u - 1), dtype=dtype)


def exact_first_partials(x: np.ndarray, dps: int = 50) -> np.ndarray:
    """df/dx_1 of the chain at depths 1..len(x), by mpmath at ``dps`` digits (the truth).

    df/dx_1 = prod_i sigmoid'(z_i), z_i = h_{i-1} + x_i: the chain rule written out, evaluated
    in multiple precision at the (float32 or float64) values of ``x``. Returns float64.
    """
    import mpmath

    out = []
    with mpmath.workdps(dps):
        h, product = mpmath.mpf(0), mpmath.mpf(1)
        for xi in np.asarray(x, dtype=np.float64):
            s = 1 / (1 + mpmath.exp(-(h + mpmath.mpf(float(xi)))))
            product, h = product * s * (1 - s), s
            out.append(float(product))
    return np.asarray(out)


def _estimates(method: str, x0: np.ndarray) -> np.ndarray:
    """df/dx_1 by ``method`` at x0 for depths 1..len(x0) (one vmapped call), float64 (D,)."""
    record = methods.get(method)
    depth = x0.shape[0]

    def at_depth(d: jax.Array) -> jax.Array:
        objective = Objective("deep_chain", lambda x: masked_chain(x, d))
        return record.build(objective, depth, x0.dtype)(point)[0]

    point = jnp.asarray(x0)
    depths = jnp.arange(1, depth + 1)
    return np.asarray(jax.jit(jax.vmap(at_depth))(depths), dtype=np.float64)


def correct_digits(estimate: np.ndarray, exact: np.ndarray, dtype: str) -> np.ndarray:
    """-log10 of the relative error, clipped to [0, the dtype's digits] (exact: the maximum)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(estimate - exact) / np.abs(exact)
        digits = -np.log10(rel)
    digits = np.where(np.isfinite(estimate), digits, 0.0)
    clipped = np.clip(np.nan_to_num(digits, posinf=MAX_DIGITS[dtype]), 0.0, MAX_DIGITS[dtype])
    return clipped + 0.0  # no negative zeros


def digits_rows(depth: int) -> pd.DataFrame:
    """Correct digits of df/dx_1 (~0.25^n) by each method against mpmath, float32 and float64."""
    depths = np.arange(1, depth + 1)
    rows = []
    for dtype in ("float32", "float64"):
        x0 = digits_point(depth, dtype)
        exact = exact_first_partials(x0)
        for method in FD_METHODS:
            est = _estimates(method, x0)
            digits = correct_digits(est, exact, dtype)
            rows += [
                {"part": "digits", "activation": "sigmoid", "init": "jitter", "depth": int(n)}
                | {"dtype": dtype, "method": method, "grad_norm": float(est[k])}
                | {"exact": float(exact[k]), "digits": float(digits[k])}
                for k, n in enumerate(depths)
            ]
    return pd.DataFrame(rows)


# -- exploding gradients, with and without clipping ------------------------------------------------


def linear_chain(w: jax.Array) -> jax.Array:
    """(w_1 w_2 ... w_D - 1)^2: a depth-D scalar linear network fitting the target 1."""
    return (jnp.prod(w) - 1.0) ** 2


def sgd(learning_rate: Any) -> optax.GradientTransformation:
    """Plain gradient descent."""
    return optax.sgd(learning_rate)


def clipped_sgd(learning_rate: Any) -> optax.GradientTransformation:
    """Gradient descent on gradients clipped to global norm ``CLIP_NORM``."""
    return optax.chain(optax.clip_by_global_norm(CLIP_NORM), optax.sgd(learning_rate))


CLIP_START = 1.25
"""Every weight starts at 1.25: each layer multiplies the backward signal by more than one."""


def clipping_rows(depths: tuple[int, ...], lrs: tuple[float, ...], steps: int) -> pd.DataFrame:
    """Final loss and divergence of SGD with and without clipping, per depth and rate."""
    rows = []
    grad = jax.jit(jax.grad(linear_chain))
    for depth in depths:
        x0 = np.full(depth, CLIP_START)
        g0 = float(jnp.linalg.norm(grad(jnp.asarray(x0))))
        for clip, factory in (("none", sgd), ("global_norm", clipped_sgd)):
            res = optimize.minimize(
                linear_chain, factory, steps, x0=x0, lr=list(lrs), repeats=1, f_opt=0.0
            )
            rows += [
                {"part": "clipping", "activation": "linear", "init": "explode", "depth": depth}
                | {"dtype": res.dtype, "clip": clip, "lr": float(res.lr[r]), "steps": steps}
                | {"grad_norm": g0, "f_final": float(res.f_final[r])}
                | {"diverged": bool(res.diverged[r]), "run_status": str(res.status[r])}
                for r in range(res.runs)
            ]
    return pd.DataFrame(rows)
