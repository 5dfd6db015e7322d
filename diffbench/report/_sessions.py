"""Timing verdicts that must hold in every pair of sessions.

On a shared machine a burst of load can slow every sample of one case in one session (the samples
of a case are taken within milliseconds), and no test on those samples can tell it from a real
regression. A second session rarely meets the same burst at the same case. So when BASE or NEW
holds several result sets (sessions), ``compare`` judges timing in each (base session, new
session) pair too, and keeps a timing regression (or improvement) only if every pair shows it.
One session a side: nothing changes. CI can commit two baseline sessions at no cost in run time.
"""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pandas as pd

from ..results import Results
from ._sides import KEY, gradient_side, runs_side
from ._timing import effective_threshold, noise_sigma, timing_stats


def subset(results: Results, label: str) -> Results:
    """The tables of one result set (session) of ``results``."""
    tables = {
        name: frame[frame["result_set"] == label] if not frame.empty else frame
        for name, frame in (
            ("gradients", results.gradients),
            ("runs", results.runs),
            ("traces", results.traces),
            ("sweeps", results.sweeps),
        )
    }
    return Results(**tables, metadata=[m for m in results.metadata if m["result_set"] == label])


def _directions(base: Results, new: Results, options: dict) -> pd.Series:
    """Per key: +1 timing regression, -1 improvement, 0 neither, in one pair of sessions."""
    sides = [
        pd.concat([gradient_side(r.gradients, options["normalize"]),
                   runs_side(r.runs, options["normalize"])])
        for r in (base, new)
    ]  # fmt: skip
    merged = sides[0].merge(sides[1], on=list(KEY), how="inner", suffixes=("_base", "_new"))
    if merged.empty:
        return pd.Series(dtype=float)
    stats = timing_stats(merged, options["confidence"], options["seed"])
    sigma, rows = noise_sigma(stats["ratio"]) if options["noise_floor"] else (math.nan, 0)
    alpha = 1.0 - options["confidence"]
    used = effective_threshold(options["threshold"], sigma, rows, alpha)
    significant = stats["q_value"] < alpha
    slower = (stats["ratio"] > 1.0 + used) & significant
    faster = (stats["ratio"] < 1.0 / (1.0 + used)) & significant
    index = pd.MultiIndex.from_frame(merged[list(KEY)])
    return pd.Series(np.where(slower, 1, np.where(faster, -1, 0)), index=index)


def session_agreement(base: Results, new: Results, options: dict) -> pd.DataFrame | None:
    """Whether every pair of sessions shows each key slower (``all_slower``) or faster.

    Args:
        base: The BASE results (one or more sessions).
        new: The NEW results.
        options: ``threshold``, ``confidence``, ``normalize``, ``noise_floor``, ``seed``.

    Returns:
        Columns ``KEY + [all_slower, all_faster, pairs]``, or None with one session a side.
    """
    if len(base.labels) < 2 and len(new.labels) < 2:
        return None
    pairs = [
        _directions(subset(base, b), subset(new, n), options)
        for b, n in product(base.labels, new.labels)
    ]
    table = pd.concat(pairs, axis=1)
    out = pd.DataFrame(
        {
            "all_slower": (table == 1).all(axis=1),
            "all_faster": (table == -1).all(axis=1),
            "pairs": table.notna().sum(axis=1),
        }
    )
    return out.reset_index()
