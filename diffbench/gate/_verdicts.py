"""From a paired run to verdicts: statistical timing, statistical setup time, deterministic cost.

Kinds of regression (what ``--fail-on`` chooses from):

- ``timing`` (statistical): per-call time of a case, a group, a method, a function or the
  whole session (``_stats``);
- ``wall`` (statistical): setup seconds per case (build, compile, first calls), summed over the
  suite: the part of a session's wall time that is not the timed calls. Paired per case: a
  Wilcoxon signed-rank test over cases of ``log(head / base)`` and a ratio of sums above
  ``1 + wall_tolerance``;
- ``cost`` (deterministic): FLOPs, bytes, temp bytes, compilations and traces (``_cost``);
- ``status`` (deterministic): a case ``ok`` in BASE and not in HEAD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ._cost import CostFinding, cost_findings, optimizer_findings
from ._environment import differences
from ._kinds import KINDS
from ._runner import PairedRun
from ._stats import Verdict, judge, log_ratios

DETERMINISTIC = ("cost", "status")


@dataclass
class WallVerdict:
    """Setup seconds summed over the cases both sides set up.

    Attributes:
        base_s, head_s: the sums (seconds).
        ratio: head_s / base_s.
        p_value: one-sided Wilcoxon signed-rank p-value over cases (None below 6 cases).
        verdict: ``regressed`` or ``unchanged``.
    """

    base_s: float
    head_s: float
    ratio: float
    p_value: float | None
    verdict: str


@dataclass
class GateResult:
    """Everything the gate concluded.

    Attributes:
        run: the paired run.
        table: one row per timed case (label, method, function, n, dtype).
        verdicts: the statistical timing verdicts (empty when timing was off or too few rounds).
        costs: the deterministic findings.
        wall: the setup-time verdict.
        environment: lines saying what differs between the two sides.
        alpha: the false-alarm level.
    """

    run: PairedRun
    table: pd.DataFrame
    verdicts: list[Verdict]
    costs: list[CostFinding]
    wall: WallVerdict | None
    environment: list[str]
    alpha: float
    notes: list[str] = field(default_factory=list)

    def regressions(self, kinds: tuple[str, ...] = KINDS) -> dict[str, int]:
        """Number of regressions per kind among ``kinds``."""
        found = {k: 0 for k in kinds}
        if "timing" in found:
            found["timing"] = sum(v.verdict == "regressed" for v in self.verdicts)
        if "wall" in found and self.wall is not None:
            found["wall"] = int(self.wall.verdict == "regressed")
        for finding in self.costs:
            if finding.kind in found:
                found[finding.kind] += 1
        return found

    def failed(self, kinds: tuple[str, ...]) -> bool:
        """Whether any regression of ``kinds`` was found."""
        return any(self.regressions(kinds).values())


def evaluate(
    run: PairedRun, alpha: float = 0.01, cost_tolerance: float = 0.01, wall_tolerance: float = 0.25
) -> GateResult:
    """Judge a paired run (module docstring)."""
    costs = [
        finding
        for r in run.records
        for finding in cost_findings(r.case.label(), r.setup, r.timed, cost_tolerance)
    ]
    for case, answers in run.optimizer:
        costs += optimizer_findings(case.label(), answers)
    timed = [r for r in run.records if r.ok and len(r.pairs()) >= 2]
    table = pd.DataFrame(
        [
            {
                "label": r.case.label(),
                "method": r.case.method,
                "function": r.case.function,
                "n": r.case.n,
                "dtype": r.case.dtype,
                "base_s": float(np.median(r.pairs()[:, 0])),
                "head_s": float(np.median(r.pairs()[:, 1])),
            }
            for r in timed
        ],
        columns=["label", "method", "function", "n", "dtype", "base_s", "head_s"],
    )
    verdicts: list[Verdict] = []
    notes = []
    if timed:
        k = min(len(r.pairs()) for r in timed)
        d = np.vstack([log_ratios(r.pairs()[:k]) for r in timed])
        verdicts = judge(table, d, alpha=alpha)
        if k < 6:
            notes.append(f"only {k} rounds: a single case cannot reach significance below 6")
    base_fp = run.fingerprints.get("base", {})
    head_fp = run.fingerprints.get("head", {})
    environment = differences(base_fp, head_fp, skip=("diffbench",))
    return GateResult(
        run, table, verdicts, costs, _wall(run, alpha, wall_tolerance), environment, alpha, notes
    )


def _wall(run: PairedRun, alpha: float, tolerance: float) -> WallVerdict | None:
    setup = [(r.setup["base"]["setup_s"], r.setup["head"]["setup_s"]) for r in run.records if r.ok]
    if not setup:
        return None
    base, head = np.asarray(setup, dtype=np.float64).T
    ratio = float(head.sum() / base.sum())
    p = None
    if len(setup) >= 6:
        p = float(stats.wilcoxon(np.log(head) - np.log(base), alternative="greater").pvalue)
    bad = ratio > 1 + tolerance and p is not None and p < alpha
    return WallVerdict(
        float(base.sum()), float(head.sum()), ratio, p, "regressed" if bad else "unchanged"
    )


def percent(ratio: float) -> str:
    """``1.234 -> '+23.4%'``; infinities as ``inf``."""
    if not math.isfinite(ratio):
        return "inf"
    return f"{(ratio - 1) * 100:+.1f}%"
