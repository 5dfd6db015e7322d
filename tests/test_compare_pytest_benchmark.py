"""``compare`` on pytest-benchmark JSON, checked against pytest-benchmark's own fail rule.

pytest-benchmark's ``--benchmark-compare-fail=median:10%`` fails a benchmark when
``new.median / base.median * 100 - 100 > 10`` (``PercentageRegressionCheck``); the
``pytest-benchmark compare`` command only displays tables, so the rule is applied here through
``pytest_benchmark.utils.parse_compare_fail``, exactly as pytest applies it. diffbench agrees
wherever the U test is conclusive (q < 0.01, or a change inside the threshold). It differs, by
design, in two places: a median shift above 10% that the raw samples cannot tell from noise
(pytest-benchmark fails it, diffbench reports it as not significant), and a file saved without
``--benchmark-save-data`` (no raw samples: pytest-benchmark applies the threshold to the medians,
diffbench reports the ratio but, with nothing to test, never calls it a regression). It also
reports speed-ups as "improved", which pytest-benchmark has no verdict for.
"""

import copy
import json

import numpy as np
import pytest
from _pytest_benchmark import write_benchmark_json

from diffbench.gate.compare import compare, main_compare
from diffbench.results import load_results

pb_utils = pytest.importorskip("pytest_benchmark.utils")
pb_stats = pytest.importorskip("pytest_benchmark.stats")


@pytest.fixture(scope="module")
def real_json(tmp_path_factory):
    """A JSON file written by pytest-benchmark itself (``--benchmark-save-data``)."""
    cases = ["tight", "slow", "noisy", "faster", "same", "nodata"]
    return write_benchmark_json(tmp_path_factory.mktemp("pb"), cases, 64, 0.02, 15)


def _set_data(bench, data, keep_data=True):
    stats = pb_stats.Stats()
    for value in data:
        stats.update(float(value))
    bench["stats"] = {**stats.as_dict(), "iterations": 1}
    if keep_data:
        bench["stats"]["data"] = [float(v) for v in data]


def _pair(real_json, tmp_path):
    """BASE and NEW files from the real one, with planted changes of known size and noise."""
    base = json.loads(real_json.read_text())
    new = copy.deepcopy(base)
    rng = np.random.default_rng(7)
    plan = {  # method: (base sigma, new factor, new sigma, rounds)
        "tight": (0.02, 1.30, 0.02, 30),
        "slow": (0.05, 1.15, 0.05, 30),
        "noisy": (0.60, 1.15, 0.60, 6),
        "faster": (0.02, 0.75, 0.02, 30),
        "same": (0.03, 1.00, 0.03, 30),
        "nodata": (0.02, 1.20, 0.02, 30),
    }
    for b, m in zip(base["benchmarks"], new["benchmarks"], strict=True):
        sigma, factor, new_sigma, rounds = plan[b["extra_info"]["method"]]
        keep = b["extra_info"]["method"] != "nodata"
        _set_data(b, 1e-6 * rng.lognormal(0, sigma, rounds), keep)
        _set_data(m, 1e-6 * factor * rng.lognormal(0, new_sigma, rounds), keep)
    paths = tmp_path / "base.json", tmp_path / "new.json"
    for path, data in zip(paths, (base, new), strict=True):
        path.write_text(json.dumps(data))
    return paths, base, new


def test_reads_real_pytest_benchmark_json(real_json):
    results = load_results([real_json])
    g = results.gradients
    assert len(g) == 6 and set(g["method"]) >= {"tight", "nodata"}
    assert (g["samples"].map(len) >= 15).all()
    assert (g["time_median_s"] > 0).all() and (g["status"] == "ok").all()
    assert results.metadata[0]["suite"] == "pytest-benchmark"


def test_verdicts_match_pytest_benchmark_where_significance_agrees(real_json, tmp_path):
    (base_path, new_path), base, new = _pair(real_json, tmp_path)
    check = pb_utils.parse_compare_fail("median:10%")
    pb_fails = {
        b["extra_info"]["method"]: bool(check.fails(m["stats"], b["stats"]))
        for b, m in zip(base["benchmarks"], new["benchmarks"], strict=True)
    }
    rows = compare([base_path], [new_path], threshold=0.10).rows.set_index("method")
    ours = (rows["verdict"] == "regressed").to_dict()
    assert pb_fails == {"tight": True, "slow": True, "noisy": True, "faster": False,
                        "same": False, "nodata": True}  # fmt: skip
    for method, fails in pb_fails.items():
        q, ratio = rows.at[method, "q_value"], rows.at[method, "ratio"]
        if q < 0.01 or abs(np.log(ratio)) < np.log(1.1):
            assert ours[method] == fails, method
    # the designed differences: a >10% median shift hidden in noise, and no raw samples
    assert ours["noisy"] is False and rows.at["noisy", "q_value"] > 0.01
    assert ours["nodata"] is False and "no raw samples" in rows.at["nodata", "reasons"]
    assert {m for m in pb_fails if pb_fails[m] != ours[m]} == {"noisy", "nodata"}
    assert rows.at["faster", "verdict"] == "improved"


def test_cli_on_pytest_benchmark_json(real_json, tmp_path, capsys):
    (base_path, new_path), _, _ = _pair(real_json, tmp_path)
    assert main_compare([str(base_path), str(new_path)]) == 1
    assert main_compare([str(base_path), str(base_path)]) == 0
    assert "unchanged" in capsys.readouterr().out
