"""Timing JAX honestly: compile apart, warm up, calibrated batches that end blocked, a budget.

The rules (docs/ARCHITECTURE.md, "Timing and accuracy rules"):

- ``compile_jit`` traces, lowers and compiles once (``jax.jit(f).lower(x).compile()``) and
  reports those seconds apart from the steady state; ``Compiled.call`` IS that executable, so
  the code that is timed is the code whose XLA costs are reported, and it is compiled once
  (calling the ``jax.jit`` wrapper instead would trace and compile a second time);
- ``warmup >= 1``: at least one untimed call precedes calibration;
- ``time_calls`` warms up, times one call to calibrate a batch of ``k`` calls whose total is
  about ``policy.sample_s`` (far above the timer's resolution), then takes samples: each runs
  the batch and ends with ``jax.block_until_ready`` on the last result, inside the timed region,
  so asynchronous dispatch cannot make a call look free. XLA runs the executions of one device
  in order, so the last result being ready means the whole batch ran. Samples repeat until
  ``policy.budget_s`` is spent (at least ``min_repeats``, at most ``max_repeats``);
- every sample is stored as seconds *per call* (sample / k), so ``min`` and ``median`` are
  per-call figures and the raw samples stay available for statistics;
- the spread is taken from single calls, not from those batch means (a mean of k calls
  hides most of their spread, by about sqrt(k)): after each batched sample one call is timed
  alone, blocked on, and ``iqr_s`` is the IQR of those calls. When a batch is one call, the
  samples are single calls already and no extra call is made;
- a ``TraceCounter`` counts how often the Python function is traced; a trace during the timed
  samples means the measurement timed compilation, and the caller records ``retraced``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._lazy import LazyModule

jax = LazyModule("jax")


@dataclass(frozen=True)
class TimingPolicy:
    """How long and how often to measure one callable.

    Attributes:
        budget_s: seconds of timed samples to aim for (after warm-up and calibration).
        sample_s: target seconds of one sample; the batch of calls is sized to reach it.
        min_repeats: fewest samples, even when one sample already exceeds the budget.
        max_repeats: most samples, however cheap the call.
        warmup: untimed calls before calibration (caches, page faults, thread pools).
        max_batch: most calls in one sample.
    """

    budget_s: float = 0.25
    sample_s: float = 0.005
    min_repeats: int = 5
    max_repeats: int = 100
    warmup: int = 1
    max_batch: int = 100_000

    def __post_init__(self) -> None:
        from .._errors import DiffbenchError

        if not (self.budget_s >= 0 and self.sample_s > 0):
            raise DiffbenchError(
                f"timing needs budget_s >= 0 and sample_s > 0; got {self.budget_s}, "
                f"{self.sample_s}."
            )
        if self.warmup < 1 or self.max_batch < 1:
            raise DiffbenchError(
                "timing needs warmup >= 1 (an untimed first call) and max_batch >= 1; "
                f"got warmup={self.warmup}, max_batch={self.max_batch}."
            )
        if not 1 <= self.min_repeats <= self.max_repeats:
            raise DiffbenchError(
                "timing needs 1 <= min_repeats <= max_repeats; "
                f"got {self.min_repeats}, {self.max_repeats}."
            )


@dataclass(frozen=True)
class Timing:
    """The samples of one measurement, in seconds per call.

    Attributes:
        samples: one figure per sample: the sample's seconds divided by ``batch``.
        batch: calls per sample.
        retraces: traces of the timed function during warm-up-free sampling (0 is honest).
        calls: seconds of single calls, each timed alone and blocked on (one after each
            batched sample); empty when ``batch`` is 1 (the samples are single calls then).
    """

    samples: tuple[float, ...]
    batch: int
    retraces: int = 0
    calls: tuple[float, ...] = ()

    @property
    def call_samples(self) -> tuple[float, ...]:
        """Seconds of single calls: ``calls``, or the samples themselves when ``batch`` is 1."""
        return self.samples if self.batch == 1 else self.calls

    @property
    def repeats(self) -> int:
        """Number of samples."""
        return len(self.samples)

    @property
    def median_s(self) -> float:
        """Median seconds per call."""
        return float(np.median(self.samples))

    @property
    def min_s(self) -> float:
        """Fastest sample, seconds per call."""
        return float(np.min(self.samples))

    @property
    def iqr_s(self) -> float:
        """Interquartile range of single calls (``call_samples``), seconds; NaN without any."""
        if not self.call_samples:
            return math.nan
        q1, q3 = np.percentile(self.call_samples, [25, 75])
        return float(q3 - q1)


class TraceCounter:
    """Wrap a function so every trace (every Python-level call) is counted.

    Under ``jax.jit`` the Python body runs only when JAX traces it, so ``count`` is the
    number of traces. Call the wrapper outside ``jit`` and it counts plain calls.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> counted = TraceCounter(lambda x: x * 2)
        >>> f = jax.jit(counted)
        >>> _ = f(jnp.ones(3)); _ = f(jnp.ones(3))
        >>> counted.count
        1
    """

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.count = 0
        self.__name__ = getattr(fn, "__name__", "traced")

    def __call__(self, *args: Any) -> Any:
        self.count += 1
        return self.fn(*args)


@dataclass(frozen=True)
class Compiled:
    """A jitted function compiled ahead of time for one set of arguments.

    Attributes:
        call: the compiled executable itself (``jax.stages.Compiled``): calling it never
            traces or compiles; arguments must match the compiled shapes and dtypes.
        executable: the same ``jax.stages.Compiled`` object (for ``cost_analysis``).
        compile_s: seconds to trace, lower and compile.
        counter: the trace counter around the Python function.
    """

    call: Callable[..., Any]
    executable: Any
    compile_s: float
    counter: TraceCounter


def compile_jit(fn: Callable[..., Any], *args: Any) -> Compiled:
    """Trace, lower and compile ``jax.jit(fn)`` for ``args``; time it apart from any call.

    Args:
        fn: a pure JAX function.
        *args: example arguments (their shapes, dtypes and devices are what is compiled for).

    Returns:
        The executable (as ``call`` and ``executable``), the compile seconds and the trace
        counter (1 after this call; it stays 1 however often ``call`` runs).
    """
    counter = TraceCounter(fn)
    jitted = jax.jit(counter)
    devices = {d for a in args if isinstance(a, jax.Array) for d in a.devices()}
    placement = jax.default_device(devices.pop()) if len(devices) == 1 else nullcontext()
    start = time.perf_counter()
    with placement:  # methods size their blocks for the device the arguments live on
        executable = jitted.lower(*args).compile()
    compile_s = time.perf_counter() - start
    return Compiled(executable, executable, compile_s, counter)


def time_calls(
    call: Callable[..., Any],
    args: Sequence[Any],
    policy: TimingPolicy | None = None,
    traces: Callable[[], int] | None = None,
) -> Timing:
    """Time ``call(*args)`` by the harness rules (module docstring).

    Args:
        call: the function to time (a jitted function, an executable or plain Python).
        args: its arguments, reused for every call.
        policy: budget, sample length and repeat bounds; ``TimingPolicy()`` by default.
        traces: returns the current trace count of ``call`` (e.g. ``counter.count``); a
            change during sampling is reported in ``Timing.retraces``.

    Returns:
        The samples in seconds per call, the batch size, the retraces seen and the single
        calls timed for the spread (``Timing.calls``).
    """
    policy = policy or TimingPolicy()
    for _ in range(policy.warmup):
        jax.block_until_ready(call(*args))
    before = traces() if traces else 0
    batch, first = _calibrate(call, args, policy)
    samples: list[float] = [] if first is None else [first]  # a one-call sample counts
    calls: list[float] = []
    spent = sum(samples)
    while len(samples) < policy.max_repeats and (
        len(samples) < policy.min_repeats or spent < policy.budget_s
    ):
        seconds = _sample(call, args, batch)
        samples.append(seconds / batch)
        if batch > 1:  # the spread's sample: one call alone
            calls.append(_sample(call, args, 1))
            seconds += calls[-1]
        spent += seconds
    retraces = (traces() - before) if traces else 0
    return Timing(tuple(samples), batch, retraces, tuple(calls))


def _calibrate(
    call: Callable[..., Any], args: Sequence[Any], policy: TimingPolicy
) -> tuple[int, float | None]:
    """Return the batch size whose sample lasts about ``policy.sample_s`` seconds.

    When one call already lasts that long, the batch is 1 and the calibration call, timed
    exactly like a sample, is returned as the first sample (slow calls are not run twice).
    """
    one = _sample(call, args, 1)
    if one >= policy.sample_s:
        return 1, one
    batch = min(policy.max_batch, math.ceil(policy.sample_s / max(one, 1e-9)))
    if batch > 1:  # one call is dominated by timer and cache effects: measure a few
        few = min(batch, 10)
        one = _sample(call, args, few) / few
        batch = min(policy.max_batch, max(1, math.ceil(policy.sample_s / max(one, 1e-9))))
    return batch, None


def _sample(call: Callable[..., Any], args: Sequence[Any], batch: int) -> float:
    """Return the seconds of ``batch`` calls, the last result blocked on inside the timing."""
    perf_counter = time.perf_counter
    start = perf_counter()
    for _ in range(batch - 1):
        call(*args)
    jax.block_until_ready(call(*args))
    return perf_counter() - start
