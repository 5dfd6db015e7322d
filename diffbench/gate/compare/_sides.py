"""One side of a comparison: rows grouped by key, with raw samples and quality per key.

``gradient_side`` groups the ``gradients`` table by (function, n, dtype, device, method, params);
``runs_side`` groups the ``runs`` table by its configuration (function, n, dtype, device,
optimizer, lr, batch, steps), keeping per start the number of targets reached and the status.
Rows that share a key (for example the same case in two result sets under one folder) are pooled:
their samples are concatenated.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..._errors import DiffbenchError
from ._keys import GRADIENT_KEY, RUN_CONFIG, format_value, key_frame, start_column

KEY = ("table", *GRADIENT_KEY)
SIDE_COLUMNS = ("samples", "median_s", "accuracy", "status", "per_start")
COST_COLUMNS = ("flops", "bytes_accessed", "temp_bytes", "compiles", "retraces")
"""Deterministic figures of a gradient row (XLA's estimates and counts), compared exactly."""


def calibration_scale(table: pd.DataFrame, normalize: bool) -> pd.Series:
    """The divisor of every row's timings: its ``calibration_s`` when normalizing, else 1.

    Raises:
        DiffbenchError: Normalizing, and a row's result set has no calibration timing.
    """
    if not normalize:
        return pd.Series(1.0, index=table.index)
    if "calibration_s" in table:
        scale = pd.to_numeric(table["calibration_s"], errors="coerce")
    else:
        scale = pd.Series(np.nan, index=table.index)
    bad = scale.isna() | (scale <= 0)
    if bad.any():
        labels = table.loc[bad, "result_set"] if "result_set" in table else pd.Series(dtype=str)
        where = ", ".join(sorted(set(map(str, labels)))) or "the input"
        raise DiffbenchError(
            f"--normalize needs `calibration_s` in the metadata of every result set; missing in "
            f"{where}. Compare without --normalize."
        )
    return scale.astype(float)


def _worst_status(statuses: pd.Series) -> str:
    values = [str(s) for s in statuses if isinstance(s, str) and s]
    bad = [s for s in values if s != "ok"]
    return bad[0] if bad else "ok"


def _row_samples(samples: Any, median: float) -> np.ndarray:
    """The raw samples of a row, or its median alone when none were kept."""
    values = np.asarray([] if samples is None else samples, dtype=float).ravel()
    values = values[np.isfinite(values)] if values.size else values
    if values.size:
        return values
    return np.asarray([median]) if np.isfinite(median) else np.asarray([])


def gradient_side(table: pd.DataFrame, normalize: bool) -> pd.DataFrame:
    """Group a ``gradients`` table by key (see module docstring); timings in seconds or units."""
    if table.empty:
        return pd.DataFrame(columns=[*KEY, *SIDE_COLUMNS])
    scale = calibration_scale(table, normalize).to_numpy()
    keys = key_frame(table, GRADIENT_KEY)
    medians = pd.to_numeric(table.get("time_median_s"), errors="coerce").to_numpy() / scale
    raw = table["samples"] if "samples" in table else pd.Series(None, index=table.index)
    keys["samples"] = [_row_samples(s, m) / c for s, m, c in zip(raw, medians, scale, strict=True)]
    keys["median_s"] = medians
    keys["accuracy"] = pd.to_numeric(table.get("digits"), errors="coerce")
    keys["status"] = table.get("status", "ok")
    for column in COST_COLUMNS:
        keys[column] = pd.to_numeric(table.get(column), errors="coerce")
    grouped = keys.groupby(list(GRADIENT_KEY), sort=False, dropna=False)
    out = grouped.agg(
        samples=("samples", lambda s: np.concatenate(list(s))),
        median_s=("median_s", "median"),
        accuracy=("accuracy", "median"),
        status=("status", _worst_status),
        **{column: (column, "max") for column in COST_COLUMNS},
    ).reset_index()
    out["per_start"] = None
    out.insert(0, "table", "gradients")
    return out


def runs_side(table: pd.DataFrame, normalize: bool) -> pd.DataFrame:
    """Group a ``runs`` table by configuration; samples are seconds per step, one per start."""
    if table.empty:
        return pd.DataFrame(columns=[*KEY, *SIDE_COLUMNS])
    scale = calibration_scale(table, normalize)
    keys = key_frame(table, RUN_CONFIG)
    start = start_column(table)
    keys["start"] = table[start].map(format_value) if start else "0"
    rate = pd.to_numeric(table.get("steps_per_s"), errors="coerce")
    keys["seconds_per_step"] = 1.0 / rate / scale
    keys["reached"] = table["hit_target"].fillna(False).astype(bool) if "hit_target" in table else 0
    diverged = table["diverged"].fillna(False).astype(bool) if "diverged" in table else False
    status = table["status"] if "status" in table else pd.Series("ok", index=table.index)
    keys["status"] = np.where(diverged, "diverged", status.fillna("ok").astype(str))
    keys["session"] = table.get("result_set", "")
    per_session = keys.groupby([*RUN_CONFIG, "start", "session"], sort=False).agg(
        seconds_per_step=("seconds_per_step", "median"),
        reached=("reached", "sum"),
        status=("status", _worst_status),
    )
    rows = [_run_row(config, group) for config, group in per_session.groupby(list(RUN_CONFIG))]
    return pd.DataFrame(rows, columns=[*KEY, *SIDE_COLUMNS])


def _run_row(config: tuple, group: pd.DataFrame) -> dict[str, Any]:
    """One comparison row for one run configuration from its per-start, per-session aggregates.

    Targets reached per start are averaged over sessions; timing samples are the distinct
    seconds-per-step values (vmapped starts of one session share one timing).
    """
    fields = dict(zip(RUN_CONFIG, config, strict=True))
    params = ",".join(f"{k}={fields[k]}" for k in ("lr", "batch", "steps") if fields[k] != "")
    seconds = group["seconds_per_step"].to_numpy(dtype=float)
    seconds = np.unique(seconds[np.isfinite(seconds)])  # vmapped starts share one timing
    per_start = group.groupby(level="start").agg(
        reached=("reached", "mean"), status=("status", _worst_status)
    )
    return {
        "table": "runs",
        **{k: fields[k] for k in ("function", "n", "dtype", "device")},
        "method": fields["optimizer"],
        "params": params,
        "samples": seconds,
        "median_s": float(np.median(seconds)) if seconds.size else np.nan,
        "accuracy": float(per_start["reached"].mean()),
        "status": _worst_status(group["status"]),
        "per_start": {s: (float(r.reached), str(r.status)) for s, r in per_start.iterrows()},
    }
