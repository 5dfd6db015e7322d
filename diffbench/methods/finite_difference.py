"""Finite differences: each scheme is a stencil, and one engine evaluates any stencil.

A stencil approximates ``f'(x) ~ sum_k w_k f(x + o_k h) / h`` with truncation error
``O(h^order)``. ``forward``, ``backward``, ``central`` and ``central4`` are four stencils;
``complex_step`` is ``Im f(x + i h) / h``; ``richardson`` is the central stencil at steps
``h, h/2, h/4, ...`` extrapolated to ``h -> 0`` (Neville's table), with an error estimate.

Step rule. The step of coordinate i is ``h_i = step * max(1, |x_i|)``, rounded so that
``x_i + h_i`` is exactly representable. The default ``step`` balances truncation
(``~h^p``) against rounding (``~eps / h``): ``step = eps^(1/(p+1))`` for a scheme of order
``p`` in the dtype of x (``eps`` = machine epsilon). A user ``step=`` replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._engine import map_directions
from ._method import Method, Skipped


@dataclass(frozen=True)
class Stencil:
    """First-derivative stencil: offsets ``o_k`` (in steps), weights ``w_k``, and its order."""

    offsets: tuple[float, ...]
    weights: tuple[float, ...]
    order: int


STENCILS: dict[str, Stencil] = {
    "forward": Stencil((0.0, 1.0), (-1.0, 1.0), 1),
    "backward": Stencil((-1.0, 0.0), (-1.0, 1.0), 1),
    "central": Stencil((-1.0, 1.0), (-0.5, 0.5), 2),
    "central4": Stencil((-2.0, -1.0, 1.0, 2.0), (1 / 12, -8 / 12, 8 / 12, -1 / 12), 4),
}


def default_step(order: int, dtype: Any) -> float:
    """Return ``eps^(1/(order+1))`` for ``dtype``: the step balancing truncation and rounding."""
    return float(np.finfo(dtype).eps ** (1.0 / (order + 1)))


def coordinate_steps(x: jax.Array, step: Any) -> jax.Array:
    """Return ``h_i = step * max(1, |x_i|)``, each rounded so ``x_i + h_i`` is representable."""
    h = jnp.asarray(step, dtype=x.dtype) * jnp.maximum(jnp.ones_like(x), jnp.abs(x))
    return (x + h) - x


def stencil_gradient(f: Callable, x: jax.Array, stencil: Stencil, step: Any) -> jax.Array:
    """Return the stencil's gradient estimate of ``f`` at ``x`` (same dtype as ``x``)."""
    h = coordinate_steps(x, step)
    centre = sum(w for o, w in zip(stencil.offsets, stencil.weights, strict=True) if o == 0.0)
    f0 = f(x) if centre else None
    moves = [(o, w) for o, w in zip(stencil.offsets, stencil.weights, strict=True) if o != 0.0]

    def partial(i: Any) -> jax.Array:
        total = centre * f0 if f0 is not None else jnp.zeros((), x.dtype)
        for offset, weight in moves:
            total = total + weight * f(x.at[i].add(offset * h[i]))
        return total / h[i]

    return map_directions(partial, x)


def complex_step_gradient(f: Callable, x: jax.Array, step: Any) -> jax.Array:
    """Return ``Im f(x + i h e_j) / h`` for every j: no subtraction, so no cancellation."""
    complex_dtype = jnp.complex128 if x.dtype == jnp.float64 else jnp.complex64
    xc = x.astype(complex_dtype)
    h = jnp.asarray(step, dtype=x.dtype) * jnp.maximum(jnp.ones_like(x), jnp.abs(x))

    def partial(i: Any) -> jax.Array:
        shift = jax.lax.complex(jnp.zeros((), x.dtype), h[i])
        return jnp.imag(f(xc.at[i].add(shift))) / h[i]

    return map_directions(partial, x)


def richardson_table(
    f: Callable, x: jax.Array, step: Any, levels: int
) -> tuple[jax.Array, jax.Array]:
    """Return the extrapolated gradient and its error estimate (both shaped like ``x``).

    Central differences at steps ``step / 2^j`` (j < levels) fill the first column of
    Neville's table; column k cancels the ``h^(2k)`` error term. The estimate is the change
    made by the last extrapolation, ``|R[m-1, m-1] - R[m-1, m-2]|``.
    """
    column = [
        stencil_gradient(f, x, STENCILS["central"], jnp.asarray(step, x.dtype) / 2.0**j)
        for j in range(levels)
    ]
    previous = column[-1]
    for k in range(1, levels):
        factor = 4.0**k - 1.0
        column = [column[j] + (column[j] - column[j - 1]) / factor for j in range(1, len(column))]
        if k < levels - 1:
            previous = column[-1]
    best = column[-1]
    return best, jnp.abs(best - previous)


# -- factories: objective -> gradient function ------------------------------------------------


def _resolve_step(step: Any, order: int, dtype: Any) -> Any:
    return default_step(order, dtype) if step is None else step


def _stencil_factory(name: str) -> Callable:
    stencil = STENCILS[name]

    def factory(objective, n, dtype, step=None):
        h = _resolve_step(step, stencil.order, dtype)
        return lambda x: stencil_gradient(objective.jax_fn, x, stencil, h)

    return factory


COMPLEX_STEP = {np.dtype(np.float64): 1e-20, np.dtype(np.float32): 1e-10}


def _complex_step_factory(objective, n, dtype, step=None):
    tf = objective.definition
    if tf is not None and not tf.analytic:
        raise Skipped(f"complex_step needs an analytic function; {tf.name} is not (abs/max/where).")
    h = COMPLEX_STEP[np.dtype(dtype)] if step is None else step
    return lambda x: complex_step_gradient(objective.jax_fn, x, h)


RICHARDSON_LEVELS = 3


def richardson_default_step(dtype: Any, levels: int = RICHARDSON_LEVELS) -> float:
    """Return the default base step of ``richardson``: ``2 eps^(1/(2 levels + 1))``."""
    return 2.0 * default_step(2 * levels, dtype)


def _richardson_factory(objective, n, dtype, step=None, levels=RICHARDSON_LEVELS):
    if levels < 2:
        raise Skipped(f"richardson needs levels >= 2; got levels={levels}.")
    h = richardson_default_step(dtype, levels) if step is None else step
    return lambda x: richardson_table(objective.jax_fn, x, h, levels)[0]


def _richardson_error_factory(objective, n, dtype, step=None, levels=RICHARDSON_LEVELS):
    h = richardson_default_step(dtype, levels) if step is None else step
    return lambda x: richardson_table(objective.jax_fn, x, h, levels)


_DESCRIPTIONS = {
    "forward": "forward difference (f(x+h) - f(x)) / h, order 1",
    "backward": "backward difference (f(x) - f(x-h)) / h, order 1",
    "central": "central difference (f(x+h) - f(x-h)) / 2h, order 2",
    "central4": "five-point central difference, order 4",
}

METHODS = [
    Method(
        name,
        "finite_difference",
        _stencil_factory(name),
        STENCILS[name].order,
        defaults={"step": None},
        description=_DESCRIPTIONS[name],
    )
    for name in STENCILS
] + [
    Method(
        "complex_step",
        "finite_difference",
        _complex_step_factory,
        2,
        defaults={"step": None},
        description="Im f(x + ih) / h; exact to rounding, analytic f only",
    ),
    Method(
        "richardson",
        "finite_difference",
        _richardson_factory,
        2 * RICHARDSON_LEVELS,
        defaults={"step": None, "levels": RICHARDSON_LEVELS},
        description="central differences at h, h/2, h/4 extrapolated (Neville), error estimate",
    ),
]
