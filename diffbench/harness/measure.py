"""Measure one gradient case: build, compile, time, count work, and score against the truth.

A ``Point`` is shared by the cases of one (function, n, dtype, device) group: the point x
(the function's documented start ``x0(n)`` in that dtype, on that device), the timing of
``jit(f)`` at x taken just before the group's methods (so ``cost_ratio`` compares timings
taken adjacently in one process), f's XLA costs, and the truth, computed once per point
and cached (the mpmath reference costs seconds at n = 64).

Columns of a ``gradients`` row (docs/ARCHITECTURE.md, ``diffbench.results.schema``), in detail:

- ``params``: the method's parameters (its defaults updated by the suite) as canonical JSON,
  e.g. ``{"step":null}``; None means the method's default rule (resolved per dtype);
- ``status``: ``ok``, ``skipped`` (``error`` says why), ``retraced`` or ``error`` (``error``
  starts with the case: ``rosenbrock n=8 float32 cpu central: ...``);
- ``compile_s``: everything from the method's construction to a ready executable: for
  ``symbolic`` the SymPy differentiation and lambdify, for a jittable method also the trace,
  lowering and XLA compile; for a peer (plain NumPy code) only its construction;
- ``time_*_s`` and ``samples``: seconds per call (see ``timing``): ``time_median_s``,
  ``time_min_s`` and ``samples`` from calibrated batches, ``time_iqr_s`` from single calls
  each timed alone (a batch mean hides the spread of its calls); ``f_time_median_s`` the
  median of ``jit(f)`` at the same point, timed just before; ``cost_ratio`` their quotient;
- ``flops``, ``bytes_accessed``, ``temp_bytes``: XLA's figures for one call (None for peers
  and where XLA reports nothing); ``flops_ratio`` = flops / f's flops;
- ``abs_err_max`` ... ``digits``: ``diffbench.accuracy.errors`` against ``reference``;
- ``min_bytes``, ``gb_per_s``, ``bandwidth_fraction``: see ``with_bandwidth``;
- ``compiles``: XLA compilations from the method's construction to the end of its timing
  (``harness.compiles``): 1 for an honest jitted case.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import describe
from .cases import GradientCase
from .costs import XlaCosts, ratio, xla_costs
from .timing import Timing, TimingPolicy, compile_jit, time_calls


@dataclass
class Point:
    """The shared state of one (function, n, dtype, device) group.

    Attributes:
        x: the point as a JAX array of the group's dtype on its device.
        f_timing: the timing of ``jit(f)`` at ``x``.
        f_costs: XLA's costs of ``jit(f)``.
        reference: ``(truth, name)`` once computed.
    """

    x: Any
    f_timing: Timing
    f_costs: XlaCosts
    reference: tuple[np.ndarray, str] | None = field(default=None)


def make_point(function: str, n: int, dtype: str, device: str, policy: TimingPolicy) -> Point:
    """Place ``x0(n)`` on ``device`` in ``dtype`` and time ``jit(f)`` there."""
    import jax

    from .. import functions
    from .environment import available_devices

    tf = functions.get(function)
    tf.check_dim(n)
    x = jax.device_put(np.asarray(tf.x0(n), dtype=dtype), available_devices(device)[0])
    compiled = compile_jit(tf.__call__, x)
    timing = time_calls(compiled.call, (x,), policy, traces=lambda: compiled.counter.count)
    return Point(x, timing, xla_costs(compiled.executable))


def empty_row(case: GradientCase, run_id: str) -> dict[str, Any]:
    """Return a ``gradients`` row for ``case`` with every measured column None."""
    from ..results.schema import GRADIENT_COLUMNS

    row: dict[str, Any] = dict.fromkeys(GRADIENT_COLUMNS)
    row.update(
        run_id=run_id,
        function=case.function,
        n=case.n,
        dtype=case.dtype,
        device=case.device,
        method=case.method,
        params=case.params,
        status="ok",
        repeats=0,
        samples=[],
        retraces=0,
        devices=1,
        processes=1,
        process_id=0,
    )
    return row


def measure_gradient(
    case: GradientCase, point: Point, run_id: str, reference: Any
) -> dict[str, Any]:
    """Return the ``gradients`` row of one case (``status`` ok, retraced or skipped).

    Args:
        case: what to measure.
        point: the group's point, f timing and costs.
        run_id: the session's id.
        reference: ``reference(point) -> (truth, name)``; called after the timing.

    Raises:
        Exception: whatever the method raises other than ``Skipped``; the session turns it
            into an ``error`` row.
    """
    from .. import methods
    from .compiles import count

    compiles_before = count()
    row = empty_row(case, run_id)
    row["f_time_median_s"] = point.f_timing.median_s
    method = methods.get(case.method)
    start = time.perf_counter()
    try:
        grad_fn = method.build(
            case.function, case.n, np.dtype(case.dtype), **json.loads(case.params)
        )
    except methods.Skipped as skip:
        row.update(status="skipped", error=str(skip))
        return row
    build_s = time.perf_counter() - start
    if method.jittable:
        grad, timing, costs, compile_s = _jitted(grad_fn, point.x, case.timing)
    elif case.device != "cpu":
        row.update(status="skipped", error=f"{case.method} runs on the host CPU only.")
        return row
    else:
        grad, timing, costs, compile_s = _host(grad_fn, point.x, case.timing)
    row.update(_timing_columns(timing, build_s + compile_s, point))
    row["compiles"] = count() - compiles_before
    row.update(_cost_columns(costs, point.f_costs))
    try:
        truth, name = _independent_truth(case, point, reference)
    except Exception as exc:  # noqa: BLE001 - the timing stands without a truth
        row["error"] = f"no reference: {describe(exc)}"
        return row
    row.update(_accuracy(grad, truth), reference=name)
    return row


def _independent_truth(case: GradientCase, point: Point, reference: Any) -> tuple[Any, str]:
    """Return the group's truth, or for a method it shares a derivation with, the next best."""
    from .. import accuracy

    truth, name = reference(point)
    if accuracy.independent(name, case.method):
        return truth, name
    x64 = np.asarray(point.x, dtype=np.float64)
    return accuracy.reference_gradient(case.function, x64, method=case.method)


def _jitted(grad_fn: Any, x: Any, policy: TimingPolicy) -> tuple[Any, Timing, XlaCosts, float]:
    compiled = compile_jit(grad_fn, x)
    timing = time_calls(compiled.call, (x,), policy, traces=lambda: compiled.counter.count)
    return compiled.call(x), timing, xla_costs(compiled.executable), compiled.compile_s


def _host(grad_fn: Any, x: Any, policy: TimingPolicy) -> tuple[Any, Timing, XlaCosts, float]:
    x_host = np.asarray(x)
    timing = time_calls(grad_fn, (x_host,), policy)
    return grad_fn(x_host), timing, XlaCosts(), 0.0


def _timing_columns(timing: Timing, compile_s: float, point: Point) -> dict[str, Any]:
    return {
        "status": "retraced" if timing.retraces else "ok",
        "error": (
            f"traced {timing.retraces} time(s) while timed: the figures include compilation"
            if timing.retraces
            else None
        ),
        "compile_s": compile_s,
        "time_median_s": timing.median_s,
        "time_min_s": timing.min_s,
        "time_iqr_s": timing.iqr_s,
        "repeats": timing.repeats,
        "samples": list(timing.samples),
        "retraces": timing.retraces,
        "cost_ratio": ratio(timing.median_s, point.f_timing.median_s),
    }


def _cost_columns(costs: XlaCosts, f_costs: XlaCosts) -> dict[str, Any]:
    return {
        "flops": costs.flops,
        "bytes_accessed": costs.bytes_accessed,
        "temp_bytes": costs.temp_bytes,
        "flops_ratio": ratio(costs.flops, f_costs.flops),
    }


def with_bandwidth(row: dict[str, Any], copy_gbs: float | None) -> dict[str, Any]:
    """Fill ``min_bytes``, ``gb_per_s`` and ``bandwidth_fraction`` of a timed row.

    ``min_bytes`` = read x + write the gradient (``2 n itemsize``); the fraction is of the
    session's measured copy bandwidth ``copy_gbs`` (None leaves it empty).
    """
    if row.get("time_median_s") is None:
        return row
    min_bytes = 2.0 * row["n"] * np.dtype(row["dtype"]).itemsize
    gbs = min_bytes / row["time_median_s"] / 1e9
    fraction = gbs / copy_gbs if copy_gbs else None
    return {**row, "min_bytes": min_bytes, "gb_per_s": gbs, "bandwidth_fraction": fraction}


def _accuracy(grad: Any, truth: np.ndarray) -> dict[str, float]:
    from .. import accuracy

    return accuracy.errors(np.asarray(grad), truth)
