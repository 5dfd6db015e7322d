"""Several processes, one session: ``diffbench run SUITE --processes 2`` on gloo.

One flow, to keep CI short: a two-process session whose worker is killed (SIGKILL) after the
first case reached the journal fails with one line and exit 2; ``--resume --processes 2``
finishes the same result set, and then every case of the suite is in it exactly once, with
rows from both processes and each process's environment in the metadata. The expected cases
come from expanding the suite here, not from the session.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from diffbench.distributed._launch import child_argv
from diffbench.distributed._session import Cluster, cluster_from, share

ROOT = Path(__file__).resolve().parents[1]
SUITE = """
[suite]
description = "two processes, one killed"
dtypes = ["float64"]
devices = ["cpu"]
seed = 0

[timing]
budget_s = 0.005
sample_s = 0.001
min_repeats = 3
max_repeats = 5
warmup = 1

[[gradients]]
functions = ["sphere", "rosenbrock", "rastrigin", "ackley", "griewank", "levy"]
dims = [2, 4]
methods = ["central", "reverse_ad"]

[[runs]]
functions = ["sphere"]
dims = [2]
optimizers = ["sgd"]
lr = [1e-3]
steps = 20
starts = 2
repeats = 1
"""


def _diffbench(*argv: str, **popen: object) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu"}
    env.pop("XLA_FLAGS", None)
    return subprocess.Popen(
        [sys.executable, "-m", "diffbench", *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def _journal(out: Path) -> list[dict]:
    found = list(out.glob("*/*/cases.jsonl"))
    if not found:
        return []
    lines = found[0].read_text().splitlines()
    return [json.loads(line) for line in lines if line.endswith("}")]


def _worker_pid(launcher: int, index: int) -> int:
    """The pid of process ``index`` started by the launcher (a child with --process-id)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            args = Path(f"/proc/{entry}/cmdline").read_text().split("\0")
        except (OSError, IndexError):
            continue
        if parent == launcher and args[args.index("--process-id") + 1 :][:1] == [str(index)]:
            return int(entry)
    raise AssertionError(f"no process {index} under {launcher}")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the worker through /proc")
def test_killed_worker_fails_the_session_and_resume_finishes_it(tmp_path: Path) -> None:
    from diffbench.harness import load_suite

    suite, out = tmp_path / "two.toml", tmp_path / "out"
    suite.write_text(SUITE)
    expected = {(c.table, c.key()) for c in load_suite(suite).cases(["cpu"], None)}
    argv = ("run", str(suite), "--processes", "2", "--out", str(out), "--quiet", "--no-report")
    launcher = _diffbench(*argv)
    deadline = time.monotonic() + 240
    while not _journal(out) and launcher.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    os.kill(_worker_pid(launcher.pid, 1), signal.SIGKILL)
    _, err = launcher.communicate(timeout=240)
    assert launcher.returncode == 2, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("diffbench: error: process 1 of 2 was killed (SIGKILL)"), err
    assert "--resume --processes 2" in last
    (folder,) = {p.parent for p in out.glob("*/*/metadata.json")}
    assert json.loads((folder / "metadata.json").read_text())["status"] == "interrupted"
    before = len(_journal(out))
    assert 0 < before < len(expected)

    resumed = _diffbench(*argv, "--resume")
    stdout, err = resumed.communicate(timeout=240)
    assert resumed.returncode == 0, err
    assert f"({before} already done)" in stdout
    assert {p.parent for p in out.glob("*/*/metadata.json")} == {folder}  # one result set
    entries = _journal(out)
    keys = [(e["table"], e["key"]) for e in entries]
    assert len(keys) == len(set(keys)) and set(keys) == expected  # none lost, none twice
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["status"] == "complete" and meta["processes"] == 2
    envs = meta["process_environments"]
    assert sorted(envs) == ["0", "1"] and envs["0"]["pid"] != envs["1"]["pid"]
    rows = [row for e in entries for row in e["rows"]]
    assert {row["process_id"] for row in rows} == {0, 1}
    assert {row["processes"] for row in rows} == {2}


def test_share_keeps_groups_whole_and_covers_every_case() -> None:
    from diffbench.harness.cases import GradientCase

    cases = [GradientCase(f, n, "float64", "cpu", m) for f in "ab" for n in (2, 4) for m in "xyz"]
    parts = [share(cases, 3, i) for i in range(3)]
    assert sorted(map(repr, sum(parts, []))) == sorted(map(repr, cases))
    for part in parts:
        assert all(
            len([c for c in part if c.group == g]) in (0, 3) for g in {c.group for c in cases}
        )


def test_child_command_lines() -> None:
    argv = ["run", "smoke", "--processes", "3", "--out", "x"]
    first, second = child_argv(argv, 3, 0, 1234), child_argv(argv, 3, 1, 1234)
    assert first[3:] == ["run", "smoke", "--out", "x", "--coordinator", "127.0.0.1:1234"] + [
        "--num-processes",
        "3",
        "--process-id",
        "0",
    ]
    assert second[-4:] == ["--process-id", "1", "--quiet", "--no-report"]
    assert "--processes" not in child_argv(["run", "s", "--processes=3"], 3, 0, 1)


def test_cluster_from_slurm_and_bad_values() -> None:
    from diffbench import DiffbenchError

    slurm = {"SLURM_NTASKS": "4", "SLURM_PROCID": "2"}
    assert cluster_from("node1:4000", None, None, slurm) == Cluster("node1:4000", 4, 2)
    assert cluster_from("node1:4000", 2, 1, slurm) == Cluster("node1:4000", 2, 1)
    assert cluster_from(None, None, None, slurm) is None
    for bad in (("node1", 2, 0), ("h:1", 2, 2), ("h:1", None, 0), (None, 2, 0)):
        with pytest.raises(DiffbenchError):
            cluster_from(*bad, environ={})
