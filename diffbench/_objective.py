"""The objective: what a user passes as ``f``, resolved once into one record.

``f`` is a registry name, a ``TestFunction``, a ``functions.ml.FiniteSum`` (a mean of per-example
losses over a data set) or a callable ``f(x) -> scalar`` written with ``jax.numpy``. The methods,
``accuracy`` and ``optimize`` all see the same ``Objective``:

- ``as_objective(f)``: the function alone (``jax_fn``, and ``definition`` where the registry has
  the array-namespace form), what a differentiation method needs;
- ``resolve(f, n, minibatch=...)``: the same record in a dimension, with the documented points
  ``optimize`` needs (``n``, ``f_opt``, ``bounds``, ``x0``), and for finite sums the per-example
  loss and the data the compiled runner takes as an argument (never baked in as a constant).

Two objectives are equal when they are the same compiled code (``identity``) in the same
dimension: compile caches key on that.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import functions
from ._errors import DiffbenchError, Skipped
from ._lazy import LazyModule
from .functions import TestFunction
from .functions.ml import FiniteSum

jnp = LazyModule("jax.numpy")

DEFAULT_BOUNDS = (-5.0, 5.0)
"""Search box of a plain callable (the registry's default), where ``starts`` are sampled."""

ExampleLoss = Callable[[Any, Any, Mapping[str, Any]], Any]


@dataclass(frozen=True, eq=False)
class Objective:
    """A scalar objective, as the methods, ``accuracy`` and ``optimize`` see it.

    Attributes:
        name: the registry name, or the callable's ``__name__``.
        jax_fn: ``x -> scalar`` written with ``jax.numpy`` (a finite sum: the mean over its data).
        definition: the registry entry when there is one (needed by ``symbolic`` and peers).
        example_loss: for finite sums, ``(xp, x, batch) -> losses`` of shape ``(b,)``.
        data: for finite sums, the data set (arrays with a leading axis of ``size``).
        n: the dimension (None until ``resolve`` gives one).
        f_opt: the global minimum value, or None where unknown.
        bounds: ``(lower, upper)`` float64 arrays of shape ``(n,)``: the box for ``starts``.
        x0: the documented default start, or None.
    """

    name: str
    jax_fn: Callable[[Any], Any] = field(repr=False)
    definition: TestFunction | None = None
    example_loss: ExampleLoss | None = field(default=None, repr=False)
    data: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)
    n: int | None = None
    f_opt: float | None = None
    bounds: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    x0: np.ndarray | None = field(default=None, repr=False)

    @property
    def identity(self) -> Hashable:
        """What makes two objectives the same compiled code (the cache key part)."""
        if self.example_loss is not None:
            return ("finite_sum", self.name, self.example_loss)
        if self.definition is not None:
            return ("function", self.definition)
        return ("callable", self.jax_fn)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Objective):
            return NotImplemented
        return (self.identity, self.n) == (other.identity, other.n)

    def __hash__(self) -> int:
        return hash((self.identity, self.n))

    @property
    def finite_sum(self) -> bool:
        """Whether this objective is a mean over examples that can be minibatched."""
        return self.example_loss is not None

    @property
    def size(self) -> int:
        """The number of examples of a finite sum (0 otherwise)."""
        return len(next(iter(self.data.values()))) if self.data else 0

    def value(self, x: Any, data: Mapping[str, Any]) -> Any:
        """The full objective at ``x`` (``data`` is the runner's copy of ``self.data``)."""
        if self.example_loss is not None:
            return jnp.mean(self.example_loss(jnp, x, data))
        return self.jax_fn(x)

    def batch_value(self, x: Any, batch: Mapping[str, Any]) -> Any:
        """The mean loss over a minibatch (finite sums only)."""
        return jnp.mean(self.example_loss(jnp, x, batch))

    def require_definition(self, method: str) -> TestFunction:
        """Return the array-namespace definition, or raise if ``f`` was a plain callable."""
        if self.definition is None:
            raise DiffbenchError(
                f"`{method}` needs the array-namespace definition fn(xp, x) of a registered "
                f"TestFunction; got the plain callable `{self.name}`. Register it with "
                "diffbench.functions.register(name=..., fn=lambda xp, x: ...)."
            )
        if self.definition.jax_only:
            raise Skipped(
                f"`{method}` needs the array-namespace definition fn(xp, x); "
                f"`{self.name}` is written with jax.numpy only."
            )
        return self.definition


def as_objective(f: Any) -> Objective:
    """Return the ``Objective`` of a registry name, ``TestFunction``, ``FiniteSum`` or callable.

    Raises:
        DiffbenchError: ``f`` is none of these (an unknown name lists the nearest ones).
    """
    if isinstance(f, Objective):
        return f
    if isinstance(f, str | TestFunction):
        tf = functions.get(f)
        return Objective(tf.name, tf.__call__, tf)
    if isinstance(f, FiniteSum):
        return _finite_sum(f)
    if callable(f):
        return Objective(getattr(f, "__name__", type(f).__name__), f)
    raise DiffbenchError(
        "f must be a registry name, a TestFunction, a FiniteSum or a callable f(x) -> scalar; "
        f"got {type(f).__name__}."
    )


def _finite_sum(fs: FiniteSum) -> Objective:
    data, loss = dict(fs.data), fs.example_loss
    return Objective(fs.name, lambda x: jnp.mean(loss(jnp, x, data)), example_loss=loss, data=data)


def resolve(f: Any, n: int | None, *, minibatch: bool) -> Objective:
    """The ``Objective`` for ``f`` in dimension ``n`` (None: the function's default).

    Registry entries (by name or ``TestFunction``) are resolved once per ``(f, n, minibatch)``
    and cached: the record, its bounds and its default start are the same every call.

    Args:
        f: a registry name, a ``TestFunction``, a ``functions.ml.FiniteSum`` or a callable
            ``f(x) -> scalar`` written with ``jax.numpy``.
        n: the dimension; required for a plain callable unless a start gives it.
        minibatch: whether SGD minibatches are asked for (needs a finite-sum objective).
    """
    if isinstance(f, str | TestFunction):
        return _registry_entry(f, n, minibatch)
    return _resolve(f, n, minibatch)


@functools.lru_cache(maxsize=256)
def _registry_entry(f: str | TestFunction, n: int | None, minibatch: bool) -> Objective:
    obj = _resolve(f, n, minibatch)
    for array in (*obj.bounds, obj.x0):
        if array is not None:
            array.flags.writeable = False  # shared by every call that hits the cache
    return obj


def _resolve(f: Any, n: int | None, minibatch: bool) -> Objective:
    if isinstance(f, str):
        f = functions.get(f)
    if minibatch and isinstance(f, TestFunction):
        _check_finite_sum(f)
        f = functions.ml.finite_sum(f.name)
    if minibatch and not isinstance(f, FiniteSum) and callable(f):
        raise DiffbenchError(
            "batch= needs a finite-sum objective (a registry entry tagged `finite-sum`, "
            "or a functions.ml.FiniteSum); a plain callable has no examples to sample."
        )
    obj = as_objective(f)
    if obj.definition is not None:
        return _in_dimension(obj, obj.definition, n)
    if obj.finite_sum and obj.name in functions.names():
        return _in_dimension(obj, functions.get(obj.name), n)
    if n is None and obj.finite_sum:
        raise DiffbenchError(f"{obj.name} is not a registry entry: pass n= or x0=.")
    if n is None:
        raise DiffbenchError("A plain callable has no default dimension: pass n= or x0=.")
    if n < 1:
        raise DiffbenchError(f"n must be >= 1; got n={n}.")
    lo, hi = DEFAULT_BOUNDS
    return replace(obj, n=int(n), bounds=(np.full(int(n), lo), np.full(int(n), hi)))


def _check_finite_sum(tf: TestFunction) -> None:
    if "finite-sum" not in tf.tags:
        finite = ", ".join(functions.names("finite-sum")) or "none registered"
        raise DiffbenchError(
            f"batch= needs a finite-sum objective; {tf.name} is not one (finite sums: {finite})."
        )


def _in_dimension(obj: Objective, tf: TestFunction, n: int | None) -> Objective:
    """``obj`` in dimension ``n`` with the documented points of the registry entry ``tf``."""
    n = tf.resolve_dim(n)
    return replace(obj, n=n, f_opt=tf.f_opt(n), bounds=tf.bounds(n), x0=tf.x0(n))
