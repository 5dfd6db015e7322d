"""The report as one self-contained HTML page: inline CSS, figures as base64 PNG, no scripts.

Nothing is fetched (no fonts, scripts or favicon), so the page opens from disk or as a CI artifact
and renders in a headless browser without console messages.
"""

from __future__ import annotations

import base64
import html

from ._model import Report, Section, Table

_CSS = """
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --head: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  color: var(--fg); background: #fff; }
header { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); background: var(--head); }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; color: var(--muted); }
nav { margin-top: 10px; display: flex; flex-wrap: wrap; gap: 6px 14px; }
nav a { color: var(--accent); text-decoration: none; font-size: 13px; }
nav a:hover { text-decoration: underline; }
main { padding: 8px 32px 40px; max-width: 1500px; }
section { margin-top: 26px; }
h3 { font-size: 14px; margin: 16px 0 2px; }
h2 { font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
p.text { color: var(--fg); max-width: 980px; }
p.note, figcaption { color: var(--muted); font-size: 12px; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 8px 0 4px; font-size: 12.5px; }
th, td { border: 1px solid var(--line); padding: 3px 9px; text-align: right; white-space: nowrap; }
th { background: var(--head); font-weight: 600; text-align: center; }
td.text { text-align: left; }
tbody tr:nth-child(even) { background: #fafbfc; }
figure { margin: 12px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
"""


def _table(table: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.header)
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td class="text">{html.escape(c)}</td>'
            if i < table.align_left
            else f"<td>{html.escape(c)}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    note = f'<p class="note">{html.escape(table.note)}</p>' if table.note else ""
    title = f"<h3>{html.escape(table.title)}</h3>" if table.title else ""
    return (
        f'{title}<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>{note}"
    )


def _section(section: Section) -> str:
    parts = [f'<section id="{section.key}"><h2>{html.escape(section.title)}</h2>']
    if section.text:
        parts.append(f'<p class="text">{html.escape(section.text)}</p>')
    parts += [_table(t) for t in section.tables]
    if section.figure:
        data = base64.b64encode(section.figure).decode("ascii")
        caption = (
            f"<figcaption>{html.escape(section.caption)}</figcaption>" if section.caption else ""
        )
        parts.append(
            f'<figure><img alt="{html.escape(section.title)}" '
            f'src="data:image/png;base64,{data}">{caption}</figure>'
        )
    parts.append("</section>")
    return "\n".join(parts)


def render_html(report: Report) -> str:
    """The self-contained HTML page of ``report``."""
    nav = "".join(f'<a href="#{s.key}">{html.escape(s.title)}</a>' for s in report.sections)
    body = "\n".join(_section(s) for s in report.sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(report.title)}</title>
<link rel="icon" href="data:,">
<style>{_CSS}</style>
</head>
<body>
<header><h1>{html.escape(report.title)}</h1><p>{html.escape(report.subtitle)}</p>
<nav>{nav}</nav></header>
<main>
{body}
</main>
</body>
</html>
"""
