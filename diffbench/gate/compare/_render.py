"""Rendering a ``Comparison`` as markdown (CI job summaries, PR comments) or JSON."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from ... import _format as fmt
from ._compare import KINDS, Comparison

_HEADER = ["", "case", "base", "new", "ratio [CI]", "q", "accuracy", "status", "why"]
_MARK = {"regressed": "🔴", "improved": "🟢", "unchanged": "⚪", "new": "🆕", "missing": "❔"}
_MAX_UNCHANGED = 400


def _accuracy(row: dict[str, Any]) -> str:
    unit = "targets/start" if row["table"] == "runs" else "digits"
    old, new = fmt.number(row["accuracy_base"]), fmt.number(row["accuracy_new"])
    return "–" if old == new == "–" else f"{old} → {new} {unit}"


def _status(row: dict[str, Any]) -> str:
    old, new = row["status_base"] or "–", row["status_new"] or "–"
    return str(old) if old == new else f"{old} → {new}"


def _line(row: dict[str, Any], normalized: bool, fail_on: tuple[str, ...] = KINDS) -> list[str]:
    mark = _MARK[row["verdict"]]
    if row["verdict"] == "regressed" and not set(row["kinds"].split(",")) & set(fail_on):
        mark = "🟠"  # a regression of a kind the gate only reports
    return [
        mark,
        fmt.case(row) + (" (run)" if row["table"] == "runs" else ""),
        fmt.seconds(row["base_s"], normalized),
        fmt.seconds(row["new_s"], normalized),
        fmt.ratio_ci(row["ratio"], row["ci_low"], row["ci_high"]),
        fmt.pvalue(row["q_value"]),
        _accuracy(row),
        _status(row),
        row["reasons"],
    ]


def _rule(result: Comparison) -> str:
    """The timing rule in one sentence, with the noise floor when it raised the threshold."""
    alpha = 1 - result.confidence
    text = (
        f"A timing regression needs a median ratio above x{1 + result.effective_threshold:.2f} "
        f"*and* a Mann-Whitney U test significant at a false-discovery rate of {alpha:.2g} "
        f"(Benjamini-Hochberg q-value); the interval is a {result.confidence:.0%} bootstrap over "
        "raw samples."
    )
    if result.effective_threshold > result.threshold:
        text += (
            f" ⚠️ Timings moved between sessions by ±{np.expm1(result.noise_sigma):.0%} (robust "
            f"σ over all rows), so the {result.threshold:.0%} threshold was raised to "
            f"{result.effective_threshold:.0%}: smaller changes cannot be told from noise here. "
            "Use a quieter machine or a larger timing budget to resolve them."
        )
    return text


def to_markdown(result: Comparison, fail_on: tuple[str, ...] = KINDS) -> str:
    """The comparison as markdown: a verdict line, then regressed, improved, new, missing rows.

    Args:
        result: The comparison.
        fail_on: Regression kinds that fail the gate (the others are reported only).

    Returns:
        Markdown text.
    """
    counts = result.counts()
    failed = result.failed(fail_on)
    head = "❌ **regressions found**" if failed else "✅ **no regressions that fail the gate**"
    unit = (
        "calibration units (timings divided by each session's calibration)"
        if result.normalized
        else "seconds"
    )
    lines = [
        "## diffbench compare",
        "",
        f"{head} — " + " · ".join(f"{counts[v]} {v}" for v in counts),
        "",
        f"BASE: {', '.join(fmt.md_text(b) for b in result.base_labels)}  ",
        f"NEW: {', '.join(fmt.md_text(n) for n in result.new_labels)}  ",
        _rule(result) + f" Times in {unit}. Gate fails on: {', '.join(fail_on) or 'nothing'}.",
        *_environment(result),
    ]
    if result.incomplete:
        lines += ["", "**NEW is incomplete, so the gate fails:**", ""]
        lines += [f"- {fmt.md_text(reason)}" for reason in result.incomplete]
    rows = result.rows.to_dict("records")
    for verdict in ("regressed", "improved", "new", "missing"):
        chosen = [r for r in rows if r["verdict"] == verdict]
        if chosen:
            lines += ["", f"### {verdict.capitalize()} ({len(chosen)})", ""]
            table = [_line(r, result.normalized, fail_on) for r in chosen]
            lines.append(fmt.md_table(_HEADER, table))
            if any(line[0] == "🟠" for line in table):
                lines.append("\n🟠 reported only: the gate does not fail on this kind.")
    lines += _unchanged([r for r in rows if r["verdict"] == "unchanged"], result.normalized)
    return "\n".join(lines) + "\n"


def _environment(result: Comparison) -> list[str]:
    """Lines on what differs between the two sides' environments."""
    lines = []
    if result.environment:
        lines += [
            "",
            "Environments differ:",
            *(f"- {fmt.md_text(line)}" for line in result.environment),
        ]
    if result.timing_withheld:
        lines += [
            "",
            "No timing verdict: BASE and NEW ran on different machines "
            "(use --normalize or --across-machines to judge timings anyway).",
        ]
    return lines


def _unchanged(rows: list[dict[str, Any]], normalized: bool) -> list[str]:
    """The unchanged rows in a collapsed ``<details>`` block (capped at ``_MAX_UNCHANGED``)."""
    if not rows:
        return []
    shown = rows[:_MAX_UNCHANGED]
    lines = ["", f"<details><summary>Unchanged ({len(rows)})</summary>", ""]
    lines.append(fmt.md_table(_HEADER, [_line(r, normalized) for r in shown]))
    if len(rows) > len(shown):
        lines.append(f"\n… and {len(rows) - len(shown)} more.")
    return [*lines, "", "</details>"]


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def to_json(result: Comparison, fail_on: tuple[str, ...] = KINDS) -> str:
    """The comparison as JSON: settings, counts, ``failed``, one object per row (NaN as null)."""
    rows = [{k: _clean(v) for k, v in row.items()} for row in result.rows.to_dict("records")]
    for row in rows:
        row["kinds"] = [k for k in (row["kinds"] or "").split(",") if k]
    payload = {
        "threshold": result.threshold,
        "confidence": result.confidence,
        "normalized": result.normalized,
        "noise_sigma": _clean(result.noise_sigma),
        "effective_threshold": result.effective_threshold,
        "base": result.base_labels,
        "new": result.new_labels,
        "fail_on": list(fail_on),
        "failed": result.failed(fail_on),
        "counts": result.counts(),
        "incomplete": list(result.incomplete),
        "environment": result.environment,
        "timing_withheld": result.timing_withheld,
        "rows": rows,
    }
    return json.dumps(payload, indent=2)
