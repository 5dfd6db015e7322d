"""Size limits checked in Python, before XLA sees a shape: a clear error, never an abort.

XLA indexes arrays and counts loop iterations with 32-bit integers in places, and a failed
allocation of a huge batch is a process abort (``SIGABRT``, exit 134) rather than a Python
exception. So every size that reaches XLA from user input (a suite's dims, starts and steps;
``minimize``'s ``starts``, ``steps`` and its grid of runs) is checked here first.
"""

from __future__ import annotations

import os
from typing import Any

from ._errors import DiffbenchError

MAX_ELEMENTS = 2**31 - 1
"""The most elements of one array, and the most iterations of one compiled loop."""
MAX_SEED = 2**63 - 1
"""Seeds are 64-bit signed integers."""


def memory_bytes(device: Any = None) -> int:
    """Return the bytes a run may use: the accelerator's limit, else the host's RAM (bytes)."""
    if device is not None and getattr(device, "platform", "cpu") != "cpu":
        try:
            limit = (device.memory_stats() or {}).get("bytes_limit")
        except Exception:  # noqa: BLE001 - a backend without memory_stats
            limit = None
        if limit:
            return int(limit)
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - non-POSIX
        return 2**62


def check_count(what: str, value: int, where: str = "") -> int:
    """Return ``value`` if it is at most ``MAX_ELEMENTS``, else raise a one-line error."""
    if value > MAX_ELEMENTS:
        at = f" in {where}" if where else ""
        raise DiffbenchError(
            f"{what}{at} must be at most {MAX_ELEMENTS:,} (XLA's 32-bit sizes); got {value:,}."
        )
    return value


def check_memory(what: str, elements: int, itemsize: int, device: Any = None) -> None:
    """Raise a one-line error if ``elements`` values of ``itemsize`` bytes cannot fit.

    Args:
        what: what is being sized, for the message (e.g. ``10 starts x n=2``).
        elements: values held at once (already multiplied by the copies a run keeps).
        itemsize: bytes per value.
        device: the JAX device that will hold them (None: the host).
    """
    check_count(what, elements)
    need, have = elements * itemsize, memory_bytes(device)
    if need > have:
        raise DiffbenchError(
            f"{what} needs about {need / 2**30:,.1f} GiB; the device has "
            f"{have / 2**30:,.1f} GiB. Use fewer starts, learning rates or seeds, or a smaller n."
        )
