"""Argument checks at the public boundary: each failure is a one-line ``DiffbenchError``."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._errors import DiffbenchError


def check_point(x: Any, name: str = "x") -> jax.Array:
    """Return ``x`` as a 1-D floating JAX array, or raise a one-line error saying what is wrong.

    Integer input becomes float64; float32 and float64 are kept as they are.
    """
    try:
        array = jnp.asarray(x)
    except (TypeError, ValueError) as exc:
        raise DiffbenchError(
            f"{name} must be a 1-D array of numbers; got {type(x).__name__}."
        ) from exc
    if array.ndim != 1:
        raise DiffbenchError(f"{name} must be a 1-D array; got shape {tuple(array.shape)}.")
    if array.shape[0] == 0:
        raise DiffbenchError(f"{name} must have at least one entry; got an empty array.")
    if not jnp.issubdtype(array.dtype, jnp.floating):
        if jnp.issubdtype(array.dtype, jnp.complexfloating):
            raise DiffbenchError(f"{name} must be real; got dtype {array.dtype}.")
        array = array.astype(jnp.float64)
    if array.dtype not in (jnp.float32, jnp.float64):
        raise DiffbenchError(
            f"{name} must be float32 or float64; got {array.dtype}. "
            f"Convert it first, e.g. {name}.astype(jnp.float32)."
        )
    bad = np.flatnonzero(~np.isfinite(np.asarray(array)))
    if bad.size:
        shown = ", ".join(str(i) for i in bad[:5]) + (", ..." if bad.size > 5 else "")
        raise DiffbenchError(f"{name} has non-finite entries (nan or inf) at index {shown}.")
    return array


def check_direction(v: Any, x: jax.Array) -> jax.Array:
    """Return ``v`` as an array shaped and typed like ``x``, or raise a one-line error."""
    v = check_point(v, "v")
    if v.shape != x.shape:
        raise DiffbenchError(f"v must have the shape of x {x.shape}; got {v.shape}.")
    return v.astype(x.dtype)
