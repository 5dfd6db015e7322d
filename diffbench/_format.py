"""Small text formatters shared by the markdown and HTML renderers."""

from __future__ import annotations

import math
from typing import Any


def seconds(value: Any, normalized: bool = False) -> str:
    """A duration with a readable unit: ``1.23 ms``; in calibration units when ``normalized``."""
    if value is None or not math.isfinite(float(value)):
        return "–"
    value = float(value)
    if normalized:
        return f"{value:.3g} cal"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if abs(value) >= scale or unit == "ns":
            return f"{value / scale:.3g} {unit}"
    return f"{value:.3g} s"


def number(value: Any, digits: int = 3) -> str:
    """A number to ``digits`` significant digits, ``–`` when missing."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "–"
    return f"{value:.{digits}g}" if math.isfinite(value) else "–"


def ratio_ci(ratio: Any, low: Any, high: Any) -> str:
    """``x1.31 [1.25, 1.38]`` or ``x1.31`` when there is no interval."""
    text = f"x{float(ratio):.2f}" if number(ratio) != "–" else "–"
    if number(low) != "–":
        text += f" [{float(low):.2f}, {float(high):.2f}]"
    return text


def pvalue(value: Any) -> str:
    """A p-value as ``<1e-4`` or two significant digits."""
    text = number(value, 2)
    if text != "–" and float(value) < 1e-4:
        return "<1e-4"
    return text


def case(row: dict[str, Any]) -> str:
    """A case's identity in one line: ``rosenbrock n=8 float64 cpu · central (order=2)``."""
    parts = [str(row.get("function", ""))]
    if row.get("n") not in (None, ""):
        parts.append(f"n={row['n']}")
    parts += [str(row[k]) for k in ("dtype", "device") if row.get(k)]
    text = " ".join(parts)
    if row.get("method"):
        text += f" · {row['method']}"
    if row.get("params"):
        text += f" ({row['params']})"
    return text


_MD_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        **{c: "\\" + c for c in "\\`[]|"},
        "\n": " ",
        "\r": " ",
    }
)


def md_text(value: Any) -> str:
    """``value`` as inert markdown text: shown as written, never as HTML, a link or an image.

    Result files are untrusted (shared, downloaded from CI artifacts) and reports land in PR
    comments: ``<``, ``>`` and ``&`` become entities (no raw HTML), the characters that open
    links, images, code and table cells (``[``, ``]``, backtick, ``|``, backslash) are
    backslash-escaped, and line breaks become spaces so a value cannot start a block of its
    own. Emphasis characters are left alone: names such as ``reverse_ad`` stay as written.
    """
    return str(value).translate(_MD_ESCAPES)


def md_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured markdown table; every cell is escaped with ``md_text``."""

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(md_text(c) for c in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *map(line, rows)])
