"""The paired run: both revisions' cases measured interleaved, round after round, in one go.

Two workers (one per side, each on its own checkout) compile every case once ("setup", both
workers on the same case at once). Then ``rounds`` rounds: each round visits the cases in a
fresh random order and times each case on both sides back to back, the side that goes first
alternating from case to case (A B, B A, A B, ...), so the two figures of a pair are taken
within the same few milliseconds and a machine that drifts (another job starting, a clock
change) moves both. A round's figure per side is the fastest of its ``samples`` samples
(seconds per call): on a shared machine a sample can only be lengthened by another process
taking the core, so the minimum of many short samples (15 of 0.3 ms by default: short enough
that most run within one scheduler slice) is the steadiest figure of the call. Measured on the
2-core machine at load average 12: the spread of a case's per-round log-ratio was 0.033 with
these settings and both workers pinned to one core, 0.071 unpinned, and about 0.5 with 5
samples of 2 ms. (Until issue 9's second round the command's default was 2 ms samples, not
0.3 ms: at load 10-15, ten A/A runs with 15 samples of 2 ms had a median per-case spread
(MAD) of 0.05-0.14 and method-level detection limits of 12-50%; one with 0.3 ms, 0.037 and
9-12%, and it took 90 s instead of 140-150 s.)
Ctrl-C stops after the pair in flight; completed pairs are kept, and each completed round is
appended to ``pairs.csv`` as it ends (a run killed outright keeps its finished rounds too).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..harness.cases import GradientCase, RunCase
from ..harness.progress import progress_bar
from ._revisions import Side
from ._workers import WorkerProcess, gate_cpu

SIDES = ("base", "head")


@dataclass
class CaseRecord:
    """Everything measured for one case on both sides.

    Attributes:
        case: the case.
        setup: per side, the worker's setup answer (status, setup_s, compiles, costs ...).
        rounds: per side, the fastest sample (seconds per call) of each completed round.
        samples: per side, every sample (seconds per call).
        timed: per side, calls, compilations and traces while timing.
    """

    case: GradientCase
    setup: dict[str, dict[str, Any]] = field(default_factory=dict)
    rounds: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SIDES})
    samples: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SIDES})
    timed: dict[str, dict[str, int]] = field(
        default_factory=lambda: {s: {"calls": 0, "compiles": 0, "traces": 0} for s in SIDES}
    )

    @property
    def batch(self) -> int:
        """Calls per sample on both sides: the larger of the two calibrations.

        One batch for both sides: a per-call figure includes the per-sample overhead divided
        by the batch, so sides timed with different batches would differ by that alone.
        """
        return max(int(self.setup.get(s, {}).get("batch") or 1) for s in SIDES)

    @property
    def ok(self) -> bool:
        """Both sides set the case up."""
        return all(self.setup.get(s, {}).get("status") == "ok" for s in SIDES)

    def pairs(self) -> np.ndarray:
        """Completed pairs as an array of shape (rounds, 2): base, head seconds per call."""
        k = min(len(self.rounds["base"]), len(self.rounds["head"]))
        return np.column_stack([self.rounds["base"][:k], self.rounds["head"][:k]])


@dataclass
class PairedRun:
    """The outcome of a paired run.

    Attributes:
        sides: the two sides (base, head).
        fingerprints: per side, the worker's environment fingerprint.
        records: one per gradient case, in suite order.
        optimizer: per optimizer case, each side's answer (its ``runs`` rows).
        rounds: rounds asked for; ``completed`` rounds finished.
        wall_s: per side, seconds its worker spent on setup and timing.
        interrupted: Ctrl-C stopped it early.
    """

    sides: list[Side]
    fingerprints: dict[str, dict[str, Any]]
    records: list[CaseRecord]
    rounds: int
    completed: int = 0
    wall_s: dict[str, float] = field(default_factory=lambda: dict.fromkeys(SIDES, 0.0))
    interrupted: bool = False
    optimizer: list[tuple[RunCase, dict[str, dict[str, Any]]]] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    """How to measure: rounds, samples per round, seconds per sample, the order's seed, and
    whether both workers are pinned to one core; the suite's plugins each worker loads."""

    rounds: int = 15
    samples: int = 15
    sample_s: float = 0.0003
    seed: int = 0
    timing: bool = True
    pin: bool = True
    plugins: tuple[str, ...] = ()


def run_paired(
    sides: list[Side],
    cases: list[GradientCase],
    plan: Plan,
    python: str | Mapping[str, str],
    logs: Path,
    quiet: bool = False,
    runs: tuple[RunCase, ...] = (),
) -> PairedRun:
    """Start one worker per side, set every case up, then time the rounds (module docstring).

    Optimizer cases (``runs``) run once per side, both sides at once, after the setup: their
    steps to each target are compared exactly, not timed. ``python`` is the interpreter of
    both workers, or one per side (``{"base": ..., "head": ...}``): each side can run in its
    own environment. Each completed round is appended to ``logs / "pairs.csv"``.

    Returns:
        The paired run; ``interrupted`` is set if Ctrl-C stopped it (what finished is kept).
    """
    logs.mkdir(parents=True, exist_ok=True)
    cpu = gate_cpu() if plan.pin else -1
    pythons = python if isinstance(python, Mapping) else dict.fromkeys(SIDES, python)
    workers = {
        s.name: WorkerProcess(s, pythons[s.name], logs / f"worker-{s.name}.log", cpu) for s in sides
    }
    run = PairedRun(sides, {}, [CaseRecord(c) for c in cases], plan.rounds)
    try:
        run.fingerprints = {
            name: w.ask({"op": "hello", "plugins": list(plan.plugins)})
            for name, w in workers.items()
        }
        total = len(cases) * (1 + (plan.rounds if plan.timing else 0))
        with progress_bar(total, 0, quiet) as bar:
            _setup_all(run, workers, plan, bar)
            _optimize_all(run, workers, runs)
            if plan.timing:
                _rounds(run, workers, plan, bar, logs / "pairs.csv")
            bar.finish()
    except KeyboardInterrupt:
        run.interrupted = True
    finally:
        for worker in workers.values():
            worker.close()
    return run


def _order(index: int, flip: int) -> tuple[str, str]:
    return SIDES if (index + flip) % 2 == 0 else SIDES[::-1]


def _ask(run: PairedRun, worker: WorkerProcess, request: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    answer = worker.ask(request)
    run.wall_s[worker.side.name] += time.perf_counter() - start
    return answer


def _setup_all(run: PairedRun, workers: dict[str, WorkerProcess], plan: Plan, bar: Any) -> None:
    """Set each case up on both workers at once (the two sides share the machine alike)."""
    for index, record in enumerate(run.records):
        bar.start(f"setup {record.case.label()}")
        case = {
            "function": record.case.function,
            "n": record.case.n,
            "dtype": record.case.dtype,
            "device": record.case.device,
            "method": record.case.method,
            "params": record.case.params,
        }
        request = {"op": "setup", "id": str(index), "case": case, "sample_s": plan.sample_s}
        start = time.perf_counter()
        for side in _order(index, 0):
            workers[side].send(request)
        for side in SIDES:
            record.setup[side] = workers[side].receive()
        for side in SIDES:
            run.wall_s[side] += time.perf_counter() - start
        bar.advance()


def _optimize_all(
    run: PairedRun, workers: dict[str, WorkerProcess], runs: tuple[RunCase, ...]
) -> None:
    for case in runs:
        fields = ("function", "n", "dtype", "device", "optimizer", "lr", "steps", "starts")
        request = {"op": "optimize", "case": {f: getattr(case, f) for f in fields}}
        request["case"].update(seed=case.seed, batch=case.batch)
        for side in SIDES:
            workers[side].send(request)
        run.optimizer.append((case, {side: workers[side].receive() for side in SIDES}))


PAIRS_HEADER = ["function", "n", "dtype", "method", "round", *(f"{s}_s" for s in SIDES)]
"""Columns of ``pairs.csv``: one row per case and round, both sides' seconds per call."""


def append_round(path: Path, records: list[CaseRecord], index: int) -> None:
    """Append round ``index`` of every record that completed it to the CSV at ``path``."""
    new = not path.exists()
    with open(path, "a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(PAIRS_HEADER)
        for record in records:
            pairs = record.pairs()
            if len(pairs) > index:
                c, (b, h) = record.case, pairs[index]
                writer.writerow([c.function, c.n, c.dtype, c.method, index, float(b), float(h)])


def _rounds(
    run: PairedRun, workers: dict[str, WorkerProcess], plan: Plan, bar: Any, pairs: Path
) -> None:
    rng = np.random.default_rng(plan.seed)
    usable = [i for i, r in enumerate(run.records) if r.ok]
    for round_index in range(plan.rounds):
        flip = int(rng.integers(2))
        for position, index in enumerate(rng.permutation(usable)):
            record = run.records[int(index)]
            bar.start(f"round {round_index + 1}/{plan.rounds} {record.case.label()}")
            for side in _order(position, flip):
                request = {"op": "time", "id": str(index), "samples": plan.samples}
                answer = _ask(run, workers[side], {**request, "batch": record.batch})
                record.rounds[side].append(float(np.min(answer["samples"])))
                record.samples[side].extend(answer["samples"])
                for key in ("calls", "compiles", "traces"):
                    record.timed[side][key] += int(answer.get(key, 0))
            bar.advance()
        run.completed = round_index + 1
        append_round(pairs, run.records, round_index)
        for _ in range(len(run.records) - len(usable)):
            bar.advance()
