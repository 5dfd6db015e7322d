"""A session SIGKILLed mid-run keeps every finished case; ``--resume`` completes the rest."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from diffbench import store

ROOT = Path(__file__).resolve().parents[1]
SUITE = """
[suite]
dtypes = ["float64"]
[timing]
budget_s = 0.25
sample_s = 0.005
min_repeats = 3
[[gradients]]
functions = ["sphere", "rosenbrock"]
dims = [2, 3, 4]
methods = ["reverse_ad", "central"]
"""
CASES = 2 * 3 * 2


def _start(args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DIFFBENCH_MACHINE": "killtest"}
    return subprocess.Popen(
        [sys.executable, "-m", "diffbench", "run", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _journal_lines(root):
    journals = list(root.rglob(store.JOURNAL))
    if not journals:
        return 0
    return journals[0].read_bytes().count(b"\n")


@pytest.mark.slow
def test_sigkill_loses_only_the_case_in_flight_and_resume_finishes(tmp_path):
    (tmp_path / "kill.toml").write_text(SUITE)
    args = ["kill.toml", "--out", "out", "--quiet"]
    proc = _start(args, tmp_path)
    deadline = time.monotonic() + 120
    while _journal_lines(tmp_path / "out") < 3:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the session never finished three cases"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    (folder,) = store.find_result_sets(tmp_path / "out")
    before = store.load(folder)
    finished = len(before)
    assert 3 <= finished < CASES
    assert json.loads((folder / "metadata.json").read_text())["status"] == "running"
    assert before["status"].eq("ok").all() and before["samples"].map(len).ge(3).all()

    resumed = _start([*args, "--resume"], tmp_path)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert f"({finished} already done)" in out

    after = store.load(folder)  # complete now: read from gradients.parquet
    assert json.loads((folder / "metadata.json").read_text())["status"] == "complete"
    keys = ["function", "n", "dtype", "device", "method", "params"]
    assert len(after) == CASES and not after.duplicated(keys).any()
    merged = before.merge(after, on=keys, suffixes=("_before", "_after"))
    assert (merged["time_median_s_before"] == merged["time_median_s_after"]).all()
