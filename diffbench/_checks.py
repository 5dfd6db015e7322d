"""Argument checks at the public boundary, and the one list of dtypes.

Every failure is a one-line ``DiffbenchError`` raised before anything is compiled or run:
points and directions (``gradient``, ``accuracy``), and ``minimize``'s counts, starts,
learning rates, seeds, strides and device. Importing this module imports no JAX (the suite
parser reads ``DTYPES`` from here; ``diffbench list`` stays light).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn, Protocol

import numpy as np

from . import _limits
from ._errors import DiffbenchError
from ._lazy import LazyModule

jax = LazyModule("jax")
jnp = LazyModule("jax.numpy")

DTYPES = ("float32", "float64")
"""The floating dtypes diffbench computes in (suites, ``minimize``, points): the one list."""
MAX_TRACE_INTERVALS = 100
"""The default trace has at most this many intervals (``trace_every`` the smallest stride)."""
STATE_COPIES = 8
"""Arrays of shape ``(runs, n)`` a run keeps at once (iterate, gradient, optimizer moments,
start, scratch): the multiplier of the memory check made before anything is compiled."""


class LearningRates(Protocol):
    """What ``learning_rates`` reads of an optimizer (``optimize.Optimizer`` has it)."""

    label: str
    takes_lr: bool
    default_lr: float | None


def fail(message: str) -> NoReturn:
    """Raise a ``DiffbenchError`` with ``message``."""
    raise DiffbenchError(message)


def check_point(x: Any, name: str = "x") -> jax.Array:
    """Return ``x`` as a 1-D floating JAX array, or raise a one-line error saying what is wrong.

    Integer input becomes float64; float32 and float64 are kept as they are.
    """
    try:
        array = jnp.asarray(x)
    except (TypeError, ValueError) as exc:
        raise DiffbenchError(
            f"{name} must be a 1-D array of numbers; got {type(x).__name__}."
        ) from exc
    if array.ndim != 1:
        raise DiffbenchError(f"{name} must be a 1-D array; got shape {tuple(array.shape)}.")
    if array.shape[0] == 0:
        raise DiffbenchError(f"{name} must have at least one entry; got an empty array.")
    if not jnp.issubdtype(array.dtype, jnp.floating):
        if jnp.issubdtype(array.dtype, jnp.complexfloating):
            raise DiffbenchError(f"{name} must be real; got dtype {array.dtype}.")
        array = array.astype(jnp.float64)
    if array.dtype.name not in DTYPES:
        raise DiffbenchError(
            f"{name} must be float32 or float64; got {array.dtype}. "
            f"Convert it first, e.g. {name}.astype(jnp.float32)."
        )
    bad = np.flatnonzero(~np.isfinite(np.asarray(array)))
    if bad.size:
        shown = ", ".join(str(i) for i in bad[:5]) + (", ..." if bad.size > 5 else "")
        raise DiffbenchError(f"{name} has non-finite entries (nan or inf) at index {shown}.")
    return array


def check_direction(v: Any, x: jax.Array) -> jax.Array:
    """Return ``v`` as an array shaped and typed like ``x``, or raise a one-line error."""
    v = check_point(v, "v")
    if v.shape != x.shape:
        raise DiffbenchError(f"v must have the shape of x {x.shape}; got {v.shape}.")
    return v.astype(x.dtype)


def dtype(name: Any) -> np.dtype:
    """``float32`` or ``float64`` as a NumPy dtype."""
    if str(np.dtype(name) if _is_dtype(name) else name) not in DTYPES:
        fail(f"dtype must be float32 or float64; got {name!r}.")
    return np.dtype(name)


def _is_dtype(name: Any) -> bool:
    try:
        np.dtype(name)
    except TypeError:
        return False
    return True


def count(what: str, value: Any) -> int:
    """A positive integer count, at most ``_limits.MAX_ELEMENTS``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        fail(f"{what} must be a positive integer; got {value!r}.")
    return _limits.check_count(what, int(value))


def starts(value: Any, n: int) -> int:
    """The number of sampled starts, checked to fit in memory before they are drawn."""
    k = count("starts", value)
    _limits.check_memory(f"starts={k:,} x n={n:,}", k * n, 8)
    return k


def runs(total: int, n: int, dtype: np.dtype, device: Any) -> None:
    """Check that ``total`` runs of dimension ``n`` fit on ``device`` before compiling."""
    what = f"{total:,} runs (starts x learning rates x seeds) x n={n:,}"
    _limits.check_memory(what, STATE_COPIES * total * n, dtype.itemsize, device)


def points(x0: Any) -> np.ndarray:
    """Starting points as a finite float64 array of shape ``(K, n)``."""
    arr = np.asarray(x0, dtype=np.float64)
    if arr.ndim == 0:
        arr = arr[None]
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or 0 in arr.shape:
        fail(f"x0 must be one start (n,) or a batch (K, n); got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        fail("x0 has non-finite entries; every start must be finite.")
    return arr


def dimension(n: int | None, x0: np.ndarray | None) -> int | None:
    """The dimension from ``n`` and the starts, which must agree."""
    if x0 is None:
        return None if n is None else count("n", n)
    if n is not None and int(n) != x0.shape[1]:
        fail(f"n={n} but x0 has {x0.shape[1]} coordinates.")
    return x0.shape[1]


def match_dimension(x0: np.ndarray, n: int) -> np.ndarray:
    """Starts whose dimension is the objective's ``n``."""
    if x0.shape[1] != n:
        fail(f"x0 has {x0.shape[1]} coordinates; the function takes n={n}.")
    return x0


def steps(value: int | None, epochs: int | None, steps_per_epoch: int | None) -> int:
    """The step budget, from ``steps`` or from ``epochs`` passes of minibatches.

    ``steps_per_epoch`` is the sampler's (None without ``batch=``).
    """
    if epochs is not None:
        if steps_per_epoch is None:
            fail("epochs= needs batch= (epochs count passes of minibatches over the data).")
        if value is not None:
            fail("Pass steps or epochs=, not both.")
        if epochs < 1:
            fail(f"epochs must be >= 1; got {epochs}.")
        return int(epochs) * steps_per_epoch
    if value is None:
        fail("Pass the number of steps (or epochs= with batch=).")
    return count("steps", value)


def learning_rates(lr: Any, opt: LearningRates) -> tuple[np.ndarray, bool]:
    """``(lrs, use_lr)``: the grid of learning rates (NaN when the optimizer sets its own)."""
    if not opt.takes_lr:
        if lr is not None:
            fail(f"{opt.label} is a ready transformation with its own learning rate; drop lr=.")
        return np.array([np.nan]), False
    if lr is None and opt.default_lr is None:
        return np.array([np.nan]), False
    try:
        lrs = np.atleast_1d(np.asarray(opt.default_lr if lr is None else lr, dtype=np.float64))
    except (TypeError, ValueError, OverflowError):
        fail(f"lr must be a positive number or a 1-D grid of them; got {lr!r}.")
    if lrs.ndim != 1 or lrs.size == 0 or not np.all(np.isfinite(lrs) & (lrs > 0)):
        fail(f"lr must be a positive number or a 1-D grid of them; got {lr!r}.")
    return lrs, True


def seeds(values: Sequence[int] | None, key: int) -> np.ndarray:
    """The run seeds (default: ``[key]``)."""
    if isinstance(key, bool) or not isinstance(key, (int, np.integer)):
        fail(f"key must be an integer seed; got {key!r}.")
    if values is None:
        values = [key]
    if isinstance(values, (int, np.integer)):
        fail(f"seeds= takes a list of seeds, e.g. range({values}); got the int {values}.")
    values = list(values)
    if not values or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values
    ):
        fail(f"seeds must be a non-empty list of integers; got {values!r}.")
    if any(abs(int(v)) > _limits.MAX_SEED for v in values):
        fail(f"seeds (and key) must be 64-bit integers, |seed| < 2**63; got {values!r}.")
    return np.asarray(values, dtype=np.int64)


def strides(steps: int, trace_every: int | None, check_every: int, tol: Any) -> tuple[int, int]:
    """``(trace_every, check_every)``, checked against each other and the budget."""
    check = count("check_every", check_every)
    if steps % check:
        fail(f"check_every={check} must divide steps={steps}.")
    if tol is not None and not (np.isfinite(tol) and tol >= 0):
        fail(f"tol must be a finite number >= 0; got {tol!r}.")
    if trace_every is None:
        return _default_stride(steps, check), check
    stride = count("trace_every", trace_every)
    if stride % check:
        fail(f"trace_every={stride} must be a multiple of check_every={check}.")
    return stride, check


def _default_stride(steps: int, check: int) -> int:
    """The smallest multiple of ``check`` dividing ``steps`` into <= 100 intervals."""
    blocks = steps // check
    small = [i for i in range(1, int(blocks**0.5) + 1) if blocks % i == 0]
    divisors = sorted({*small, *(blocks // i for i in small)})
    return check * next(d for d in divisors if blocks // d <= MAX_TRACE_INTERVALS)


def device(name: str | None) -> Any:
    """The device to run on: JAX's default, or the first of platform ``name``."""
    if name is None:
        return jax.local_devices()[0]  # this process's (jax.distributed: not process 0's)
    try:
        return jax.local_devices(backend=name)[0]
    except RuntimeError:
        seen = ", ".join(sorted({d.platform for d in jax.devices()}))
        fail(f"No {name} device: JAX sees {seen}.")


def calls(what: str, value: Any) -> int:
    """A count of calls that may be zero (``warmup``)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        fail(f"{what} must be an integer >= 0; got {value!r}.")
    return int(value)
