"""The report's study sections: one per ``study_<name>`` table, with a figure and a table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .. import _format as fmt
from ..results import Results
from ._model import Section, Table, with_figure
from .figures import (
    expectations_figure,
    learning_rate_figure,
    local_minima_figure,
    saddles_figure,
    vanishing_figure,
)
from .figures.studies import first_set, part_rows


def study_sections(results: Results) -> list[Section]:
    """A section per study table in ``results`` (in the studies' registry order)."""
    sections = []
    for table_name, (title, text, figure, table) in _STUDIES.items():
        rows = results.studies.get(table_name)
        if rows is None or rows.empty:
            continue
        ok = rows[rows["status"] == "ok"] if "status" in rows else rows
        section = Section(table_name, title, text)
        for row in rows[rows.get("status", "ok") == "error"].to_dict("records"):
            section.text += f" (Failed: {row.get('error')}.)"
        if not ok.empty:
            section.tables += [t for t in table(first_set(ok)) if t.rows]
            with_figure(section, lambda ok=ok, figure=figure: figure(ok))
        sections.append(section)
    return sections


def _vanishing_tables(table: pd.DataFrame) -> list[Table]:
    digits = part_rows(table, "digits")
    out = []
    if not digits.empty:
        rows = []
        for (method, dtype), part in digits.groupby(["method", "dtype"]):
            lost = part.loc[part["digits"] <= 0, "depth"]
            five = part.loc[part["digits"] < 5, "depth"]
            rows.append([method, dtype, _first(five), _first(lost)])
        out.append(Table(["method", "dtype", "first depth < 5 digits", "first depth 0 digits"],
                         rows, title="Where finite differences lose the vanishing gradient",
                         align_left=2))  # fmt: skip
    clip = part_rows(table, "clipping")
    if not clip.empty:
        rows = [
            [str(d), fmt.number(lr), _status(part, "none"), _status(part, "global_norm")]
            for (d, lr), part in clip.groupby(["depth", "lr"])
        ]
        steps = int(clip["steps"].max())
        out.append(Table(["depth", "lr", "no clipping: final loss", "clip_by_global_norm(1)"],
                         rows, title=f"Exploding gradients: final loss of SGD after {steps} steps",
                         align_left=0))  # fmt: skip
    return out


def _first(depths: pd.Series) -> str:
    return str(int(depths.min())) if len(depths) else "none"


def _status(part: pd.DataFrame, clip: str) -> str:
    row = part[part["clip"] == clip]
    if row.empty:
        return "–"
    row = row.iloc[0]
    return "diverged" if bool(row["diverged"]) else fmt.number(row["f_final"])


def _saddle_tables(table: pd.DataFrame) -> list[Table]:
    rows_in = part_rows(table, "escape")
    if rows_in.empty:
        return []
    distances = sorted(rows_in["distance"].unique(), reverse=True)
    shown = [d for d in distances if d in (distances[0], distances[len(distances) // 2],
                                           distances[-1])]  # fmt: skip
    rows = []
    for (name, opt), part in rows_in.groupby(["function", "optimizer"], sort=False):
        cells = []
        for d in shown:
            row = part[part["distance"] == d].iloc[0]
            cells.append(_escape_cell(row))
        rows.append([name, opt, *cells])
    header = ["function", "optimizer", *[f"steps from r = {d:.0e}" for d in shown]]
    return [Table(header, rows, title="Median steps to leave the unit disc (escaped fraction)",
                  align_left=2)]  # fmt: skip


def _escape_cell(row: pd.Series) -> str:
    frac = float(row["escaped_fraction"])
    if frac == 0:
        return "never"
    median = fmt.number(row["steps_to_escape_median"])
    return median if frac == 1 else f"{median} ({frac:.0%})"


def _local_minima_tables(table: pd.DataFrame) -> list[Table]:
    single, grouped = part_rows(table, "single"), part_rows(table, "k_starts")
    if single.empty:
        return []
    rows = []
    for row in single.to_dict("records"):
        ci = f"[{row['ci_low']:.3f}, {row['ci_high']:.3f}]"
        found = int(row.get("distinct_minima") or 0)
        rows.append([row["function"], row["optimizer"], f"{row['p']:.3f}", ci, str(found)])
    note = ""
    if not grouped.empty:
        inside = grouped["within_ci"].astype(bool)
        ks = ", ".join(str(int(k)) for k in sorted(grouped["k"].unique()))
        note = (f"1 − (1 − p)^k inside the measured k-start 95 % interval: {int(inside.sum())} "
                f"of {len(inside)} (k = {ks}).")  # fmt: skip
        if "intervals_overlap" in grouped:
            meet = grouped["intervals_overlap"].astype(bool)
            note += (f" Counting the uncertainty of p too (its interval mapped through "
                     f"1 − (1 − p)^k), the two intervals meet in {int(meet.sum())} of "
                     f"{len(meet)}.")  # fmt: skip
    header = ["function", "optimizer", "p", "95 % CI", "distinct global minima found"]
    return [Table(header, rows, note=note, title="Single-start success", align_left=2)]


def _learning_rate_tables(table: pd.DataFrame) -> list[Table]:
    edges, iterates = part_rows(table, "edge"), part_rows(table, "iterates")
    out = []
    if not edges.empty:
        rows = [
            [r["function"], fmt.number(r["L"], 5), fmt.number(r["edge_theory"], 4),
             f"{fmt.number(r['edge_lo'])} – {fmt.number(r['edge_hi'])}",
             "yes" if r["within_one_step"] else "no"]
            for r in edges.to_dict("records")
        ]  # fmt: skip
        out.append(Table(["function", "L at x*", "2/L", "measured edge", "within one grid step"],
                         rows, title="Stability edge of gradient descent",
                         note=f"Grid: {_grid_note(table)}."))  # fmt: skip
    if not iterates.empty:
        rows = [[str(int(r["steps"])), fmt.number(r["x_final"], 6), fmt.number(r["f_final"], 6)]
                for r in iterates.to_dict("records")]  # fmt: skip
        out.append(Table(["step", "x", "(x − 3)²"], rows, align_left=0,
                         title="The texts' example: (x − 3)² from 0 at lr 0.1"))  # fmt: skip
    return out


def _grid_note(table: pd.DataFrame) -> str:
    sweep = part_rows(table, "sweep")
    lrs = np.sort(sweep["lr"].unique()) if not sweep.empty else np.array([])
    if len(lrs) < 2:
        return "–"
    step = np.log10(lrs[1] / lrs[0])
    return f"{len(lrs)} rates from {lrs[0]:g} to {lrs[-1]:g}, {step:.2g} decades apart"


def _expectation_tables(table: pd.DataFrame) -> list[Table]:
    integrals, grads = part_rows(table, "integrals"), part_rows(table, "gradients")
    out = []
    if not integrals.empty:
        rows = []
        for (rule, name), part in integrals.groupby(["rule", "integrand"], sort=False):
            if name not in ("density", "mean"):
                continue
            last = part.sort_values("evaluations").iloc[-1]
            error = last["rmse"] if last["repeats"] > 1 else last["abs_err"]
            rows.append([name, rule, str(int(last["evaluations"])),
                         fmt.number(last["estimate"], 6), fmt.number(error, 2)])  # fmt: skip
        out.append(Table(["integral", "rule", "N", "estimate", "error"], rows, align_left=2,
                         title="∫ φ(x) dx = 1 and E[X] = ∫ x φ(x) dx = 0 (φ the registry's "
                               "normal_density), at the largest N"))  # fmt: skip
    if not grads.empty:
        top = grads[grads["samples"] == grads["samples"].max()]
        rows = [[r["integrand"], r["param"], r["estimator"], fmt.number(r["exact"], 5),
                 fmt.number(r["estimate"], 5), fmt.number(r["variance"], 3)]
                for r in top.to_dict("records")]  # fmt: skip
        out.append(Table(["g", "d/d", "estimator", "exact", "mean estimate", "variance"], rows,
                         title=f"Gradient estimators at S = {int(grads['samples'].max())} "
                               "samples", align_left=3))  # fmt: skip
    return out


_TEXT = {
    "vanishing": "Seed text 000: sigmoid′ ≤ 0.25, so ten sigmoid layers shrink a gradient by up "
    "to 0.25^10 ≈ 9.5e-7. Top: per-layer gradient norms of depth-50 chains at gains that make "
    "the backward factor below, at and above one near 0 (1/sigmoid′(0) = 4 for sigmoid, 1 for "
    "tanh, √2 for ReLU, times ½, 1, 2): tanh and ReLU hold at the middle gain, the sigmoid "
    "chain vanishes at every gain (its activations are not centred and saturate). Bottom: the "
    "bound against the measured "
    "sigmoid chain (equal at its start, where every pre-activation is 0); the digits central "
    "differences and Richardson keep as the gradient vanishes; SGD on an exploding deep linear "
    "chain with and without optax.clip_by_global_norm.",
    "saddles": "Seed text 000: at a saddle the gradient is zero but it is not a minimum; the "
    "Hessian's eigenvalues (diffbench.hessian, in the titles) tell, unless they are all zero. "
    "Steps each optimizer needs to leave the unit disc from starts at distance r of the "
    "stationary point, in random directions; lower is better.",
    "local-minima": "Seed text 000: gradient descent stops in the basin it starts in; several "
    "random starts are the cure. Left: the single-start success rate p. Right: success of k "
    "independent starts, measured on a second batch of starts, against 1 − (1 − p)^k; points "
    "on the diagonal agree.",
    "learning-rate": "Seed text 000: too large a rate diverges, too small a rate crawls. Final "
    "loss of gradient descent against the learning rate; the dashed line is 2/L, L the largest "
    "Hessian eigenvalue at the minimum by power iteration on Hessian-vector products; the band "
    "is where the runs turned unstable.",
    "expectations": "Seed text 002: the normal density integrates to 1 and E[X] = 0. Error of "
    "E[g(X)] against evaluations by trapezoid, Gauss–Hermite, Monte Carlo and scrambled Sobol "
    "QMC; right: variance of the reparameterisation and score-function gradient estimators "
    "against samples (lines of one colour: one parameter; both estimators are unbiased).",
}

_STUDIES: dict[str, tuple[str, str, Callable[[pd.DataFrame], Any], Callable]] = {
    "study_vanishing_exploding": (
        "Study: vanishing and exploding gradients",
        _TEXT["vanishing"],
        vanishing_figure,
        _vanishing_tables,
    ),
    "study_saddles": ("Study: saddle points", _TEXT["saddles"], saddles_figure, _saddle_tables),
    "study_local_minima": (
        "Study: local minima and random restarts",
        _TEXT["local-minima"],
        local_minima_figure,
        _local_minima_tables,
    ),
    "study_learning_rate": (
        "Study: learning rate and the stability edge 2/L",
        _TEXT["learning-rate"],
        learning_rate_figure,
        _learning_rate_tables,
    ),
    "study_expectations": (
        "Study: expectations as integrals",
        _TEXT["expectations"],
        expectations_figure,
        _expectation_tables,
    ),
}
