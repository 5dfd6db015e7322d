"""Scaling with dimension: time, cost ratio and compile time against n, with fitted slopes.

A curve per method is the geometric mean over the functions that were measured (``ok``) at
every n of that method, so that a function dropping out at large n does not bend the curve. The
slope is the least-squares fit of log(value) on log(n): 1 means linear in n, 0 constant.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._base import (
    LINESTYLES,
    MAX_RESULT_SETS,
    colors,
    method_order,
    ok_rows,
    pyplot,
    set_styles,
)

GROUP = ["result_set", "device", "dtype", "method"]
LABELS = {
    "time_median_s": "gradient time (s, median)",
    "cost_ratio": "cost ratio (gradient time / function time)",
    "compile_s": "compile time (s)",
}


def preferred_dtype(gradients: pd.DataFrame) -> str | None:
    """``float64`` when measured, else the first dtype (the dtype scaling figures show)."""
    dtypes = sorted(gradients["dtype"].dropna().unique()) if "dtype" in gradients else []
    return "float64" if "float64" in dtypes else (dtypes[0] if dtypes else None)


def curves(gradients: pd.DataFrame, value: str) -> pd.DataFrame:
    """Per result set, device, dtype, method and n: the geometric mean of ``value``.

    Returns:
        Columns ``result_set, device, dtype, method, n, value, functions``.
    """
    ok = ok_rows(gradients)
    if ok.empty or value not in ok:
        return pd.DataFrame(columns=[*GROUP, "n", "value", "functions"])
    ok = ok[np.isfinite(ok[value].astype(float)) & (ok[value].astype(float) > 0)]
    parts = []
    for key, part in ok.groupby(GROUP):
        per = part.groupby(["function", "n"])[value].median().unstack("n")
        complete = per.dropna()  # functions measured at every n
        if complete.empty or complete.shape[1] < 2:
            continue
        mean = np.exp(np.log(complete.astype(float)).mean(axis=0))
        frame = pd.DataFrame({"n": mean.index.astype(float), "value": mean.to_numpy()})
        parts.append(frame.assign(**dict(zip(GROUP, key, strict=True)), functions=len(complete)))
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=[*GROUP, "n", "value", "functions"])
    )


def slope(n: np.ndarray, value: np.ndarray) -> float:
    """Least-squares slope of log(value) against log(n)."""
    n, value = np.asarray(n, float), np.asarray(value, float)
    if np.unique(n).size < 2:
        return float("nan")
    return float(np.polyfit(np.log(n), np.log(value), 1)[0])


def slopes_table(gradients: pd.DataFrame) -> pd.DataFrame:
    """Fitted slopes of time, cost ratio and compile time against n, per set/device/dtype/method."""
    frames = []
    for value in LABELS:
        points = curves(gradients, value)
        if points.empty:  # one size only, or nothing timed: no slope to fit
            return pd.DataFrame()
        # Columns picked before apply: no grouping column reaches the lambda, on pandas 2.1
        # (the floor, without ``include_groups``) as on 3.x.
        fitted = points.groupby(GROUP)[["n", "value"]].apply(lambda g: slope(g["n"], g["value"]))
        frames.append(pd.Series(fitted, name=f"{value}_slope"))
    table = pd.concat(frames, axis=1).reset_index() if frames and len(frames[0]) else pd.DataFrame()
    return table


def scaling_figure(gradients: pd.DataFrame, values: tuple[str, ...]) -> Any | None:
    """One panel per value (columns) and device (rows): value against n, log-log, per method."""
    dtype = preferred_dtype(gradients)
    if dtype is None:
        return None
    data = {v: curves(gradients[gradients["dtype"] == dtype], v) for v in values}
    data = {v: d for v, d in data.items() if not d.empty}
    if not data:
        return None
    plt = pyplot()
    devices = sorted(set().union(*(d["device"].unique() for d in data.values())))
    sets = list(dict.fromkeys(gradients["result_set"]))[:MAX_RESULT_SETS]
    palette = colors(list(gradients["method"].unique()))
    fig, axes = plt.subplots(
        len(devices),
        len(data),
        figsize=(6.6 * len(data), 3.8 * len(devices)),
        squeeze=False,
        constrained_layout=True,
    )
    for col, (value, frame) in enumerate(data.items()):
        for row, device in enumerate(devices):
            ax = axes[row, col]
            _panel(ax, frame[frame["device"] == device], sets, palette)
            ax.set_ylabel(LABELS[value])
            ax.set_title(f"{LABELS[value].split(' (')[0]} vs n · {device} · {dtype}")
    return fig


def _panel(ax: Any, frame: pd.DataFrame, sets: list[str], palette: dict[str, Any]) -> None:
    for method in method_order(frame["method"].unique()):
        for k, label in enumerate(sets):
            part = frame[(frame["method"] == method) & (frame["result_set"] == label)].sort_values(
                "n"
            )
            if part.empty:
                continue
            name = f"{method}: slope {slope(part['n'], part['value']):.2f}"
            if len(sets) > 1:  # slopes per set are in the table; the legend keys colours
                name = method if k == 0 else None
            ax.plot(
                part["n"],
                part["value"],
                marker="o",
                ms=3,
                lw=1.4,
                label=name,
                color=palette[method],
                ls=LINESTYLES[k % len(LINESTYLES)],
            )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("dimension n")
    if ax.has_data():
        handles = [h for h in ax.get_lines() if not h.get_label().startswith("_")]
        handles += set_styles(ax, sets)
        ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
