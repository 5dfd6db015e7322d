"""Figures of the ``learning-rate`` and ``expectations`` studies (see ``_figures_studies``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._base import colors, pyplot
from .studies import first_set, part_rows

RULE_ORDER = ("trapezoid", "gauss_hermite", "monte_carlo", "qmc")
ERROR_FLOOR = 1e-17
LABELS = {"cos": "cos X", "x^4": "X⁴", "x^2": "X²", "exp": "exp X", "mean": "X", "density": "1"}


def learning_rate_figure(table: pd.DataFrame) -> Any | None:
    """Final loss gap against the learning rate per function, with 2/L and the measured edge."""
    table = first_set(table)
    sweep, edges = part_rows(table, "sweep"), part_rows(table, "edge")
    if sweep.empty:
        return None
    plt = pyplot()
    names = list(dict.fromkeys(sweep["function"]))
    fig, axes = plt.subplots(1, len(names), figsize=(4.6 * len(names), 4.0), squeeze=False,
                             layout="constrained")  # fmt: skip
    for ax, name in zip(axes[0], names, strict=True):
        _lr_panel(ax, sweep[sweep["function"] == name], edges[edges["function"] == name])
        ax.set_title(name)
    axes[0, 0].set_ylabel("final loss gap f − f* (unstable runs drawn at the top)")
    return fig


def _lr_panel(ax: Any, rows: pd.DataFrame, edge: pd.DataFrame) -> None:
    rows = rows.sort_values("lr")
    bad = rows["unstable"].astype(bool)
    gap = rows["gap_final"].astype(float).clip(lower=ERROR_FLOOR)
    finite = gap[np.isfinite(gap) & ~bad]
    top = max(float(finite.max()) if len(finite) else 1.0, 1.0) * 100
    ax.plot(rows["lr"][~bad], gap[~bad], "o-", ms=3, lw=1.2, color="C0", label="stable")
    shown = gap.where(np.isfinite(gap) & (gap < top), top)
    ax.plot(rows["lr"][bad], shown[bad], "x", ms=5, color="C3", label="unstable / diverged")
    if not edge.empty:
        e = edge.iloc[0]
        ax.axvline(e["edge_theory"], color="k", lw=1.2, ls="--",
                   label=f"2/L = {e['edge_theory']:.3g} (L = {e['L']:.3g} at x*)")  # fmt: skip
        if abs(e["edge_start"] / e["edge_theory"] - 1) > 0.05:
            ax.axvline(e["edge_start"], color="0.5", lw=1.0, ls=":",
                       label=f"2/L at the start = {e['edge_start']:.3g}")  # fmt: skip
        if np.isfinite(e.get("edge_hi", np.nan)):
            ax.axvspan(e["edge_lo"], e["edge_hi"], color="C1", alpha=0.25,
                       label=f"measured edge {e['edge_lo']:.3g} – {e['edge_hi']:.3g}")  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"learning rate (plain GD, {int(rows['steps'].iloc[0])} steps)")
    ax.legend(fontsize=7, loc="best")


def expectations_figure(table: pd.DataFrame) -> Any | None:
    """Error of E[cos X] and E[X^4] against evaluations by rule; gradient variance vs samples."""
    table = first_set(table)
    integrals, grads = part_rows(table, "integrals"), part_rows(table, "gradients")
    if integrals.empty:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), layout="constrained")
    palette = colors(list(RULE_ORDER))
    for ax, name in zip(axes[:2], ("cos", "x^4"), strict=True):
        _rule_panel(ax, integrals[integrals["integrand"] == name], palette)
        exact = float(integrals.loc[integrals["integrand"] == name, "exact"].iloc[0])
        ax.set_title(f"E[{LABELS.get(name, name)}] = {exact:.6g}, X ~ N(0, 1)")
    if not grads.empty:
        _variance_panel(axes[2], grads)
    return fig


def _rule_panel(ax: Any, rows: pd.DataFrame, palette: dict[str, Any]) -> None:
    for rule in RULE_ORDER:
        line = rows[rows["rule"] == rule].sort_values("evaluations")
        if line.empty:
            continue
        random = int(line["repeats"].max()) > 1
        label = f"{rule} (RMSE over {int(line['repeats'].max())})" if random else rule
        y = (line["rmse"] if random else line["abs_err"]).clip(lower=ERROR_FLOOR)
        ax.plot(line["evaluations"], y, "o-", ms=3, lw=1.3, color=palette[rule], label=label)
    n = np.asarray(sorted(rows["evaluations"].unique()), dtype=float)
    ax.plot(n, 1.0 / np.sqrt(n), color="0.5", lw=0.8, ls=":", label="N^(−1/2)")
    ax.axhline(np.finfo(np.float64).eps, color="0.7", lw=0.8, ls="--")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("evaluations N of g")
    ax.set_ylabel("absolute error (floored at 1e-17)")
    ax.legend(fontsize=7)


def _variance_panel(ax: Any, grads: pd.DataFrame) -> None:
    styles = {"reparameterisation": "-", "score_function": "--"}
    palette = colors([f"{g} · d/d{p}" for g, p in grads[["integrand", "param"]].drop_duplicates()
                      .itertuples(index=False)])  # fmt: skip
    for (name, param, est), line in grads.groupby(["integrand", "param", "estimator"]):
        line = line.sort_values("samples")
        ax.plot(line["samples"], line["variance"], ls=styles.get(est, "-"), marker="o", ms=3,
                color=palette[f"{name} · d/d{param}"], lw=1.3)  # fmt: skip
    s = np.asarray(sorted(grads["samples"].unique()), dtype=float)
    ax.plot(s, 4.0 / s, color="0.5", lw=0.8, ls=":")
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=c, lw=2, label=k) for k, c in palette.items()]
    handles += [Line2D([], [], color="0.3", ls=v, label=k) for k, v in styles.items()]
    handles.append(Line2D([], [], color="0.5", ls=":", label="4/S (exact, reparam. d/dμ E[X²])"))
    ax.legend(handles=handles, fontsize=7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_title("gradients of E[g(X)], X ~ N(0.5, 1)")
    ax.set_xlabel("samples S per estimate")
    ax.set_ylabel("variance of the estimate")
