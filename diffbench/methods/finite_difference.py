"""Finite differences: each scheme is a stencil, and one engine evaluates any stencil.

A stencil approximates ``f'(x) ~ sum_k w_k f(x + o_k h) / h`` with truncation error
``O(h^order)``. ``forward``, ``backward``, ``central`` and ``central4`` are four stencils;
``complex_step`` is ``Im f(x + i h) / h``; ``richardson`` is the central stencil at steps
``h, h/2, h/4, ...`` extrapolated to ``h -> 0`` (Neville's table) and, per coordinate, the
extrapolation whose estimated error (truncation plus rounding) is smallest.

Step rule. The step of coordinate i is ``h_i = step * max(1, |x_i|)``, rounded so that
``x_i + h_i`` is exactly representable. The default ``step`` balances truncation
(``~h^p``) against rounding (``~eps / h``): ``step = eps^(1/(p+1))`` for a scheme of order
``p`` in the dtype of x (``eps`` = machine epsilon), times the stencil's ``step_scale``
(1, except ``central4``: 1/6, see ``CENTRAL4_STEP_SCALE``). A user ``step=`` replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._lazy import LazyModule
from ._engine import evaluate_shifted
from ._method import Method, Skipped

jax = LazyModule("jax")
jnp = LazyModule("jax.numpy")


@dataclass(frozen=True)
class Stencil:
    """First-derivative stencil: offsets ``o_k`` (in steps), weights ``w_k``, its order, and
    ``step_scale``, the factor on the balanced step ``eps^(1/(order+1))`` of its default."""

    offsets: tuple[float, ...]
    weights: tuple[float, ...]
    order: int
    step_scale: float = 1.0


CENTRAL4_STEP_SCALE = 1 / 6
"""``central4``'s default step is a sixth of its balanced step ``eps^(1/5)``.

The relative rule takes the function's length scale to be ``max(1, |x_i|)``. Where the scale
is R times shorter (ackley at x = 16.4: its cosine has period 1, so R ~ 2 pi 16.4 ~ 100;
griewank at x = 300), truncation grows as R^4 for ``central4`` but R^2 for ``central``, so
the balanced step cost ``central4`` twice the digits it cost ``central`` (float64 ackley,
n = 2: 5.5 against 7.9 digits; float32: 0 against 2.1). Measured at every point of the
built-in suites (``benchmarks/fd_rules.py``), a sixth keeps ``central4`` within a digit of
``central`` everywhere; it costs up to log10(6) = 0.8 digit of rounding where the scale is
right (float64: 11.7 digits at the median suite point instead of 12.0), and keeps the error
at the default within 10x of the best of a step sweep on functions of unit scale.
"""

STENCILS: dict[str, Stencil] = {
    "forward": Stencil((0.0, 1.0), (-1.0, 1.0), 1),
    "backward": Stencil((-1.0, 0.0), (-1.0, 1.0), 1),
    "central": Stencil((-1.0, 1.0), (-0.5, 0.5), 2),
    "central4": Stencil(
        (-2.0, -1.0, 1.0, 2.0), (1 / 12, -8 / 12, 8 / 12, -1 / 12), 4, CENTRAL4_STEP_SCALE
    ),
}


def default_step(order: int, dtype: Any) -> float:
    """Return ``eps^(1/(order+1))`` for ``dtype``: the step balancing truncation and rounding."""
    return float(np.finfo(dtype).eps ** (1.0 / (order + 1)))


def stencil_step(stencil: Stencil, dtype: Any) -> float:
    """Return the stencil's default relative step in ``dtype``: ``step_scale eps^(1/(p+1))``."""
    return stencil.step_scale * default_step(stencil.order, dtype)


def coordinate_steps(x: jax.Array, step: Any) -> jax.Array:
    """Return ``h_i = step * max(1, |x_i|)``, each rounded so ``x_i + h_i`` is representable."""
    h = jnp.asarray(step, dtype=x.dtype) * jnp.maximum(jnp.ones_like(x), jnp.abs(x))
    return (x + h) - x


def stencil_gradient(
    f: Callable, x: jax.Array, stencil: Stencil, step: Any, first: Any = 0, count: int | None = None
) -> jax.Array:
    """Return the stencil's gradient estimate of ``f`` at ``x`` (same dtype as ``x``).

    With ``count``, only coordinates ``first ... first + count - 1``: one device's share of
    the directions over a mesh (``diffbench.distributed``).
    """
    h = coordinate_steps(x, step)
    pairs = list(zip(stencil.offsets, stencil.weights, strict=True))
    moves = [(o, w) for o, w in pairs if o != 0.0]
    centre = sum(w for o, w in pairs if o == 0.0)
    offsets = jnp.asarray([o for o, _ in moves], dtype=x.dtype)
    weights = jnp.asarray([w for _, w in moves], dtype=x.dtype)
    values = evaluate_shifted(f, x, offsets[:, None] * h[None, :], first, count)  # (K, n)
    total = jnp.tensordot(weights, values, axes=1)
    if centre:
        total = total + centre * f(x)
    return total / (h if count is None else jax.lax.dynamic_slice(h, (first,), (count,)))


def complex_step_gradient(f: Callable, x: jax.Array, step: Any) -> jax.Array:
    """Return ``Im f(x + i h e_j) / h`` for every j: no subtraction, so no cancellation."""
    complex_dtype = jnp.complex128 if x.dtype == jnp.float64 else jnp.complex64
    h = jnp.asarray(step, dtype=x.dtype) * jnp.maximum(jnp.ones_like(x), jnp.abs(x))
    shifts = jax.lax.complex(jnp.zeros_like(h), h).astype(complex_dtype)[None, :]
    return jnp.imag(evaluate_shifted(f, x, shifts)[0]) / h


def central_sequence(f: Callable, x: jax.Array, steps: list[Any]) -> tuple[jax.Array, jax.Array]:
    """Return central differences at each relative step (shape ``(J, n)``) and the steps ``h``.

    All 2J shifted points per coordinate are evaluated in one batch.
    """
    hs = jnp.stack([coordinate_steps(x, jnp.asarray(s, x.dtype)) for s in steps])  # (J, n)
    shifts = jnp.stack([hs, -hs], axis=1).reshape(-1, x.shape[0])  # +h0, -h0, +h1, ...
    values = evaluate_shifted(f, x, shifts).reshape(len(steps), 2, x.shape[0])
    return (values[:, 0] - values[:, 1]) / (2 * hs), hs


def neville_columns(first: jax.Array, ratio: float, depth: int) -> list[jax.Array]:
    """Return Neville's table by columns: column k (shape ``(J - k, n)``) cancels ``h^(2k)``.

    ``first`` holds central differences at steps ``h, h/ratio, h/ratio^2, ...``.
    """
    columns = [first]
    for k in range(1, depth):
        prev = columns[-1]
        columns.append(prev[1:] + (prev[1:] - prev[:-1]) / (ratio ** (2 * k) - 1.0))
    return columns


def richardson_table(
    f: Callable, x: jax.Array, step: Any, levels: int, ratio: float = 2.0
) -> tuple[jax.Array, jax.Array]:
    """Return classic Richardson extrapolation and its error estimate (both shaped like ``x``).

    Central differences at steps ``step / ratio^j`` (j < levels) fill Neville's table; the
    estimate is the change made by the last extrapolation.
    """
    first, _ = central_sequence(f, x, [step * ratio**-j for j in range(levels)])
    columns = neville_columns(first, ratio, levels)
    best = columns[-1][0]
    previous = columns[-2][-1] if levels > 1 else best
    return best, jnp.abs(best - previous)


def adaptive_richardson(
    f: Callable,
    x: jax.Array,
    step: Any,
    num_steps: int,
    levels: tuple[int, ...],
    ratio: float = 2.0,
) -> tuple[jax.Array, jax.Array]:
    """Return the best Richardson estimate per coordinate and its error estimate.

    Central differences at ``num_steps`` steps ``step / ratio^j`` (one batch of f values)
    give, for every window of ``m`` consecutive steps and every ``m`` in ``levels``, an
    extrapolated candidate. Each candidate's error is estimated as truncation (its distance
    to the neighbouring window's candidate of the same order) plus rounding
    (``eps |f(x)| 2^m / h`` with h the window's smallest step); each coordinate takes the
    candidate with the smallest estimate. This is numdifftools' strategy, vectorized.
    """
    first, hs = central_sequence(f, x, [step * ratio**-j for j in range(num_steps)])
    columns = neville_columns(first, ratio, max(levels))
    noise = jnp.finfo(x.dtype).eps * jnp.abs(f(x))
    candidates, estimates = [], []
    for m in levels:
        column = columns[m - 1]  # window j covers steps j .. j + m - 1
        rounding = noise * 2.0**m / hs[m - 1 :]
        candidates.append(column)
        estimates.append(_spread(column) + rounding)
    candidates, estimates = jnp.concatenate(candidates), jnp.concatenate(estimates)
    estimates = jnp.where(jnp.isfinite(candidates) & jnp.isfinite(estimates), estimates, jnp.inf)
    pick = jnp.argmin(estimates, axis=0)[None, :]
    best = jnp.take_along_axis(candidates, pick, axis=0)[0]
    estimate = jnp.take_along_axis(estimates, pick, axis=0)[0]
    return best, jnp.maximum(estimate, _ladder_check(best, first, hs, noise))


def _ladder_check(best: jax.Array, first: jax.Array, hs: jax.Array, noise: jax.Array) -> jax.Array:
    """Return how far ``best`` strays from the plain central difference at the smallest step,
    beyond that difference's own error (3x its change from the step before, plus rounding).

    When the ladder starts far above the function's scale (steps across many periods of an
    oscillation), extrapolations can agree with each other on a wrong value; the smallest
    step is then the one still on the function's scale, and this is how the estimate says so.
    """
    if first.shape[0] < 2:
        return jnp.zeros_like(best)
    own = 3.0 * jnp.abs(first[-1] - first[-2]) + 2.0 * noise / hs[-1]
    return jnp.maximum(jnp.abs(best - first[-1]) - own, 0.0)


def _spread(column: jax.Array) -> jax.Array:
    """Return each window's truncation estimate: its largest distance to either neighbour.

    Far from the asymptotic range (a step beyond the period of an oscillation) two adjacent
    extrapolations can agree by accident, three rarely do; so a window is judged by both
    neighbours. The window of the largest steps has one neighbour: it is judged by three
    windows too (its distance to the next and the next's to the one after), doubled, since
    all of it is seen from one side. It is the least rounded candidate, the one to take
    where rounding dominates (float32 at n = 100: sigmoid, styblinski_tang and categorical
    cross-entropy lost 0.4-0.5 digit to ``central`` while it was no candidate). The window
    of the smallest steps, the most rounded, is not a candidate when a column has three
    windows or more.
    """
    if column.shape[0] == 1:
        return jnp.zeros_like(column)
    after = jnp.abs(column[1:] - column[:-1])  # window j vs j + 1
    if column.shape[0] == 2:
        return jnp.concatenate([after, after])
    inner = jnp.maximum(after[1:], after[:-1])
    first = 2.0 * jnp.maximum(after[:1], after[1:2])
    last = jnp.full_like(after[:1], jnp.inf)
    return jnp.concatenate([first, inner, last])


# -- factories: objective -> gradient function ------------------------------------------------


def _stencil_factory(name: str) -> Callable:
    stencil = STENCILS[name]

    def factory(objective, n, dtype, step=None):
        h = stencil_step(stencil, dtype) if step is None else step
        return lambda x: stencil_gradient(objective.jax_fn, x, stencil, h)

    return factory


COMPLEX_STEP = {np.dtype(np.float64): 1e-20, np.dtype(np.float32): 1e-10}


def _complex_step_factory(objective, n, dtype, step=None):
    tf = objective.definition
    if tf is not None and not tf.analytic:
        raise Skipped(f"complex_step needs an analytic function; {tf.name} is not (abs/max/where).")
    h = COMPLEX_STEP[np.dtype(dtype)] if step is None else step
    return lambda x: complex_step_gradient(objective.jax_fn, x, h)


RICHARDSON_LEVELS = (2, 3, 4)
RICHARDSON_NUM_STEPS = 12
"""Adaptive Richardson: 12 steps halving from ``richardson_start``, extrapolated 2-4 levels deep."""


def richardson_start(dtype: Any, levels: Any = RICHARDSON_LEVELS) -> float:
    """Return the first (largest) relative step of the Richardson ladder for ``dtype``.

    Half the step that balances truncation and rounding for the deepest extrapolation
    (order ``2 max(levels)``): ``eps^(1/(2L+1)) / 2``, 9e-3 in float64 and 0.085 in float32.
    Halving 11 times brings the ladder below the central step eps^(1/3) in both dtypes, so it
    brackets the scale where a plain central difference is best. The former fixed start, 0.5,
    was wider than the period of rastrigin, ackley and griewank far from the origin, where
    every extrapolation agreed on a wrong value (float32 ackley: 0.04 digits).
    """
    deepest = max((levels,) if isinstance(levels, int) else tuple(levels))
    return default_step(2 * deepest, dtype) / 2


def _richardson_parts(objective, step, num_steps, levels):
    levels = (levels,) if isinstance(levels, int) else tuple(levels)
    if min(levels) < 1 or max(levels) > num_steps:
        raise Skipped(f"richardson needs 1 <= levels <= num_steps={num_steps}; got {levels}.")

    def parts(x: jax.Array) -> tuple[jax.Array, jax.Array]:
        h = richardson_start(x.dtype, levels) if step is None else step
        return adaptive_richardson(objective.jax_fn, x, h, num_steps, levels)

    return parts


def _richardson_factory(
    objective, n, dtype, step=None, num_steps=RICHARDSON_NUM_STEPS, levels=RICHARDSON_LEVELS
):
    parts = _richardson_parts(objective, step, num_steps, levels)
    return lambda x: parts(x)[0]


def _richardson_error_factory(
    objective, n, dtype, step=None, num_steps=RICHARDSON_NUM_STEPS, levels=RICHARDSON_LEVELS
):
    return _richardson_parts(objective, step, num_steps, levels)


# -- variants: each method at one given step (step sweeps) ------------------------------------


def _stencil_sweep(name: str) -> Callable:
    stencil = STENCILS[name]

    def sweep(f: Callable, x: jax.Array, step: Any, levels: int) -> jax.Array:
        return stencil_gradient(f, x, stencil, step)

    return sweep


def _complex_step_sweep(f: Callable, x: jax.Array, step: Any, levels: int) -> jax.Array:
    return complex_step_gradient(f, x, step)


def _richardson_sweep(f: Callable, x: jax.Array, step: Any, levels: int) -> jax.Array:
    """Classic Richardson at ``step, step/2, ...`` (one table's V-curve, not the adaptive pick)."""
    return richardson_table(f, x, step, levels)[0]


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
        sweep=_stencil_sweep(name),
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
        sweep=_complex_step_sweep,
    ),
    Method(
        "richardson",
        "finite_difference",
        _richardson_factory,
        2 * max(RICHARDSON_LEVELS),
        defaults={"step": None, "num_steps": RICHARDSON_NUM_STEPS, "levels": RICHARDSON_LEVELS},
        description="central differences at 12 steps, extrapolated, best per coordinate",
        sweep=_richardson_sweep,
        with_error=_richardson_error_factory,
    ),
]
