"""The public differentiation API: ``gradient``, ``hessian``, ``jvp``, ``hvp``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from . import methods
from ._cache import CompileCache
from ._checks import check_direction, check_point
from ._errors import DiffbenchError
from ._objective import Objective, as_objective
from ._x64 import x64
from .methods._method import Method, check_param
from .methods.hessian import hvp as _hvp

_CACHE = CompileCache()
"""Compiled derivatives: one per (function, method, n, dtype, static parameters)."""


def _hashable(value: Any) -> Any:
    return tuple(_hashable(v) for v in value) if isinstance(value, list | tuple) else value


def _freeze(params: dict[str, Any]) -> tuple:
    return tuple(sorted((k, _hashable(v)) for k, v in params.items()))


def _split(record: Method, params: dict[str, Any]) -> tuple[tuple, dict[str, float]]:
    """Check ``params``; return the static ones (frozen) and the runtime ones (floats)."""
    for key, value in params.items():
        check_param(record.name, key, value)
    runtime = {k: float(v) for k, v in params.items() if k in record.runtime and v is not None}
    return _freeze({k: v for k, v in params.items() if k not in runtime}), runtime


def _cached(objective: Objective, rest: tuple, build: Callable[[Objective], Callable]) -> Callable:
    """Return ``build(objective)`` from the cache (see ``diffbench._cache``)."""
    if objective.definition is not None or objective.finite_sum:  # keyed by their identity
        return _CACHE.lookup(("definition", objective, rest), lambda: build(objective))
    return _CACHE.get(objective.jax_fn, rest, lambda fn: build(Objective(objective.name, fn, None)))


def compiled(
    objective: Objective, method: str, what: str, n: int, dtype: Any, frozen: tuple
) -> Callable:
    """Return the jitted derivative ``fn(x, runtime)`` of ``objective`` (cached).

    ``frozen`` holds the static parameters; ``runtime`` (a dict, e.g. ``{"step": 1e-6}``)
    the parameters that are arguments of the compiled function (``Method.runtime``), so a
    new value does not compile again. One trace per shape and static parameters.
    """
    record = methods.get(method, what)
    rest = (record.name, what, n, np.dtype(dtype).name, frozen)
    static = dict(frozen)

    def build(target: Objective) -> Callable:
        if not record.jittable:
            fn = record.build(target, n, dtype, **static)
            return lambda x, runtime: fn(x)
        if not record.runtime:
            return _ignore_runtime(jax.jit(record.build(target, n, dtype, **static)))
        return jax.jit(lambda x, runtime: record.build(target, n, dtype, **static, **runtime)(x))

    return _cached(objective, rest, build)


def _ignore_runtime(jitted: Callable) -> Callable:
    def call(x: Any, runtime: dict[str, float]) -> Any:
        return jitted(x)

    call._cache_size = jitted._cache_size  # type: ignore[attr-defined]
    return call


@x64
def gradient(f: Any, x: Any, method: str = "reverse_ad", **params: Any) -> jax.Array:
    """Return the gradient of ``f`` at ``x`` by ``method``, same shape and dtype as ``x``.

    Args:
        f: a registry name, a ``TestFunction``, or a callable ``f(x) -> scalar`` in jax.numpy.
        x: a 1-D float32 or float64 array.
        method: one of ``diffbench.methods.names()``.
        **params: the method's parameters, e.g. ``step=1e-6`` (relative step of a finite
            difference: ``h_i = step * max(1, |x_i|)``, a finite number > 0) or
            ``num_steps=8`` for ``richardson``.

    Compiled functions are cached: calling again with a new ``step``, or with a new lambda of
    the same code, does not compile again (see ``diffbench._cache``).

    Example:
        >>> import diffbench, numpy as np
        >>> diffbench.gradient("sphere", np.array([1.0, -2.0]), method="central")
        Array([ 2., -4.], dtype=float64)
    """
    objective = as_objective(f)
    x = check_point(x)
    frozen, runtime = _split(methods.get(method), params)
    fn = compiled(objective, method, "gradient", x.shape[0], x.dtype, frozen)
    out = fn(x, runtime)
    return out if isinstance(out, jax.Array) else jax.numpy.asarray(out, dtype=x.dtype)


@x64
def gradient_with_error(
    f: Any, x: Any, method: str = "richardson", **params: Any
) -> tuple[jax.Array, jax.Array]:
    """Return a method's gradient and its error estimate (both shaped like ``x``).

    The method must have an error estimate (``Method.with_error``); ``richardson``'s is the
    one it minimized for each coordinate: the truncation (distance between neighbouring
    extrapolations) plus the rounding of f.

    Example:
        >>> import diffbench, numpy as np
        >>> grad, err = diffbench.gradient_with_error("sphere", np.array([1.0, -2.0]))
        >>> [round(float(g), 9) for g in grad], bool(np.asarray(err).max() < 1e-9)
        ([2.0, -4.0], True)
    """
    objective = as_objective(f)
    x = check_point(x)
    record = methods.get(method)
    if record.with_error is None:
        having = [m for m in methods.names() if methods.get(m).with_error is not None]
        raise DiffbenchError(
            f"`{record.name}` has no error estimate; methods with one: {', '.join(having)}."
        )
    frozen, runtime = _split(record, params)
    n, dtype, static = x.shape[0], x.dtype, dict(frozen)
    record.build_with_error(objective, n, dtype, **static)  # checks it has one, and the params

    def build(target: Objective) -> Callable:
        return jax.jit(
            lambda x, runtime: record.build_with_error(target, n, dtype, **static, **runtime)(x)
        )

    rest = ("with_error", record.name, n, np.dtype(dtype).name, frozen)
    return _cached(objective, rest, build)(x, runtime)


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
    frozen, runtime = _split(methods.get(method, "hessian"), params)
    return compiled(objective, method, "hessian", x.shape[0], x.dtype, frozen)(x, runtime)


@x64
def jvp(f: Any, x: Any, v: Any) -> jax.Array:
    """Return the directional derivative ``grad f(x) . v`` (a scalar) by one forward-mode jvp."""
    objective = as_objective(f)
    x = check_point(x)
    return _cached(objective, ("jvp",), _jvp_jit)(x, check_direction(v, x))


@x64
def hvp(f: Any, x: Any, v: Any) -> jax.Array:
    """Return the Hessian-vector product ``H(x) v`` (forward-over-reverse), shaped like ``x``."""
    objective = as_objective(f)
    x = check_point(x)
    return _cached(objective, ("hvp",), _hvp_jit)(x, check_direction(v, x))


def _jvp_jit(objective: Objective) -> Callable:
    return jax.jit(lambda x, v: jax.jvp(objective.jax_fn, (x,), (v,))[1])


def _hvp_jit(objective: Objective) -> Callable:
    return jax.jit(lambda x, v: _hvp(objective.jax_fn, x, v))
