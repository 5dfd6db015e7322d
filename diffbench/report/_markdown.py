"""The report as markdown: GitHub-flavoured, for a CI job summary, a PR comment or a README."""

from __future__ import annotations

from .._format import md_table, md_text
from ._model import Report


def render_markdown(report: Report) -> str:
    """Markdown text of ``report``; figures link to ``figures/<key>.png`` beside the file."""
    lines = [f"# {md_text(report.title)}", "", f"_{md_text(report.subtitle)}_", ""]
    contents = [f"[{s.title}](#{_anchor(s.title)})" for s in report.sections]
    lines += ["Contents: " + " · ".join(contents), ""]
    for section in report.sections:
        lines += [f"## {section.title}", ""]
        if section.text:  # text, notes and captions may quote result files: escaped
            lines += [md_text(section.text), ""]
        for table in section.tables:
            if table.title:
                lines += [f"**{md_text(table.title)}**", ""]
            lines += [md_table(table.header, table.rows), ""]
            if table.note:
                lines += [f"_{md_text(table.note)}_", ""]
        if section.figure:
            lines += [f"![{md_text(section.title)}](figures/{section.key}.png)", ""]
        if section.caption:
            lines += [f"_{md_text(section.caption)}_", ""]
    return "\n".join(lines)


def _anchor(title: str) -> str:
    """GitHub's heading anchor: lower case, spaces to dashes, punctuation dropped."""
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")
