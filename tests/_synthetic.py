"""Synthetic result sets with the schema's columns (``diffbench.results.schema``), for tests.

The numbers follow simple, realistic models: a gradient by a method with cost ratio ``c(n)`` takes
``c(n)`` times the function's time; finite differences lose digits as ``eps^(p/(p+1))``; timing
samples are log-normal around the median with a per-session load factor (a shared machine);
optimizer runs converge linearly down to a noise floor. Nothing here is measured.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from diffbench import results

FUNCTIONS = ("sphere", "rosenbrock", "ackley", "rastrigin", "ellipsoid", "logistic_regression")
# method: (cost ratio as a function of n, float64 digits, float32 digits, compile base seconds)
METHODS: dict[str, tuple[Any, float, float, float]] = {
    "symbolic": (lambda n: 1.6 + 0.02 * n, 15.4, 6.9, 0.4),
    "forward": (lambda n: n + 1.0, 7.6, 3.4, 0.03),
    "central": (lambda n: 2.0 * n, 10.3, 4.6, 0.03),
    "central4": (lambda n: 4.0 * n, 12.4, 5.3, 0.04),
    "complex_step": (lambda n: 2.2 * n, 15.5, 7.0, 0.05),
    "richardson": (lambda n: 8.0 * n, 13.0, 5.6, 0.06),
    "forward_ad": (lambda n: 2.0 + 0.4 * n, 15.6, 7.0, 0.05),
    "reverse_ad": (lambda n: 3.0, 15.6, 7.0, 0.05),
}
OPTIMIZERS = {"sgd": (0.004, 1e-7), "momentum": (0.012, 1e-9), "adam": (0.02, 1e-6)}
TARGET_EXPONENTS = tuple(range(2, -9, -1))


def gradients_table(
    rng: np.random.Generator,
    *,
    ns: tuple[int, ...] = (2, 8, 32, 128),
    dtypes: tuple[str, ...] = ("float32", "float64"),
    slowdown: Mapping[str, float] | None = None,
    noise: float = 0.03,
    load: float = 1.0,
    repeats: int = 15,
) -> pd.DataFrame:
    """A synthetic ``gradients`` table: every function x n x dtype x method on ``cpu``.

    Args:
        rng: Random generator (seeded by the caller).
        ns: Dimensions.
        dtypes: Dtype names.
        slowdown: Factor per method applied to its timings (a planted regression).
        noise: Log-normal sigma of one timing sample.
        load: Machine-load factor of this session, applied to every timing.
        repeats: Raw samples per row.

    Returns:
        One row per case, with the schema's columns.
    """
    rows = []
    for function in FUNCTIONS:
        f_cost = {"rosenbrock": 1.4, "logistic_regression": 6.0}.get(function, 1.0)
        for n in ns:
            f_time = (1.5e-6 + 4e-9 * n) * f_cost * load
            for dtype in dtypes:
                for method, model in METHODS.items():
                    factor = (slowdown or {}).get(method, 1.0)
                    rows.append(
                        _gradient_row(
                            rng, function, n, dtype, method, model, f_time * factor, noise, repeats
                        )
                    )
    table = pd.DataFrame(rows)
    missing = [c for c in results.GRADIENT_COLUMNS if c not in table]  # columns added later
    return table.assign(**{c: np.nan for c in missing})


def _gradient_row(
    rng: np.random.Generator,
    function: str,
    n: int,
    dtype: str,
    method: str,
    model: tuple,
    f_time: float,
    noise: float,
    repeats: int,
) -> dict[str, Any]:
    """One synthetic ``gradients`` row (``skipped`` for symbolic beyond n = 32)."""
    row: dict[str, Any] = {
        "run_id": f"{function}-{n}-{dtype}-{method}",
        "function": function,
        "n": n,
        "dtype": dtype,
        "device": "cpu",
        "method": method,
        "params": json.dumps({"order": 2} if method not in ("reverse_ad", "forward_ad") else {}),
        "reference": "mpmath-30" if n <= 32 else "float64",
    }
    if method == "symbolic" and n > 32:
        return {**row, "status": "skipped", "error": "symbolic is impractical beyond n=32"}
    return {
        **row,
        "status": "ok",
        "error": "",
        **_measures(rng, n, dtype, method, model, f_time, noise, repeats),
    }


def _measures(
    rng: np.random.Generator,
    n: int,
    dtype: str,
    method: str,
    model: tuple,
    f_time: float,
    noise: float,
    repeats: int,
) -> dict[str, Any]:
    """Timing, cost and accuracy columns of one synthetic measurement."""
    cost, digits64, digits32, compile_base = model
    ratio = cost(n) * (0.5 if dtype == "float32" else 1.0) ** 0.3
    samples = f_time * ratio * np.exp(rng.normal(0.0, noise, repeats))
    samples[rng.random(repeats) < 0.05] *= 1.5  # occasional scheduler hiccup
    digits = (digits64 if dtype == "float64" else digits32) - 0.15 * np.log2(n)
    digits += rng.normal(0, 0.15)
    q1, median, q3 = np.percentile(samples, [25, 50, 75])
    rng.uniform(0.8, 1.2, size=2)  # draws once used for jittered FLOPs; kept so seeds stay put
    return {
        "compile_s": compile_base * (1 + n / 64) * (5 + n if method == "symbolic" else 1),
        "time_median_s": median,
        "time_min_s": samples.min(),
        "time_iqr_s": q3 - q1,
        "repeats": repeats,
        "samples": samples.tolist(),
        "f_time_median_s": f_time,
        "cost_ratio": median / f_time,
        "flops": 12.0 * n * ratio,  # XLA's figures are exact: the same in every session
        "bytes_accessed": 8.0 * n * ratio,
        "flops_ratio": ratio,
        "temp_bytes": 8 * n * (n if method == "forward_ad" else 2),
        "retraces": 0,
        "abs_err_max": 10.0**-digits * 10,
        "rel_err_max": 10.0**-digits,
        "rel_err_l2": 10.0 ** -(digits + 0.3),
        "digits": digits,
    }


def runs_tables(
    rng: np.random.Generator,
    *,
    starts: int = 5,
    steps: int = 2000,
    slowdown: float = 1.0,
    load: float = 1.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic ``runs`` rows (one per run and target) and ``traces`` (loss every 20 steps).

    Starts are vmapped, as the runners do: all starts of a configuration share one timing, and a
    start's trajectory depends only on its index (the same start converges the same way in every
    session); ``rng`` only jitters the timing.

    Returns:
        ``(runs, traces)``.
    """
    runs, traces = [], []
    for function in ("sphere", "rosenbrock", "rastrigin"):
        for n in (2, 10):
            for optimizer in OPTIMIZERS:
                steps_per_s = 2e5 / n**0.3 / load / slowdown * np.exp(rng.normal(0.0, 0.01))
                for start in range(starts):
                    config = (function, n, optimizer, start, steps, steps_per_s)
                    rows, trace = _run(*config)
                    runs.extend(rows)
                    traces.append(trace)
    return pd.DataFrame(runs), pd.concat(traces, ignore_index=True)


def _run(
    function: str, n: int, optimizer: str, start: int, steps: int, steps_per_s: float
) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """Rows per target and the trace of one synthetic run (loss gap decays to a noise floor)."""
    rate, floor = OPTIMIZERS[optimizer]
    own = np.random.default_rng([start, n, len(function), len(optimizer)])
    speed = rate * own.uniform(0.6, 1.4) / (4.0 if function == "rosenbrock" else 1.0)
    at = np.arange(0, steps + 1, 20)
    gap = np.maximum(10 ** own.uniform(1, 3) * np.exp(-speed * at), floor * own.uniform(0.5, 2))
    run_id = f"{function}-{n}-{optimizer}-{start}"
    trace = pd.DataFrame({"run_id": run_id, "step": at, "loss": gap, "time_s": at / steps_per_s})
    lr = {"sgd": 0.01, "momentum": 0.01, "adam": 0.05}[optimizer]
    common = dict(run_id=run_id, function=function, n=n, dtype="float64", device="cpu")
    common.update(optimizer=optimizer, lr=lr, batch=None, steps=steps, start=start)
    common.update(f_final=gap[-1], steps_per_s=steps_per_s, diverged=False, status="ok")
    rows = []
    for k in TARGET_EXPONENTS:
        hit = np.nonzero(gap <= 10.0**k)[0]
        s = int(at[hit[0]]) if hit.size else None
        rows.append(
            {
                **common,
                "f_target": 10.0**k,
                "hit_target": s is not None,
                "steps_to_target": s,
                "grad_evals_to_target": s,
                "time_to_target_s": None if s is None else s / steps_per_s,
            }
        )
    return rows, trace


def sweeps_table() -> pd.DataFrame:
    """Synthetic step sweeps: truncation error ``C h^p`` plus rounding error ``eps / h``."""
    rows = []
    steps = np.logspace(-14, -1, 40)
    for method, order in (("forward", 1), ("central", 2), ("central4", 4)):
        for dtype, eps in (("float64", 2.2e-16), ("float32", 1.2e-7)):
            errors = np.maximum(0.3 * steps**order + eps / steps, eps)
            errors = np.minimum(errors, 1.0)
            for step, err in zip(steps, errors, strict=True):
                rows.append(
                    {
                        "function": "rosenbrock",
                        "n": 4,
                        "dtype": dtype,
                        "method": method,
                        "step": step,
                        "rel_err_max": err,
                    }
                )
    return pd.DataFrame(rows)


def write_result_set(
    folder: str | Path,
    *,
    seed: int = 0,
    machine: str = "synthetic-a",
    commit: str = "0123456789abcdef",
    slowdown: Mapping[str, float] | None = None,
    noise: float = 0.03,
    load_sigma: float = 0.02,
    calibration_s: float | None = 1.0e-3,
    extras: bool = True,
) -> Path:
    """Write a synthetic result set ``folder/{gradients,runs,traces,sweeps}.parquet`` + metadata.

    Args:
        folder: Result-set folder to create.
        seed: Seed of all randomness.
        machine: Machine id in the metadata.
        commit: Git commit in the metadata.
        slowdown: Factor per method (and ``"runs"`` for the optimizer runs) on timings.
        noise: Log-normal sigma of one timing sample.
        load_sigma: Log-normal sigma of the session's machine-load factor.
        calibration_s: Calibration timing in the metadata (scaled by the load), or None.
        extras: Also write ``traces`` and ``sweeps``.

    Returns:
        The folder.
    """
    rng = np.random.default_rng(seed)
    load = float(np.exp(rng.normal(0.0, load_sigma)))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    gradients_table(rng, slowdown=slowdown, noise=noise, load=load).to_parquet(
        folder / "gradients.parquet"
    )
    runs, traces = runs_tables(rng, slowdown=(slowdown or {}).get("runs", 1.0), load=load)
    runs.to_parquet(folder / "runs.parquet")
    if extras:
        traces.to_parquet(folder / "traces.parquet")
        sweeps_table().to_parquet(folder / "sweeps.parquet")
    write_metadata(folder, seed, machine, commit, calibration_s and calibration_s * load)
    return folder


def write_metadata(
    folder: Path, seed: int, machine: str, commit: str, calibration_s: float | None
) -> None:
    """The result set's ``metadata.json``, as ``diffbench.results`` writes it."""
    meta = {
        "format": results.FORMAT,
        "status": "complete",
        "versions": {"python": "3.11", "jax": "0.4.35", "numpy": "2.1"},
        "backend": "cpu",
        "device_kind": "cpu",
        "device_count": 1,
        "cpu_model": "Synthetic CPU @ 3.0GHz",
        "commit": commit,
        "suite": "synthetic",
        "seed": seed,
        "timestamp": f"2026-01-01T00:00:{seed % 60:02d}",
        "machine": machine,
        "calibration_s": None if calibration_s is None else {"cpu": calibration_s},
    }
    (folder / "metadata.json").write_text(json.dumps(meta, indent=2))
