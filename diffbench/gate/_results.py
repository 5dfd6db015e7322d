"""Writing a paired run: both sides as ordinary result sets, the paired rounds, the comparison.

Layout under ``<out>/<timestamp>-<suite>-<base>-<head>/``:

- ``base/<machine>/<stamp>-<suite>/`` and ``head/...``: result sets that ``diffbench report``
  and ``diffbench compare`` read (one ``gradients`` row per case; ``samples`` holds every
  sample of every round, ``time_median_s`` the median of the round figures, ``compiles`` the
  XLA compilations of its setup, ``retraces`` the traces while it was timed);
- ``pairs.csv``: one row per case and round: both sides' seconds per call (appended round by
  round while the run goes on);
- ``comparison.md``: the gate's report;
- ``worker-base.log``, ``worker-head.log``: the workers' stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..results import ResultSet, timestamp_now
from ._runner import CaseRecord, PairedRun, append_round


def run_folder(out: Path, suite: str, run_sides: list[Any]) -> Path:
    """Return a fresh folder for one paired run under ``out``."""
    base, head = (s.commit[:9] for s in run_sides)
    folder = Path(out) / f"{timestamp_now()}-{suite}-{base}-{head}"
    suffix = 2
    while folder.exists():
        folder, suffix = Path(f"{folder}-{suffix}"), suffix + 1
    folder.mkdir(parents=True)
    return folder


def write_sides(run: PairedRun, folder: Path, suite: str) -> dict[str, Path]:
    """Write each side as a result set; return their folders."""
    paths = {}
    for side in run.sides:
        meta = dict(run.fingerprints.get(side.name, {}))
        meta.update(
            machine=meta.get("machine") or "unknown",
            commit=side.commit,
            revision=side.spec,
            paired={"side": side.name, "rounds": run.completed, "worker_s": run.wall_s[side.name]},
        )
        results = ResultSet.create(folder / side.name, suite, meta)
        for record in run.records:
            results.append("gradients", record.case.key(), [_row(record, side.name, results)])
        for case, answers in run.optimizer:
            rows = [{**r, "run_id": results.run_id} for r in answers[side.name].get("rows", [])]
            if rows:
                results.append("runs", case.key(), rows)
        results.close(status="interrupted" if run.interrupted else "complete")
        paths[side.name] = results.path
    _write_pairs(run, folder / "pairs.csv")
    return paths


def _row(record: CaseRecord, side: str, results: ResultSet) -> dict[str, Any]:
    case, setup = record.case, record.setup.get(side, {})
    rounds = record.rounds[side]
    samples = record.samples[side]
    q1, q3 = np.percentile(samples, [25, 75]) if samples else (np.nan, np.nan)
    return {
        "run_id": results.run_id,
        "function": case.function,
        "n": case.n,
        "dtype": case.dtype,
        "device": case.device,
        "method": case.method,
        "params": case.params,
        "status": setup.get("status", "error"),
        "error": setup.get("error"),
        "compile_s": setup.get("compile_s"),
        "time_median_s": float(np.median(rounds)) if rounds else None,
        "time_min_s": float(np.min(samples)) if samples else None,
        "time_iqr_s": float(q3 - q1) if samples else None,
        "repeats": len(samples),
        "samples": samples,
        "flops": setup.get("flops"),
        "bytes_accessed": setup.get("bytes_accessed"),
        "temp_bytes": setup.get("temp_bytes"),
        "retraces": record.timed[side]["traces"],
        "compiles": setup.get("compiles"),
    }


def _write_pairs(run: PairedRun, path: Path) -> None:
    """Rewrite ``pairs.csv`` whole: every completed pair (a round cut short included)."""
    path.unlink(missing_ok=True)
    for index in range(max((len(r.pairs()) for r in run.records), default=0)):
        append_round(path, run.records, index)
