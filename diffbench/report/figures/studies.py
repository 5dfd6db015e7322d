"""Figures of the studies (``diffbench.studies``): one figure per study table.

Each function takes the study's table (rows of one result set: the first when several are
loaded) and returns a matplotlib figure, or None when the table lacks the part it draws.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._base import colors, pyplot

INIT_STYLES = {"vanish": ":", "hold": "-", "explode": "--"}
DTYPE_STYLES = {"float64": "-", "float32": "--"}


def first_set(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the first result set (figures draw one set; tables compare sets)."""
    if "result_set" in table and table["result_set"].nunique() > 1:
        return table[table["result_set"] == table["result_set"].iloc[0]]
    return table


def part_rows(table: pd.DataFrame, part: str) -> pd.DataFrame:
    if table.empty or "part" not in table:
        return pd.DataFrame()
    rows = table[table["part"] == part]
    return rows.dropna(axis=1, how="all")


# -- vanishing-exploding -------------------------------------------------------------------------


def vanishing_figure(table: pd.DataFrame) -> Any | None:
    """Layer norms per activation (top); the 0.25^n bound, digits and clipping (bottom)."""
    table = first_set(table)
    layers = part_rows(table, "layers")
    if layers.empty:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(13.5, 7.4), layout="constrained")
    for ax, act in zip(axes[0], ("sigmoid", "tanh", "relu"), strict=True):
        _layers_panel(ax, layers[layers["activation"] == act], act)
    _bound_panel(axes[1, 0], part_rows(table, "bound"))
    _digits_panel(axes[1, 1], part_rows(table, "digits"))
    _clipping_panel(axes[1, 2], part_rows(table, "clipping"))
    return fig


def _layers_panel(ax: Any, rows: pd.DataFrame, act: str) -> None:
    for init, style in INIT_STYLES.items():
        line = rows[rows["init"] == init].sort_values("depth")
        if line.empty:
            continue
        gain = float(line["gain"].iloc[0])
        label = f"{init} (gain {gain:.3g})"
        ax.plot(line["depth"], line["grad_norm"], ls=style, lw=1.5, label=label)
    ax.set_yscale("log")
    ax.set_title(f"{act} chain: per-layer gradient norm")
    ax.set_xlabel("layer i (1 = input side)")
    ax.set_ylabel("‖∂L/∂W_i‖ (median over seeds)")
    ax.legend(title="initialisation")


def _bound_panel(ax: Any, rows: pd.DataFrame) -> None:
    if rows.empty:
        ax.set_visible(False)
        return
    start = rows[rows["init"] == "start"].sort_values("depth")
    rand = rows[rows["init"] == "random"].sort_values("depth")
    ax.plot(start["depth"], start["bound"], color="0.2", lw=3, alpha=0.35, label="bound 0.25^n")
    ax.plot(start["depth"], start["grad_norm"], "o", ms=3, color="C3", label="measured, x = x0")
    ax.plot(rand["depth"], rand["grad_norm"], color="C0", lw=1.4, label="measured, random x")
    ax.set_yscale("log")
    ax.set_title("sigmoid chain: ∂f/∂x_1 against depth")
    ax.set_xlabel("depth n (layers)")
    ax.set_ylabel("|∂f/∂x_1| (reverse mode)")
    ax.legend()


def _digits_panel(ax: Any, rows: pd.DataFrame) -> None:
    if rows.empty:
        ax.set_visible(False)
        return
    palette = colors(list(rows["method"].unique()))
    for (method, dtype), line in rows.groupby(["method", "dtype"]):
        line = line.sort_values("depth")
        ax.plot(line["depth"], line["digits"], ls=DTYPE_STYLES.get(dtype, "-"),
                color=palette[method], lw=1.4, label=f"{method} · {dtype}")  # fmt: skip
    ax.set_ylim(-0.5, 17)
    ax.set_title("digits kept as the gradient vanishes (~0.25^n)")
    ax.set_xlabel("depth n (layers)")
    ax.set_ylabel("correct digits of ∂f/∂x_1 (vs mpmath)")
    ax.legend(ncols=2, fontsize=7, loc="center right")


def _clipping_panel(ax: Any, rows: pd.DataFrame) -> None:
    if rows.empty:
        ax.set_visible(False)
        return
    lrs = sorted(rows["lr"].unique())
    markers = dict(zip(lrs, ("o", "s", "^", "D", "v"), strict=False))
    top = np.nanmax(rows["f_final"].where(np.isfinite(rows["f_final"]))) if len(rows) else 1.0
    top = max(float(top) if np.isfinite(top) else 1.0, 1.0) * 30
    for clip, color in (("none", "C3"), ("global_norm", "C2")):
        for lr in lrs:
            part = rows[(rows["clip"] == clip) & (rows["lr"] == lr)].sort_values("depth")
            diverged = part["diverged"].astype(bool)
            y = part["f_final"].where(~diverged, top).clip(lower=1e-16)
            ax.plot(part["depth"], y, ls="-" if clip == "none" else "--", marker=markers[lr],
                    color=color, ms=5, lw=1.0, label=f"{clip}, lr {lr:g}")  # fmt: skip
    ax.axhline(top, color="0.5", lw=0.8, ls=":")
    ax.annotate("diverged (non-finite)", (0.02, top), xycoords=("axes fraction", "data"),
                textcoords="offset points", xytext=(0, 3), fontsize=7, color="0.4")  # fmt: skip
    ax.set_yscale("log")
    ax.set_title("exploding: SGD on (∏w − 1)², w₀ = 1.25")
    ax.set_xlabel("depth D (layers)")
    ax.set_ylabel("final loss")
    ax.legend(title="clip_by_global_norm", fontsize=7)


# -- saddles -------------------------------------------------------------------------------------


def saddles_figure(table: pd.DataFrame) -> Any | None:
    """Steps to leave the unit disc against the start's distance, one panel per function."""
    rows = part_rows(first_set(table), "escape")
    if rows.empty:
        return None
    plt = pyplot()
    names = list(dict.fromkeys(rows["function"]))
    fig, axes = plt.subplots(1, len(names), figsize=(6.2 * len(names), 4.2), squeeze=False,
                             layout="constrained")  # fmt: skip
    palette = colors(list(rows["optimizer"].unique()))
    for ax, name in zip(axes[0], names, strict=True):
        part = rows[rows["function"] == name]
        budget = float(part["steps"].max())
        for opt, line in part.groupby("optimizer", sort=False):
            line = line.sort_values("distance")
            y = line["steps_to_escape_median"].astype(float)
            ax.plot(line["distance"], y.fillna(budget * 1.6), marker="o", ms=4,
                    color=palette[opt], lw=1.4, label=opt)  # fmt: skip
        ax.axhline(budget * 1.6, color="0.5", lw=0.8, ls=":")
        ax.annotate(f"not left within {budget:g} steps", (0.02, budget * 1.6), fontsize=7,
                    xycoords=("axes fraction", "data"), textcoords="offset points",
                    xytext=(0, 3), color="0.4")  # fmt: skip
        eig = (float(part["hess_eig_min"].iloc[0]), float(part["hess_eig_max"].iloc[0]))
        test = part["test"].iloc[0]
        ax.set_title(f"{name}: Hessian eigenvalues at 0: {eig[0]:g}, {eig[1]:g} ({test})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.invert_xaxis()
        ax.set_xlabel("distance of the start from the stationary point")
        ax.set_ylabel("steps to leave the unit disc (median)")
        ax.legend(title=f"optimizer (lr {float(part['lr'].iloc[0]):g})")
    return fig


# -- local minima --------------------------------------------------------------------------------


def local_minima_figure(table: pd.DataFrame) -> Any | None:
    """Single-start success with 95 % intervals (left); k-start measured vs predicted (right)."""
    table = first_set(table)
    single, grouped = part_rows(table, "single"), part_rows(table, "k_starts")
    if single.empty:
        return None
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.6), layout="constrained")
    functions = list(dict.fromkeys(single["function"]))
    optimizers = list(dict.fromkeys(single["optimizer"]))
    palette = colors(optimizers)
    width = 0.8 / len(optimizers)
    for j, opt in enumerate(optimizers):
        part = single[single["optimizer"] == opt].set_index("function").loc[functions]
        x = np.arange(len(functions)) + (j - (len(optimizers) - 1) / 2) * width
        err = [part["p"] - part["ci_low"], part["ci_high"] - part["p"]]
        left.bar(x, part["p"], width, color=palette[opt], label=opt, yerr=err, capsize=2)
    left.set_xticks(np.arange(len(functions)), functions)
    left.set_ylabel("single-start success rate p (95 % CI)")
    left.set_title("random starts that reach the global target")
    left.legend(title="optimizer")
    if not grouped.empty:
        _k_panel(right, grouped, palette)
    return fig


def _k_panel(ax: Any, grouped: pd.DataFrame, palette: dict[str, Any]) -> None:
    markers = dict(zip(sorted(grouped["k"].unique()), "osD^v<>", strict=False))
    for (opt, k), part in grouped.groupby(["optimizer", "k"]):
        err = [part["p"] - part["ci_low"], part["ci_high"] - part["p"]]
        xerr = None
        if "predicted_low" in part:
            xerr = [part["predicted"] - part["predicted_low"],
                    part["predicted_high"] - part["predicted"]]  # fmt: skip
        ax.errorbar(part["predicted"], part["p"], yerr=err, xerr=xerr, fmt=markers[k], ms=4,
                    capsize=2, color=palette[opt], alpha=0.8, lw=0.8)  # fmt: skip
    ax.plot([0, 1], [0, 1], color="0.4", lw=0.8, ls="--")
    inside = grouped["within_ci"].astype(bool)
    title = f"k starts: measured vs 1 − (1 − p)^k; {int(inside.sum())}/{len(inside)} in the CI"
    if "intervals_overlap" in grouped:
        meet = grouped["intervals_overlap"].astype(bool)
        title += f", {int(meet.sum())}/{len(meet)} intervals meet"
    ax.set_title(title)
    ax.set_xlabel("predicted from the single-start rate: 1 − (1 − p)^k (p's 95 % CI mapped)")
    ax.set_ylabel("measured success of k starts (95 % CI)")
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color="0.3", ls="", marker=m, label=f"k = {k}")
               for k, m in markers.items()]  # fmt: skip
    handles += [Line2D([], [], color=c, lw=2, label=o) for o, c in palette.items()]
    ax.legend(handles=handles, ncols=2, fontsize=7)
