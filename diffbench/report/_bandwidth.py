"""Bandwidth accounting in a report: memory-bound gradients against the device's copy limit.

Each session measures its devices' copy bandwidth (``copy_bandwidth_gbs``, a jitted
``x * 1.0001``) and the cost of one blocking dispatch (``dispatch_s``); every gradients row
carries ``gb_per_s`` (its minimum bytes, read x + write the gradient, over its median time)
and ``bandwidth_fraction`` (that over the copy bandwidth). Only the largest sizes are
memory-bound; below ~1e7 on a GPU a call measures dispatch, which the note says.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _format as fmt
from ..results import Results
from ._model import Table

LARGEST = 2
"""Sizes shown per (result set, function, dtype, method): the largest ones measured."""

MEMORY_BOUND = ("reverse_ad",)
MIN_N = 100_000
"""Smaller problems fit in cache or are dispatch-bound: no bandwidth to speak of."""
"""Methods whose work is O(n), so that moving x and the gradient is their floor; forward mode
and differences do O(n^2) work and are compute-bound at any size."""


def limits_note(results: Results) -> str:
    """One sentence per result set: its copy bandwidth and dispatch cost, where measured."""
    parts = []
    for k, meta in enumerate(results.metadata, start=1):
        copy, dispatch = meta.get("copy_bandwidth_gbs"), meta.get("dispatch_s")
        if not isinstance(copy, dict):
            continue
        for device, gbs in copy.items():
            call = dispatch.get(device) if isinstance(dispatch, dict) else None
            extra = f", one blocking call {fmt.seconds(call)}" if call else ""
            parts.append(f"[{k}] {device}: copy {gbs:.0f} GB/s{extra}")
    return "; ".join(parts)


def bandwidth_table(results: Results) -> Table | None:
    """The largest sizes of each method with their GB/s and fraction of the copy limit."""
    grads = results.gradients
    if grads.empty or "bandwidth_fraction" not in grads:
        return None
    rows = grads[
        (grads["status"] == "ok")
        & grads["bandwidth_fraction"].notna()
        & grads["method"].isin(MEMORY_BOUND)
        & (grads["n"] >= MIN_N)
    ]
    if rows.empty:
        return None
    keys = ["result_set", "function", "dtype", "method"]
    rows = rows.sort_values("n").groupby(keys, sort=True).tail(LARGEST)
    labels = {label: f"[{k}]" for k, label in enumerate(results.labels, start=1)}
    body = [
        [
            labels.get(r.result_set, str(r.result_set)),
            r.device,
            r.function,
            r.dtype,
            r.method,
            f"{r.n:.0e}".replace("e+0", "e"),
            fmt.seconds(r.time_median_s),
            f"{r.gb_per_s:.1f}",
            _fraction(r.bandwidth_fraction),
        ]
        for r in rows.sort_values(keys + ["n"]).itertuples()
    ]
    header = ["set", "device", "function", "dtype", "method", "n", "time", "GB/s", "of copy"]
    note = (
        "Reverse mode at its largest sizes. Minimum bytes: read x, write the gradient "
        "(2 n itemsize). "
        "Fractions above 1 on a CPU mean the problem sits in cache, faster than a DRAM copy. "
        + limits_note(results)
    )
    return Table(header, body, note=note, align_left=5, title="Achieved bandwidth")


def _fraction(value: float) -> str:
    return f"{value:.2f}" if np.isfinite(value) else "–"


def has_bandwidth(frame: pd.DataFrame) -> bool:
    """Whether any row carries a bandwidth fraction."""
    return "bandwidth_fraction" in frame and frame["bandwidth_fraction"].notna().any()
