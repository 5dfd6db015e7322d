"""Work beside the seconds: FLOPs, bytes accessed and temporary memory as XLA reports them.

``Compiled.cost_analysis()`` returns a dict in JAX >= 0.4.30 (a list of one dict per
computation before); ``Compiled.memory_analysis()`` returns an object with
``temp_size_in_bytes``. Backends that report nothing (or raise) give None, never 0, so a
missing figure cannot be mistaken for a free computation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class XlaCosts:
    """XLA's static estimate of one compiled computation.

    Attributes:
        flops: floating-point operations per call (None where XLA gives none).
        bytes_accessed: bytes read and written per call (None where XLA gives none).
        temp_bytes: temporary buffer bytes the executable allocates (None where unknown).
    """

    flops: float | None = None
    bytes_accessed: float | None = None
    temp_bytes: int | None = None


def xla_costs(executable: Any) -> XlaCosts:
    """Return the FLOPs, bytes accessed and temporary bytes of a ``jax.stages.Compiled``.

    Args:
        executable: the result of ``jax.jit(f).lower(x).compile()``; anything else gives
            an all-None record.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> exe = jax.jit(lambda x: x @ x).lower(jnp.ones((4, 4))).compile()
        >>> xla_costs(exe).flops  # 4*4*4 multiply-adds
        128.0
    """
    analysis = _call(executable, "cost_analysis")
    if isinstance(analysis, list | tuple):
        analysis = analysis[0] if analysis else None
    if not isinstance(analysis, dict):
        analysis = {}
    memory = _call(executable, "memory_analysis")
    temp = getattr(memory, "temp_size_in_bytes", None)
    return XlaCosts(
        flops=_figure(analysis.get("flops")),
        bytes_accessed=_figure(analysis.get("bytes accessed")),
        temp_bytes=int(temp) if temp is not None and temp >= 0 else None,
    )


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """Return ``numerator / denominator``, or None when either is missing or the base is 0."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return float(numerator) / float(denominator)


def _call(obj: Any, name: str) -> Any:
    method = getattr(obj, name, None)
    if method is None:
        return None
    try:
        return method()
    except Exception:  # noqa: BLE001 - a backend without the analysis reports nothing
        return None


def _figure(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) and value >= 0 else None
