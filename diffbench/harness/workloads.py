"""The non-gradient cases of a session: step sweeps and optimizer runs, each a list of rows.

- a ``SweepCase`` becomes the rows of ``diffbench.accuracy.step_sweep`` (one jitted call
  vmapped over the steps), one row per step, in the ``sweeps`` table;
- a ``RunCase`` becomes the rows of ``diffbench.optimize.minimize(...).table()`` in the
  ``runs`` table (its starts sampled in the function's bounds from the case's seed, in the
  case's dtype, on the case's device), and its loss traces in the ``traces`` table.
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
        **_identity(case, run_id),
        "method": case.method,
        "status": "error",
        "error": message,
    }


RUN_WARMUP = 1
"""Untimed calls of an optimizer case's compiled runner before its ``repeats`` timed ones."""


def measure_run(
    case: RunCase, run_id: str, copy_gbs: float | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the ``runs`` rows and the ``traces`` rows of one optimizer case.

    The case runs with ``minimize``'s defaults (every step checked against the targets), one
    untimed warm-up call (``RUN_WARMUP``) and ``case.repeats`` timed calls.
    ``runs`` rows are ``OptimizeResult.table()``, with ``bandwidth_fraction`` taken against
    ``copy_gbs`` (the session's copy bandwidth of the device); ``traces`` rows are the strided
    loss trace, one row per run and traced step: run_id, function, n, dtype, device, optimizer, lr,
    batch, steps, start, seed, step, loss and ``time_s`` (the step times the seconds per step
    charged to one run, as ``time_to_target_s`` counts them).
    """
    from .. import optimize

    result = optimize.minimize(
        case.function,
        case.optimizer,
        case.steps,
        n=case.n,
        starts=case.starts,
        lr=case.lr,
        key=case.seed,
        dtype=case.dtype,
        batch=case.batch,
        repeats=case.repeats,
        warmup=RUN_WARMUP,
        device=case.device,
        devices=case.shards,
        run_id=run_id,
    )
    picked = recorded_runs(result.runs)
    rows = result.table(subset=picked, copy_gbs=copy_gbs).to_dict("records")
    return rows, _traces(result, case, run_id, picked)


MAX_RECORDED_RUNS = 1000
"""Most runs of one optimizer case written to the ``runs`` and ``traces`` tables.

A case of 1e6 starts would make 1.1e7 ``runs`` rows; an evenly spaced subset of 1000 runs
(all of them when there are fewer) keeps the distribution of outcomes, and times per run
are unchanged (they are charged over the whole batch, ``OptimizeResult.run_step_s``).
"""


def recorded_runs(runs: int, limit: int = MAX_RECORDED_RUNS) -> np.ndarray:
    """Return the indices of the runs a session records: all, or ``limit`` evenly spaced."""
    if runs <= limit:
        return np.arange(runs)
    return np.unique(np.linspace(0, runs - 1, limit).round().astype(np.int64))


MAX_TRACED_RUNS = 100
"""Most runs of one case whose loss trace is recorded: enough for a median and a 20-80% band,
and it keeps the journal small (1000 traced runs of a 1e6-start case made 30 MB of JSON)."""


def _traces(result: Any, case: RunCase, run_id: str, picked: np.ndarray) -> list[dict[str, Any]]:
    steps = np.asarray(result.trace_steps)
    loss = np.asarray(result.trace, dtype=np.float64)
    rows = []
    for r in picked[recorded_runs(len(picked), MAX_TRACED_RUNS)]:
        config = {
            **_identity(case, run_id),
            "optimizer": case.optimizer,
            "lr": float(result.lr[r]),
            "batch": case.batch,
            "steps": case.steps,
            "start": int(result.start[r]),
            "seed": int(result.seed[r]),
        }
        rows += [
            {**config, "step": int(s), "loss": float(v), "time_s": float(s) * result.run_step_s}
            for s, v in zip(steps, loss[:, r], strict=True)
        ]
    return rows


def run_error_row(case: RunCase, run_id: str, message: str) -> dict[str, Any]:
    """Return the one ``runs`` row that records a failed optimizer case."""
    return {
        **_identity(case, run_id),
        "optimizer": case.optimizer,
        "lr": case.lr,
        "steps": case.steps,
        "start": None,
        "seed": case.seed,
        "status": "error",
        "error": message,
    }


def _identity(case: SweepCase | RunCase, run_id: str) -> dict[str, Any]:
    """The columns that name a case in every table: run_id, function, n, dtype, device."""
    return {
        "run_id": run_id,
        "function": case.function,
        "n": case.n,
        "dtype": case.dtype,
        "device": case.device,
    }
