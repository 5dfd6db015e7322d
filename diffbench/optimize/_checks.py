"""Argument checks at ``minimize``'s boundary: one-line reasons, raised before anything runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

import jax
import numpy as np

from .. import _limits
from .._errors import DiffbenchError
from ._optimizers import Optimizer
from ._sgd import Sampler, epochs_to_steps

DTYPES = ("float32", "float64")
MAX_TRACE_INTERVALS = 100
"""The default trace has at most this many intervals (``trace_every`` the smallest stride)."""
STATE_COPIES = 8
"""Arrays of shape ``(runs, n)`` a run keeps at once (iterate, gradient, optimizer moments,
start, scratch): the multiplier of the memory check made before anything is compiled."""


def fail(message: str) -> NoReturn:
    """Raise a ``DiffbenchError`` with ``message``."""
    raise DiffbenchError(message)


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


def runs(total: int, n: int, dtype: np.dtype, device: jax.Device) -> None:
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


def steps(value: int | None, epochs: int | None, sampler: Sampler | None) -> int:
    """The step budget, from ``steps`` or from ``epochs`` of minibatches."""
    if epochs is not None:
        if sampler is None:
            fail("epochs= needs batch= (epochs count passes of minibatches over the data).")
        if value is not None:
            fail("Pass steps or epochs=, not both.")
        return epochs_to_steps(sampler, epochs)
    if value is None:
        fail("Pass the number of steps (or epochs= with batch=).")
    return count("steps", value)


def learning_rates(lr: Any, opt: Optimizer) -> tuple[np.ndarray, bool]:
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


def device(name: str | None) -> jax.Device:
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
