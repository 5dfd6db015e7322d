"""Summary tables of a report, as header + rows of text shared by markdown and HTML."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _format as fmt
from ..results import Results
from ._model import Table
from .figures._base import method_order, ok_rows
from .figures.scaling import LABELS, preferred_dtype, slopes_table


def result_sets(results: Results) -> Table:
    """One row per result set: where, when, what was measured, calibration."""
    rows = []
    for k, meta in enumerate(results.metadata, start=1):
        label = meta["result_set"]
        grads = _part(results.gradients, label)
        runs = _part(results.runs, label)
        ok = int((grads.get("status") == "ok").sum()) if not grads.empty else 0
        calibration = meta.get("calibration_s")
        if isinstance(calibration, dict):
            calibration = ", ".join(f"{d} {fmt.seconds(s)}" for d, s in calibration.items())
        else:
            calibration = fmt.seconds(calibration) if calibration is not None else "–"
        text = {k: str(meta.get(k) or "–") for k in ("device_kind", "cpu_model", "suite")}
        rows.append(
            [
                f"[{k}] {label}",
                text["device_kind"],
                text["cpu_model"],
                str(meta.get("commit") or "–")[:10],
                text["suite"],
                str(meta.get("timestamp") or "–"),
                f"{ok}/{len(grads)}",
                str(len(runs)),
                calibration,
            ]
        )
    header = [
        "result set",
        "device",
        "CPU",
        "commit",
        "suite",
        "timestamp",
        "gradients ok",
        "run rows",
        "calibration",
    ]
    return Table(header, rows, align_left=6)


def _part(table: pd.DataFrame, label: str) -> pd.DataFrame:
    return table[table["result_set"] == label] if not table.empty else table


def refs(table: pd.DataFrame) -> dict[str, str]:
    """Short references ``[1]``, ``[2]``... of the result sets, in load order."""
    labels = dict.fromkeys(table["result_set"]) if "result_set" in table else {}
    return {label: f"[{k}]" for k, label in enumerate(labels, start=1)}


def best_methods(gradients: pd.DataFrame) -> Table | None:
    """Per function and dtype, at the largest n measured: most accurate and fastest method.

    Several result sets stand side by side: one pair of columns per set, headed ``[k]``.
    """
    ok = ok_rows(gradients)
    if ok.empty:
        return None
    sets = refs(ok)
    keys, accurate, fastest = [], [], []
    for (function, dtype), part in ok.groupby(["function", "dtype"]):
        n = part["n"].max()
        keys.append([str(function), str(dtype), str(n)])
        cells = [_best_cells(part[(part["n"] == n) & (part["result_set"] == s)]) for s in sets]
        accurate.append([c[0] for c in cells])
        fastest.append([c[1] for c in cells])
    same = all(len(set(row)) == 1 for row in accurate)  # accuracy rarely differs between sets
    several = len(sets) > 1
    rows = [k + (a[:1] if same else a) + f for k, a, f in zip(keys, accurate, fastest, strict=True)]
    prefix = [f"{ref} " for ref in sets.values()] if several else [""]
    header = ["function", "dtype", "n"]
    header += ["most accurate (digits)"] if same else [f"{p}most accurate" for p in prefix]
    header += [f"{p}fastest (time, digits)" for p in prefix]
    note = "Most accurate lists every method within 0.1 digit of the best"
    note += "; the same in every result set." if same and several else "."
    return Table(header, rows, note=note, align_left=len(header), title="Best method per function")


def _best_cells(top: pd.DataFrame) -> list[str]:
    if top.empty:
        return ["–", "–"]
    per = top.groupby("method").agg(digits=("digits", "median"), time=("time_median_s", "median"))
    fastest = per["time"].idxmin()
    speed = f"{fmt.seconds(per.at[fastest, 'time'])}, {fmt.number(per.at[fastest, 'digits'])}"
    return [_most_accurate(per["digits"]), f"{fastest} ({speed})"]


def _most_accurate(digits: pd.Series) -> str:
    """The method with the most digits, and those within 0.1 digit of it (ties at 17 are common)."""
    best = digits.max()
    tied = [m for m in method_order(digits.index) if digits[m] >= best - 0.1]
    names = ", ".join(tied[:2]) + (f" +{len(tied) - 2}" if len(tied) > 2 else "")
    return f"{names} ({fmt.number(best)} digits)"


def slopes(gradients: pd.DataFrame) -> Table | None:
    """Fitted log-log slopes against n per method (the dtype the scaling figures show)."""
    dtype = preferred_dtype(gradients)
    table = slopes_table(gradients[gradients["dtype"] == dtype]) if dtype else pd.DataFrame()
    if table.empty:
        return None
    several = table["result_set"].nunique() > 1
    order = {m: i for i, m in enumerate(method_order(table["method"].unique()))}
    table = table.sort_values(["result_set", "device"]).sort_values(
        "method", key=lambda s: s.map(order), kind="stable"
    )
    rows = [
        [
            *([r.result_set] if several else []),
            r.device,
            r.method,
            *(_slope(getattr(r, f"{v}_slope")) for v in LABELS),
        ]
        for r in table.itertuples()
    ]
    header = [
        *(["result set"] if several else []),
        "device",
        "method",
        "time slope",
        "cost-ratio slope",
        "compile slope",
    ]
    note = f"{dtype}; slope of log(value) on log(n) over the geometric mean of the functions."
    return Table(header, rows, note=note, align_left=len(header) - 3)


def _slope(value: float) -> str:
    text = f"{value:.2f}" if np.isfinite(value) else "–"
    return "0.00" if text == "-0.00" else text


def runs_summary(runs: pd.DataFrame) -> Table | None:
    """Per function, n and optimizer: targets reached, median final gap, steps per second."""
    if runs.empty or "optimizer" not in runs:
        return None
    sets = refs(runs)
    measured = ("hit_target", "f_final", "steps_per_s", "diverged")  # absent: error rows only
    runs = runs.reindex(columns=[*runs.columns, *(c for c in measured if c not in runs)])
    rows = []
    for (label, function, n, optimizer), part in runs.groupby(
        ["result_set", "function", "n", "optimizer"], sort=False
    ):
        hit = part["hit_target"].eq(True)  # missing (NaN, None, NA) is not a hit
        keys = [c for c in ("start", "seed", "lr") if c in part]
        finals = part.drop_duplicates(keys) if keys else part
        diverged = int(finals["diverged"].eq(True).sum()) if "diverged" in finals else 0
        rows.append(
            [
                *([sets[label]] if len(sets) > 1 else []),
                str(function),
                str(n),
                str(optimizer),
                f"{hit.mean():.0%}",
                fmt.number(np.median(finals["f_final"].astype(float))),
                fmt.number(np.median(part["steps_per_s"].astype(float))),
                str(diverged),
            ]
        )
    header = [
        *(["set"] if len(sets) > 1 else []),
        "function",
        "n",
        "optimizer",
        "(run, target) pairs reached",
        "median f_final",
        "steps/s",
        "diverged runs",
    ]
    rows.sort(key=lambda r: r[: len(header) - 4][::-1])  # sets side by side per case
    return Table(header, rows, align_left=len(header) - 4, title="Optimizers: targets reached")


def failures(gradients: pd.DataFrame, runs: pd.DataFrame) -> Table | None:
    """Rows whose status is not ``ok``, grouped by table, status, method and first message."""
    frames = []
    for name, table, who in (("gradients", gradients, "method"), ("runs", runs, "optimizer")):
        if not table.empty and "status" in table:
            bad = table[table["status"] != "ok"]
            error = bad["error"] if "error" in bad else pd.Series("", index=bad.index)
            frames.append(
                pd.DataFrame(
                    {
                        "table": name,
                        "status": bad["status"],
                        "who": bad[who],
                        "error": error.fillna("").astype(str).str.slice(0, 90),
                    }
                )
            )
    bad = pd.concat(frames) if frames else pd.DataFrame()
    if bad.empty:
        return None
    counted = bad.groupby(["table", "status", "who", "error"]).size().reset_index(name="rows")
    rows = [[r.table, r.status, r.who, str(r.rows), r.error or "–"] for r in counted.itertuples()]
    return Table(["table", "status", "method / optimizer", "rows", "message"], rows, align_left=5)
