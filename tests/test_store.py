"""Result sets: atomic files, a journal that survives a torn write, loading one or many."""

import json

import pandas as pd
import pyarrow as pa
import pytest

import diffbench
from diffbench import store


def _row(function="sphere", method="central", **extra):
    row = dict.fromkeys(store.GRADIENT_COLUMNS)
    row.update(run_id="r", function=function, n=2, dtype="float64", device="cpu", method=method)
    row.update(params="{}", status="ok", repeats=3, samples=[1e-6, 2e-6, 3e-6], retraces=0)
    row.update(extra)
    return row


def _set(root, suite="demo", machine="box", rows=2):
    results = store.ResultSet.create(root, suite, {"machine": machine, "commit": "abc1234"})
    for i in range(rows):
        results.append("gradients", f"case{i}", [_row(method=f"m{i}")])
    return results


def _kill(results):
    """What a SIGKILL leaves: the journal as written, the lock dropped by the OS."""
    results._journal.close()
    results.lock.release()
    return results


def test_a_closed_set_has_metadata_and_parquet_with_every_column(tmp_path):
    results = _set(tmp_path)
    results.close()
    assert results.path.parent == tmp_path / "box"
    assert results.path.name.endswith("-demo")
    meta = json.loads((results.path / "metadata.json").read_text())
    assert meta["status"] == "complete" and meta["format"] == store.FORMAT
    table = pd.read_parquet(results.path / "gradients.parquet")
    assert list(table.columns) == list(store.GRADIENT_COLUMNS)
    assert table["samples"].iloc[0].tolist() == [1e-6, 2e-6, 3e-6]
    assert not list(results.path.glob(".*tmp"))  # no temporary files left behind


def test_a_running_set_is_read_from_its_journal(tmp_path):
    results = _set(tmp_path, rows=3)  # never closed: as after a kill
    frame = store.load(results.path)
    assert len(frame) == 3
    assert {"result_set", "machine", "suite", "commit"} <= set(frame.columns)
    assert frame["machine"].iloc[0] == "box" and frame["suite"].iloc[0] == "demo"


def test_a_torn_last_line_is_dropped_and_trimmed_before_appending(tmp_path):
    results = _kill(_set(tmp_path, rows=2))
    journal = results.path / store.JOURNAL
    with open(journal, "a") as handle:
        handle.write('{"table": "gradients", "key": "case9", "ro')  # killed mid-write
    reopened = store.ResultSet(results.path)
    assert reopened.done("gradients") == {"case0", "case1"}
    reopened.append("gradients", "case2", [_row(method="m2")])
    assert [e["key"] for e in store.read_journal(journal)] == ["case0", "case1", "case2"]


def test_a_corrupt_middle_line_is_skipped_with_a_warning(tmp_path, caplog):
    results = _set(tmp_path, rows=1)
    journal = results.path / store.JOURNAL
    journal.write_text("garbage\n" + journal.read_text())
    assert len(store.load(results.path)) == 1
    assert "1 bad journal line(s) skipped (line 1: not JSON)" in caplog.text


def test_load_reads_folders_of_sets_and_single_files_side_by_side(tmp_path):
    first, second = _set(tmp_path / "a", machine="one"), _set(tmp_path / "b", machine="two")
    first.close()
    second.close()
    both = store.load(tmp_path)
    assert sorted(both["machine"].unique()) == ["one", "two"]
    assert both["result_set"].nunique() == 2
    single = store.load(first.path / "gradients.parquet")
    assert len(single) == 2 and single["machine"].iloc[0] == "one"


def test_a_lone_parquet_file_carries_its_metadata(tmp_path):
    results = _set(tmp_path)
    results.close()
    lone = tmp_path / "elsewhere.parquet"
    lone.write_bytes((results.path / "gradients.parquet").read_bytes())
    frame = store.load(lone)
    assert frame["commit"].iloc[0] == "abc1234"


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p / "missing", "No such results path"),
        (lambda p: _write(p / "x.parquet", b"not parquet"), "not a readable Parquet file"),
        (lambda p: _foreign_parquet(p / "gradients.parquet"), "not a diffbench"),
        (lambda p: _write(p / "s" / "metadata.json", b"{nope").parent, "is corrupt"),
        (lambda p: p, "holds no diffbench result set"),
    ],
)
def test_bad_paths_are_one_line_errors(tmp_path, make, message):
    with pytest.raises(diffbench.DiffbenchError) as info:
        store.load(make(tmp_path))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_corrupt_or_foreign_metadata_is_a_one_line_error(tmp_path):
    results = _set(tmp_path)
    (results.path / "metadata.json").write_text("{broken")
    with pytest.raises(diffbench.DiffbenchError, match="corrupt"):
        store.ResultSet(results.path)
    (results.path / "metadata.json").write_text('{"something": "else"}')
    with pytest.raises(diffbench.DiffbenchError, match="not diffbench metadata"):
        store.ResultSet(results.path)


def test_latest_result_set_picks_the_newest_of_a_suite(tmp_path):
    old = _set(tmp_path, suite="smoke")
    other = _set(tmp_path, suite="standard")
    new = _set(tmp_path, suite="smoke")
    assert store.latest_result_set(tmp_path, "smoke", "box") == new.path
    assert store.latest_result_set(tmp_path, "standard", "box") == other.path
    assert store.latest_result_set(tmp_path, "gpu", "box") is None
    assert old.path != new.path  # same second: a suffix keeps them apart


def test_unknown_table_is_an_error(tmp_path):
    with pytest.raises(diffbench.DiffbenchError, match="Unknown table"):
        store.load(tmp_path, table="nope")


def _write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _foreign_parquet(path):
    pa.parquet.write_table(pa.table({"a": [1, 2]}), path)
    return path


def test_an_older_set_without_newer_columns_still_loads(tmp_path):
    import pandas as pd

    row = dict.fromkeys(store.GRADIENT_COLUMNS)
    row.update(
        run_id="old",
        function="sphere",
        n=2,
        dtype="float64",
        device="cpu",
        method="central",
        params="{}",
        status="ok",
        time_median_s=1e-6,
        samples=[1e-6],
    )
    newer = ["min_bytes", "gb_per_s", "bandwidth_fraction", "compiles"]
    newer += ["devices", "processes", "process_id"]
    frame = pd.DataFrame([row]).drop(columns=newer)
    path = tmp_path / "gradients.parquet"
    frame.to_parquet(path)
    loaded = store.load(path)
    assert list(loaded.columns[: len(store.GRADIENT_COLUMNS)]) == list(store.GRADIENT_COLUMNS)
    assert loaded["gb_per_s"].isna().all() and loaded["time_median_s"].iloc[0] == 1e-6


def test_the_names_from_before_the_results_package_still_work():
    import diffbench.gate.compare
    import diffbench.report
    import diffbench.results

    assert store.load is diffbench.results.load and store.ResultSet is diffbench.results.ResultSet
    assert diffbench.store is store and diffbench.results.schema.GRADIENT_COLUMNS == (
        store.GRADIENT_COLUMNS
    )
    assert diffbench.report.compare is diffbench.gate.compare.compare
    assert diffbench.report.main_compare is diffbench.gate.compare.main_compare
    assert diffbench.report.load_results is diffbench.results.load_results
