"""``diffbench continuous``: usage errors exit 2; a paired run of one revision passes."""

import json
import subprocess
from pathlib import Path

import pytest
from _gate_fixtures import ROOT, TINY, needs_git

from diffbench.cli import main


@needs_git
def test_an_unknown_revision_exits_2_with_one_line(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["continuous", "no-such-revision", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no-such-revision" in err[0]


def test_a_bad_kind_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["continuous", "HEAD", "--fail-on", "speed"])
    assert exc.value.code == 2


@needs_git
@pytest.mark.slow
def test_a_paired_run_of_one_revision_writes_both_sides_and_passes(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    suite = tmp_path / "tiny.toml"
    suite.write_text(TINY)
    out = tmp_path / "runs"
    code = main(
        ["continuous", "HEAD", "HEAD", "--suite", str(suite), "--rounds", "3", "--quiet"]
        + ["--out", str(out), "--fail-on", "cost,status"]
    )
    assert code == 0
    (run,) = out.iterdir()
    verdicts = json.loads((run / "comparison.json").read_text())
    assert verdicts["rounds"] == 3 and verdicts["cost"] == [] and verdicts["environment"] == []
    from diffbench import store

    for side in ("base", "head"):
        table = store.load(run / side)
        assert sorted(table["method"]) == ["central", "reverse_ad"]
        assert (table["status"] == "ok").all() and (table["repeats"] == 3 * 15).all()
        assert (table["compiles"] >= 1).all()  # counted, not defaulted
    assert len((run / "pairs.csv").read_text().splitlines()) == 1 + 2 * 3


@needs_git
def test_a_relative_path_is_taken_inside_each_sides_checkout(tmp_path):
    from diffbench.gate._revisions import checkouts

    repo = tmp_path / "user-project"
    (repo / "src").mkdir(parents=True)
    for args in (["init", "-q"], ["config", "user.email", "t@t"], ["config", "user.name", "t"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True)
    for version in ("1", "2"):
        (repo / "src" / "mine.py").write_text(f"VERSION = {version}\n")
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
        subprocess.run(["git", "-C", str(repo), "commit", "-qm", version], check=True)
    shared = str(tmp_path / "shared")
    with checkouts(repo, [("base", "HEAD~1"), ("head", "HEAD")], ["src", shared]) as sides:
        for side, version in zip(sides, ("1", "2"), strict=True):
            own, absolute = side.pythonpath[1:]
            assert absolute == shared
            assert Path(own).parent == side.root
            assert (Path(own) / "mine.py").read_text() == f"VERSION = {version}\n"


def test_a_run_where_no_case_worked_on_either_side_is_refused(tmp_path):
    from types import SimpleNamespace

    from diffbench import DiffbenchError
    from diffbench.gate._cli import _check_measured

    def record(base: str, head: str) -> SimpleNamespace:
        broken = {"status": "error", "error": "Unknown function `mine`"}
        return SimpleNamespace(
            setup={"base": broken if base == "error" else {"status": "ok"},
                   "head": broken if head == "error" else {"status": "ok"}}
        )  # fmt: skip

    def run(*records: SimpleNamespace) -> SimpleNamespace:
        return SimpleNamespace(fingerprints={}, records=list(records), interrupted=False)

    with pytest.raises(DiffbenchError, match="No case ran.*Unknown function `mine`"):
        _check_measured(run(record("error", "error"), record("error", "error")), tmp_path)
    _check_measured(run(record("error", "error"), record("ok", "error")), tmp_path)  # judged


def test_the_worker_computes_in_float64_whatever_the_revision_does_on_import():
    import jax

    from diffbench.gate._worker import Worker

    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", False)  # what `import diffbench` leaves now
    try:
        Worker()
        assert jax.config.jax_enable_x64
    finally:
        jax.config.update("jax_enable_x64", before)
