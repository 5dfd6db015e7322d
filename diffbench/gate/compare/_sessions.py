"""Timing verdicts that must hold in every pair of sessions.

On a shared machine a burst of load can slow every sample of one case in one session (the samples
of a case are taken within milliseconds), and no test on those samples can tell it from a real
regression. A second session rarely meets the same burst at the same case. So when BASE or NEW
holds several result sets (sessions), ``compare`` judges each (base session, new session) pair
with itself (``judge``: ``compare`` on the two one-session subsets), and keeps a timing
regression (or improvement) only if every pair shows it. One session a side: nothing changes.
CI can commit two baseline sessions at no cost in run time.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from typing import Any

import numpy as np
import pandas as pd

from ...results import Results
from ._sides import KEY


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


def _directions(rows: pd.DataFrame) -> pd.Series:
    """Per key matched on both sides: +1 timing regression, -1 improvement, 0 neither."""
    both = rows[~rows["verdict"].isin(("new", "missing"))]
    direction = np.select([both["timing"] == "slower", both["timing"] == "faster"], [1, -1], 0)
    return pd.Series(direction, index=pd.MultiIndex.from_frame(both[list(KEY)]))


def session_agreement(
    base: Results, new: Results, judge: Callable[[Results, Results], Any]
) -> pd.DataFrame | None:
    """Whether every pair of sessions shows each key slower (``all_slower``) or faster.

    Args:
        base: The BASE results (one or more sessions).
        new: The NEW results.
        judge: ``compare`` with the caller's options, applied to one session a side; its
            ``rows`` carry the ``timing`` column (``slower``, ``faster`` or empty).

    Returns:
        Columns ``KEY + [all_slower, all_faster, pairs]``, or None with one session a side.
    """
    if len(base.labels) < 2 and len(new.labels) < 2:
        return None
    pairs = [
        _directions(judge(subset(base, b), subset(new, n)).rows)
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
