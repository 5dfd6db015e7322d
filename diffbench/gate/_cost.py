"""Deterministic gates: work and compilations that are exact for a given environment.

XLA's FLOPs, bytes accessed and temporary bytes of a compiled case, the XLA compilations and
jaxpr traces its setup causes, and those that happen while it is timed do not depend on the
machine's load: two runs of one revision in one environment give the same figures. An increase
beyond ``tolerance`` (relative; 0 by default for counts) is a regression with certainty, on
the noisiest machine: doubled work, a lost fusion (more bytes), an extra copy (temp bytes), a
second compilation per case, a re-trace on every call.

Seeded optimizer runs are exact too: the steps a run needs to reach each target
(``steps_to_target``) must not grow, and a target reached in BASE must be reached in HEAD
(``optimizer_findings``).

Status is judged here too: a case ``ok`` in BASE that is not ``ok`` in HEAD regressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FIGURES = (("flops", "FLOPs"), ("bytes_accessed", "bytes accessed"), ("temp_bytes", "temp bytes"))
COUNTS = (("compiles", "compilations at setup"), ("traces", "traces at setup"))


@dataclass(frozen=True)
class CostFinding:
    """One deterministic regression (or status change) of one case.

    Attributes:
        case: the case's label.
        kind: ``cost`` or ``status``.
        what: the figure (``flops``, ``compiles``, ``recompiles while timed``, ``status``).
        base: its value in BASE.
        head: its value in HEAD.
    """

    case: str
    kind: str
    what: str
    base: Any
    head: Any

    def line(self) -> str:
        """One line for the report: ``rosenbrock n=8 float64 central: FLOPs 1360 -> 2720``."""
        return f"{self.case}: {self.what} {_fmt(self.base)} -> {_fmt(self.head)}"


def cost_findings(
    label: str,
    setup: dict[str, dict[str, Any]],
    timed: dict[str, dict[str, int]],
    tolerance: float = 0.01,
) -> list[CostFinding]:
    """Return the deterministic regressions of one case (empty when none).

    Args:
        label: the case's label.
        setup: per side (``base``, ``head``), the worker's setup answer.
        timed: per side, ``calls``, ``compiles`` and ``traces`` while timing.
        tolerance: relative increase of FLOPs, bytes and temp bytes that is allowed.
    """
    base, head = setup.get("base", {}), setup.get("head", {})
    if base.get("status") == "ok" and head.get("status") != "ok":
        return [CostFinding(label, "status", "status", "ok", head.get("status"))]
    if base.get("status") != "ok" or head.get("status") != "ok":
        return []
    found = []
    for key, name in FIGURES:
        b, h = base.get(key), head.get(key)
        if b is not None and h is not None and h > b * (1 + tolerance) + (0 if b else 0.5):
            found.append(CostFinding(label, "cost", name, b, h))
    for key, name in COUNTS:
        if int(head.get(key) or 0) > int(base.get(key) or 0):
            found.append(CostFinding(label, "cost", name, base.get(key), head.get(key)))
    if head.get("recompiles") and not base.get("recompiles"):
        found.append(CostFinding(label, "cost", "compiles on every call", False, True))
    for key in ("compiles", "traces"):
        b_rate = _per_call(timed.get("base", {}), key)
        h_rate = _per_call(timed.get("head", {}), key)
        if h_rate > b_rate:
            found.append(CostFinding(label, "cost", f"{key[:-1]}s per timed call", b_rate, h_rate))
    return found


def _per_call(timed: dict[str, int], key: str) -> float:
    calls = int(timed.get("calls") or 0)
    return float(timed.get(key) or 0) / calls if calls else 0.0


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def optimizer_findings(label: str, answers: dict[str, dict[str, Any]]) -> list[CostFinding]:
    """Return the deterministic regressions of one seeded optimizer case (empty when none).

    Args:
        label: the case's label.
        answers: per side, ``{"status", "rows"}`` with ``runs`` rows (start, f_target,
            hit_target, steps_to_target).
    """
    base, head = answers.get("base", {}), answers.get("head", {})
    if base.get("status") == "ok" and head.get("status") != "ok":
        return [CostFinding(label, "status", "status", "ok", head.get("status"))]
    before = {(r["start"], r["f_target"]): r for r in base.get("rows", [])}
    lost, slower = 0, []
    for row in head.get("rows", []):
        old = before.get((row["start"], row["f_target"]))
        if old is None or not old.get("hit_target"):
            continue
        if not row.get("hit_target"):
            lost += 1
        elif row["steps_to_target"] > old["steps_to_target"]:
            slower.append((old["steps_to_target"], row["steps_to_target"]))
    found = []
    if lost:
        found.append(CostFinding(label, "cost", "targets lost (start x target)", 0, lost))
    if slower:
        worst = max(slower, key=lambda pair: pair[1] / max(pair[0], 1))
        found.append(CostFinding(label, "cost", "steps to target (worst)", *worst))
    return found
