"""The accuracy figures: digits heatmap, FLOPs ratio against time ratio."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._base import MAX_RESULT_SETS, colors, method_order, ok_rows, pyplot


def digits_heatmap(gradients: pd.DataFrame) -> Any | None:
    """Median digits of accuracy per method x function (over n), one panel per dtype and set.

    Result sets whose digits agree (within 0.05 everywhere) share one panel, titled with their
    references; cells without an ``ok`` measurement show the status (``skipped``, ``error``...).
    """
    if gradients.empty or "digits" not in gradients or gradients["digits"].isna().all():
        return None
    plt = pyplot()
    methods = method_order(gradients["method"].unique())
    functions = sorted(gradients["function"].unique())
    panels = _heatmap_panels(gradients, methods, functions)
    columns = 2 if len(methods) <= 6 and len(panels) > 1 else 1
    rows = -(-len(panels) // columns)
    width = (1.8 + 0.55 * len(methods)) * columns + 1.2
    fig, axes = plt.subplots(rows, columns, figsize=(width, rows * (1.3 + 0.28 * len(functions))),
                             squeeze=False, constrained_layout=True)  # fmt: skip
    image = None
    for ax, (title, values, statuses) in zip(axes.flat, panels, strict=False):
        image = _heatmap_panel(ax, values, statuses)
        ax.set_title(title)
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    bar = fig.colorbar(image, ax=axes, shrink=min(0.9, 2.5 / rows), aspect=25, pad=0.01,
                       ticks=[0, 4, 8, 12, 16])  # fmt: skip
    bar.set_label("correct digits = −log10(relative error)")
    return fig


def _heatmap_panels(gradients: pd.DataFrame, methods: list[str], functions: list[str]) -> list:
    """``(title, digits table, statuses)`` per dtype and group of agreeing result sets."""
    sets = list(dict.fromkeys(gradients["result_set"]))[:MAX_RESULT_SETS]
    refs = {label: f"[{k}]" for k, label in enumerate(sets, start=1)}
    panels = []
    for dtype in sorted(gradients["dtype"].dropna().unique()):
        groups: list[tuple[list[str], pd.DataFrame, pd.Series]] = []
        for label in sets:
            part = gradients[(gradients["result_set"] == label) & (gradients["dtype"] == dtype)]
            values = (
                ok_rows(part)
                .pivot_table(index="function", columns="method", values="digits", aggfunc="median")
                .reindex(index=functions, columns=methods)
            )
            statuses = part.groupby(["function", "method"])["status"].first()
            same = next((g for g in groups if _agree(g[1], values)), None)
            if same:
                same[0].append(label)
            else:
                groups.append(([label], values, statuses))
        for labels, values, statuses in groups:
            who = "" if len(sets) == 1 else " · " + " ".join(refs[x] for x in labels)
            panels.append((f"{dtype}{who}", values, statuses))
    return panels


def _agree(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    x, y = a.to_numpy(float), b.to_numpy(float)
    return bool(
        np.array_equal(np.isnan(x), np.isnan(y)) and np.nanmax(np.abs(x - y), initial=0) <= 0.05
    )


def _heatmap_panel(ax: Any, values: pd.DataFrame, statuses: pd.Series) -> Any:
    """One heatmap: a discrete colour per whole digit, each cell labelled with its value."""
    from matplotlib.colors import BoundaryNorm

    plt = pyplot()
    cmap = plt.get_cmap("viridis", 17)
    norm = BoundaryNorm(np.arange(0, 18), cmap.N)
    image = ax.imshow(values.to_numpy(float), cmap=cmap, norm=norm, aspect="auto")
    for i, function in enumerate(values.index):
        for j, method in enumerate(values.columns):
            value = values.at[function, method]
            if np.isfinite(value):
                shade = "white" if value < 9 else "black"
                ax.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=7, color=shade)
            else:
                text = statuses.get((function, method), "–")
                ax.text(j, i, str(text)[:7], ha="center", va="center", fontsize=6, color="0.4")
    ax.set_xticks(range(len(values.columns)), values.columns, rotation=40, ha="right")
    ax.set_yticks(range(len(values.index)), values.index)
    ax.set_xlabel("method")
    ax.set_ylabel("function")
    ax.grid(False)
    return image


def flops_vs_time(gradients: pd.DataFrame) -> Any | None:
    """FLOPs ratio (XLA's count, gradient / function) against the measured time ratio."""
    ok = ok_rows(gradients)
    needed = {"flops_ratio", "cost_ratio"}
    if ok.empty or not needed <= set(ok.columns):
        return None
    ok = ok[
        np.isfinite(ok["flops_ratio"].astype(float)) & np.isfinite(ok["cost_ratio"].astype(float))
    ]
    ok = ok[(ok["flops_ratio"] > 0) & (ok["cost_ratio"] > 0)]
    if ok.empty:
        return None
    plt = pyplot()
    palette = colors(list(ok["method"].unique()))
    markers = dict(zip(sorted(ok["dtype"].unique()), "os^D", strict=False))
    fig, ax = plt.subplots(figsize=(6.4, 4.6), constrained_layout=True)
    for (method, dtype), part in ok.groupby(["method", "dtype"]):
        ax.scatter(
            part["flops_ratio"],
            part["cost_ratio"],
            s=14,
            alpha=0.75,
            color=palette[method],
            marker=markers.get(dtype, "o"),
        )
    for method in method_order(ok["method"].unique()):
        ax.scatter([], [], s=14, color=palette[method], label=method)
    for dtype, marker in markers.items():
        ax.scatter([], [], s=16, facecolors="none", edgecolors="black", marker=marker, label=dtype)
    low = min(ok["flops_ratio"].min(), ok["cost_ratio"].min())
    high = max(ok["flops_ratio"].max(), ok["cost_ratio"].max())
    ax.plot([low, high], [low, high], color="0.5", lw=1, ls="--", label="time ratio = FLOPs ratio")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("FLOPs ratio (gradient FLOPs / function FLOPs, from XLA)")
    ax.set_ylabel("time ratio (gradient time / function time)")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), ncol=1 + len(palette) // 12)
    return fig
