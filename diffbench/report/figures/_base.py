"""What every figure shares: lazy pyplot, fixed colours per method, line styles per result set,
PNG bytes, and the rows a figure may draw.

matplotlib is imported lazily, with the Agg backend, so that importing diffbench never needs a
display. Every figure names its units on both axes and carries a legend or a colour bar; colours
are fixed per method (and per optimizer) across all figures of a report.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

METHOD_ORDER = (
    "symbolic",
    "forward",
    "backward",
    "central",
    "central4",
    "complex_step",
    "richardson",
    "forward_ad",
    "reverse_ad",
)
LINESTYLES = ("-", "--", ":", "-.")
MAX_RESULT_SETS = 4


def pyplot() -> Any:
    """``matplotlib.pyplot`` with the Agg backend and the report's style."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 110,
            "font.size": 9,
            "axes.titlesize": 10,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "legend.fontsize": 8,
            "legend.framealpha": 0.85,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return plt


def colors(names: list[str]) -> dict[str, Any]:
    """A fixed colour per name: known methods first in ``METHOD_ORDER``, the rest after."""
    plt = pyplot()
    known = [m for m in METHOD_ORDER if m in names]
    rest = sorted(set(names) - set(known))
    palette = [*plt.get_cmap("tab10").colors, *plt.get_cmap("Dark2").colors]
    return {name: palette[i % len(palette)] for i, name in enumerate(known + rest)}


def set_styles(ax: Any, sets: list[str]) -> list[Any]:
    """Legend handles that say which line style is which result set (empty for one set)."""
    if len(sets) < 2:
        return []
    from matplotlib.lines import Line2D

    return [
        Line2D([], [], color="0.3", ls=LINESTYLES[k % len(LINESTYLES)], label=f"[{k + 1}] {label}")
        for k, label in enumerate(sets)
    ]


def png(fig: Any) -> bytes:
    """The figure as PNG bytes, quantized to 256 colours (a third of the size); figure closed."""
    from PIL import Image  # matplotlib depends on Pillow

    plt = pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    small = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(small, "PNG", optimize=True)
    return small.getvalue()


def ok_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Rows with ``status == "ok"`` (all rows when there is no status column)."""
    if table.empty or "status" not in table:
        return table
    return table[table["status"] == "ok"]


def method_order(methods: Any) -> list[str]:
    """Methods in the report's order: ``METHOD_ORDER`` first, others sorted after."""
    names = set(map(str, methods))
    return [m for m in METHOD_ORDER if m in names] + sorted(names - set(METHOD_ORDER))
