"""How ``benchmarks/gate_power.py`` scores a paired run: which flag finds which plant."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from gate_plants import REVISIONS, score, suite_labels  # noqa: E402


def _flag(level: str, unit: str) -> dict:
    return {"level": level, "unit": unit, "verdict": "regressed"}


def _run(*flags: dict, cost: tuple[str, ...] = ()) -> dict:
    return {"timing": list(flags), "cost": [{"case": case} for case in cost]}


def test_a_unit_finds_a_plant_only_when_no_other_plant_is_inside_it():
    found = score(
        "combined",
        _run(
            _flag("method", "central4"),  # 8 cases, all of central4_20
            _flag("group", "ackley n<=256 float64 forward"),  # one_case_50 and a clean case
            _flag("function", "rosenbrock"),  # central, central4 and clean cases: nobody's
        ),
    )
    assert found["timing"] == {"central_twice": False, "central4_20": True, "one_case_50": True}
    assert found["false"] == []


def test_a_flag_on_clean_cases_is_a_false_alarm():
    found = score(
        "combined",
        _run(_flag("method", "reverse_ad"), _flag("case", "ackley n=64 float64 cpu forward")),
    )
    assert not any(found["timing"].values())
    assert found["false"] == ["reverse_ad", "ackley n=64 float64 cpu forward"]
    assert score("aa", _run(_flag("session", "all cases")))["false"] == ["all cases"]


def test_a_cost_finding_counts_for_the_plant_whose_case_it_names():
    found = score("combined", _run(cost=("ackley n=128 float64 cpu forward",)))
    assert found["cost"] == {"central_twice": False, "central4_20": False, "one_case_50": True}


def test_the_plants_hit_disjoint_cases_of_the_gate_suite():
    from gate_plants import planted_cases

    labels = suite_labels()
    for revision in REVISIONS:
        plants = planted_cases(revision, labels)
        sizes = [len(cases) for cases in plants.values()]
        assert all(sizes) and len(set().union(*plants.values())) == sum(sizes)
    assert [len(c) for c in planted_cases("combined", labels).values()] == [8, 8, 1]
