"""The findings of one matched row of ``compare``: status, accuracy, cost and timing.

Each function reads one merged row (BASE and NEW side by side) and appends what it finds to the
row's lists: ``worse`` (``(kind, text)`` regressions), ``better`` (improvements) and ``notes``.
``group_shift`` adds, per row, how far its method's rows moved together (a single-case shift on
a shared machine is session noise, a change in the code moves the method's rows together).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ._sides import COST_COLUMNS

COST_TOLERANCE = 0.01
"""Relative growth of a deterministic figure (FLOPs, bytes, ...) that still counts as equal."""


def cost_findings(row: dict[str, Any], worse: list[tuple[str, str]]) -> None:
    """Deterministic figures that grew beyond ``COST_TOLERANCE`` (or from 0)."""
    for column in COST_COLUMNS:
        b, n = row.get(f"{column}_base"), row.get(f"{column}_new")
        if b is None or n is None or not (math.isfinite(b) and math.isfinite(n)):
            continue
        if n > b * (1 + COST_TOLERANCE) + (0.5 if b == 0 else 0.0):
            worse.append(("cost", f"{column} {b:.4g} -> {n:.4g} (deterministic)"))


def status_findings(row: dict[str, Any]) -> tuple[list, list, list]:
    """Status regressions (ok -> other) and fixes (other -> ok), per start for runs."""
    worse: list[tuple[str, str]] = []
    better: list[str] = []
    pairs = [("", row["status_base"], row["status_new"])]
    if isinstance(row.get("per_start_base"), dict) and isinstance(row.get("per_start_new"), dict):
        both = row["per_start_base"].keys() & row["per_start_new"].keys()
        pairs = [
            (f"start {s}: ", row["per_start_base"][s][1], row["per_start_new"][s][1])
            for s in sorted(both)
        ]
    for where, old, new in pairs:
        if old == "ok" and new != "ok":
            worse.append(("status", f"{where}status ok -> {new}"))
        elif old != "ok" and new == "ok":
            better.append(f"{where}status {old} -> ok")
    return worse, better, []


def accuracy_findings(row: dict[str, Any], worse: list, better: list[str]) -> None:
    """Accuracy: more than one digit lost (gradients) or target lost per start (runs)."""
    if isinstance(row.get("per_start_base"), dict) and isinstance(row.get("per_start_new"), dict):
        base, new = row["per_start_base"], row["per_start_new"]
        for start in sorted(base.keys() & new.keys()):
            lost = base[start][0] - new[start][0]
            text = f"start {start}: targets reached {base[start][0]:g} -> {new[start][0]:g}"
            if lost > 1:
                worse.append(("accuracy", text))
            elif lost < -1:
                better.append(text)
        return
    old, new = row.get("accuracy_base"), row.get("accuracy_new")
    if old is None or new is None or not (np.isfinite(old) and np.isfinite(new)):
        return
    if old - new > 1.0:
        worse.append(("accuracy", f"digits {old:.1f} -> {new:.1f}"))
    elif new - old > 1.0:
        better.append(f"digits {old:.1f} -> {new:.1f}")


def timing_findings(
    row: dict[str, Any],
    thresholds: tuple[float, float],
    confidence: float,
    findings: tuple[list, list, list],
) -> str:
    """A timing regression, improvement or note from the row's ratio and q-value.

    ``thresholds`` is ``(asked, used)``: the threshold given and the one applied after the
    noise floor; a change between the two is noted as within the noise, not judged.

    Returns:
        ``slower`` (a timing regression), ``faster`` (an improvement) or ``""``.
    """
    worse, better, notes = findings
    asked, used = thresholds
    ratio, p, q = row["ratio"], row["p_value"], row["q_value"]
    if not np.isfinite(ratio):
        return ""
    if math.isnan(q):  # one number a side: a ratio, but no test; reported, never judged
        if abs(math.log(ratio)) > math.log1p(asked):
            notes.append(f"time x{ratio:.2f}, no raw samples to test it")
        return ""
    significant = q < 1.0 - confidence
    text = f"time x{ratio:.2f} (p={p:.2g}, q={q:.2g})"
    pairs, consistent = row.get("pairs"), True
    if isinstance(pairs, int | float) and pairs > 1:  # several sessions: every pair must agree
        consistent = bool(row["all_slower"] if ratio > 1 else row["all_faster"])
    size = abs(math.log(ratio))
    shared = _shared_by_group(row, ratio, asked)
    if size > math.log1p(used) and significant and consistent and not shared:
        notes.append(f"{text}, {_lone_shift_note(row)}")
        return ""
    if ratio > 1.0 + used and significant and consistent:
        worse.append(("timing", text))
        return "slower"
    if ratio < 1.0 / (1.0 + used) and significant and consistent:
        better.append(text)
        return "faster"
    if size > math.log1p(used):
        why = "not significant" if not significant else f"not in all {int(pairs)} session pairs"
        notes.append(f"{text}, {why}")
    elif size > math.log1p(asked):
        notes.append(f"{text}, within the noise floor of ±{used:.0%}")
    return ""


MIN_GROUP = 3
"""Rows a method (or optimizer) needs on one device before its rows' shift is corroborated."""


def group_shift(merged: pd.DataFrame) -> pd.DataFrame:
    """Per row: the median timing ratio of its group (table, method, device) and the group size.

    One session a side cannot tell a single case's shift from session noise: on the 2-core CI
    machine the same compiled kernel's median moved 1.3-3.9x between sessions, one case at a
    time. A change in the code moves a method's rows together (every central difference,
    every Adam run), so a timing verdict also asks the row's group to have moved.
    """
    keys = ["table", "method", "device"]
    logs = np.log(pd.to_numeric(merged["ratio"], errors="coerce").where(lambda r: r > 0))
    frame = merged[keys].assign(log_ratio=logs)
    grouped = frame.groupby(keys, dropna=False)["log_ratio"]
    return pd.DataFrame(
        {
            "group_ratio": np.exp(grouped.transform("median")),
            "group_rows": grouped.transform("count"),
        },
        index=merged.index,
    )


def _shared_by_group(row: dict[str, Any], ratio: float, asked: float) -> bool:
    """Whether the row's group moved the same way by more than ``asked`` (or is too small)."""
    rows, moved = row.get("group_rows"), row.get("group_ratio")
    if not isinstance(rows, int | float) or rows < MIN_GROUP or not np.isfinite(moved):
        return True
    return moved > 1.0 + asked if ratio > 1 else moved < 1.0 / (1.0 + asked)


def _lone_shift_note(row: dict[str, Any]) -> str:
    return (
        f"but its method's {int(row['group_rows'])} rows moved x{row['group_ratio']:.2f} "
        "(median): a single-case shift, within session noise"
    )
