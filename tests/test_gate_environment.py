"""Environment differences: listed by the gate and by ``compare``; no timing across machines."""

import json

import pytest
from _synthetic import write_result_set

from diffbench.gate import differences
from diffbench.gate.compare import compare, main_compare


def test_differences_name_each_changed_field_and_version():
    base = {"cpu_model": "AMD EPYC", "cpu_count": 2, "versions": {"jax": "0.10.2", "scipy": "1"}}
    new = {"cpu_model": "Intel Xeon", "cpu_count": 2, "versions": {"jax": "0.10.3", "scipy": "1"}}
    assert differences(base, new) == ["CPU model: AMD EPYC -> Intel Xeon", "jax: 0.10.2 -> 0.10.3"]
    assert differences(base, dict(base)) == []


@pytest.fixture(scope="module")
def machines(tmp_path_factory):
    root = tmp_path_factory.mktemp("machines")
    base = write_result_set(root / "base", seed=1, extras=False)
    other = write_result_set(root / "other", seed=3, slowdown={"central": 1.5}, extras=False)
    meta_path = other / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["cpu_model"] = "Some Other CPU"
    meta_path.write_text(json.dumps(meta))
    return base, other


def test_compare_across_cpu_models_lists_the_difference_and_gives_no_timing_verdict(
    machines, capsys
):
    base, other = machines
    result = compare([base], [other])
    assert result.timing_withheld
    assert any(line.startswith("CPU model: ") for line in result.environment)
    assert result.regressions(("timing",)).empty  # central is 1.5x slower, yet no verdict
    assert main_compare([str(base), str(other)]) == 0
    out = capsys.readouterr().out
    assert "Some Other CPU" in out and "No timing verdict" in out


def test_across_machines_asks_for_the_timing_verdicts_anyway(machines):
    base, other = machines
    result = compare([base], [other], across_machines=True)
    assert not result.timing_withheld
    assert set(result.regressions(("timing",))["method"]) == {"central"}
