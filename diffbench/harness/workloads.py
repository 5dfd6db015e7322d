"""The non-gradient cases of a session: step sweeps and optimizer runs, each a list of rows.

- a ``SweepCase`` becomes the rows of ``diffbench.accuracy.step_sweep`` (one jitted call
  vmapped over the steps), one row per step, in the ``sweeps`` table;
- a ``RunCase`` becomes the rows of ``diffbench.optimize.minimize(...).table()`` in the
  ``runs`` table. The starts are sampled by the optimizer in the function's bounds with the
  case's seed; the dtype is the dtype of the points.

Both stamp ``run_id``, ``device`` and ``status`` on their rows where the producer did not.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .cases import RunCase, SweepCase


def measure_sweep(case: SweepCase, run_id: str) -> list[dict[str, Any]]:
    """Return one ``sweeps`` row per step of ``case`` (error against step size).

    Columns: run_id, function, n, dtype, device, method, step, rel_err_max, digits,
    reference, status, error.
    """
    import jax

    from .. import accuracy, functions
    from .environment import available_devices

    tf = functions.get(case.function)
    x = np.asarray(tf.x0(case.n), dtype=case.dtype)
    with jax.default_device(available_devices(case.device)[0]):
        table = accuracy.step_sweep(case.function, jax.numpy.asarray(x), case.method).table()
    table.insert(0, "run_id", run_id)
    table.insert(1, "function", case.function)
    table.insert(2, "n", case.n)
    table.insert(4, "device", case.device)
    table["status"], table["error"] = "ok", None
    return table.to_dict("records")


def sweep_error_row(case: SweepCase, run_id: str, message: str) -> dict[str, Any]:
    """Return the one ``sweeps`` row that records a failed sweep."""
    return {
        "run_id": run_id,
        "function": case.function,
        "n": case.n,
        "dtype": case.dtype,
        "device": case.device,
        "method": case.method,
        "status": "error",
        "error": message,
    }


def measure_run(case: RunCase, run_id: str) -> list[dict[str, Any]]:
    """Return the ``runs`` rows of one optimizer case (``OptimizeResult.table()``)."""
    import jax

    from .. import functions, optimize
    from .environment import available_devices

    tf = functions.get(case.function)
    starts = _starts(tf, case)
    with jax.default_device(available_devices(case.device)[0]):
        result = optimize.minimize(
            case.function, case.optimizer, case.steps, x0=starts, lr=case.lr, key=case.seed
        )
    table = result.table()
    defaults = {"run_id": run_id, "device": case.device, "dtype": case.dtype, "status": "ok"}
    for column, value in defaults.items():
        if column not in table.columns:
            table[column] = value
    table["run_id"] = run_id
    table["device"] = case.device
    return table.to_dict("records")


def _starts(tf: Any, case: RunCase) -> np.ndarray:
    """Return ``case.starts`` points drawn uniformly in the bounds, seeded, in the case dtype."""
    lo, hi = tf.bounds(case.n)
    rng = np.random.default_rng(case.seed)
    points = lo + (hi - lo) * rng.random((case.starts, case.n))
    return points.astype(case.dtype)


def run_error_row(case: RunCase, run_id: str, message: str) -> dict[str, Any]:
    """Return the one ``runs`` row that records a failed optimizer case."""
    return {
        "run_id": run_id,
        "function": case.function,
        "n": case.n,
        "dtype": case.dtype,
        "device": case.device,
        "optimizer": case.optimizer,
        "lr": case.lr,
        "steps": case.steps,
        "start": None,
        "seed": case.seed,
        "status": "error",
        "error": message,
    }
