"""The deterministic gates: exact figures that grow, compilations, re-traces, status."""

import pytest

from diffbench.gate import cost_findings

BASE = {
    "status": "ok",
    "flops": 1360.0,
    "bytes_accessed": 528.0,
    "temp_bytes": 128,
    "compiles": 1,
    "traces": 1,
}
QUIET = {"base": {"calls": 100, "compiles": 0, "traces": 0}, "head": {"calls": 100}}


def _findings(head, timed=QUIET):
    return {(f.kind, f.what) for f in cost_findings("case", {"base": BASE, "head": head}, timed)}


def test_identical_figures_give_no_finding():
    assert _findings(dict(BASE)) == set()


@pytest.mark.parametrize(
    ("change", "what"),
    [
        ({"flops": 2 * 1360.0}, "FLOPs"),  # a doubled stencil
        ({"bytes_accessed": 1032.0}, "bytes accessed"),  # a lost fusion
        ({"temp_bytes": 224}, "temp bytes"),  # an extra copy
        ({"compiles": 2}, "compilations at setup"),  # 9577870: one more compile per case
        ({"traces": 2}, "traces at setup"),
    ],
)
def test_each_growing_figure_is_a_cost_regression(change, what):
    assert _findings({**BASE, **change}) == {("cost", what)}


def test_growth_within_the_tolerance_passes_and_a_shrink_is_no_regression():
    assert _findings({**BASE, "flops": 1360.0 * 1.005, "bytes_accessed": 264.0}) == set()


def test_compiling_while_timed_is_a_cost_regression():
    timed = {"base": {"calls": 100, "compiles": 0}, "head": {"calls": 5, "compiles": 5}}
    assert _findings(dict(BASE), timed) == {("cost", "compiles per timed call")}


def test_a_warm_call_that_compiles_again_is_a_cost_regression_without_timing():
    assert _findings({**BASE, "recompiles": True}) == {("cost", "compiles on every call")}


def test_ok_to_error_is_a_status_regression_and_hides_the_costs():
    assert _findings({"status": "error", "error": "boom"}) == {("status", "status")}


def _runs(*steps):
    """``runs`` rows of one start: targets 1e2, 1e1, ... reached after ``steps`` (None: not)."""
    return {
        "status": "ok",
        "rows": [
            {"start": 0, "f_target": 10.0**-k, "hit_target": s is not None, "steps_to_target": s}
            for k, s in enumerate(steps)
        ],
    }


def test_seeded_optimizer_runs_regress_on_more_steps_or_a_lost_target():
    from diffbench.gate._cost import optimizer_findings

    base = _runs(10, 40, 90)
    assert optimizer_findings("run", {"base": base, "head": _runs(10, 40, 90)}) == []
    assert optimizer_findings("run", {"base": base, "head": _runs(10, 30, 80)}) == []
    (slower,) = optimizer_findings("run", {"base": base, "head": _runs(10, 40, 120)})
    assert (slower.kind, slower.base, slower.head) == ("cost", 90, 120)
    (lost,) = optimizer_findings("run", {"base": base, "head": _runs(10, 40, None)})
    assert lost.what.startswith("targets lost") and lost.head == 1
