"""The regression gate: paired A/B runs of two revisions, statistical and deterministic verdicts.

``diffbench continuous BASE [HEAD] --suite gate`` checks both revisions out (git worktrees),
runs one long-lived worker per side, times every case on both sides back to back over
randomized rounds, and judges: per-call time (paired statistics, ``_stats``), setup time, and
exact costs (FLOPs, bytes, compilations, traces, status; ``_cost``).
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "main": "._cli:main",
        "CostFinding": "._cost:CostFinding",
        "cost_findings": "._cost:cost_findings",
        "differences": "._environment:differences",
        "Verdict": "._stats:Verdict",
        "judge": "._stats:judge",
    },
)

if TYPE_CHECKING:
    from ._cli import main as main
    from ._cost import CostFinding as CostFinding
    from ._cost import cost_findings as cost_findings
    from ._environment import differences as differences
    from ._stats import Verdict as Verdict
    from ._stats import judge as judge
