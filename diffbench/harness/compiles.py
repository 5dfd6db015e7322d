"""A process-wide count of XLA compilations, from ``jax.monitoring`` events.

JAX reports every backend compilation as the duration event
``/jax/core/compile/backend_compile_duration``; counting those events around a case gives the
compilations the case caused, a figure that is exact for one environment (a change that
compiles each case twice shows as 2 instead of 1, however noisy the machine).

Example:
    >>> import jax, jax.numpy as jnp
    >>> x = jnp.ones(3)
    >>> before = count()
    >>> _ = jax.jit(lambda v: v + 1).lower(x).compile()
    >>> count() - before
    1
"""

from __future__ import annotations

from typing import Any

COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"
_state = {"count": 0, "listening": False}


def _listen(event: str, _duration: float, **_kwargs: Any) -> None:
    if event == COMPILE_EVENT:
        _state["count"] += 1


def count() -> int:
    """Return the XLA compilations of this process since the first call of ``count``."""
    if not _state["listening"]:
        import jax

        jax.monitoring.register_event_duration_secs_listener(_listen)
        _state["listening"] = True
    return int(_state["count"])
