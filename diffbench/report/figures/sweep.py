"""Finite-difference error against step size: the V-curves (truncation left-right, rounding).

The data come from the result set's ``sweeps`` table when it has one; otherwise, if
``diffbench.accuracy`` is importable, a small sweep is computed at report time (two functions at
n = 4, float32 and float64, the finite-difference methods the result set measured) and the report
says so. Errors are relative to the exact (high-precision) reference of each row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._base import colors, method_order, ok_rows, pyplot

SWEEP_FUNCTIONS = ("rosenbrock", "ackley")
SWEEP_N = 4
MAX_PANELS = 3
EPS = {"float64": np.finfo(np.float64).eps, "float32": np.finfo(np.float32).eps}


def computed_sweeps(methods: list[str]) -> pd.DataFrame:
    """Sweeps computed now with ``diffbench.accuracy.step_sweep`` (empty if unavailable).

    Args:
        methods: Methods to sweep; those ``step_sweep`` does not take are left out.

    Returns:
        Columns ``function, n, dtype, device, method, step, rel_err_max, reference``.
    """
    try:
        import jax.numpy as jnp

        from ... import accuracy, functions
    except ImportError:
        return pd.DataFrame()
    methods = [m for m in methods if m in getattr(accuracy, "SWEEPABLE", ())]
    frames = []
    for name in SWEEP_FUNCTIONS:
        if name not in functions.names():
            continue
        x0 = np.asarray(functions.get(name).x0(SWEEP_N))
        for dtype in ("float32", "float64"):
            for method in methods:
                table = accuracy.step_sweep(name, jnp.asarray(x0, dtype=dtype), method).table()
                frames.append(table.assign(function=name, n=SWEEP_N, device="cpu"))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def sweep_figure(sweeps: pd.DataFrame) -> Any | None:
    """Error against step, log-log, one panel per (function, n) row and dtype column."""
    sweeps = ok_rows(sweeps)
    if sweeps.empty or not {"step", "rel_err_max", "method"} <= set(sweeps.columns):
        return None
    sweeps = sweeps.assign(n=sweeps.get("n", 0))
    cases = sweeps[["function", "n"]].drop_duplicates().head(MAX_PANELS).itertuples(index=False)
    cases = list(cases)
    dtypes = sorted(sweeps["dtype"].unique())
    palette = colors(list(sweeps["method"].unique()))
    plt = pyplot()
    fig, axes = plt.subplots(
        len(cases),
        len(dtypes),
        figsize=(5.0 * len(dtypes) + 1.6, 3.6 * len(cases)),
        squeeze=False,
        layout="constrained",
    )
    for row, (function, n) in enumerate(cases):
        for col, dtype in enumerate(dtypes):
            part = sweeps[
                (sweeps["function"] == function) & (sweeps["n"] == n) & (sweeps["dtype"] == dtype)
            ]
            _panel(axes[row, col], part, palette, dtype)
            axes[row, col].set_title(f"{function} n={n} · {dtype}")
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=palette[m], lw=1.4, label=m) for m in method_order(palette)]
    handles.append(Line2D([], [], color="0.5", lw=0.8, ls=":", label="machine ε"))
    handles.append(Line2D([], [], color="0.3", ls="", marker="o", ms=4, label="best step"))
    fig.legend(handles=handles, loc="outside right upper")
    return fig


def _panel(ax: Any, part: pd.DataFrame, palette: dict[str, Any], dtype: str) -> None:
    if "result_set" in part and part["result_set"].nunique() > 1:
        part = part[part["result_set"] == part["result_set"].iloc[0]]
    for method in method_order(part["method"].unique()):
        line = part[part["method"] == method].sort_values("step")
        errors = line["rel_err_max"].astype(float).clip(lower=1e-17)
        finite = np.isfinite(errors)
        if not finite.any():
            continue
        best = errors[finite].idxmin()
        h = line.at[best, "step"]
        ax.plot(line["step"], errors, lw=1.4, color=palette[method])
        ax.plot([h], [errors[best]], "o", ms=4, color=palette[method])
        ax.annotate(f"{h:.0e}", (h, errors[best]), textcoords="offset points", xytext=(0, -11),
                    ha="center", fontsize=7, color=palette[method])  # fmt: skip
    if dtype in EPS:
        ax.axhline(EPS[dtype], color="0.5", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("relative step h (h_i = h · max(1, |x_i|))")
    ax.set_ylabel("relative error of the gradient")
