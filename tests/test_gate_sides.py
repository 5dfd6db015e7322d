"""``diffbench continuous``: each side in its own interpreter; Ctrl-C keeps what finished."""

import json
import os
import signal
import site
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _gate_fixtures import ROOT, TINY, needs_git

from diffbench.cli import main

pytestmark = [
    needs_git,
    pytest.mark.slow,
]


def _environment(folder: Path) -> Path:
    """A virtual environment of its own (no pip) that sees this one's packages; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    own = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    Path(own, "parent.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return python


def test_each_side_runs_under_the_interpreter_named_for_it(tmp_path, monkeypatch):
    base_python = _environment(tmp_path / "env-base")
    head_python = _environment(tmp_path / "env-head")
    suite = tmp_path / "tiny.toml"
    suite.write_text(TINY)
    out = tmp_path / "runs"
    monkeypatch.chdir(ROOT)
    code = main(
        ["continuous", "HEAD", "HEAD", "--suite", str(suite), "--no-timing", "--quiet"]
        + ["--out", str(out), "--python-base", str(base_python)]
        + ["--python-head", str(head_python)]
    )
    assert code == 0
    (run,) = out.iterdir()
    environment = json.loads((run / "comparison.json").read_text())["environment"]
    assert f"Python: {base_python} -> {head_python}" in environment


def _rounds_on_disk(out: Path) -> int:
    pairs = list(out.glob("*/pairs.csv"))
    if not pairs:
        return 0
    lines = pairs[0].read_text().splitlines()
    return max(0, len(lines) - 1) // 2  # two cases per round


def test_ctrl_c_keeps_the_finished_rounds_and_removes_the_checkouts(tmp_path):
    suite = tmp_path / "tiny.toml"
    suite.write_text(TINY)
    out, scratch = tmp_path / "runs", tmp_path / "tmp"
    scratch.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(scratch))
    command = [sys.executable, "-m", "diffbench", "continuous", "HEAD", "HEAD", "--suite",
               str(suite), "--rounds", "100000", "--quiet", "--out", str(out)]  # fmt: skip
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while _rounds_on_disk(out) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()[1][-500:]
        assert _rounds_on_disk(out) >= 2  # written round by round, not only at the end
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-500:]
    (run,) = out.iterdir()
    result = json.loads((run / "comparison.json").read_text())
    assert result["interrupted"] and 2 <= result["rounds"] < 100000
    from diffbench import store

    for side in ("base", "head"):
        table = store.load(run / side)
        assert sorted(table["method"]) == ["central", "reverse_ad"]
        assert (table["status"] == "ok").all()
        assert (table["repeats"] >= 15 * result["rounds"]).all()
    assert _rounds_on_disk(out) >= result["rounds"]
    assert list(scratch.iterdir()) == []
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "list", "--porcelain"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert str(scratch) not in listed
