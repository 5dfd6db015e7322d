"""What ``minimize`` minimizes: a registry entry, a plain JAX callable, or a finite sum.

Everything is reduced to one ``Objective`` record: a pure ``value(x, data)`` (the full objective),
for finite sums a per-example loss to minibatch, the data passed to the compiled runner as an
argument (never baked in as a constant), and the documented points of the function.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import functions
from .._errors import DiffbenchError
from ..functions.ml import FiniteSum

DEFAULT_BOUNDS = (-5.0, 5.0)
"""Search box of a plain callable (the registry's default), where ``starts`` are sampled."""

ExampleLoss = Callable[[Any, Any, Mapping[str, Any]], Any]


@dataclass(frozen=True, eq=False)
class Objective:
    """A function to minimize, in the form the compiled runners need.

    Attributes:
        name: the registry name, or the callable's ``__name__``.
        identity: what makes two objectives the same compiled code (the cache key part).
        n: the dimension.
        f_opt: the global minimum value, or None where unknown.
        bounds: ``(lower, upper)`` float64 arrays of shape ``(n,)``: the box for ``starts``.
        x0: the documented default start, or None.
        example_loss: for finite sums, ``(xp, x, batch) -> losses`` of shape ``(b,)``.
        data: for finite sums, the data set (arrays with a leading axis of ``size``).
    """

    name: str
    identity: Hashable
    n: int
    f_opt: float | None
    bounds: tuple[np.ndarray, np.ndarray]
    x0: np.ndarray | None
    fn: Callable[[Any], Any] | None = field(default=None, repr=False)
    example_loss: ExampleLoss | None = field(default=None, repr=False)
    data: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)

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
        return self.fn(x)

    def batch_value(self, x: Any, batch: Mapping[str, Any]) -> Any:
        """The mean loss over a minibatch (finite sums only)."""
        return jnp.mean(self.example_loss(jnp, x, batch))


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
    if isinstance(f, str | functions.TestFunction):
        return _registry_entry(f, n, minibatch)
    return _resolve(f, n, minibatch)


@functools.lru_cache(maxsize=256)
def _registry_entry(f: str | functions.TestFunction, n: int | None, minibatch: bool) -> Objective:
    obj = _resolve(f, n, minibatch)
    for array in (*obj.bounds, obj.x0):
        if array is not None:
            array.flags.writeable = False  # shared by every call that hits the cache
    return obj


def _resolve(f: Any, n: int | None, minibatch: bool) -> Objective:
    if isinstance(f, str):
        f = functions.get(f)
    if isinstance(f, FiniteSum):
        return _from_finite_sum(f, n)
    if isinstance(f, functions.TestFunction):
        if minibatch:
            _check_finite_sum(f)
            return _from_finite_sum(functions.ml.finite_sum(f.name), n)
        return _from_test_function(f, n)
    if callable(f):
        if minibatch:
            raise DiffbenchError(
                "batch= needs a finite-sum objective (a registry entry tagged `finite-sum`, "
                "or a functions.ml.FiniteSum); a plain callable has no examples to sample."
            )
        return _from_callable(f, n)
    raise DiffbenchError(
        "f must be a registry name, a TestFunction, a FiniteSum or a callable f(x) -> scalar; "
        f"got {type(f).__name__}."
    )


def _check_finite_sum(tf: functions.TestFunction) -> None:
    if "finite-sum" not in tf.tags:
        finite = ", ".join(functions.names("finite-sum")) or "none registered"
        raise DiffbenchError(
            f"batch= needs a finite-sum objective; {tf.name} is not one (finite sums: {finite})."
        )


def _from_test_function(tf: functions.TestFunction, n: int | None) -> Objective:
    n = tf.resolve_dim(n)
    definition = tf.fn
    return Objective(
        name=tf.name,
        identity=("function", tf),
        n=n,
        f_opt=tf.f_opt(n),
        bounds=tf.bounds(n),
        x0=tf.x0(n),
        fn=lambda x: definition(jnp, x),
    )


def _from_finite_sum(fs: FiniteSum, n: int | None) -> Objective:
    """A finite sum; its dimension and documented points from the registry entry of its name."""
    if fs.name in functions.names():
        base = _from_test_function(functions.get(fs.name), n)
        n, f_opt, bounds, x0 = base.n, base.f_opt, base.bounds, base.x0
    elif n is None:
        raise DiffbenchError(f"{fs.name} is not a registry entry: pass n= or x0=.")
    else:
        n, f_opt, bounds, x0 = int(n), None, _default_box(int(n)), None
    return Objective(
        name=fs.name,
        identity=("finite_sum", fs.name, fs.example_loss),
        n=n,
        f_opt=f_opt,
        bounds=bounds,
        x0=x0,
        example_loss=fs.example_loss,
        data=dict(fs.data),
    )


def _from_callable(f: Callable[[Any], Any], n: int | None) -> Objective:
    if n is None:
        raise DiffbenchError("A plain callable has no default dimension: pass n= or x0=.")
    if n < 1:
        raise DiffbenchError(f"n must be >= 1; got n={n}.")
    return Objective(
        name=getattr(f, "__name__", type(f).__name__),
        identity=("callable", f),
        n=int(n),
        f_opt=None,
        bounds=_default_box(int(n)),
        x0=None,
        fn=f,
    )


def _default_box(n: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = DEFAULT_BOUNDS
    return np.full(n, lo), np.full(n, hi)
