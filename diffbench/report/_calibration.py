"""The calibration workload: a fixed jitted kernel whose median time measures a machine's speed.

Every session stores ``calibration_seconds()`` in its metadata as ``calibration_s`` (one float, or
a dict ``{device: seconds}`` when a session measures several devices); ``diffbench compare
--normalize`` divides every timing by it, so results from different machines, or from one machine
under different load, compare as ratios. The kernel mixes what gradients do: small dense
matrix-vector products and transcendental elementwise work, in float32, in a ``fori_loop`` so that
one call is long enough (about a millisecond on a laptop core) to time reliably.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

SIZE = 256
STEPS = 256


def _kernel(a: Any, x: Any) -> Any:
    import jax
    import jax.numpy as jnp

    return jax.lax.fori_loop(0, STEPS, lambda _, v: jnp.tanh(a @ v) + 0.5 * v, x)


def calibration_seconds(device: Any = None, repeats: int = 31) -> float:
    """Median seconds of one call of the fixed calibration kernel on ``device``.

    The kernel is compiled first (not timed), warmed up, then timed ``repeats`` times with
    ``block_until_ready`` inside the timed region. It always does the same work, whatever the
    JAX version or flags, so its time tracks the machine.

    Args:
        device: A ``jax.Device`` or a platform name (``"cpu"``, ``"gpu"``); default: JAX's default.
        repeats: Timed calls; the median is returned.

    Returns:
        Median seconds per call.

    Example:
        >>> seconds = calibration_seconds(repeats=5)
        >>> 0 < seconds < 1
        True
    """
    import jax
    import jax.numpy as jnp

    if isinstance(device, str):
        device = jax.devices(device)[0]
    device = device or jax.devices()[0]
    values = (np.arange(SIZE * SIZE) % 17 / 17.0 - 0.5).reshape(SIZE, SIZE) / 8.0
    a = jax.device_put(jnp.asarray(values, dtype=jnp.float32), device)
    x = jax.device_put(jnp.linspace(-1.0, 1.0, SIZE, dtype=jnp.float32), device)
    compiled = jax.jit(_kernel).lower(a, x).compile()
    compiled(a, x).block_until_ready()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        compiled(a, x).block_until_ready()
        samples.append(time.perf_counter() - start)
    return float(np.median(samples))


def calibration_for(device: Any, calibration: Any) -> float:
    """The calibration seconds that apply to a row measured on ``device``.

    Args:
        device: The row's device text (``"cpu"``, ``"gpu:0"`` ...).
        calibration: The metadata's ``calibration_s``: a number, or a dict by device.

    Returns:
        Seconds, or nan when none applies.
    """
    if isinstance(calibration, dict):
        text = str(device)
        value = calibration.get(text, calibration.get(text.split(":")[0]))
        return float(value) if value is not None else float("nan")
    return float(calibration) if calibration is not None else float("nan")
