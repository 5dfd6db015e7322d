"""The record that describes one differentiation method."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import DiffbenchError
from .._errors import Skipped as Skipped

KINDS = ("symbolic", "finite_difference", "forward_ad", "reverse_ad", "peer", "exact")
"""Method kinds; ``exact`` is a plugin's exact method that is none of the built-in families."""


@dataclass(frozen=True)
class Method:
    """A differentiation method: a name, a kind and a factory ``build(objective, ...)``.

    Attributes:
        name: the public name (``central``, ``reverse_ad``, ...).
        kind: one of ``KINDS``.
        factory: ``factory(objective, n, dtype, **params) -> grad_fn``; for jittable methods
            ``grad_fn`` is a pure JAX function ``x -> gradient`` (not yet jitted), for peers a
            NumPy-in, NumPy-out function.
        order: truncation order of a finite-difference scheme (None for exact methods).
        jittable: whether ``grad_fn`` can be passed to ``jax.jit``.
        defaults: the parameters and their default values (``step`` is resolved per dtype).
        description: one line for listings.
        sweep: the method at one given relative step, ``sweep(f, x, step, levels) -> gradient``
            (pure JAX; ``accuracy.step_sweep`` vmaps it over steps; ``levels`` is the depth of
            an extrapolating scheme, ignored by the others). None: the method has no step.
        with_error: a factory like ``factory`` whose function returns ``(gradient, error
            estimate)``, both shaped like x (``gradient_with_error``). None: no estimate.
        derivation: the derivation the method shares with a reference (``sympy``,
            ``jax_reverse``, ``jax_forward``), so that it is never scored against it
            (``accuracy.independent``). None: it shares none.
    """

    name: str
    kind: str
    factory: Callable[..., Callable[[Any], Any]] = field(repr=False)
    order: int | None = None
    jittable: bool = True
    defaults: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    sweep: Callable[..., Any] | None = field(default=None, repr=False)
    with_error: Callable[..., Callable[[Any], Any]] | None = field(default=None, repr=False)
    derivation: str | None = None

    def build(self, f: Any, n: int, dtype: Any, **params: Any) -> Callable[[Any], Any]:
        """Return the gradient function of ``f`` in dimension ``n`` and ``dtype``.

        Raises:
            Skipped: the method does not apply here (the message says why).
            DiffbenchError: an unknown parameter, or ``n`` not supported by ``f``.
        """
        return self.factory(self._objective(f, n, params), n, dtype, **params)

    def build_with_error(self, f: Any, n: int, dtype: Any, **params: Any) -> Callable[[Any], Any]:
        """Return ``x -> (gradient, error estimate)`` of ``f`` (the ``with_error`` variant).

        Raises:
            DiffbenchError: the method has no error estimate, or as ``build``.
        """
        if self.with_error is None:
            raise DiffbenchError(f"`{self.name}` has no error estimate.")
        return self.with_error(self._objective(f, n, params), n, dtype, **params)

    def _objective(self, f: Any, n: int, params: dict[str, Any]) -> Any:
        """Check ``params`` and ``n``; return ``f`` as an ``Objective``."""
        from .._objective import as_objective

        unknown = set(params) - set(self.defaults)
        if unknown:
            known = ", ".join(sorted(self.defaults)) or "none"
            raise DiffbenchError(
                f"`{self.name}` got unknown parameter(s) {', '.join(sorted(unknown))}; "
                f"it takes: {known}."
            )
        for key, value in params.items():
            check_param(self.name, key, value)
        objective = as_objective(f)
        if objective.definition is not None:
            objective.definition.check_dim(n)
        return objective

    @property
    def runtime(self) -> tuple[str, ...]:
        """Parameters passed to the compiled function as arguments, not baked into it.

        A new ``step`` then reuses the compiled gradient instead of compiling another.
        """
        return ("step",) if self.jittable and "step" in self.defaults else ()


MAX_STEPS = 64
"""The most steps (``num_steps``) a Richardson table may have: each is a batch of f values."""


def check_param(method: str, key: str, value: Any) -> None:
    """Raise a one-line ``DiffbenchError`` if ``value`` is not valid for parameter ``key``.

    ``step`` must be a finite positive real number (or None: the default); ``num_steps`` and
    ``max_n`` positive integers; ``levels`` a positive integer or a list of them. Traced
    values (inside ``jit``) are not checked: they were checked before tracing.
    """
    import jax

    if value is None and key == "step" or isinstance(value, jax.core.Tracer):
        return
    where = f"`{method}` parameter {key}"
    if key == "step":
        if not _real(value) or not (math.isfinite(float(value)) and float(value) > 0):
            raise DiffbenchError(
                f"{where} must be a finite number > 0 (a relative step); got {value!r}."
            )
    elif key in ("num_steps", "max_n"):
        _positive_int(where, value, MAX_STEPS if key == "num_steps" else 2**31 - 1)
    elif key == "levels":
        values = list(value) if isinstance(value, list | tuple) else [value]
        if not values:
            raise DiffbenchError(f"{where} must be a positive integer or a list of them.")
        for item in values:
            _positive_int(where, item, MAX_STEPS)


def _real(value: Any) -> bool:
    """Whether ``value`` is one real number (a Python, NumPy or 0-d JAX scalar; not a bool)."""
    if isinstance(value, bool | np.bool_ | str | bytes):
        return False
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything that is not array-like is not a number
        return False
    return array.ndim == 0 and array.dtype.kind in "iuf"


def _positive_int(where: str, value: Any, most: int) -> None:
    if not (isinstance(value, int | np.integer) and not isinstance(value, bool)):
        raise DiffbenchError(f"{where} must be a whole number; got {value!r}.")
    if not 1 <= int(value) <= most:
        raise DiffbenchError(f"{where} must be between 1 and {most}; got {value!r}.")
