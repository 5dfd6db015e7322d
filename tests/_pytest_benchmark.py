"""A real pytest-benchmark JSON file, written by pytest-benchmark itself, for the readers' tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = """
import pytest

@pytest.mark.parametrize("case", {cases!r})
def test_case(benchmark, case):
    benchmark.extra_info.update(function="sum", method=case, n={n}, dtype="float64", device="cpu")
    benchmark(sum, range({n}))
"""


def write_benchmark_json(
    root: Path, cases: list[str], n: int, max_time: float, min_rounds: int
) -> Path:
    """Run ``cases`` under pytest-benchmark in ``root``; return the JSON file it saved (with
    its raw samples, ``--benchmark-save-data``)."""
    (root / "test_bench.py").write_text(BENCH.format(cases=cases, n=n))
    (root / "pytest.ini").write_text("[pytest]\n")
    args = [sys.executable, "-m", "pytest", "-q", "-c", str(root / "pytest.ini"), "--rootdir",
            str(root), str(root / "test_bench.py"), f"--benchmark-json={root / 'base.json'}",
            "--benchmark-save-data", f"--benchmark-max-time={max_time}",
            f"--benchmark-min-rounds={min_rounds}", "-p", "no:cacheprovider"]  # fmt: skip
    subprocess.run(args, check=True, capture_output=True, cwd=root, timeout=120)
    return root / "base.json"
