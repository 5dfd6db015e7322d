"""The session runner in-process: the gradients table, statuses, errors, resume, devices."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

import diffbench
from diffbench import methods, store
from diffbench.harness import resolve_devices, run_suite
from diffbench.harness.measure import _timing_columns
from diffbench.harness.timing import Timing

SUITE = """
[suite]
dtypes = ["float32", "float64"]
[timing]
budget_s = 0.0
sample_s = 0.001
min_repeats = 3
max_repeats = 3
[[gradients]]
functions = ["sphere"]
dims = [3]
methods = ["reverse_ad", "central", "symbolic", "richardson"]
params = { symbolic = { max_n = 2 } }
"""


def _broken_factory(objective, n, dtype, **params):
    raise ValueError("a method that fails while it is built")


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    suite = root / "tiny.toml"
    suite.write_text(SUITE)
    broken = dataclasses.replace(methods.get("richardson"), factory=_broken_factory)
    with pytest.MonkeyPatch.context() as patch:  # a case that fails at run time, not in the suite
        patch.setitem(methods._GRADIENT, "richardson", broken)
        return run_suite(str(suite), out=root, quiet=True), suite, root


def test_the_gradients_table_has_exactly_the_design_columns(session):
    result, _, _ = session
    table = pd.read_parquet(result.path / "gradients.parquet")
    assert list(table.columns) == list(store.GRADIENT_COLUMNS)
    assert len(table) == 2 * 4
    assert set(table["dtype"]) == {"float32", "float64"}
    meta = json.loads((result.path / "metadata.json").read_text())
    assert meta["status"] == "complete" and meta["suite"] == "tiny"
    assert {"versions", "backend", "device_kind", "cpu_model", "commit", "machine"} <= set(meta)


def test_measured_rows_carry_timing_work_and_accuracy(session):
    table = pd.read_parquet(session[0].path / "gradients.parquet")
    ok = table[table["method"].isin(["reverse_ad", "central"])]
    assert (ok["status"] == "ok").all()
    assert (ok["repeats"] == 3).all() and ok["samples"].map(len).eq(3).all()
    assert (ok["time_min_s"] <= ok["time_median_s"]).all()
    assert (ok["cost_ratio"] > 0).all() and (ok["f_time_median_s"] > 0).all()
    assert ok["flops"].notna().all() and ok["flops_ratio"].notna().all()
    assert (ok["compile_s"] > 0).all() and (ok["retraces"] == 0).all()
    assert (ok["reference"] == "mpmath34").all()
    reverse = ok[(ok["method"] == "reverse_ad") & (ok["dtype"] == "float64")]
    assert reverse["digits"].iloc[0] > 14


def test_bandwidth_is_accounted_against_the_measured_copy_bandwidth(session):
    meta = json.loads((session[0].path / "metadata.json").read_text())
    copy_gbs, dispatch_s = meta["copy_bandwidth_gbs"]["cpu"], meta["dispatch_s"]["cpu"]
    assert copy_gbs > 0.1 and 0 < dispatch_s < 0.01
    table = pd.read_parquet(session[0].path / "gradients.parquet")
    ok = table[table["status"] == "ok"]
    itemsize = ok["dtype"].map({"float32": 4, "float64": 8})
    assert (ok["min_bytes"] == 2 * ok["n"] * itemsize).all()
    assert ok["gb_per_s"].mul(1e9).mul(ok["time_median_s"]).sub(ok["min_bytes"]).abs().max() < 1e-6
    assert (ok["bandwidth_fraction"] * copy_gbs).sub(ok["gb_per_s"]).abs().max() < 1e-12


def test_skipped_and_failing_cases_are_rows_not_crashes(session):
    table = pd.read_parquet(session[0].path / "gradients.parquet")
    symbolic = table[table["method"] == "symbolic"]
    assert (symbolic["status"] == "skipped").all()
    assert symbolic["error"].str.contains("max_n").all()
    broken = table[table["method"] == "richardson"]
    assert (broken["status"] == "error").all()
    first = broken.iloc[0]
    assert first["error"].startswith(f"sphere n=3 {first['dtype']} cpu richardson")
    assert "\n" not in first["error"]
    assert session[0].statuses == {"ok": 4, "skipped": 2, "error": 2}


def test_resume_skips_what_is_on_disk(session):
    result, suite, root = session
    store.ResultSet(result.path).update_metadata(status="interrupted")  # as after a Ctrl-C
    again = run_suite(str(suite), out=root, quiet=True, resume=True)
    assert again.path == result.path
    assert again.ran == 0 and again.skipped_done == 8
    table = store.load(result.path)
    assert len(table) == 8


def test_dtype_narrowing_and_a_fresh_set_without_resume(session):
    _, suite, root = session
    narrow = run_suite(str(suite), out=root, quiet=True, dtype="float64")
    assert narrow.path != session[0].path
    assert set(store.load(narrow.path)["dtype"]) == {"float64"}


def test_devices_resolve_to_what_exists():
    assert resolve_devices(["all"]) == [p for p in ("cpu", "gpu") if _has(p)]
    if not _has("gpu"):
        with pytest.raises(diffbench.DiffbenchError, match="No GPU available"):
            resolve_devices(["gpu"])


def test_a_retrace_while_timed_makes_the_row_retraced():
    class FakePoint:
        f_timing = Timing((1.0,), 1)

    columns = _timing_columns(Timing((2.0, 2.0, 2.0), 1, retraces=2), 0.1, FakePoint())
    assert columns["status"] == "retraced" and columns["retraces"] == 2
    assert "traced 2 time(s)" in columns["error"]


def _has(platform):
    from diffbench.harness.environment import available_devices

    return bool(available_devices(platform))


RUNS_SUITE = """
[suite]
dtypes = ["float64"]
[[runs]]
functions = ["sphere"]
dims = [5]
optimizers = ["sgd"]
lr = [0.1]
steps = 40
starts = 3
repeats = 1
"""


def test_optimizer_cases_run_at_the_suite_dimension(tmp_path):
    suite = tmp_path / "runs.toml"
    suite.write_text(RUNS_SUITE)
    result = run_suite(str(suite), out=tmp_path, quiet=True)
    runs = store.load(result.path, table="runs")
    assert set(runs["n"]) == {5} and runs["start"].nunique() == 3
    assert (runs["status"] == "ok").all()
    # GD on sum(x^2) with rate 0.1 scales x by 0.8 a step, f by 0.64; starts lie in the
    # box [-5.12, 5.12]^5, so f(x0) <= 5 * 5.12^2.
    assert runs.groupby("start")["f_final"].first().max() <= 5 * 5.12**2 * 0.64**40 * (1 + 1e-9)
    # 3 runs of GD at n = 5 read and write their iterates: 2 x 3 x 5 x 8 bytes a step; the
    # fraction is against the copy bandwidth the session measured and stored.
    copy_gbs = store.read_metadata(result.path)["copy_bandwidth_gbs"]["cpu"]
    assert (runs["min_bytes"] == 240.0).all()
    np.testing.assert_allclose(runs["bandwidth_fraction"], runs["gb_per_s"] / copy_gbs)
