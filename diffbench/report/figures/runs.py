"""Optimizer figures: convergence curves and the COCO-style ECDF of targets reached.

Convergence curves use the ``traces`` table (loss at traced steps, with seconds) when the result
set has one. Without traces they are rebuilt from the ``runs`` table alone: a run that reached
target ``f* + 10^k`` at step s is known to be within ``10^k`` of the optimum from step s on, so
the curve is the staircase of the best target reached (an upper bound of the true gap). Both
show the median over starts with a band from the 20th to the 80th percentile.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._base import LINESTYLES, MAX_RESULT_SETS, colors, pyplot, set_styles

MAX_PANELS = 4
_ABOVE = 1e300  # stands for "above every target" in quantiles, then left off the plot
RUN = ["result_set", "function", "n", "dtype", "device", "optimizer", "lr"]


def f_opt(runs: pd.DataFrame, function: str, n: Any) -> float:
    """The optimum f* of ``function`` at ``n``: the registry's, else the lowest target - 1e-8."""
    try:
        from ... import functions

        value = functions.get(function).f_opt(int(n))
        if value is not None:
            return float(value)
    except Exception:  # noqa: BLE001 - unknown or foreign function: fall back to the targets
        pass
    part = runs[(runs["function"] == function) & (runs["n"] == n)] if not runs.empty else runs
    if part.empty or "f_target" not in part:
        return float("nan")
    return float(part["f_target"].min()) - 1e-8


def _start_id(frame: pd.DataFrame) -> pd.Series:
    cols = [c for c in ("start", "seed") if c in frame]
    return frame[cols].astype(str).agg("/".join, axis=1) if cols else pd.Series("0", frame.index)


def trace_curves(runs: pd.DataFrame, traces: pd.DataFrame) -> pd.DataFrame:
    """Long table ``RUN + start, step, time_s, gap`` from traces (gap = loss - f*)."""
    if traces.empty or not {"step", "loss"} <= set(traces.columns):
        return pd.DataFrame()
    if "function" not in traces and not runs.empty:
        config = runs.drop_duplicates("run_id")[["run_id", *RUN[1:], "start"]]
        traces = traces.drop(columns=[c for c in RUN if c in traces and c != "result_set"])
        traces = traces.merge(config, on="run_id", how="inner")
    out = traces.assign(start=_start_id(traces))
    optima = {k: f_opt(runs, *k) for k in out.groupby(["function", "n"]).groups}
    best = out[["function", "n"]].apply(tuple, axis=1).map(optima).fillna(0.0)
    gap = (out["loss"].astype(float) - best).clip(lower=1e-16)
    return out.assign(gap=gap.where(np.isfinite(gap), np.inf))  # diverged: above every target


def staircase_curves(runs: pd.DataFrame, points: int = 120) -> pd.DataFrame:
    """Long table ``RUN + start, step, time_s, gap`` rebuilt from targets reached (see module)."""
    if runs.empty or not {"steps_to_target", "f_target", "steps"} <= set(runs.columns):
        return pd.DataFrame()
    runs = runs.assign(start=_start_id(runs))
    frames = []
    for key, run in runs.groupby([*RUN, "start"], dropna=False):
        total = int(run["steps"].max())
        grid = np.unique(np.geomspace(1, max(total, 1), points).astype(int))
        optimum = f_opt(runs, key[1], key[2])
        reached = run[run["hit_target"].fillna(False).astype(bool)]
        gaps = (reached["f_target"] - optimum).to_numpy(float)
        at = reached["steps_to_target"].to_numpy(float)
        gap = np.array([gaps[at <= s].min() if (at <= s).any() else np.inf for s in grid])
        rate = float(run["steps_per_s"].iloc[0]) if "steps_per_s" in run else np.nan
        frames.append(
            pd.DataFrame({"step": grid, "time_s": grid / rate, "gap": gap}).assign(
                **dict(zip([*RUN, "start"], key, strict=True))
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def convergence_figure(runs: pd.DataFrame, traces: pd.DataFrame) -> tuple[Any, str] | None:
    """Loss gap against steps (top) and seconds (bottom); returns ``(figure, source)``."""
    curves, source = trace_curves(runs, traces), "traces"
    if curves.empty:
        curves, source = staircase_curves(runs), "runs (best target reached)"
    if curves.empty:
        return None
    panels = (
        curves.sort_values("n")
        .groupby("function")["n"]
        .last()
        .reset_index()
        .head(MAX_PANELS)
        .itertuples(index=False)
    )
    panels = list(panels)
    palette = colors(list(curves["optimizer"].unique()))
    plt = pyplot()
    fig, axes = plt.subplots(
        2, len(panels), figsize=(4.4 * len(panels) + 2, 6.6), squeeze=False, layout="constrained"
    )
    for col, (function, n) in enumerate(panels):
        part = curves[(curves["function"] == function) & (curves["n"] == n)]
        for row, x in enumerate(("step", "time_s")):
            _convergence_panel(axes[row, col], part, x, palette)
            axes[row, col].set_title(f"{function} n={n}")
    handles = [h for h in axes[0, 0].get_lines() if not h.get_label().startswith("_")]
    sets = list(dict.fromkeys(curves["result_set"]))[:MAX_RESULT_SETS]
    fig.legend(handles=handles + set_styles(axes[0, 0], sets), loc="outside right upper")
    return fig, source


def _convergence_panel(ax: Any, part: pd.DataFrame, x: str, palette: dict[str, Any]) -> None:
    sets = list(dict.fromkeys(part["result_set"]))[:MAX_RESULT_SETS]
    for (label, optimizer, lr), line in part.groupby(
        ["result_set", "optimizer", "lr"], dropna=False
    ):
        if label not in sets:
            continue
        wide = line.pivot_table(index="step", columns="start", values="gap", aggfunc="first")
        values = np.nan_to_num(wide.to_numpy(float), nan=np.nan, posinf=_ABOVE)  # not yet reached
        low, mid, high = np.nanquantile(values, [0.2, 0.5, 0.8], axis=1)
        low, mid, high = (np.where(q > 1e250, np.nan, q) for q in (low, mid, high))
        xs = wide.index.to_numpy(float) if x == "step" else line.groupby("step")["time_s"].median()
        name = f"{optimizer} (lr {lr:g})" if label == sets[0] else None
        style = LINESTYLES[sets.index(label) % len(LINESTYLES)]
        ax.plot(xs, mid, color=palette[optimizer], ls=style, lw=1.5, label=name)
        ax.fill_between(
            np.asarray(xs, float), low, high, color=palette[optimizer], alpha=0.18, lw=0
        )
    ax.set_yscale("log")
    ax.set_xscale("log" if x == "time_s" else "linear")
    _cap_top(ax)
    ax.set_xlabel("optimizer steps" if x == "step" else "wall time (s)")
    ax.set_ylabel("f(x) − f* (median, 20–80% band)")


def _cap_top(ax: Any) -> None:
    """Keep a blow-up (a run on its way to divergence) from flattening the other curves."""
    starts = [line.get_ydata()[0] for line in ax.get_lines() if len(line.get_ydata())]
    starts = [s for s in starts if np.isfinite(s) and s > 0]
    tops = [np.nanmax(line.get_ydata()) for line in ax.get_lines() if len(line.get_ydata())]
    if starts and tops and np.nanmax(tops) > 1e4 * max(starts):
        ax.set_ylim(ax.get_ylim()[0], 1e4 * max(starts))


def ecdf_figure(runs: pd.DataFrame) -> Any | None:
    """Fraction of (run, target) pairs reached against seconds and gradient evaluations."""
    needed = {"hit_target", "time_to_target_s", "grad_evals_to_target", "optimizer"}
    if runs.empty or not needed <= set(runs.columns):
        return None
    plt = pyplot()
    palette = colors(list(runs["optimizer"].unique()))
    sets = list(dict.fromkeys(runs["result_set"]))[:MAX_RESULT_SETS]
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), constrained_layout=True)
    _ecdf_panel(axes[0], runs, "time_to_target_s", sets, palette)
    axes[0].set_xlabel("wall time (s)")
    _ecdf_panel(axes[1], runs, "grad_evals_to_target", sets, palette)
    axes[1].set_xlabel("gradient evaluations")
    functions = runs["function"].nunique()
    title = f"targets f* + 10^k, k = 2 … −8, over {functions} functions, all starts"
    fig.suptitle(title, fontsize=9)
    return fig


def _ecdf_panel(ax: Any, runs: pd.DataFrame, column: str, sets: list[str], palette: dict) -> None:
    """One ECDF per result set and optimizer: the share of its pairs reached by each budget.

    Pairs reached at the start (a budget of 0) are drawn at the left edge: half the smallest
    positive budget in the panel.
    """
    budgets = pd.to_numeric(runs[column], errors="coerce")
    positive = budgets[budgets > 0]
    edge = positive.min() / 2 if not positive.empty else 1.0
    for (label, optimizer), part in runs.groupby(["result_set", "optimizer"]):
        if label not in sets:
            continue
        hit = part["hit_target"].fillna(False).astype(bool)
        values = pd.to_numeric(part.loc[hit, column], errors="coerce").dropna().to_numpy(float)
        values = np.maximum(np.sort(values), edge)
        fraction = np.arange(1, values.size + 1) / len(part)
        ax.step(np.r_[edge, values], np.r_[0.0, fraction], where="post", lw=1.6,
                color=palette[optimizer], ls=LINESTYLES[sets.index(label) % len(LINESTYLES)],
                label=optimizer if label == sets[0] else None)  # fmt: skip
    ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("fraction of (run, target) pairs reached")
    handles = [h for h in ax.get_lines() if not h.get_label().startswith("_")]
    ax.legend(handles=handles + set_styles(ax, sets), loc="upper left")
