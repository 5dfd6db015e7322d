"""The record that describes one differentiation method."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._errors import DiffbenchError

KINDS = ("symbolic", "finite_difference", "forward_ad", "reverse_ad", "peer", "exact")
"""Method kinds; ``exact`` is a plugin's exact method that is none of the built-in families."""


class Skipped(DiffbenchError):
    """A method is impractical or invalid for this case; the message says why.

    A session records it as a row with ``status="skipped"`` and the message.
    """


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
    """

    name: str
    kind: str
    factory: Callable[..., Callable[[Any], Any]] = field(repr=False)
    order: int | None = None
    jittable: bool = True
    defaults: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def build(self, f: Any, n: int, dtype: Any, **params: Any) -> Callable[[Any], Any]:
        """Return the gradient function of ``f`` in dimension ``n`` and ``dtype``.

        Raises:
            Skipped: the method does not apply here (the message says why).
            DiffbenchError: an unknown parameter, or ``n`` not supported by ``f``.
        """
        from .._objective import as_objective

        unknown = set(params) - set(self.defaults)
        if unknown:
            known = ", ".join(sorted(self.defaults)) or "none"
            raise DiffbenchError(
                f"`{self.name}` got unknown parameter(s) {', '.join(sorted(unknown))}; "
                f"it takes: {known}."
            )
        objective = as_objective(f)
        if objective.definition is not None:
            objective.definition.check_dim(n)
        return self.factory(objective, n, dtype, **params)
