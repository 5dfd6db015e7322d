"""One engine for every coordinate-wise derivative: evaluate f at all shifted points at once.

A gradient by finite differences needs ``f(x + s_k,i e_i)`` for every coordinate i and every
stencil point k. The engine builds those points for a block of directions as ONE batch
``x + s * onehot`` of shape ``(K * B, n)`` and evaluates ``vmap(f)`` on it once: on XLA:CPU
that is ~10x faster than one vmapped evaluation per stencil point or a scatter per direction
(measured on rosenbrock at n = 1000: 3.5 ms against 34 ms for a central difference). Blocks
of ``B`` directions (``jax.lax.map`` over blocks) bound memory to ``BLOCK_BYTES`` (per
backend) whatever n is; small problems are a single block. Forward mode uses the same blocks
of basis vectors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._lazy import LazyModule

jax = LazyModule("jax")
jnp = LazyModule("jax.numpy")

BLOCK_BYTES = {"cpu": 8 * 2**20, "gpu": 2**30}
"""Memory budget for one block of shifted copies of x, per backend (bytes).

On XLA:CPU blocks above ~8 MiB cost page faults on every call (a central difference of
rosenbrock at n = 1000 took 8 ms with 8 MiB blocks, 70-90 ms with 32 MiB); on a GPU each
block is a kernel launch, so blocks are large and few.
"""


def block_size(n: int, bytes_per_direction: int, budget_bytes: int | None = None) -> int:
    """Return how many directions one block holds: ``B * bytes_per_direction <= budget``.

    The budget defaults to ``BLOCK_BYTES`` of the backend being traced for.
    """
    if budget_bytes is None:
        budget_bytes = BLOCK_BYTES.get(traced_platform(), BLOCK_BYTES["gpu"])
    return int(max(1, min(n, budget_bytes // max(1, bytes_per_direction))))


def traced_platform() -> str:
    """Return the platform being traced for: ``jax.default_device`` if set, else the backend.

    Under ``jit`` a tracer carries no device, so a CPU case on a GPU host is told apart only
    through the default-device context that ``harness.compile_jit`` sets from its arguments.
    """
    device = jax.config.jax_default_device
    if device is None:
        return jax.default_backend()
    return device if isinstance(device, str) else device.platform


def over_direction_blocks(
    block_fn: Callable[[jax.Array], jax.Array], n: int, bytes_per_direction: int
) -> jax.Array:
    """Return ``block_fn`` over all n directions, its last axis concatenated over blocks.

    ``block_fn(indices)`` gets the int indices of one block (shape ``(B,)``; indices past
    ``n - 1`` pad the last block and are dropped) and returns an array whose last axis is B.
    """
    size = block_size(n, bytes_per_direction)
    if size >= n:
        return block_fn(jnp.arange(n))
    count = -(-n // size)
    blocks = jax.lax.map(lambda b: block_fn(b * size + jnp.arange(size)), jnp.arange(count))
    joined = jnp.moveaxis(blocks, 0, -2)  # (..., count, size)
    return joined.reshape(*joined.shape[:-2], count * size)[..., :n]


def onehot(indices: jax.Array, n: int, dtype: Any) -> jax.Array:
    """Return rows ``e_i`` for ``i`` in ``indices`` (shape ``(B, n)``; out-of-range rows are 0)."""
    return (indices[:, None] == jnp.arange(n)[None, :]).astype(dtype)


def evaluate_shifted(
    f: Callable, x: jax.Array, shifts: jax.Array, first: Any = 0, count: int | None = None
) -> jax.Array:
    """Return ``F[k, i] = f(x + shifts[k, i] e_i)`` for all k and i (shape ``(K, n)``).

    ``shifts`` may be complex (the complex step); then ``x`` is promoted to its dtype and F
    is complex. With ``count``, only the directions ``first ... first + count - 1`` (shape
    ``(K, count)``; ``first`` may be traced): one device's share of the directions when they
    are split over a mesh (``diffbench.distributed``).
    """
    k_points, n = shifts.shape
    base = x.astype(shifts.dtype)

    def block(local: jax.Array) -> jax.Array:
        indices = first + local
        steps = jnp.take(shifts, indices, axis=1, mode="clip")  # (K, B)
        points = base[None, None, :] + steps[:, :, None] * onehot(indices, n, shifts.dtype)[None]
        values = jax.vmap(f)(points.reshape(-1, n))
        return values.reshape(k_points, indices.shape[0])

    directions = n if count is None else count
    return over_direction_blocks(block, directions, k_points * n * shifts.dtype.itemsize)


def jvp_basis(f: Callable, x: jax.Array) -> jax.Array:
    """Return ``[df/dx_i]_i`` by one ``jvp`` per basis vector, batched in blocks (``jacfwd``)."""
    n = x.shape[0]
    push = jax.vmap(lambda t: jax.jvp(f, (x,), (t,))[1])
    return over_direction_blocks(
        lambda idx: push(onehot(idx, n, x.dtype)), n, 4 * n * x.dtype.itemsize
    )
