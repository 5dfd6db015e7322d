"""Expectations as integrals, and gradients of expectations (``expectations``).

Seed text 002 ("Integrals ... expected values"): the standard normal density integrates to 1
and E[X] = integral of x f(x) dx = 0. Part ``integrals`` computes E[g(X)], X ~ N(0, 1), for
the g of ``INTEGRANDS`` (g = 1 is the density's integral, g = x the mean) by four rules, each
a set of nodes x_i and weights w_i with E[g] ~ sum w_i g(x_i), against evaluations N:

- ``trapezoid`` on [-``SPAN``, ``SPAN``], weights h * density (the registry's
  ``normal_density``);
- ``gauss_hermite``: probabilists' Gauss-Hermite (``numpy.polynomial.hermite_e``), exact for
  polynomials of degree < 2N;
- ``monte_carlo``: N draws of ``jax.random.normal``, weights 1/N, ``REPEATS`` seeds;
- ``qmc``: N scrambled Sobol points (``scipy.stats.qmc``) through the normal quantile
  (``jax.scipy.special.ndtri``), ``REPEATS`` scramblings.

Part ``gradients``: d/dmu and d/dsigma of E[g(X)], X ~ N(mu, sigma^2), by the
reparameterisation estimator (differentiate g(mu + sigma eps) with ``jax.grad``) and the score-
function estimator (g(x) times the gradient of log p(x), also by ``jax.grad``), each the mean
over S samples; their variance over ``GRAD_REPEATS`` seeds (vmapped) against S, beside the
exact gradient (closed forms in ``GRADIENT_INTEGRANDS``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from jax.scipy.special import ndtri
from numpy.polynomial import hermite_e
from scipy.stats import qmc

from .. import functions

E = float(np.e)
INTEGRANDS: dict[str, tuple[Callable[[Any], Any], float]] = {
    "density": (lambda x: jnp.ones_like(x), 1.0),
    "mean": (lambda x: x, 0.0),
    "x^2": (lambda x: x**2, 1.0),
    "x^4": (lambda x: x**4, 3.0),
    "cos": (jnp.cos, float(np.exp(-0.5))),
    "exp": (jnp.exp, float(np.exp(0.5))),
}
"""name: (g, E[g(X)] for X ~ N(0, 1)), closed forms: the moments 1, 0, 1, 3; the normal's
characteristic function at 1, e^(-1/2); its moment-generating function at 1, e^(1/2)."""

SPAN = 10.0
RULES = ("trapezoid", "gauss_hermite", "monte_carlo", "qmc")

MU, SIGMA = 0.5, 1.0
GRADIENT_INTEGRANDS: dict[str, tuple[Callable[[Any], Any], Callable[[float, float], tuple]]] = {
    "x^2": (lambda x: x**2, lambda m, s: (2 * m, 2 * s)),
    "cos": (
        jnp.cos,
        lambda m, s: (-np.sin(m) * np.exp(-(s**2) / 2), -s * np.cos(m) * np.exp(-(s**2) / 2)),
    ),
}
"""name: (g, exact (d/dmu, d/dsigma) of E[g(X)], X ~ N(mu, sigma^2)): E[X^2] = mu^2 + sigma^2,
E[cos X] = cos(mu) e^(-sigma^2 / 2)."""

SIZES = {
    "default": {"log2_n": range(1, 13), "hermite": (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)}
    | {"repeats": 32, "samples": (1, 4, 16, 64, 256, 1024), "grad_repeats": 512},
    "small": {"log2_n": range(1, 6), "hermite": (1, 2, 4, 8)}
    | {"repeats": 4, "samples": (1, 16), "grad_repeats": 16},
}


def run(size: str) -> pd.DataFrame:
    """Return the ``integrals`` and ``gradients`` rows."""
    cfg = SIZES[size]
    return pd.concat([integral_rows(cfg), gradient_rows(cfg)], ignore_index=True)


# -- nodes and weights ---------------------------------------------------------------------------


@jax.jit
def _density(x: jax.Array) -> jax.Array:
    tf = functions.get("normal_density")
    return jax.vmap(lambda t: tf.fn(jnp, t[None]))(x)


def density(x: Any) -> np.ndarray:
    """The registry's ``normal_density`` at every entry of 1-D ``x`` (float64)."""
    return np.asarray(_density(jnp.asarray(x, jnp.float64)))


def trapezoid(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Trapezoid nodes on [-SPAN, SPAN] and weights h * density (halved at the ends), (1, n)."""
    x = np.linspace(-SPAN, SPAN, n)
    h = 2 * SPAN / (n - 1) if n > 1 else 2 * SPAN
    w = np.full(n, h)
    w[[0, -1]] /= 2
    return x[None, :], (w * np.asarray(density(x)))[None, :]


def gauss_hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Probabilists' Gauss-Hermite nodes and weights for E[g(X)], X ~ N(0, 1), shape (1, n).

    ``hermegauss`` integrates against exp(-x^2/2); times exp(x^2/2) times the density turns
    its weights into weights against the registry's density (1/sqrt(2 pi) each).
    """
    x, w = hermite_e.hermegauss(n)
    return x[None, :], (w * np.exp(x**2 / 2) * np.asarray(density(x)))[None, :]


def monte_carlo(n: int, repeats: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """``repeats`` independent sets of n standard normal draws, weights 1/n, shape (R, n)."""
    keys = jax.random.split(jax.random.key(n), repeats)
    x = np.asarray(_normal_draws(keys, width))[:, :n]
    return x, np.full((repeats, n), 1.0 / n)


@functools.partial(jax.jit, static_argnums=1)
def _normal_draws(keys: jax.Array, width: int) -> jax.Array:
    return jax.vmap(lambda k: jax.random.normal(k, (width,), jnp.float64))(keys)


def sobol_normal(n: int, repeats: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """``repeats`` scrambled Sobol sets of n points mapped by the normal quantile, (R, n)."""
    m = int(np.log2(n))
    u = np.full((repeats, width), 0.5)
    for r in range(repeats):
        u[r, :n] = qmc.Sobol(1, scramble=True, seed=r).random_base2(m)[:, 0]
    return np.asarray(_quantile(jnp.asarray(u)))[:, :n], np.full((repeats, n), 1.0 / n)


@jax.jit
def _quantile(u: jax.Array) -> jax.Array:
    return ndtri(u)


@jax.jit
def _estimates(x: jax.Array, w: jax.Array) -> jax.Array:
    """sum_i w_i g(x_i) for every integrand g, over the last axis: shape (..., len(INTEGRANDS))."""
    return jnp.stack([jnp.sum(w * g(x), axis=-1) for g, _ in INTEGRANDS.values()], axis=-1)


def _nodes(rule: str, n: int, repeats: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    if rule == "trapezoid":
        return trapezoid(n)
    if rule == "gauss_hermite":
        return gauss_hermite(n)
    if rule == "monte_carlo":
        return monte_carlo(n, repeats, width)
    return sobol_normal(n, repeats, width)


def rule_estimates(rule: str, sizes: list[int], repeats: int) -> np.ndarray:
    """Estimates of every integrand by ``rule`` at every size, shape (sizes, R, integrands).

    Node sets are padded to the largest size with zero weights, so every size of a rule is
    one vmapped evaluation of one compiled function.
    """
    width = max(sizes)
    sets = [_nodes(rule, n, repeats, width) for n in sizes]
    rows = max(x.shape[0] for x, _ in sets)
    x = np.zeros((len(sizes), rows, width))
    w = np.zeros((len(sizes), rows, width))
    for k, (xs, ws) in enumerate(sets):
        x[k, :, : xs.shape[1]], w[k, :, : ws.shape[1]] = xs, ws
    return np.asarray(_estimates(jnp.asarray(x), jnp.asarray(w)))


def integral_rows(cfg: dict[str, Any]) -> pd.DataFrame:
    """Estimate, error and (random rules) RMSE over repeats for every rule, N and integrand."""
    rows = []
    for rule in RULES:
        sizes = list(cfg["hermite"]) if rule == "gauss_hermite" else [2**k for k in cfg["log2_n"]]
        est_all = rule_estimates(rule, sizes, cfg["repeats"])
        for n, est in zip(sizes, est_all, strict=True):
            for j, (name, (_, exact)) in enumerate(INTEGRANDS.items()):
                err = est[:, j] - exact
                rows.append(
                    {"part": "integrals", "rule": rule, "integrand": name, "evaluations": n}
                    | {"estimate": float(np.mean(est[:, j])), "exact": exact}
                    | {"abs_err": float(np.median(np.abs(err)))}
                    | {"rmse": float(np.sqrt(np.mean(err**2))), "repeats": int(est.shape[0])}
                )
    return pd.DataFrame(rows)


# -- gradients of expectations ---------------------------------------------------------------------


def log_normal_pdf(x: jax.Array, theta: jax.Array) -> jax.Array:
    """log p(x; mu, sigma) of N(mu, sigma^2), theta = (mu, sigma)."""
    mu, sigma = theta[0], theta[1]
    return -0.5 * ((x - mu) / sigma) ** 2 - jnp.log(sigma) - 0.5 * jnp.log(2 * jnp.pi)


def reparam_gradient(g: Callable, theta: jax.Array, eps: jax.Array, w: jax.Array) -> jax.Array:
    """Gradient of sum_i w_i g(mu + sigma eps_i) (w: 1/S on S draws) in theta = (mu, sigma)."""
    return jax.grad(lambda t: jnp.sum(w * g(t[0] + t[1] * eps)))(theta)


def score_gradient(g: Callable, theta: jax.Array, eps: jax.Array, w: jax.Array) -> jax.Array:
    """sum_i w_i g(x_i) grad log p(x_i; theta), x = mu + sigma eps held fixed (score function)."""
    x = jax.lax.stop_gradient(theta[0] + theta[1] * eps)
    return jax.grad(lambda t: jnp.sum(w * g(x) * log_normal_pdf(x, t)))(theta)


ESTIMATORS = {"reparameterisation": reparam_gradient, "score_function": score_gradient}


def gradient_estimates(name: str, estimator: str, samples: list[int], repeats: int) -> np.ndarray:
    """``repeats`` estimates from S draws for every S of ``samples``, shape (len(samples), R, 2).

    Every S uses the first S of the same ``max(samples)`` draws of each repeat (weights 1/S on
    them, 0 after), so all sizes are one vmapped call of one compiled function.
    """
    width = max(samples)
    w = np.zeros((len(samples), width))
    for k, s in enumerate(samples):
        w[k, :s] = 1.0 / s
    theta = jnp.asarray([MU, SIGMA], jnp.float64)
    keys = jax.random.split(jax.random.key(3), repeats)
    eps = _normal_draws(keys, width)
    return np.asarray(_vmapped_estimator(name, estimator)(theta, eps, jnp.asarray(w)))


_COMPILED: dict[tuple[str, str], Any] = {}


def _vmapped_estimator(name: str, estimator: str) -> Any:
    """The jitted estimator of (integrand, estimator), vmapped over sizes and repeats."""
    if (name, estimator) not in _COMPILED:
        g, _ = GRADIENT_INTEGRANDS[name]
        fn = ESTIMATORS[estimator]
        over_repeats = jax.vmap(lambda t, e, w: fn(g, t, e, w), in_axes=(None, 0, None))
        over_sizes = jax.vmap(over_repeats, in_axes=(None, None, 0))
        _COMPILED[(name, estimator)] = jax.jit(over_sizes)
    return _COMPILED[(name, estimator)]


def gradient_rows(cfg: dict[str, Any]) -> pd.DataFrame:
    """Mean, variance, bias and RMSE of both estimators against samples, per parameter."""
    rows = []
    for name, (_, exact_fn) in GRADIENT_INTEGRANDS.items():
        exact = exact_fn(MU, SIGMA)
        for estimator in ESTIMATORS:
            samples = list(cfg["samples"])
            all_est = gradient_estimates(name, estimator, samples, cfg["grad_repeats"])
            for s, est in zip(samples, all_est, strict=True):
                for j, param in enumerate(("mu", "sigma")):
                    var = float(np.var(est[:, j], ddof=1))
                    rows.append(
                        {"part": "gradients", "integrand": name, "estimator": estimator}
                        | {"param": param, "samples": s, "repeats": int(est.shape[0])}
                        | {"estimate": float(np.mean(est[:, j])), "exact": float(exact[j])}
                        | {"variance": var, "bias": float(np.mean(est[:, j]) - exact[j])}
                        | {"rmse": float(np.sqrt(np.mean((est[:, j] - exact[j]) ** 2)))}
                    )
    return pd.DataFrame(rows)
