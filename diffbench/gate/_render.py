"""The gate's report as markdown: environment, deterministic verdicts, then statistical ones."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path

from ._stats import Verdict
from ._verdicts import GateResult, percent


def render(result: GateResult, kinds: tuple[str, ...]) -> str:
    """Return the gate's markdown report; ``kinds`` are those that fail the gate."""
    run = result.run
    base, head = run.sides
    lines = [
        f"# diffbench continuous: {base.spec} ({base.commit[:9]}) -> "
        f"{head.spec} ({head.commit[:9]})",
        "",
        f"{len(run.records)} cases, {run.completed} of {run.rounds} rounds"
        f"{' (interrupted)' if run.interrupted else ''}; worker seconds: base "
        f"{run.wall_s['base']:.1f} s, head {run.wall_s['head']:.1f} s.",
        "",
        *_environment(result),
        "## Deterministic verdicts (exact in one environment)",
        "",
        *_costs(result),
        "## Statistical verdicts (paired rounds; tolerances from recorded A/A runs)",
        "",
        *_wall(result),
        *_timing(result),
        *(f"Note: {note}." for note in result.notes),
        "",
        _summary(result, kinds),
    ]
    return "\n".join(lines) + "\n"


def _environment(result: GateResult) -> list[str]:
    if not result.environment:
        return ["Environment: the same on both sides (apart from the revision).", ""]
    return ["Environment differences:", *(f"- {line}" for line in result.environment), ""]


def _costs(result: GateResult) -> list[str]:
    if not result.costs:
        return [
            "No case changed its FLOPs, bytes, temp bytes, compilations, traces, steps to target"
            " or status.",
            "",
        ]
    return [f"- REGRESSED [{f.kind}] {f.line()}" for f in result.costs] + [""]


def _wall(result: GateResult) -> list[str]:
    wall = result.wall
    if wall is None:
        return []
    p = "n/a" if wall.p_value is None else f"{wall.p_value:.2g}"
    return [
        f"Setup time (build, compile, first calls; summed over cases): base {wall.base_s:.1f} s,"
        f" head {wall.head_s:.1f} s ({percent(wall.ratio)}, p = {p}): {wall.verdict} [wall]",
        "",
    ]


def _timing(result: GateResult) -> list[str]:
    if not result.verdicts:
        return ["Timing: not judged (timing off, or fewer than 2 completed rounds).", ""]
    session = next(v for v in result.verdicts if v.level == "session")
    lines = [
        f"Whole session: {percent(session.ratio)} [{percent(session.low)}, "
        f"{percent(session.high)}]: {session.verdict} (each unit is judged against the median "
        "movement of the cases outside it)",
        "",
    ]
    bad = [v for v in result.verdicts if v.verdict == "regressed"]
    lines += [f"- REGRESSED [timing] {_line(v)}" for v in bad] + ([""] if bad else [])
    lines += ["| level | unit | cases | head/base | interval | can see | verdict |"]
    lines += ["|---|---|---:|---:|---|---:|---|"]
    order = {"method": 0, "function": 1, "group": 2, "case": 3}
    for v in sorted(
        (v for v in result.verdicts if v.level != "session"), key=lambda v: order[v.level]
    ):
        lines.append(
            f"| {v.level} | {v.unit} | {v.cases} | {v.ratio:.3f} | [{v.low:.3f}, {v.high:.3f}] "
            f"| {_mde(v)} | {_verdict(v)} |"
        )
    return [*lines, ""]


def _line(v: Verdict) -> str:
    p = "" if v.p_value is None else f", exact p = {v.p_value:.2g}"
    return (
        f"{v.level} {v.unit}: {percent(v.ratio)} [{percent(v.low)}, {percent(v.high)}]"
        f" over {v.cases} case(s){p}"
    )


def _mde(v: Verdict) -> str:
    return "-" if not math.isfinite(v.mde) else f"{v.mde * 100:.0f}%"


def _verdict(v: Verdict) -> str:
    if v.verdict == "unchanged":
        return f"no regression (could see >= {_mde(v)})"
    return v.verdict


def _summary(result: GateResult, kinds: tuple[str, ...]) -> str:
    counts = result.regressions()
    parts = ", ".join(f"{k} {n}" for k, n in counts.items())
    gating = [k for k in kinds if counts.get(k)]
    verdict = f"FAILED on {', '.join(gating)}" if gating else "passed"
    return (
        f"**Gate {verdict}** (regressions: {parts}; deterministic kinds: cost, status; "
        f"statistical: timing, wall; failing on: {', '.join(kinds) or 'nothing'})."
    )


def write_json(result: GateResult, kinds: tuple[str, ...], path: Path) -> None:
    """Write the verdicts as JSON: ``failed``, ``regressions`` per kind, ``timing``, ``cost``."""
    run = result.run
    payload = {
        "base": run.sides[0].commit,
        "head": run.sides[1].commit,
        "rounds": run.completed,
        "interrupted": run.interrupted,
        "failed": result.failed(kinds),
        "regressions": result.regressions(),
        "environment": result.environment,
        "timing": [asdict(v) for v in result.verdicts],
        "cost": [asdict(f) for f in result.costs],
        "wall": None if result.wall is None else asdict(result.wall),
        "worker_s": run.wall_s,
    }
    path.write_text(json.dumps(payload, indent=1, default=float), encoding="utf-8")
