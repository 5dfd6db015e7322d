"""The example project ``examples/mybench``: installed, discovered by entry point, run end to end.

The project is installed with ``pip install --no-deps --no-build-isolation --target`` into a
temporary folder put on ``PYTHONPATH`` of a subprocess: the same entry-point discovery as an
editable install into the environment, without adding a plugin to the shared environment of
every other test (its method would join every suite's ``methods = ["*"]``).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mybench"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("src") / "mybench"
    subprocess.run(  # build from a copy: setuptools writes build/ and egg-info beside the source
        ["cp", "-r", str(EXAMPLE), str(build)], check=True
    )
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*pip, "--target", str(target), str(build)], check=True, timeout=300)
    return target


def _diffbench(site: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{ROOT}"}
    return subprocess.run(
        [sys.executable, "-m", "diffbench", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=600,
    )


def test_the_entry_point_registers_the_project_in_list(site, tmp_path):
    done = _diffbench(site, "list", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout).values()
    plugin_of = {
        row["name"]: row["plugin"] for section in listed for row in section if "plugin" in row
    }
    assert plugin_of["mybench_quartic"] == plugin_of["mybench_loss"] == "mybench.bench"
    assert plugin_of["mybench_linearize"] == plugin_of["mybench_clipped_adam"] == "mybench.bench"


def test_the_example_suite_runs_end_to_end_with_rows_and_a_report(site, tmp_path):
    out = tmp_path / "runs"
    done = _diffbench(
        site, "run", str(EXAMPLE / "suite.toml"), "--out", str(out), "--quiet", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    grads = pd.read_parquet(next(out.rglob("gradients.parquet")))
    assert len(grads) == 2 * 3 * 2 and set(grads.status) == {"ok"}
    reference = grads.set_index(["function", "method"]).reference
    assert set(reference["mybench_quartic"]) == {"mpmath34"}
    assert set(reference["mybench_loss", "mybench_linearize"]) == {"reverse_ad_f64"}
    assert set(reference["mybench_loss", "reverse_ad"]) == {"forward_ad_f64"}  # never itself
    f64 = grads[grads.dtype == "float64"].set_index(["function", "method"]).digits
    assert f64["mybench_quartic", "mybench_linearize"] > 14
    assert f64["mybench_loss", "mybench_linearize"] > 14  # exact trick vs float64 reverse mode
    assert f64["mybench_loss", "reverse_ad"] > 14  # reverse mode vs float64 forward mode
    runs = pd.read_parquet(next(out.rglob("runs.parquet")))
    assert set(runs.optimizer) == {"mybench_clipped_adam", "adam"}
    assert (next(out.rglob("report.html"))).stat().st_size > 0
