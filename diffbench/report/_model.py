"""The report's model: a ``Report`` is sections; a ``Section`` is text, tables and a figure.

Markdown (``_markdown``) and HTML (``_html``) render this model and nothing else; ``_report``
and ``_studies`` fill it from ``Results``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .figures import png


@dataclass
class Table:
    """A table to render: column names, rows of text, and an optional note under it."""

    header: list[str]
    rows: list[list[str]]
    note: str = ""
    title: str = ""
    align_left: int = 1  # leading columns that are text (left-aligned in HTML)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Section:
    """One section of the report: a title, a short reading guide, tables and a figure."""

    key: str
    title: str
    text: str = ""
    tables: list[Table] = field(default_factory=list)
    figure: bytes | None = None
    caption: str = ""


@dataclass
class Report:
    """A rendered report's content, and where its files went."""

    title: str
    subtitle: str
    sections: list[Section]
    markdown: Path | None = None
    html: Path | None = None


def with_figure(section: Section, make: Callable[[], Any]) -> Section:
    """Draw a figure into ``section``; a failure becomes a note, never a lost report."""
    try:
        fig = make()
    except Exception as exc:  # noqa: BLE001 - one bad figure must not lose the report
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"diffbench report: figure `{section.key}` failed: {first}", file=sys.stderr)
        section.text += f" (The figure could not be drawn: {type(exc).__name__}: {first}.)"
        return section
    if isinstance(fig, tuple):
        fig, source = fig
        section.caption = f"Source: {source}."
    section.figure = png(fig) if fig is not None else None
    return section
