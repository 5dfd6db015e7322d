"""One engine for every coordinate-wise derivative: map a partial over the n directions.

A gradient by finite differences or forward mode needs one computation per coordinate. The
engine runs them with ``jax.lax.map(..., batch_size=B)``: ``vmap`` over blocks of ``B``
directions, so memory stays at ``B`` perturbed copies of ``x`` (``B * n`` entries) whatever
``n`` is, and small problems are one ``vmap`` over all directions (what ``jacfwd`` does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

BLOCK_BYTES = 64 * 2**20
"""Memory budget for one block of perturbed copies of x (bytes)."""


def block_size(n: int, itemsize: int, budget_bytes: int = BLOCK_BYTES) -> int:
    """Return how many directions one ``vmap`` block holds: ``B * n * itemsize <= budget``."""
    return int(max(1, min(n, budget_bytes // max(1, n * itemsize))))


def map_directions(partial: Callable[[Any], Any], x: jax.Array) -> jax.Array:
    """Return ``[partial(0), ..., partial(n-1)]`` as one array, vmapped in memory-bounded blocks.

    ``partial(i)`` gets the coordinate index as a traced int scalar.
    """
    n = x.shape[0]
    indices = jnp.arange(n)
    batch = block_size(n, x.dtype.itemsize * 2)  # a perturbed copy and its tangent/output
    if batch >= n:
        return jax.vmap(partial)(indices)
    return jax.lax.map(partial, indices, batch_size=batch)


def basis_vector(i: Any, like: jax.Array) -> jax.Array:
    """Return the unit vector e_i with the shape and dtype of ``like``."""
    return jnp.zeros_like(like).at[i].set(1)
