"""Studies inside sessions: the [[studies]] suite block, study tables, the CLI and the report."""

import numpy as np
import pandas as pd
import pytest

import diffbench
from diffbench import store
from diffbench.cli import main
from diffbench.harness.cases import StudyCase
from diffbench.harness.suites import parse_suite


def test_a_studies_block_expands_to_one_case_per_study_and_device():
    suite = parse_suite({"studies": [{"names": ["saddles", "expectations"]}]}, "inline")
    assert suite.cases(["cpu"]) == [
        StudyCase("saddles", "default", "cpu"),
        StudyCase("expectations", "default", "cpu"),
    ]
    every = parse_suite({"studies": [{"names": "*", "size": "small"}]}, "inline")
    assert [c.study for c in every.cases(["cpu"])] == diffbench.studies.names()
    assert StudyCase("local-minima", "small", "cpu").table == "study_local_minima"


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"names": ["sadles"]}, "Did you mean: saddles?"),
        ({"names": ["saddles"], "size": "huge"}, "Unknown study size `huge`"),
        ({"names": ["saddles"], "steps": 3}, "Unknown key `steps`"),
        ({"size": "small"}, "needs `names`"),
    ],
)
def test_bad_study_blocks_are_one_line_errors(block, message):
    with pytest.raises(diffbench.DiffbenchError, match=message) as info:
        parse_suite({"studies": [block]}, "inline")
    assert "\n" not in str(info.value)


def test_study_tables_keep_every_part_s_columns(tmp_path):
    results = store.ResultSet.create(tmp_path, "demo", {"machine": "box", "commit": "abc"})
    rows = [{"study": "x", "part": "a", "p": 0.5}, {"study": "x", "part": "b", "k": 4}]
    results.append("study_x", "case", rows)
    running = store.load(results.path, table="study_x")  # read from the journal
    results.close()
    closed = store.load(results.path, table="study_x")  # read from study_x.parquet
    assert (results.path / "study_x.parquet").exists()
    for frame in (running, closed):
        assert frame["part"].tolist() == ["a", "b"]
        assert frame["p"].iloc[0] == 0.5 and pd.isna(frame["p"].iloc[1])
        assert pd.isna(frame["k"].iloc[0]) and frame["k"].iloc[1] == 4
    assert store.study_tables(results.path) == ["study_x"]
    with pytest.raises(diffbench.DiffbenchError, match="Unknown table"):
        store.load(results.path, table="nope")


def test_study_command_lists_and_rejects_unknown_names(capsys):
    assert main(["study", "list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == diffbench.studies.names()
    assert main(["study", "sadles"]) == 2
    assert "Did you mean: saddles?" in capsys.readouterr().err


def test_study_runs_end_to_end_into_a_result_set_and_the_report(tmp_path, capsys):
    assert main(["study", "expectations", "--size", "small", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    path = next(tmp_path.glob("*/*-study-expectations"))
    assert str(path) in out and "1 ok" in out
    table = store.load(path, table="study_expectations")
    assert set(table["part"]) == {"integrals", "gradients"}
    assert (table["status"] == "ok").all()
    density = table[(table["rule"] == "gauss_hermite") & (table["integrand"] == "density")]
    assert (density["estimate"] - 1.0).abs().max() < 1e-12
    html = (path / "report" / "report.html").read_text(encoding="utf-8")
    assert "Study: expectations as integrals" in html
    assert "data:image/png;base64" in html.split('id="study_expectations"')[1]


def test_a_study_row_s_own_status_never_hides_the_case_status(monkeypatch):
    from diffbench.harness.studies import measure_study

    table = pd.DataFrame({"study": ["x"], "part": ["a"], "status": ["diverged"], "v": [np.nan]})
    monkeypatch.setattr(diffbench.studies, "run", lambda name, size: table)
    (row,) = measure_study(StudyCase("saddles", "small", "cpu"), "rid")
    assert (row["status"], row["run_id"], row["v"]) == ("ok", "rid", None)
