"""Resolve what a user passes as ``f`` into one objective record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._errors import DiffbenchError, Skipped
from .functions import TestFunction
from .functions import get as get_function


@dataclass(frozen=True)
class Objective:
    """A scalar objective as the methods see it.

    Attributes:
        name: the registry name, or the callable's ``__name__``.
        jax_fn: ``x -> scalar`` written with ``jax.numpy``.
        definition: the registry entry when there is one (needed by ``symbolic`` and peers).
    """

    name: str
    jax_fn: Callable[[Any], Any]
    definition: TestFunction | None = None

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


def as_objective(f: str | TestFunction | Callable[[Any], Any]) -> Objective:
    """Return the ``Objective`` for a registry name, a ``TestFunction`` or a JAX callable."""
    if isinstance(f, Objective):
        return f
    if isinstance(f, str | TestFunction):
        tf = get_function(f)
        return Objective(tf.name, tf.__call__, tf)
    if callable(f):
        return Objective(getattr(f, "__name__", type(f).__name__), f, None)
    raise DiffbenchError(
        f"f must be a registry name, a TestFunction or a callable; got {type(f).__name__}."
    )
