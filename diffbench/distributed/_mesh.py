"""One-host device meshes: which local devices a call spreads over, and the runs axis on them.

A call's runs (starts x learning rates x seeds) are independent, so spreading them over ``D``
devices is data parallelism with no communication but one reduction (the tolerance loop's
"is any run still going"). The runs axis is padded to a multiple of ``D`` with copies of the
first run (a copy stops when run 0 stops, so it never keeps a tolerance loop going longer
than the real runs do) and trimmed after the call. XLA partitions the one compiled runner
(``jax.jit`` with ``NamedSharding`` in and out), so every run computes exactly what it
computes unsharded; ``tests/test_distributed.py`` holds the iterates equal to 1e-12.

Only the process's own devices (``jax.local_devices``) are used: in a multi-process session
(``diffbench.distributed.session``) each process runs its own cases on its own devices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from .._errors import DiffbenchError

AXIS = "runs"
"""The name of the mesh axis the runs (or a gradient's coordinates) are split over."""


def resolve(devices: Any, platform: str) -> list[jax.Device]:
    """The local devices a call runs on; one device means the plain, unsharded call.

    Args:
        devices: None (every local device of ``platform`` when there is more than one), a
            count (the first that many local devices), or a list of local ``jax.Device``.
        platform: the call's platform (``cpu``, ``gpu``).

    Returns:
        The devices, in order (length 1 when the call is not sharded).

    Raises:
        DiffbenchError: a count below 1 or above the devices present, a device that is not
            this process's, of another platform, or listed twice.
    """
    present = jax.local_devices(backend=platform)
    if devices is None:
        return present
    if isinstance(devices, (int, np.integer)) and not isinstance(devices, bool):
        if not 1 <= int(devices) <= len(present):
            raise DiffbenchError(
                f"devices={devices}: this process has {len(present)} {platform} device(s); "
                f"ask for 1 to {len(present)} or pass devices=None for all of them."
            )
        return present[: int(devices)]
    return _check_list(devices, present, platform)


def _check_list(devices: Any, present: list[jax.Device], platform: str) -> list[jax.Device]:
    try:
        listed = list(devices)
    except TypeError:
        listed = None
    if not listed or not all(isinstance(d, jax.Device) for d in listed):
        raise DiffbenchError(
            f"devices must be None, a count or a list of jax devices; got {devices!r}."
        )
    foreign = [d for d in listed if d not in present]
    if foreign:
        raise DiffbenchError(
            f"devices {foreign} are not local {platform} devices of this process; "
            f"use jax.local_devices('{platform}')."
        )
    if len(set(listed)) != len(listed):
        raise DiffbenchError(f"devices lists a device twice: {listed}.")
    return listed


def mesh(devices: Sequence[jax.Device]) -> Mesh | None:
    """A one-axis mesh (``AXIS``) over ``devices``; None for a single device."""
    return None if len(devices) < 2 else Mesh(np.asarray(devices, dtype=object), (AXIS,))


def padded(count: int, size: int) -> int:
    """``count`` rounded up to a multiple of ``size`` (the devices of the mesh)."""
    return -(-count // size) * size


def pad_rows(values: np.ndarray, count: int) -> np.ndarray:
    """``values`` with copies of its first row appended up to ``count`` rows."""
    extra = count - values.shape[0]
    if extra <= 0:
        return values
    return np.concatenate([values, np.repeat(values[:1], extra, axis=0)])


def split(m: Mesh, *axes: int | None) -> NamedSharding:
    """The sharding that splits dimension ``axes.index(0)`` over the mesh (others whole).

    ``split(m)`` replicates; ``split(m, 0)`` splits the first axis; ``split(m, None, 0)``
    splits the second.
    """
    return NamedSharding(m, P(*(AXIS if a == 0 else None for a in axes)))
