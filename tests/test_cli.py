"""The command line: listings, runs, the environment, delegation and one-line errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import diffbench
from diffbench import store
from diffbench.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_list_functions_methods_suites_and_optimizers(capsys):
    assert main(["list", "functions"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in diffbench.functions.names())
    assert main(["list", "methods"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in diffbench.methods.names())
    assert main(["list", "suites"]) == 0
    assert "smoke" in capsys.readouterr().out
    assert main(["list", "optimizers"]) == 0
    assert "adam" in capsys.readouterr().out
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert all(f"{section}:" in out for section in ("functions", "methods", "suites"))


def test_list_functions_by_tag(capsys):
    assert main(["list", "functions", "--tag", "convex", "--tag", "separable"]) == 0
    listed = {line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]}
    assert listed == set(diffbench.functions.names(["convex", "separable"]))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["list", "functions", "--tag", "convx"], "Did you mean: convex"),
        (["list", "methods", "--tag", "convex"], "--tag filters functions"),
        (["run", "smok"], "Did you mean: smoke"),
        (["run", "smoke", "--device", "tpu"], "invalid choice"),
        (["run", "smoke", "--dtype", "float16"], "invalid choice"),
        (["run"], "required"),
        (["frobnicate"], "invalid choice"),
        (["run", "no/such/suite.toml"], "No such suite file"),
    ],
)
def test_bad_usage_is_one_line_and_exit_code_2(capsys, argv, message):
    assert _exit_code(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_a_missing_gpu_is_one_line_and_exit_code_2(capsys):
    from diffbench.harness.environment import available_devices

    if available_devices("gpu"):
        pytest.skip("this machine has a GPU")
    assert main(["run", "gpu"]) == 2
    err = capsys.readouterr().err
    assert "No GPU available" in err and len(err.strip().splitlines()) == 1


def test_run_writes_a_result_set_and_prints_its_path(tmp_path, capsys):
    suite = tmp_path / "one.toml"
    suite.write_text(
        '[timing]\nbudget_s = 0.0\nmin_repeats = 3\n[[gradients]]\nfunctions = ["sphere"]\n'
        'dims = [2]\nmethods = ["reverse_ad"]\n'
    )
    out_dir = tmp_path / "out"
    argv = ["run", str(suite), "--out", str(out_dir), "--quiet", "--dtype", "float32"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    path = Path(lines[1])
    assert path.parent.parent == out_dir and "1 ok" in lines[0]
    table = pd.read_parquet(path / "gradients.parquet")
    assert table["dtype"].tolist() == ["float32"]
    assert list(table.columns) == list(store.GRADIENT_COLUMNS)
    assert lines[2] == f"report: {path / 'report' / 'report.html'}"
    html = (path / "report" / "report.html").read_text()
    assert "sphere" in html and "<img" in html
    assert store.load(out_dir)["run_id"].nunique() == 1  # the report folder is no result set


def test_env_prints_the_fingerprint(capsys):
    assert main(["env", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert {"python", "jax", "jaxlib", "optax", "numpy"} <= set(info["versions"])
    assert info["threads"] >= 1 and info["machine"]
    assert main(["env"]) == 0
    assert "cpu_model:" in capsys.readouterr().out


def test_report_and_compare_are_ordinary_commands(capsys):
    """``report`` and ``compare`` parse through the one parser, like every other command."""
    from diffbench.cli import build_parser

    args = build_parser().parse_args(
        ["compare", "a", "b", "--threshold", "5%", "--fail-on", "cost"]
    )
    assert (args.command, args.base, args.new) == ("compare", "a", "b")
    assert args.threshold == 0.05 and args.fail_on == ("cost",)
    args = build_parser().parse_args(["report", "x", "y", "--out", "o", "--no-sweeps"])
    assert args.command == "report" and args.results == ["x", "y"] and args.no_sweeps
    with pytest.raises(SystemExit) as info:
        main(["compare", "only-base"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1
    assert err.startswith("diffbench compare: error:") and "new" in err


def test_python_dash_m_runs_without_a_traceback(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "diffbench", "run", "smok"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "diffbench: error: Unknown suite `smok`. Did you mean: smoke?"


def _exit_code(argv):
    """The exit code of ``main(argv)``, whether it returns it or argparse exits with it."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code
