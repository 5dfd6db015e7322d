"""Compiled runners: built once per shape, cached, and timed honestly.

A runner is ``jax.jit(make_run(loop)).lower(...).compile()``: compile time is measured apart from
the run, and a second ``minimize`` with the same function, optimizer, budget and shapes reuses the
executable (no trace, no compile; ``cache_info()`` counts both). Only array *values* (starts,
learning rates, seeds, targets, tolerance, data) are arguments, so a new learning-rate grid or new
starts never recompile.

Unrolling and buffer donation are chosen per backend by measurement (``PLANS``; see
``benchmarks/bench_optimize.py``) and can be overridden per call.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import numpy as np

from .._errors import DiffbenchError
from . import _inputs
from ._batched import Outputs, make_run
from ._loop import Loop


@dataclass(frozen=True)
class Plan:
    """How the step loop is compiled on one backend.

    Attributes:
        unroll: ``lax.scan`` unroll factor of the step loop.
        donate: whether the starting points are donated to the runner (their buffer reused
            for the iterates).
        options: XLA compiler options of the runner, as ``(name, value)`` pairs.
    """

    unroll: int = 1
    donate: bool = False
    options: tuple[tuple[str, str], ...] = ()


PLANS: dict[str, Plan] = {
    # XLA:CPU (2-core EPYC), benchmarks/bench_optimize.py::test_plan, GD on rosenbrock n=1e6,
    # float64, 100 steps: unroll 1 / 2 / 10 = 96 / 190 / 950 ms a call. Unrolled, XLA fuses
    # one step's update into the next step's gradient and recomputes it for every shifted read
    # of the stencil. A plain scan keeps one fused kernel plus one copy of x per step. Small
    # runs lose too: 2-D rosenbrock takes 21 / 248 / 336 ns a step with unroll 1 / 4 / 10.
    # Donating the starts changed nothing measurable (94 vs 99 ms), so it stays off.
    # YNNPACK fusions off: XLA:CPU hands a large reduction fused with its operands to YNNPACK,
    # which ran rosenbrock's value at n = 1e6 in 11 ms against 2.2 ms without (load 5), and
    # the records' reductions over 10,000 runs slower too (10,000 starts x 1,000 steps, CPU
    # seconds: rosenbrock 72 -> 50 ms, rastrigin 591 -> 398 ms; benchmarks/optimize_ratios.py).
    "cpu": Plan(unroll=1, donate=False, options=(("xla_cpu_experimental_ynn_fusion_type", ""),)),
    # H100 (JAX 0.11.2), the same GD at 1e6 (1e7) elements, loss checked once: unroll 1 / 2 /
    # 10 = 883 / 1798 / 2261 (1233 / 2633 / 2704) GB/s, donation neutral; 2-D rosenbrock
    # 10.3 -> 1.7 us a step and 10,000 rastrigin starts 13.2 -> 2.7 us a step with unroll 10
    # (fewer trips of XLA:GPU's while loop, whose fixed cost per trip dominates small runs).
    "gpu": Plan(unroll=10, donate=False),
}


def plan_for(platform: str, unroll: int | None = None, donate: bool | None = None) -> Plan:
    """The backend's default plan, with any per-call override."""
    base = PLANS.get(platform, Plan())
    if unroll is not None and int(unroll) < 1:
        raise DiffbenchError(f"unroll must be >= 1; got {unroll}.")
    return Plan(
        unroll=base.unroll if unroll is None else int(unroll),
        donate=base.donate if donate is None else bool(donate),
        options=base.options,
    )


_CACHE: OrderedDict[Hashable, Any] = OrderedDict()
_CACHE_SIZE = 64
_STATS = {"hits": 0, "misses": 0, "traces": 0}


def cache_info() -> dict[str, int]:
    """Counters of the runner cache: ``hits``, ``misses``, ``traces`` and current ``size``.

    Example:
        >>> import diffbench
        >>> sorted(diffbench.optimize.cache_info())
        ['hits', 'misses', 'size', 'traces']
    """
    return {**_STATS, "size": len(_CACHE)}


def cache_clear() -> None:
    """Forget every compiled runner and the cached device arguments (the counters stay)."""
    _CACHE.clear()
    _inputs.cache_clear()


def _signature(args: Sequence[Any]) -> tuple:
    """Shapes, dtypes and device of the runner's arguments (the part of the key they give)."""
    leaves = jax.tree.leaves(args)
    devices = {str(d) for leaf in leaves for d in getattr(leaf, "devices", lambda: ())()}
    return (tuple((leaf.shape, str(leaf.dtype)) for leaf in leaves), tuple(sorted(devices)))


def compiled(
    loop: Loop,
    n_targets: int,
    plan: Plan,
    args: Sequence[Any],
    options: Hashable,
    shardings: dict | None = None,
) -> tuple[Any, float]:
    """Return ``(executable, compile_s)``; ``compile_s`` is 0.0 when the cache had it.

    The key: the objective's identity, the optimizer and sampler, ``options`` (the resolved
    ``Stop`` and ``Records``, whose equality leaves out what is a runner argument), ``plan``
    and the arguments' shapes, dtypes and device. ``shardings`` (``in_shardings`` /
    ``out_shardings`` for ``jax.jit``) splits the runs over a mesh (``distributed._runs``);
    the devices of ``args`` are part of the key.
    """
    parts = (loop.optimizer, loop.use_lr, loop.sampler)
    key = (loop.objective.identity, parts, options, n_targets, plan, _signature(args))
    if key in _CACHE:
        _STATS["hits"] += 1
        _CACHE.move_to_end(key)
        return _CACHE[key], 0.0
    _STATS["misses"] += 1
    run = make_run(loop, n_targets)

    def counted(*a: Any) -> Outputs:
        _STATS["traces"] += 1
        return run(*a)

    jitted = jax.jit(counted, donate_argnums=(0,) if plan.donate else (), **(shardings or {}))
    start = time.perf_counter()
    executable = _compile(jitted.lower(*args), plan.options)
    compile_s = time.perf_counter() - start
    _CACHE[key] = executable
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return executable, compile_s


def execute(
    executable: Any, args: Sequence[Any], repeats: int, donate: bool, warmup: int = 0
) -> tuple[Outputs, list[float]]:
    """Run ``warmup`` untimed calls, then ``repeats`` timed ones, each blocking on its result;
    return the first call's outputs as NumPy arrays and the wall seconds of the timed calls.

    With donation the starting points are consumed by a call, so each call gets a fresh
    copy, made outside the timed region.
    """
    outputs, seconds = None, []
    for call in range(warmup + max(1, repeats)):
        call_args = (jax.numpy.copy(args[0]), *args[1:]) if donate else args
        jax.block_until_ready(call_args)
        start = time.perf_counter()
        out = jax.block_until_ready(executable(*call_args))
        if call >= warmup:
            seconds.append(time.perf_counter() - start)
        if outputs is None:
            outputs = Outputs(*(np.asarray(a) for a in out))  # ready: no wait
    return outputs, seconds


_UNKNOWN_OPTIONS: set[tuple[tuple[str, str], ...]] = set()
"""Plans' compiler options this XLA refused: compiled without them from then on."""


def _compile(lowered: Any, options: tuple[tuple[str, str], ...]) -> Any:
    """Compile ``lowered`` with ``options``; an XLA that does not know one of them (older
    jaxlib: "No such compile option") compiles without them, since they only tune speed."""
    if options and options not in _UNKNOWN_OPTIONS:
        try:
            return lowered.compile(compiler_options=dict(options))
        except Exception as exc:  # noqa: BLE001 - XlaRuntimeError's module moves across jaxlibs
            if "No such compile option" not in str(exc):
                raise
            _UNKNOWN_OPTIONS.add(options)
    return lowered.compile()
