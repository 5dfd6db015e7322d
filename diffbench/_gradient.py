"""The public differentiation API: ``gradient``, ``hessian``, ``jvp``, ``hvp``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax

from . import methods
from ._checks import check_direction, check_point
from ._objective import Objective, as_objective
from ._x64 import x64
from .methods.finite_difference import _richardson_error_factory
from .methods.hessian import hvp as _hvp


def _freeze(params: dict[str, Any]) -> tuple:
    return tuple(sorted(params.items()))


@functools.lru_cache(maxsize=512)
def compiled(
    objective: Objective, method: str, what: str, n: int, dtype: Any, frozen: tuple
) -> Callable:
    """Return the jitted derivative function of ``objective`` (cached: one trace per shape)."""
    record = methods.get(method, what)
    fn = record.build(objective, n, dtype, **dict(frozen))
    return jax.jit(fn) if record.jittable else fn


@x64
def gradient(f: Any, x: Any, method: str = "reverse_ad", **params: Any) -> jax.Array:
    """Return the gradient of ``f`` at ``x`` by ``method``, same shape and dtype as ``x``.

    Args:
        f: a registry name, a ``TestFunction``, or a callable ``f(x) -> scalar`` in jax.numpy.
        x: a 1-D float32 or float64 array.
        method: one of ``diffbench.methods.names()``.
        **params: the method's parameters, e.g. ``step=1e-6`` (relative step of a finite
            difference: ``h_i = step * max(1, |x_i|)``) or ``num_steps=8`` for ``richardson``.

    Example:
        >>> import diffbench, numpy as np
        >>> diffbench.gradient("sphere", np.array([1.0, -2.0]), method="central")
        Array([ 2., -4.], dtype=float64)
    """
    objective = as_objective(f)
    x = check_point(x)
    fn = compiled(objective, method, "gradient", x.shape[0], x.dtype, _freeze(params))
    out = fn(x)
    return out if isinstance(out, jax.Array) else jax.numpy.asarray(out, dtype=x.dtype)


@x64
def gradient_with_error(f: Any, x: Any, **params: Any) -> tuple[jax.Array, jax.Array]:
    """Return ``richardson``'s gradient and its error estimate (both shaped like ``x``).

    The estimate is the one the method minimized for each coordinate: the truncation
    (distance between neighbouring extrapolations) plus the rounding of f.

    Example:
        >>> import diffbench, numpy as np
        >>> grad, err = diffbench.gradient_with_error("sphere", np.array([1.0, -2.0]))
        >>> [round(float(g), 9) for g in grad], bool(np.asarray(err).max() < 1e-9)
        ([2.0, -4.0], True)
    """
    objective = as_objective(f)
    x = check_point(x)
    return _richardson_error_jit(objective, x.shape[0], x.dtype, _freeze(params))(x)


@functools.lru_cache(maxsize=128)
def _richardson_error_jit(objective, n, dtype, frozen):
    record = methods.get("richardson")
    record.build(objective, n, dtype, **dict(frozen))  # validates the parameters
    return jax.jit(_richardson_error_factory(objective, n, dtype, **dict(frozen)))


@x64
def hessian(f: Any, x: Any, method: str = "forward_over_reverse", **params: Any) -> jax.Array:
    """Return the n x n Hessian of ``f`` at ``x`` by ``method`` (``methods.names("hessian")``).

    Example:
        >>> import diffbench, numpy as np
        >>> diffbench.hessian("sphere", np.array([1.0, 2.0]))
        Array([[2., 0.],
               [0., 2.]], dtype=float64)
    """
    objective = as_objective(f)
    x = check_point(x)
    return compiled(objective, method, "hessian", x.shape[0], x.dtype, _freeze(params))(x)


@x64
def jvp(f: Any, x: Any, v: Any) -> jax.Array:
    """Return the directional derivative ``grad f(x) . v`` (a scalar) by one forward-mode jvp."""
    objective = as_objective(f)
    x = check_point(x)
    return _jvp_jit(objective)(x, check_direction(v, x))


@x64
def hvp(f: Any, x: Any, v: Any) -> jax.Array:
    """Return the Hessian-vector product ``H(x) v`` (forward-over-reverse), shaped like ``x``."""
    objective = as_objective(f)
    x = check_point(x)
    return _hvp_jit(objective)(x, check_direction(v, x))


@functools.lru_cache(maxsize=128)
def _jvp_jit(objective: Objective) -> Callable:
    return jax.jit(lambda x, v: jax.jvp(objective.jax_fn, (x,), (v,))[1])


@functools.lru_cache(maxsize=128)
def _hvp_jit(objective: Objective) -> Callable:
    return jax.jit(lambda x, v: _hvp(objective.jax_fn, x, v))
