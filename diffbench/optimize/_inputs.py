"""The runner's inputs: the grid of runs, its starts, and its arrays on the device, cached.

Most of a small call's fixed cost is moving a handful of small arrays to the device and making
PRNG keys. They depend only on values a user repeats from call to call (the same starts, rates,
seeds, targets and data), so the device arrays are cached by the bytes of their host values:
a repeated call finds its arguments already on the device (``CACHE_ENTRIES`` sets of at most
``CACHE_BYTES`` each; larger inputs, e.g. one start of 1e8 coordinates, are put every call).
The runner never writes into its arguments (donated starts are copied first, ``_runner``).
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .. import _checks
from .._objective import Objective
from . import _targets
from ._batched import Stop

CACHE_BYTES = 1 << 20
"""Largest set of host arguments (bytes) whose device copy is kept for the next call."""

CACHE_ENTRIES = 32
"""Most argument sets kept on the device (least recently used dropped first)."""

_DEVICE: OrderedDict[tuple, tuple] = OrderedDict()


class RunGrid(NamedTuple):
    """The runs of one call: every start x learning rate x seed, start-major."""

    start: np.ndarray  # (R,) index into the starts
    lr: np.ndarray  # (R,) float64, NaN where the optimizer sets its own step
    seed: np.ndarray  # (R,) the seed of each run's PRNG key


def grid(n_starts: int, lrs: np.ndarray, seeds: np.ndarray) -> RunGrid:
    """The ``R = n_starts * len(lrs) * len(seeds)`` runs, start-major."""
    s, lr, sd = np.meshgrid(np.arange(n_starts), lrs, seeds, indexing="ij")
    return RunGrid(s.ravel(), lr.ravel(), sd.ravel())


def starts(obj: Objective, x0: np.ndarray | None, count: int | None, key: int) -> np.ndarray:
    """The ``(K, n)`` float64 starting points: ``x0``, ``count`` sampled ones, or the default."""
    if x0 is not None and count is not None:
        _checks.fail("Pass x0= or starts=, not both.")
    if x0 is not None:
        return _checks.match_dimension(x0, obj.n)
    if count is not None:
        lo, hi = obj.bounds
        u = _unit_cube(key, _checks.starts(count, obj.n), obj.n)
        return lo[None, :] + u * (hi - lo)[None, :]
    if obj.x0 is None:
        _checks.fail(f"{obj.name} has no default start: pass x0= or starts=.")
    return obj.x0[None, :]


@functools.lru_cache(maxsize=16)
def _unit_cube(key: int, count: int, n: int) -> np.ndarray:
    """``count`` points uniform in ``[0, 1)^n`` from ``key`` (read-only, cached)."""
    u = np.asarray(jax.random.uniform(jax.random.key(key), (count, n), jnp.float64))
    u.flags.writeable = False
    return u


@functools.lru_cache(maxsize=1024)
def _key_data(seed: int) -> np.ndarray:
    """The raw data of ``jax.random.key(seed)`` (cached: making a key is a device call)."""
    return np.asarray(jax.random.key_data(jax.random.key(seed)))


def arguments(
    obj: Objective,
    points: np.ndarray,
    runs: RunGrid,
    f_ref: float | None,
    tol: float | None,
    dtype: np.dtype,
    dev: jax.Device,
    mesh: Any = None,
) -> tuple:
    """The runner's arguments on ``dev``: ``(x0, lr, keys, targets, stop, data)``; with a
    ``mesh``, the runs padded and split over its devices (``distributed._runs.place``)."""
    goals = _targets.targets(f_ref) if f_ref is not None else None
    last = -np.inf if goals is None else goals[-1]
    goals = np.full(len(_targets.EXPONENTS), -np.inf) if goals is None else goals
    seeds, index = np.unique(runs.seed, return_inverse=True)  # a few seeds, many runs
    raw = np.stack([_key_data(int(s)) for s in seeds])[index]
    data = {
        name: np.asarray(a, dtype if np.issubdtype(np.asarray(a).dtype, np.floating) else None)
        for name, a in obj.data.items()
    }
    stop = Stop(np.asarray(-1.0 if tol is None else tol, dtype), np.asarray(last, dtype))
    lr = np.asarray(np.nan_to_num(runs.lr, nan=0.0), dtype)
    host = (np.asarray(points[runs.start], dtype), lr, raw, np.asarray(goals, dtype), stop, data)
    if mesh is not None:
        from ..distributed._runs import place

        return place(host, mesh)
    return on_device(host, dev)


def on_device(host: tuple, dev: jax.Device) -> tuple:
    """``host`` put on ``dev`` (its third entry, raw key data, made typed keys); cached."""
    leaves, tree = jax.tree.flatten(host)
    if sum(leaf.nbytes for leaf in leaves) > CACHE_BYTES:
        return _put(host, dev)
    key = (tree, str(dev), tuple((leaf.dtype.str, leaf.shape, leaf.tobytes()) for leaf in leaves))
    if key in _DEVICE:
        _DEVICE.move_to_end(key)
        return _DEVICE[key]
    _DEVICE[key] = args = _put(host, dev)
    if len(_DEVICE) > CACHE_ENTRIES:
        _DEVICE.popitem(last=False)
    return args


def _put(host: tuple, dev: jax.Device) -> tuple:
    args = jax.device_put(host, dev)
    return (*args[:2], jax.random.wrap_key_data(args[2]), *args[3:])


def cache_clear() -> None:
    """Forget the cached device arguments."""
    _DEVICE.clear()
