"""Scale-out efficiency against devices (the report's ``scale_out`` section)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._base import pyplot


def scale_out_figure(table: pd.DataFrame) -> Any:
    """Efficiency against devices, one line per function and scaling kind (None if empty)."""
    if table.empty:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 3.8), constrained_layout=True)
    for (function, scale), part in table.groupby(["function", "scale"], sort=True):
        part = part.groupby("devices")["efficiency"].median()
        xs, ys = [1, *part.index.tolist()], [1.0, *part.tolist()]
        ax.plot(
            xs, ys, marker="o", ls="-" if scale == "strong" else "--", label=f"{function} ({scale})"
        )
    ax.axhline(1.0, color="0.5", lw=0.8, ls=":")
    ax.set_xscale("log", base=2)
    ticks = sorted({1, *table["devices"].astype(int)})
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("devices")
    ax.set_ylabel("efficiency (1 = perfect)")
    ax.set_ylim(0, max(1.1, float(table["efficiency"].max()) * 1.1))
    ax.legend(loc="lower left")
    return fig
