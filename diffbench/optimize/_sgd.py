"""Minibatches for SGD on finite-sum objectives, sampled with ``jax.random`` inside the loop.

Two schemes, both pure functions of (run key, step), so a run is reproducible bit for bit:

- ``shuffle`` (default): epochs without replacement. At the first step of every epoch the run
  draws a fresh permutation of the examples (key ``fold_in(fold_in(key, 1), epoch)``) and walks it
  in consecutive minibatches; the last ``size % batch`` examples of a permutation are dropped, so
  an epoch is ``size // batch`` steps.
- ``replace``: every step draws ``batch`` indices uniformly with replacement
  (key ``fold_in(fold_in(key, 0), step)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp

from .._errors import DiffbenchError

SAMPLING = ("shuffle", "replace")
"""The minibatch schemes ``minimize(..., sampling=...)`` accepts."""


@dataclass(frozen=True)
class Sampler:
    """How one run draws its minibatches (static: part of the compiled runner's identity).

    Attributes:
        size: the number of examples in the data set.
        batch: the minibatch size, in examples.
        mode: ``shuffle`` or ``replace`` (see the module docstring).
    """

    size: int
    batch: int
    mode: str = "shuffle"

    @property
    def steps_per_epoch(self) -> int:
        """Steps that make one pass over the data (``size // batch``)."""
        return self.size // self.batch

    @property
    def perm_size(self) -> int:
        """Length of the permutation a run carries (0 when sampling with replacement)."""
        return self.size if self.mode == "shuffle" else 0


def check_sampler(size: int, batch: int, mode: str) -> Sampler:
    """Validate a minibatch request against a data set of ``size`` examples."""
    if mode not in SAMPLING:
        raise DiffbenchError(f"sampling must be one of {', '.join(SAMPLING)}; got {mode!r}.")
    if not 1 <= batch <= size:
        raise DiffbenchError(f"batch must be between 1 and the data size {size}; got {batch}.")
    return Sampler(int(size), int(batch), mode)


def minibatch(
    sampler: Sampler, key: jax.Array, t: jax.Array, perm: jax.Array, data: Mapping[str, Any]
) -> tuple[dict[str, jax.Array], jax.Array]:
    """Return the minibatch of step ``t`` and the (possibly refreshed) permutation.

    Args:
        sampler: the scheme and sizes.
        key: the run's PRNG key (a typed key array, shape ``()``).
        t: the step number, an int32 scalar (not batched over runs).
        perm: the run's current permutation, shape ``(perm_size,)``.
        data: the data set, arrays with a leading axis of ``size``.
    """
    if sampler.mode == "replace":
        step_key = jax.random.fold_in(jax.random.fold_in(key, 0), t)
        idx = jax.random.randint(step_key, (sampler.batch,), 0, sampler.size, dtype=jnp.int32)
    else:
        epoch, pos = jnp.divmod(t, jnp.int32(sampler.steps_per_epoch))
        perm = jax.lax.cond(
            pos == 0,
            lambda: _permutation(key, epoch, sampler.size),
            lambda: perm,
        )
        idx = jax.lax.dynamic_slice(perm, (pos * jnp.int32(sampler.batch),), (sampler.batch,))
    return {name: jnp.take(array, idx, axis=0) for name, array in data.items()}, perm


def _permutation(key: jax.Array, epoch: jax.Array, size: int) -> jax.Array:
    epoch_key = jax.random.fold_in(jax.random.fold_in(key, 1), epoch)
    return jax.random.permutation(epoch_key, size).astype(jnp.int32)
