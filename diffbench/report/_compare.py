"""Comparing two sets of results: matched rows, noise-aware timing verdicts, quality regressions.

Rows are matched by key: (function, n, dtype, device, method, params) for ``gradients``; for
``runs``, by configuration (function, n, dtype, device, optimizer, lr, batch, steps), with starts
matched by ``start``/``seed`` inside it. For every matched row:

* timing: the ratio of medians ``new / base`` of the raw samples (seconds, or calibration units
  with ``normalize``), a bootstrap confidence interval (99% by default) and a two-sided
  Mann-Whitney U p-value. A slowdown is a regression only if the ratio exceeds ``1 + threshold``
  *and* ``p < 1 - confidence``; a speed-up is an improvement under the mirror rule. Rows without raw
  samples (fewer than 3 on a side) are judged on the threshold alone, and say so;
* accuracy: losing more than one digit (``gradients.digits``), or a start that reaches more than
  one target fewer (``runs``; targets are one decade apart, so this is the same rule), regresses;
* status: ``ok`` turning into anything else (error, skipped, retraced, diverged) regresses.

Verdicts: ``regressed``, ``improved``, ``unchanged``, ``new`` (only in NEW), ``missing`` (only in
BASE). Each regression has a kind (timing, accuracy, status) so that a CI gate can fail on some
kinds and only report others.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._load import Results, load_results
from ._sides import KEY, gradient_side, runs_side
from ._stats import MIN_SAMPLES, bootstrap_ratio_batch, mann_whitney_p_batch

VERDICTS = ("regressed", "improved", "unchanged", "new", "missing")
KINDS = ("timing", "accuracy", "status")


@dataclass
class Comparison:
    """The outcome of comparing NEW against BASE.

    Attributes:
        rows: One row per key: the key columns, ``base_s``/``new_s`` (medians, seconds or
            calibration units), ``ratio``, ``ci_low``, ``ci_high``, ``p_value``, ``accuracy_base``,
            ``accuracy_new`` (digits, or mean targets reached per start for runs), ``status_base``,
            ``status_new``, ``verdict``, ``kinds`` (regression kinds, comma-separated) and
            ``reasons`` (one line per finding, ``; ``-separated).
        threshold: Relative timing change that counts (0.10 is 10%).
        confidence: Coverage of the intervals; significance level is ``1 - confidence``.
        normalized: Whether timings were divided by each result set's calibration timing.
        base_labels: Result-set labels on the BASE side.
        new_labels: Result-set labels on the NEW side.
    """

    rows: pd.DataFrame
    threshold: float
    confidence: float
    normalized: bool
    base_labels: list[str] = field(default_factory=list)
    new_labels: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Number of rows per verdict, every verdict present."""
        found = self.rows["verdict"].value_counts() if len(self.rows) else {}
        return {v: int(found.get(v, 0)) for v in VERDICTS}

    def regressions(self, kinds: tuple[str, ...] = KINDS) -> pd.DataFrame:
        """Rows that regressed in any of ``kinds``."""
        if self.rows.empty:
            return self.rows
        mask = self.rows["kinds"].map(lambda ks: any(k in ks.split(",") for k in kinds if ks))
        return self.rows[mask]

    def failed(self, kinds: tuple[str, ...] = KINDS) -> bool:
        """Whether anything regressed in ``kinds`` (the gate's exit condition)."""
        return not self.regressions(kinds).empty


def compare(
    base: list[str | Path] | Results,
    new: list[str | Path] | Results,
    *,
    threshold: float = 0.10,
    confidence: float = 0.99,
    normalize: bool = False,
    seed: int = 0,
) -> Comparison:
    """Compare NEW results against BASE results.

    Args:
        base: Paths (result sets, folders, Parquet, pytest-benchmark JSON) or loaded ``Results``.
        new: The same for the new side.
        threshold: Relative timing change that counts, e.g. 0.10 for 10%.
        confidence: Confidence of the bootstrap interval; the U test's level is ``1 - confidence``.
        normalize: Divide every timing by its result set's ``calibration_s``.
        seed: Seed of the bootstrap.

    Returns:
        The ``Comparison``.

    Raises:
        DiffbenchError: Unreadable input, or ``normalize`` without calibration timings.

    Example:
        >>> result = compare(["results/baselines/cpu"], ["results/runs"])  # doctest: +SKIP
        >>> result.failed()  # doctest: +SKIP
        False
    """
    base = base if isinstance(base, Results) else load_results(list(base))
    new = new if isinstance(new, Results) else load_results(list(new))
    sides = [
        pd.concat([gradient_side(r.gradients, normalize), runs_side(r.runs, normalize)])
        for r in (base, new)
    ]
    merged = sides[0].merge(sides[1], on=list(KEY), how="outer", suffixes=("_base", "_new"))
    merged = pd.concat([merged, timing_stats(merged, confidence, seed)], axis=1)
    judged = [_judge(row, threshold, confidence) for row in merged.to_dict("records")]
    rows = pd.DataFrame(judged, columns=_OUTPUT_COLUMNS)
    order = {v: i for i, v in enumerate(VERDICTS)}
    rows["n_sort"] = pd.to_numeric(rows["n"], errors="coerce")
    columns = ["verdict", "table", "function", "method", "dtype", "n_sort"]
    rows = rows.sort_values(columns, key=_sort_key(order)).drop(columns="n_sort")
    return Comparison(
        rows.reset_index(drop=True), threshold, confidence, normalize, base.labels, new.labels
    )


_OUTPUT_COLUMNS = [
    *KEY,
    *("base_s", "new_s", "ratio", "ci_low", "ci_high", "p_value", "samples_base", "samples_new"),
    *("accuracy_base", "accuracy_new", "status_base", "status_new", "verdict", "kinds", "reasons"),
]


def _sort_key(order: dict[str, int]):
    def key(column: pd.Series) -> pd.Series:
        if column.name == "verdict":
            return column.map(order)
        return column if column.name == "n_sort" else column.astype(str)

    return key


def _present(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def timing_stats(merged: pd.DataFrame, confidence: float, seed: int) -> pd.DataFrame:
    """Ratio of medians, bootstrap interval and U-test p-value of every row ok on both sides.

    Rows with at least ``MIN_SAMPLES`` samples on both sides are batched by sample sizes; rows
    with fewer get the ratio alone (nan interval and p-value).
    """
    stats = pd.DataFrame(np.nan, index=merged.index, columns=_STATS)
    ok = (merged["status_base"] == "ok") & (merged["status_new"] == "ok")
    pairs = {
        i: (merged.at[i, "samples_base"], merged.at[i, "samples_new"])
        for i in merged.index[ok]
        if merged.at[i, "samples_base"].size and merged.at[i, "samples_new"].size
    }
    groups: dict[tuple[int, int], list] = {}
    for i, (base, new) in pairs.items():
        stats.at[i, "ratio"] = np.median(new) / np.median(base)
        if min(base.size, new.size) >= MIN_SAMPLES:
            groups.setdefault((base.size, new.size), []).append(i)
    for index in groups.values():
        base = np.stack([pairs[i][0] for i in index])
        new = np.stack([pairs[i][1] for i in index])
        low, high = bootstrap_ratio_batch(base, new, confidence, seed=seed)
        stats.loc[index, "ci_low"], stats.loc[index, "ci_high"] = low, high
        stats.loc[index, "p_value"] = mann_whitney_p_batch(base, new)
    return stats


_STATS = ["ratio", "ci_low", "ci_high", "p_value"]


def _judge(row: dict[str, Any], threshold: float, confidence: float) -> dict[str, Any]:
    """Verdict, regression kinds and reasons for one merged row."""
    out = {k: row[k] for k in KEY}
    for side in ("base", "new"):
        out[f"{side}_s"] = row.get(f"median_s_{side}", math.nan)
        out[f"accuracy_{side}"] = row.get(f"accuracy_{side}", math.nan)
        out[f"status_{side}"] = row.get(f"status_{side}")
        samples = row.get(f"samples_{side}")
        out[f"samples_{side}"] = len(samples) if isinstance(samples, np.ndarray) else 0
    out.update({k: row[k] for k in _STATS})
    if not _present(row.get("status_base")):
        return {**out, "verdict": "new", "kinds": "", "reasons": "only in NEW"}
    if not _present(row.get("status_new")):
        return {**out, "verdict": "missing", "kinds": "", "reasons": "only in BASE"}
    worse, better, notes = _status_findings(row)
    if row["status_base"] == "ok" and row["status_new"] == "ok":
        _timing_findings(row, threshold, confidence, (worse, better, notes))
    _accuracy_findings(row, worse, better)
    verdict = "regressed" if worse else "improved" if better else "unchanged"
    kinds = ",".join(dict.fromkeys(kind for kind, _ in worse))
    reasons = "; ".join([text for _, text in worse] + better + notes)
    return {**out, "verdict": verdict, "kinds": kinds, "reasons": reasons}


def _status_findings(row: dict[str, Any]) -> tuple[list, list, list]:
    """Status regressions (ok -> other) and fixes (other -> ok), per start for runs."""
    worse: list[tuple[str, str]] = []
    better: list[str] = []
    pairs = [("", row["status_base"], row["status_new"])]
    if isinstance(row.get("per_start_base"), dict) and isinstance(row.get("per_start_new"), dict):
        both = row["per_start_base"].keys() & row["per_start_new"].keys()
        pairs = [
            (f"start {s}: ", row["per_start_base"][s][1], row["per_start_new"][s][1])
            for s in sorted(both)
        ]
    for where, old, new in pairs:
        if old == "ok" and new != "ok":
            worse.append(("status", f"{where}status ok -> {new}"))
        elif old != "ok" and new == "ok":
            better.append(f"{where}status {old} -> ok")
    return worse, better, []


def _accuracy_findings(row: dict[str, Any], worse: list, better: list[str]) -> None:
    """Accuracy: more than one digit lost (gradients) or target lost per start (runs)."""
    if isinstance(row.get("per_start_base"), dict) and isinstance(row.get("per_start_new"), dict):
        base, new = row["per_start_base"], row["per_start_new"]
        for start in sorted(base.keys() & new.keys()):
            lost = base[start][0] - new[start][0]
            text = f"start {start}: targets reached {base[start][0]} -> {new[start][0]}"
            if lost > 1:
                worse.append(("accuracy", text))
            elif lost < -1:
                better.append(text)
        return
    old, new = row.get("accuracy_base"), row.get("accuracy_new")
    if old is None or new is None or not (np.isfinite(old) and np.isfinite(new)):
        return
    if old - new > 1.0:
        worse.append(("accuracy", f"digits {old:.1f} -> {new:.1f}"))
    elif new - old > 1.0:
        better.append(f"digits {old:.1f} -> {new:.1f}")


def _timing_findings(row, threshold: float, confidence: float, findings) -> None:
    """A timing regression, improvement or note from the row's ratio and p-value."""
    worse, better, notes = findings
    ratio, p = row["ratio"], row["p_value"]
    if not np.isfinite(ratio):
        return
    significant = math.isnan(p) or p < 1.0 - confidence
    how = f"p={p:.2g}" if not math.isnan(p) else "no raw samples: threshold only"
    text = f"time x{ratio:.2f} ({how})"
    if ratio > 1.0 + threshold and significant:
        worse.append(("timing", text))
    elif ratio < 1.0 / (1.0 + threshold) and significant:
        better.append(text)
    elif abs(math.log(ratio)) > math.log1p(threshold):
        notes.append(f"{text}, not significant")
