"""``diffbench report``: markdown + self-contained HTML with labelled figures, side by side sets."""

import base64
import re
import shutil
import subprocess

import pandas as pd
import pytest
from _synthetic import write_result_set

from diffbench.report import main_report
from diffbench.report._report import build_report
from diffbench.report.figures import (
    convergence_figure,
    digits_heatmap,
    ecdf_figure,
    flops_vs_time,
    scaling_figure,
    sweep_figure,
)
from diffbench.results import load_results


@pytest.fixture(scope="module")
def two_sets(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    write_result_set(root / "machine-a" / "s1", seed=1, machine="machine-a")
    write_result_set(root / "machine-b" / "s2", seed=2, machine="machine-b", commit="fedcba987654",
                     slowdown={"central": 1.3, "runs": 1.2})  # fmt: skip
    return root


@pytest.fixture(scope="module")
def report(two_sets, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    assert main_report([str(two_sets), "--out", str(out), "--no-sweeps"]) == 0
    return out


def test_writes_markdown_html_and_figures(report):
    markdown = (report / "report.md").read_text()
    for title in ("Summary", "Result sets", "Accuracy per method", "error against step size",
                  "Time and cost ratio", "Compile time", "Work against time", "Convergence",
                  "Targets reached"):  # fmt: skip
        assert f"## {title}" in markdown or title in markdown, title
    figures = sorted(p.name for p in (report / "figures").iterdir())
    assert figures == sorted(f"{k}.png" for k in ("accuracy", "steps", "scaling", "compile",
                                                  "flops", "convergence", "ecdf"))  # fmt: skip
    for name in figures:
        assert f"](figures/{name})" in markdown


def test_html_is_self_contained(report):
    page = (report / "report.html").read_text()
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["'](https?:|//|/)""", page)
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 7
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)


def test_several_result_sets_stand_side_by_side(report):
    markdown = (report / "report.md").read_text()
    assert r"\[1\] machine-a/s1" in markdown and r"\[2\] machine-b/s2" in markdown
    assert r"| \[1\] fastest (time, digits) | \[2\] fastest (time, digits) |" in markdown
    assert "| set | function | n | optimizer |" in markdown
    assert "fedcba9876" in markdown


def test_summary_names_the_best_methods(report):
    markdown = (report / "report.md").read_text()
    table = markdown.split("**Best method per function**")[1].split("\n\n")[1]
    assert "reverse_ad" in table and "digits" in table


@pytest.fixture(scope="module")
def results(two_sets):
    return load_results([two_sets])


def _axes_labelled(fig):
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            assert ax.get_ylabel()
            continue
        if not ax.has_data():
            continue
        assert ax.get_xlabel() and ax.get_ylabel(), ax.get_title()


@pytest.mark.parametrize(
    "make",
    [
        lambda r: digits_heatmap(r.gradients),
        lambda r: sweep_figure(r.sweeps),
        lambda r: scaling_figure(r.gradients, ("time_median_s", "cost_ratio")),
        lambda r: scaling_figure(r.gradients, ("compile_s",)),
        lambda r: flops_vs_time(r.gradients),
        lambda r: convergence_figure(r.runs, r.traces)[0],
        lambda r: ecdf_figure(r.runs),
    ],
    ids=["heatmap", "sweep", "scaling", "compile", "flops", "convergence", "ecdf"],
)
def test_every_figure_has_units_and_a_key(results, make):
    fig = make(results)
    _axes_labelled(fig)
    keyed = [ax for ax in fig.axes if ax.get_legend() is not None or ax.get_label() == "<colorbar>"]
    assert keyed or fig.legends, "a legend or a colour bar"
    units = " ".join(ax.get_xlabel() + ax.get_ylabel() for ax in fig.axes)
    assert any(u in units for u in ("(s", "digits", "ratio", "error", "steps"))


def test_scaling_slopes_are_fitted(report):
    markdown = (report / "report.md").read_text()
    rows = [line for line in markdown.splitlines() if line.startswith("| machine-a/s1 | cpu |")]
    slopes = {r.split("|")[3].strip(): float(r.split("|")[5]) for r in rows}
    assert slopes["reverse_ad"] == pytest.approx(0.0, abs=0.1)  # flat in n
    assert slopes["central"] == pytest.approx(1.0, abs=0.1)  # linear in n


def test_convergence_without_traces_uses_targets(results):
    fig, source = convergence_figure(results.runs, pd.DataFrame())
    assert "runs" in source
    _axes_labelled(fig)


def test_sweep_computed_at_report_time_without_sweeps_table(tmp_path):
    pytest.importorskip("diffbench.accuracy")
    folder = write_result_set(tmp_path / "m" / "s", seed=3, extras=False)
    gradients = pd.read_parquet(folder / "gradients.parquet")
    gradients[gradients["method"].isin(["central", "reverse_ad"])].to_parquet(
        folder / "gradients.parquet"
    )
    report = build_report([folder], tmp_path / "out")
    steps = next(s for s in report.sections if s.key == "steps")
    assert steps.figure and "computed at report time" in steps.text


def test_bad_input_exits_2(tmp_path, capsys):
    assert main_report([str(tmp_path / "nothing"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("diffbench report: ") and err.count("\n") == 1


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
def test_renders_in_headless_chromium_without_console_messages(report, tmp_path):
    args = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
            f"--screenshot={tmp_path / 'shot.png'}", "--window-size=1400,3000",
            f"file://{report / 'report.html'}"]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert (tmp_path / "shot.png").exists(), done.stderr[-2000:]
    assert not re.search(r"CONSOLE|Uncaught", done.stderr), done.stderr[-2000:]


def test_a_runs_table_of_error_rows_only_still_gives_the_summary():
    """A session whose optimizer cases all failed (e.g. an XLA that refuses an option) writes
    `runs` rows with only the error row's columns; the report's summary must still build."""
    from diffbench.report._tables import runs_summary

    errors = pd.DataFrame(
        {
            "run_id": ["a", "a"],
            "function": ["sphere", "rosenbrock"],
            "n": [2, 2],
            "optimizer": ["sgd", "sgd"],
            "status": ["error", "error"],
            "error": ["XlaRuntimeError: boom", "XlaRuntimeError: boom"],
            "result_set": ["vm/x", "vm/x"],
        }
    )
    table = runs_summary(errors)
    assert table is not None
    assert sorted(row[:4] for row in table.rows) == [
        ["rosenbrock", "2", "sgd", "0%"],
        ["sphere", "2", "sgd", "0%"],
    ]
