"""Automatic differentiation: forward mode (jvp over the basis) and reverse mode (grad)."""

from __future__ import annotations

from typing import Any

from .._lazy import LazyModule
from ._engine import jvp_basis
from ._method import Method

jax = LazyModule("jax")


def forward_mode_gradient(f: Any, x: jax.Array) -> jax.Array:
    """Return the gradient by one ``jvp`` per basis vector (``jacfwd``, memory-bounded)."""

    return jvp_basis(f, x)


def _forward_ad_factory(objective, n, dtype):
    return lambda x: forward_mode_gradient(objective.jax_fn, x)


def _reverse_ad_factory(objective, n, dtype):
    return jax.grad(objective.jax_fn)


METHODS = [
    Method(
        "forward_ad",
        "forward_ad",
        _forward_ad_factory,
        description="forward mode: one jvp per basis vector (jacfwd), cost ~ n f",
        derivation="jax_forward",
    ),
    Method(
        "reverse_ad",
        "reverse_ad",
        _reverse_ad_factory,
        description="reverse mode: jax.grad (one vjp), cost ~ a few f",
        derivation="jax_reverse",
    ),
]
