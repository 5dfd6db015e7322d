"""Comparing two sets of results: matched rows, noise-aware timing verdicts, quality regressions.

Rows are matched by key: (function, n, dtype, device, method, params) for ``gradients``; for
``runs``, by configuration (function, n, dtype, device, optimizer, lr, batch, steps), with starts
matched by ``start``/``seed`` inside it. For every matched row:

* timing: the ratio of medians ``new / base`` of the raw samples (seconds, or calibration units
  with ``normalize``), a bootstrap confidence interval (99% by default) and a two-sided
  Mann-Whitney U p-value. A slowdown is a regression only if the ratio exceeds ``1 + threshold``
  *and* the U test is significant: its Benjamini-Hochberg q-value over all tested rows is below
  ``1 - confidence``. A speed-up is an improvement under the mirror rule. The threshold is
  raised to the noise floor measured across rows (see ``_timing``). Rows with fewer than 3 raw
  samples on a side (a runs configuration timed once, pytest-benchmark JSON saved without
  ``--benchmark-save-data``) get their ratio reported but are never judged on timing: there is
  nothing to test;
* accuracy: losing more than one digit (``gradients.digits``), or a start that reaches more than
  one target fewer (``runs``; targets are one decade apart, so this is the same rule), regresses;
* status: ``ok`` turning into anything else (error, skipped, retraced, diverged) regresses, and
  so does a row of BASE that NEW lacks (``missing``) unless ``allow_missing``;
* cost (deterministic): FLOPs, bytes accessed, temp bytes, compilations or retraces of a
  gradient row growing by more than ``COST_TOLERANCE`` regresses: these figures are exact for
  one environment, so no statistics are needed.

Two sides from different machines (CPU model, cores, device) get no timing verdict unless
``normalize`` or ``across_machines``: their timings differ by the machine, not the code. What
differs between the two environments is listed (``Comparison.environment``).

Verdicts: ``regressed``, ``improved``, ``unchanged``, ``new`` (only in NEW), ``missing`` (only in
BASE). Each regression has a kind (timing, accuracy, status) so that a CI gate can fail on some
kinds and only report others.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...results import Results, load_results
from ._findings import (
    accuracy_findings,
    cost_findings,
    group_shift,
    status_findings,
    timing_findings,
)
from ._kinds import KINDS
from ._sessions import session_agreement
from ._sides import KEY, gradient_side, runs_side
from ._timing import STATS, effective_threshold, noise_sigma, timing_stats

VERDICTS = ("regressed", "improved", "unchanged", "new", "missing")


@dataclass
class Comparison:
    """The outcome of comparing NEW against BASE.

    Attributes:
        rows: One row per key: the key columns, ``base_s``/``new_s`` (medians, seconds or
            calibration units), ``ratio``, ``ci_low``, ``ci_high``, ``p_value``, ``accuracy_base``,
            ``accuracy_new`` (digits, or mean targets reached per start for runs), ``status_base``,
            ``status_new``, ``verdict``, ``kinds`` (regression kinds, comma-separated),
            ``reasons`` (one line per finding, ``; ``-separated) and ``timing`` (``slower``,
            ``faster`` or empty: the row's timing verdict).
        threshold: Relative timing change that counts (0.10 is 10%).
        confidence: Coverage of the intervals; significance level is ``1 - confidence``.
        normalized: Whether timings were divided by each result set's calibration timing.
        base_labels: Result-set labels on the BASE side.
        new_labels: Result-set labels on the NEW side.
        noise_sigma: Robust spread of log timing ratios across rows (nan: too few rows).
        effective_threshold: The threshold applied: ``threshold`` raised to the noise floor.
        incomplete: Why NEW cannot pass whatever its rows say: a result set whose status is
            not ``complete`` (interrupted, still running), or no measurement at all. Any
            entry fails the gate (``failed``), whichever kinds it fails on.
        environment: What differs between BASE's and NEW's environments, one line each.
        timing_withheld: The sides are different machines: no timing verdicts were given.
    """

    rows: pd.DataFrame
    threshold: float
    confidence: float
    normalized: bool
    base_labels: list[str] = field(default_factory=list)
    new_labels: list[str] = field(default_factory=list)
    noise_sigma: float = math.nan
    effective_threshold: float = math.nan
    incomplete: list[str] = field(default_factory=list)
    environment: list[str] = field(default_factory=list)
    timing_withheld: bool = False

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
        """Whether anything regressed in ``kinds``, or NEW is incomplete (the gate's exit)."""
        return bool(self.incomplete) or not self.regressions(kinds).empty


def compare(
    base: list[str | Path] | Results,
    new: list[str | Path] | Results,
    *,
    threshold: float = 0.10,
    confidence: float = 0.99,
    normalize: bool = False,
    noise_floor: bool = True,
    corroborate: bool = True,
    seed: int = 0,
    allow_missing: bool = False,
    across_machines: bool = False,
) -> Comparison:
    """Compare NEW results against BASE results.

    Args:
        base: Paths (result sets, folders, Parquet, pytest-benchmark JSON) or loaded ``Results``.
        new: The same for the new side.
        threshold: Relative timing change that counts, e.g. 0.10 for 10%.
        confidence: Confidence of the bootstrap interval; the U test's level is ``1 - confidence``.
        normalize: Divide every timing by its result set's ``calibration_s``.
        noise_floor: Raise the threshold to the session-to-session noise measured across rows
            (see ``_timing``); off, the threshold is used as given.
        corroborate: A row's timing verdict also needs its method's rows on that device (3 or
            more) to have moved the same way by more than ``threshold`` (``group_shift``).
        seed: Seed of the bootstrap.
        allow_missing: A row of BASE absent from NEW is listed, not a status regression.
        across_machines: Give timing verdicts even when the sides are different machines.

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
    merged = merged.join(group_shift(merged))
    if not corroborate:
        merged["group_rows"] = 0
    sigma, tested = noise_sigma(merged["ratio"]) if noise_floor else (math.nan, 0)
    used = effective_threshold(threshold, sigma, tested, 1.0 - confidence)
    options = dict(threshold=threshold, confidence=confidence, normalize=normalize, seed=seed)
    options |= dict(noise_floor=noise_floor, corroborate=corroborate)
    options |= dict(allow_missing=allow_missing, across_machines=across_machines)
    agreement = session_agreement(base, new, lambda b, n: compare(b, n, **options))
    if agreement is not None:
        merged = merged.merge(agreement, on=list(KEY), how="left")
    environment, withheld = _environments(base, new, normalize or across_machines)
    judge = dict(timing=not withheld, allow_missing=allow_missing)
    judged = [
        _judge(row, (threshold, used), confidence, **judge) for row in merged.to_dict("records")
    ]
    rows = pd.DataFrame(judged, columns=_OUTPUT_COLUMNS)
    order = {v: i for i, v in enumerate(VERDICTS)}
    rows["n_sort"] = pd.to_numeric(rows["n"], errors="coerce")
    columns = ["verdict", "table", "function", "method", "dtype", "n_sort"]
    rows = rows.sort_values(columns, key=_sort_key(order)).drop(columns="n_sort")
    return Comparison(
        rows.reset_index(drop=True),
        threshold,
        confidence,
        normalize,
        base.labels,
        new.labels,
        noise_sigma=sigma,
        effective_threshold=used,
        incomplete=incomplete_sets(new),
        environment=environment,
        timing_withheld=withheld,
    )


def _environments(base: Results, new: Results, timing_anyway: bool) -> tuple[list[str], bool]:
    """What differs between the first result set of each side; whether to withhold timing."""
    from .._environment import differences, same_machine

    if not base.metadata or not new.metadata:
        return [], False
    b, n = base.metadata[0], new.metadata[0]
    known = all(m.get("cpu_model") for m in (b, n))
    return differences(b, n, skip=("diffbench",)), known and not same_machine(b, n) and not (
        timing_anyway
    )


def incomplete_sets(new: Results) -> list[str]:
    """Why NEW is not a finished measurement: sets not ``complete``, or no rows at all.

    A result set's status is read from its ``metadata.json``; pytest-benchmark JSON and lone
    Parquet files outside a set carry none and count as complete.
    """
    out = [
        f"{meta['result_set']} has status {meta.get('status')!r}, not 'complete' "
        "(interrupted or still running: finish it with --resume)"
        for meta in new.metadata
        if (Path(meta.get("path", "")) / "metadata.json").is_file()
        and meta.get("status") != "complete"
    ]
    if new.gradients.empty and new.runs.empty:
        out.append("NEW holds no measurements (no gradients or runs rows)")
    return out


_OUTPUT_COLUMNS = [
    *KEY,
    *("base_s", "new_s", *STATS, "samples_base", "samples_new"),
    *("accuracy_base", "accuracy_new", "status_base", "status_new", "verdict", "kinds", "reasons"),
    "timing",
]


def _sort_key(order: dict[str, int]) -> Callable[[pd.Series], pd.Series]:
    def key(column: pd.Series) -> pd.Series:
        if column.name == "verdict":
            return column.map(order)
        return column if column.name == "n_sort" else column.astype(str)

    return key


def _present(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _judge(
    row: dict[str, Any],
    thresholds: tuple[float, float],
    confidence: float,
    timing: bool = True,
    allow_missing: bool = False,
) -> dict[str, Any]:
    """Verdict, regression kinds and reasons for one merged row."""
    out = {k: row[k] for k in KEY} | {"timing": ""}
    for side in ("base", "new"):
        out[f"{side}_s"] = row.get(f"median_s_{side}", math.nan)
        out[f"accuracy_{side}"] = row.get(f"accuracy_{side}", math.nan)
        out[f"status_{side}"] = row.get(f"status_{side}")
        samples = row.get(f"samples_{side}")
        out[f"samples_{side}"] = len(samples) if isinstance(samples, np.ndarray) else 0
    out.update({k: row[k] for k in STATS})
    if not _present(row.get("status_base")):
        return {**out, "verdict": "new", "kinds": "", "reasons": "only in NEW"}
    if not _present(row.get("status_new")):
        if allow_missing:
            return {**out, "verdict": "missing", "kinds": "", "reasons": "only in BASE"}
        reason = "only in BASE: a status regression (--allow-missing to accept)"
        return {**out, "verdict": "missing", "kinds": "status", "reasons": reason}
    worse, better, notes = status_findings(row)
    if row["status_base"] == "ok" and row["status_new"] == "ok":
        if timing:
            out["timing"] = timing_findings(row, thresholds, confidence, (worse, better, notes))
        cost_findings(row, worse)
    accuracy_findings(row, worse, better)
    verdict = "regressed" if worse else "improved" if better else "unchanged"
    kinds = ",".join(dict.fromkeys(kind for kind, _ in worse))
    reasons = "; ".join([text for _, text in worse] + better + notes)
    return {**out, "verdict": verdict, "kinds": kinds, "reasons": reasons}
