"""Building a report from ``Results``: the sections (``_model``), written as markdown and HTML.

``build_report(paths, out)`` writes ``out/report.md`` (fit for a CI job summary or a PR comment;
figures linked from ``out/figures/``) and ``out/report.html`` (one self-contained file: figures
embedded as base64 PNG, no scripts, no external resources, so it opens from disk).
"""

from __future__ import annotations

import time
from pathlib import Path

from .._errors import DiffbenchError
from ..results import Results, load_results
from ..results._journal import write_bytes_atomic
from . import _scale_out, _tables
from ._bandwidth import bandwidth_table
from ._html import render_html
from ._markdown import render_markdown
from ._model import Report, Section, with_figure
from ._studies import study_sections
from .figures import (
    computed_sweeps,
    convergence_figure,
    digits_heatmap,
    ecdf_figure,
    flops_vs_time,
    scale_out_figure,
    scaling_figure,
    sweep_figure,
)

FD_METHODS = ("forward", "backward", "central", "central4", "complex_step", "richardson")


def gradient_sections(results: Results, compute_sweeps: bool) -> list[Section]:
    """Accuracy, step size, scaling, compile time and FLOPs sections."""
    g = results.gradients
    if g.empty:
        return []
    sweeps, note = results.sweeps, "from the result set's sweeps table"
    fd = [m for m in FD_METHODS if m in set(g["method"])]
    if sweeps.empty and compute_sweeps and fd:
        sweeps, note = computed_sweeps(fd), "computed at report time (no sweeps table)"
    sections = [
        Section("accuracy", "Accuracy per method and function", _TEXT["accuracy"]),
        Section(
            "steps", "Finite-difference error against step size", _TEXT["steps"] + f" Data {note}."
        ),
        Section("scaling", "Time and cost ratio against dimension", _TEXT["scaling"]),
        Section("compile", "Compile time against dimension", _TEXT["compile"]),
        Section("flops", "Work against time", _TEXT["flops"]),
    ]
    makers = [
        lambda: digits_heatmap(g),
        lambda: sweep_figure(sweeps),
        lambda: scaling_figure(g, ("time_median_s", "cost_ratio")),
        lambda: scaling_figure(g, ("compile_s",)),
        lambda: flops_vs_time(g),
    ]
    sections = [with_figure(s, m) for s, m in zip(sections, makers, strict=True)]
    slopes = _tables.slopes(g)
    if slopes:
        sections[2].tables.append(slopes)
    return [s for s in sections if s.figure or s.tables]


def run_sections(results: Results) -> list[Section]:
    """Convergence and ECDF sections (when there is a ``runs`` table)."""
    if results.runs.empty:
        return []
    sections = [
        with_figure(
            Section("convergence", "Convergence", _TEXT["convergence"]),
            lambda: convergence_figure(results.runs, results.traces),
        ),
        with_figure(
            Section("ecdf", "Targets reached (ECDF)", _TEXT["ecdf"]),
            lambda: ecdf_figure(results.runs),
        ),
    ]
    return [s for s in sections if s.figure]


def scale_out_sections(results: Results) -> list[Section]:
    """Strong and weak scaling over devices and processes (``_scale_out``), when measured."""
    table = _scale_out.efficiencies(results.runs)
    tables = [_scale_out.devices_table(table), _scale_out.processes_table(results.metadata)]
    section = Section(
        "scale_out", "Scale-out efficiency", _scale_out.TEXT, [t for t in tables if t]
    )
    if not section.tables:
        return []
    return [with_figure(section, lambda: scale_out_figure(table))]


def summary_sections(results: Results) -> list[Section]:
    """Result sets and the summary tables that open the report."""
    summary = Section("summary", "Summary", _TEXT["summary"])
    for table in (_tables.best_methods(results.gradients), _tables.runs_summary(results.runs)):
        if table:
            summary.tables.append(table)
    sets = Section("sets", "Result sets", _TEXT["sets"], [_tables.result_sets(results)])
    head = [sets, summary] if summary.tables else [sets]  # a set of studies only has none
    bandwidth = bandwidth_table(results)
    if bandwidth is None:
        return head
    return [*head, Section("bandwidth", "Bandwidth", _TEXT["bandwidth"], [bandwidth])]


def make_report(results: Results, compute_sweeps: bool = True) -> Report:
    """Assemble every section of the report for ``results`` (nothing written yet)."""
    sections = summary_sections(results)
    sections += gradient_sections(results, compute_sweeps)
    sections += run_sections(results)
    sections += scale_out_sections(results)
    sections += study_sections(results)
    failures = _tables.failures(results.gradients, results.runs)
    if failures:
        sections.append(Section("failures", "Failed and skipped cases", "", [failures]))
    n_sets = len(results.metadata)
    subtitle = (
        f"{n_sets} result set{'s' if n_sets != 1 else ''} · {len(results.gradients)} gradient "
        f"rows · {len(results.runs)} run rows · generated {time.strftime('%Y-%m-%d %H:%M')}"
    )
    return Report("diffbench report", subtitle, sections)


def build_report(
    paths: list[str | Path] | Results, out: str | Path, compute_sweeps: bool = True
) -> Report:
    """Load results and write ``report.md``, ``report.html`` and ``figures/*.png`` to ``out``.

    Args:
        paths: Result sets, folders, Parquet or pytest-benchmark JSON files, or loaded results.
        out: Output folder (created).
        compute_sweeps: Compute a small step sweep when the results have no ``sweeps`` table.

    Returns:
        The ``Report``, with the paths written.

    Example:
        >>> report = build_report(["results/runs"], "out/report")  # doctest: +SKIP
        >>> report.html.name  # doctest: +SKIP
        'report.html'
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise DiffbenchError(f"--out {out} is a file; give a folder for the report.")
    results = paths if isinstance(paths, Results) else load_results(list(paths))
    report = make_report(results, compute_sweeps)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    for section in report.sections:  # every file is replaced atomically: a kill leaves the old
        if section.figure:
            write_bytes_atomic(out / "figures" / f"{section.key}.png", section.figure)
    report.markdown = out / "report.md"
    write_bytes_atomic(report.markdown, render_markdown(report).encode("utf-8"))
    report.html = out / "report.html"
    write_bytes_atomic(report.html, render_html(report).encode("utf-8"))
    return report


_TEXT = {
    "bandwidth": "Memory-bound cases against the limit: achieved GB/s over the minimum bytes a "
    "gradient moves, and its fraction of the device's copy bandwidth measured by the session.",
    "sets": "Where and when each result set was measured; tables and figures refer to them as "
    "[1], [2]... (line styles in figures).",
    "summary": "For each function and dtype, at the largest n measured: the method with the most "
    "correct digits and the fastest method (with its digits, so speed bought with accuracy shows).",
    "accuracy": "Correct significant digits, −log10 of the relative error against the exact "
    "reference, median over n. Brighter is more accurate; float64 tops out near 16, float32 "
    "near 7. Cells without a measurement show why (skipped, error).",
    "steps": "Error of each finite-difference method as its step h shrinks: truncation error "
    "falls as h^p on the right, rounding error grows as ε/h on the left; the dot marks the best "
    "step. Complex step has no rounding arm.",
    "scaling": "Median gradient time and cost ratio (gradient time / function time) against n, "
    "log-log, geometric mean over the functions measured at every n. The slope is the fitted "
    "exponent: finite differences and forward mode grow about as n, reverse mode stays flat.",
    "compile": "XLA compile time of each method's gradient against n (log-log), geometric mean "
    "over functions. Symbolic includes differentiation and lambdify.",
    "flops": "XLA's FLOPs ratio (gradient / function) against the measured time ratio. Points on "
    "the dashed line cost what their arithmetic says; above it, overheads (dispatch, memory) "
    "dominate.",
    "convergence": "Loss gap f(x) − f* against optimizer steps (top) and wall time (bottom): "
    "median over starts, band from the 20th to the 80th percentile. A curve that shoots up or "
    "stops means the median run diverged (a non-finite loss counts as above every target).",
    "ecdf": "COCO-style empirical cumulative distribution: the fraction of all (run, target) "
    "pairs reached within a time or gradient-evaluation budget, across functions. Higher and "
    "further left is better; the final height is the fraction ever reached.",
}
