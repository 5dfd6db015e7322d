"""The test-function record and the registry that names them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import DiffbenchError, unknown

Definition = Callable[[Any, Any], Any]
"""``fn(xp, x) -> scalar``: one definition, written against an array namespace ``xp``."""


def _as_rule(value: Any) -> Callable[[int], Any] | None:
    """Turn a constant or a callable of n into a callable of n (None stays None)."""
    if value is None or callable(value):
        return value
    return lambda n: value


@dataclass(frozen=True, eq=False)
class TestFunction:
    """A scalar test function of a 1-D array, written once against an array namespace.

    Attributes:
        name: registry name, lower case with underscores.
        fn: the definition ``fn(xp, x)``; ``xp`` is ``jax.numpy``, ``numpy`` or the SymPy
            namespace, ``x`` a 1-D array of that namespace.
        tags: e.g. ``convex``, ``separable``, ``multimodal``, ``nonsmooth``, ``ml``, ``tutorial``.
        dim: a fixed dimension, or None when the function scales to any ``n >= min_dim``.
        min_dim: the smallest dimension a scalable function accepts.
        default_dim: the dimension used when none is given (``dim`` for fixed ones).
        source: where the definition and its constants come from.
        analytic: whether the complex-step method is valid (no abs, max, where, ...).
        description: one line for listings.
        jax_only: the definition is written with ``jax.numpy`` only (registered with
            ``jax_fn=``): it has no NumPy or SymPy form, so ``symbolic`` and the peers skip it
            and its reference is float64 reverse mode (``diffbench.harness.references``).

    Call ``tf(x)`` to evaluate with ``jax.numpy``; ``bounds(n)``, ``x0(n)``, ``x_opt(n)`` and
    ``f_opt(n)`` return float64 NumPy values (``x_opt``/``f_opt`` are None where unknown).
    """

    __test__ = False  # not a pytest test class

    name: str
    fn: Definition
    tags: frozenset[str] = frozenset()
    dim: int | None = None
    min_dim: int = 1
    default_dim: int = 2
    bounds_rule: Callable[[int], Any] = field(default=lambda n: (-5.0, 5.0), repr=False)
    x0_rule: Callable[[int], Any] | None = field(default=None, repr=False)
    x_opt_rule: Callable[[int], Any] | None = field(default=None, repr=False)
    f_opt_rule: Callable[[int], Any] | None = field(default=None, repr=False)
    source: str = ""
    analytic: bool = True
    description: str = ""
    jax_only: bool = False

    def __call__(self, x: Any) -> Any:
        import jax.numpy as jnp

        x = jnp.asarray(x)
        self.check_dim(x.shape[0] if x.ndim else 1)
        return self.fn(jnp, x)

    # -- dimensions -----------------------------------------------------------------------
    def check_dim(self, n: int) -> int:
        """Return ``n`` if this function is defined in dimension ``n``; raise otherwise."""
        if self.dim is not None and n != self.dim:
            raise DiffbenchError(f"{self.name} is defined for n={self.dim} only; got n={n}.")
        if n < self.min_dim:
            raise DiffbenchError(f"{self.name} needs n >= {self.min_dim}; got n={n}.")
        return n

    def resolve_dim(self, n: int | None) -> int:
        """Return the dimension to use: ``n`` checked, or the default when ``n`` is None."""
        if n is None:
            return self.dim if self.dim is not None else self.default_dim
        return self.check_dim(int(n))

    # -- documented points and domain ------------------------------------------------------
    def bounds(self, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(lower, upper)``, each a float64 array of shape ``(n,)``: the search box."""
        n = self.resolve_dim(n)
        lo, hi = self.bounds_rule(n)
        return _vector(lo, n), _vector(hi, n)

    def x0(self, n: int | None = None) -> np.ndarray:
        """Return the documented default start, float64 of shape ``(n,)``.

        Where the source gives none, the start is the point 3/4 of the way from the lower to
        the upper bound in every coordinate (away from the optimum of the symmetric classics).
        """
        n = self.resolve_dim(n)
        if self.x0_rule is not None:
            return _vector(self.x0_rule(n), n)
        lo, hi = self.bounds(n)
        return lo + 0.75 * (hi - lo)

    def x_opt(self, n: int | None = None) -> np.ndarray | None:
        """Return a global minimizer (float64, shape ``(n,)``), or None where unknown."""
        n = self.resolve_dim(n)
        return None if self.x_opt_rule is None else _vector(self.x_opt_rule(n), n)

    def f_opt(self, n: int | None = None) -> float | None:
        """Return the global minimum value, or None where unknown."""
        n = self.resolve_dim(n)
        return None if self.f_opt_rule is None else float(self.f_opt_rule(n))

    @property
    def smooth(self) -> bool:
        """Whether the function is differentiable everywhere (no ``nonsmooth`` tag)."""
        return "nonsmooth" not in self.tags

    def numpy(self, x: Any) -> Any:
        """Evaluate the definition with NumPy (float64 unless ``x`` says otherwise)."""
        x = np.asarray(x)
        self.check_dim(x.shape[0] if x.ndim else 1)
        return self.fn(np, x)


def _vector(value: Any, n: int) -> np.ndarray:
    out = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))
    return np.array(out, dtype=np.float64)


_REGISTRY: dict[str, TestFunction] = {}


@dataclass(frozen=True)
class _JaxOnly:
    """``fn(xp, x)`` of a function written with ``jax.numpy`` only: ``xp`` is ignored."""

    jax_fn: Callable[[Any], Any]

    def __call__(self, xp: Any, x: Any) -> Any:
        return self.jax_fn(x)


def register(tf: TestFunction | None = None, /, **fields: Any) -> TestFunction:
    """Add a function to the registry and return it.

    Either pass a ready ``TestFunction`` or its fields as keywords; ``bounds``, ``x0``,
    ``x_opt`` and ``f_opt`` may be constants or callables of ``n``. A function written with
    ``jax.numpy`` only is passed as ``jax_fn=f`` (``f(x) -> scalar``) instead of ``fn``.

    Example:
        >>> import numpy as np, diffbench
        >>> tf = diffbench.functions.register(
        ...     name="shifted_sphere_demo", fn=lambda xp, x: xp.sum((x - 1.0) ** 2),
        ...     tags={"convex"}, x_opt=1.0, f_opt=0.0, replace=True)
        >>> float(tf(np.ones(3)))
        0.0
    """
    replace = fields.pop("replace", False)
    if tf is None:
        if "jax_fn" in fields:
            fields.update(fn=_JaxOnly(fields.pop("jax_fn")), jax_only=True)
        for key in ("bounds", "x0", "x_opt", "f_opt"):
            if key in fields:
                fields[f"{key}_rule"] = _as_rule(fields.pop(key))
        fields["tags"] = frozenset(fields.get("tags", ()))
        if fields.get("dim") is not None:
            fields.setdefault("min_dim", fields["dim"])
            fields.setdefault("default_dim", fields["dim"])
        tf = TestFunction(**fields)
    if tf.name in _REGISTRY and not replace:
        raise DiffbenchError(f"A function named `{tf.name}` is already registered.")
    _REGISTRY[tf.name] = tf
    return tf


def get(name: str | TestFunction) -> TestFunction:
    """Return the registered function called ``name`` (a ``TestFunction`` passes through)."""
    if isinstance(name, TestFunction):
        return name
    try:
        return _REGISTRY[name]
    except KeyError:
        raise unknown("function", name, _REGISTRY) from None


def names(tags: str | Iterable[str] | None = None) -> list[str]:
    """Return the sorted registry names, optionally only those carrying every tag in ``tags``."""
    if tags is None:
        return sorted(_REGISTRY)
    wanted = {tags} if isinstance(tags, str) else set(tags)
    return sorted(name for name, tf in _REGISTRY.items() if wanted <= tf.tags)


def all_tags() -> list[str]:
    """Return every tag used in the registry, sorted."""
    return sorted(set().union(*(tf.tags for tf in _REGISTRY.values())))
