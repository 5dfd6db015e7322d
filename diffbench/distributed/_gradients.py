"""Large-n gradients over a mesh: reverse mode with x's coordinates split, finite differences
with the directions split, and the memory traffic each device carries.

- ``reverse_ad``: ``jax.grad`` compiled with x and the gradient split over the mesh
  (``NamedSharding``); XLA partitions the objective and exchanges only what crosses a shard
  boundary (a stencil's neighbour, the loss's sum), so each device holds ``n / D`` of x, its
  gradient and the cotangents: n beyond one device's memory;
- ``forward``, ``backward``, ``central``, ``central4``: every device holds all of x and
  evaluates the stencil along its ``n / D`` directions (``shard_map``; the engine's
  ``evaluate_shifted(first=, count=)``): the work, not the memory, is split.

``n`` must be a multiple of the devices (x cannot be padded without changing f). ``bandwidth``
turns a median time into the per-device accounting of the ``gradients`` table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh

from .._errors import DiffbenchError
from .._x64 import float64, x64
from ._mesh import AXIS, mesh, resolve, split

try:  # jax >= 0.6 exports it; the declared floor (0.4.35) keeps it in experimental
    from jax import shard_map as _shard_map
except ImportError:  # pragma: no cover - old jax
    from jax.experimental.shard_map import shard_map as _shard_map

METHODS = ("reverse_ad", "forward", "backward", "central", "central4")
"""The methods ``sharded_gradient`` splits over a mesh."""


@dataclass(frozen=True)
class Sharded:
    """A compiled gradient over a mesh; call it with x (host or device array).

    Attributes:
        method: the differentiation method.
        devices: the devices it is split over.
        executable: the compiled ``x -> gradient``.
        compile_s: seconds the compilation took.
        placement: where x goes (split over the mesh, or whole on every device).
        dtype: the dtype of x and the gradient.
    """

    method: str
    devices: int
    executable: Any
    compile_s: float
    placement: Any
    dtype: np.dtype

    def __call__(self, x: Any) -> jax.Array:
        """The gradient at ``x`` (split over the mesh like x for reverse mode)."""
        return self.executable(self.put(x))

    def put(self, x: Any) -> jax.Array:
        """``x`` in the gradient's dtype, placed as the compiled gradient takes it."""
        with float64():
            return jax.device_put(np.asarray(x, self.dtype), self.placement)


@x64
def sharded_gradient(
    f: Any,
    n: int,
    dtype: Any = "float64",
    method: str = "reverse_ad",
    devices: Any = None,
    step: float | None = None,
    platform: str | None = None,
) -> Sharded:
    """Compile the gradient of ``f`` in dimension ``n`` over this process's devices.

    Args:
        f: a registry name, a ``TestFunction`` or a callable ``f(x) -> scalar`` in jax.numpy.
        n: the dimension; a multiple of the devices.
        dtype: ``float32`` or ``float64``.
        method: one of ``METHODS``.
        devices: None (all local devices), a count, or a list of ``jax.Device``.
        step: a finite-difference step (default: the stencil's, for ``dtype``).
        platform: ``cpu`` or ``gpu`` (default: JAX's default backend).

    Returns:
        A ``Sharded`` gradient: ``g = sharded_gradient("rosenbrock", 8)(x)``.

    Raises:
        DiffbenchError: an unknown method, or ``n`` not a multiple of the devices.
    """
    if method not in METHODS:
        raise DiffbenchError(f"sharded_gradient takes {', '.join(METHODS)}; got `{method}`.")
    chosen = resolve(devices, platform or jax.default_backend())
    if n % len(chosen):
        raise DiffbenchError(
            f"n={n:,} is not a multiple of the {len(chosen)} devices; pick n or devices= so "
            "that it is (x is split evenly)."
        )
    m = mesh(chosen) or Mesh(np.asarray(chosen, dtype=object), (AXIS,))
    fn, dt = _jax_fn(f), np.dtype(dtype)
    grad, placement = _build(fn, method, m, n, dt, step)
    spec = jax.ShapeDtypeStruct((n,), dt, sharding=placement)
    import time

    start = time.perf_counter()
    executable = grad.lower(spec).compile()
    return Sharded(method, m.size, executable, time.perf_counter() - start, placement, dt)


def _jax_fn(f: Any) -> Callable:
    from .._objective import as_objective

    if isinstance(f, str):
        from .. import functions

        f = functions.get(f)
    return as_objective(f).jax_fn


def _build(fn: Callable, method: str, m: Mesh, n: int, dtype: np.dtype, step: Any) -> tuple:
    """``(jitted gradient, x's sharding)`` for ``method`` on mesh ``m``."""
    if method == "reverse_ad":
        on_coords = split(m, 0)
        return jax.jit(jax.grad(fn), in_shardings=on_coords, out_shardings=on_coords), on_coords
    from ..methods.finite_difference import STENCILS, default_step, stencil_gradient

    stencil = STENCILS[method]
    h = default_step(stencil.order, dtype) if step is None else step
    count = n // m.size

    def local(x: jax.Array) -> jax.Array:
        first = jax.lax.axis_index(AXIS) * count
        return stencil_gradient(fn, x, stencil, h, first, count)

    spec = jax.sharding.PartitionSpec
    body = _shard_map(local, mesh=m, in_specs=spec(), out_specs=spec(AXIS))
    return jax.jit(body, in_shardings=split(m), out_shardings=split(m, 0)), split(m)


def bandwidth(method: str, n: int, itemsize: int, devices: int, seconds: float) -> dict:
    """The memory traffic of one gradient over ``devices``, total and per device.

    The least a gradient moves is reading x and writing the gradient (``2 n itemsize``,
    the ``min_bytes`` of the ``gradients`` table); split over D devices, reverse mode moves
    ``2 n / D`` per device, a split finite difference reads all of x and writes ``n / D``.

    Returns:
        ``min_bytes`` (bytes), ``bytes_per_device`` (bytes), ``gb_per_s`` (all devices,
        1e9 bytes a second) and ``gb_per_s_per_device``.
    """
    total = 2.0 * n * itemsize
    per_device = total / devices if method == "reverse_ad" else (n + n / devices) * itemsize
    rate = 1e9 * seconds if seconds > 0 else np.nan
    return {
        "min_bytes": total,
        "bytes_per_device": per_device,
        "gb_per_s": total / rate,
        "gb_per_s_per_device": per_device / rate,
    }
