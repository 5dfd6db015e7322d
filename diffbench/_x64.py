"""Float64 scoped to diffbench's own calls: ``import diffbench`` leaves JAX's configuration alone.

Precision is an axis of every study, so diffbench needs float64 arrays. Rather than turning
``jax_enable_x64`` on for the whole process (which would make float64 the default dtype of
every array in the user's program), each public entry point runs inside JAX's ``enable_x64``
context manager through the ``x64`` decorator below. Arrays it returns keep their dtype; what
the user computes with them afterwards follows the user's own setting.

``jax.enable_x64`` is the context manager of JAX >= 0.7; older releases (down to the declared
floor) call it ``jax.experimental.enable_x64``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@contextlib.contextmanager
def float64() -> Iterator[None]:
    """Enable float64 in JAX for the body of the ``with`` block (this thread only)."""
    import jax

    manager = getattr(jax, "enable_x64", None)
    if manager is None:  # JAX < 0.7
        from jax.experimental import enable_x64 as manager
    with manager(True):
        yield


def x64(fn: F) -> F:
    """Decorate a public function so its body (tracing and execution) runs with float64 on.

    Example:
        >>> import jax, numpy as np
        >>> @x64
        ... def dtype_of_default():
        ...     return jax.numpy.asarray(np.ones(1)).dtype
        >>> str(dtype_of_default())
        'float64'
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with float64():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
