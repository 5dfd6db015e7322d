"""The session runner: a suite in, a result set on disk out, one case at a time.

``run_suite`` expands the suite into cases, skips those already on disk (``resume``), and
measures the rest in groups that share a point: for each (function, n, dtype, device) it
times ``jit(f)`` first, then every method, so each ``cost_ratio`` divides timings taken
seconds apart in one process. Every finished case is appended to the result set's journal
and flushed before the next starts; a failing case becomes one row with ``status="error"``
and a message that starts with the case's identity. The tables are compacted to Parquet
every ``CHECKPOINT_S`` seconds and when the session ends (or is interrupted).
"""

from __future__ import annotations

import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import DiffbenchError, describe
from .._x64 import x64
from ..results import DEFAULT_ROOT, ResultSet, latest_result_set, timestamp_now
from . import environment
from .cases import GradientCase, RunCase, StudyCase, SweepCase
from .measure import Point, empty_row, make_point, measure_gradient, with_bandwidth
from .progress import progress_bar
from .studies import measure_study, study_error_row
from .suites import Suite, load_suite
from .workloads import measure_run, measure_sweep, run_error_row, sweep_error_row

CHECKPOINT_S = 30.0
"""Seconds between Parquet checkpoints of a running session."""


@dataclass
class SessionResult:
    """What a session produced.

    Attributes:
        path: the result-set folder.
        statuses: row count per status (``ok``, ``skipped``, ``error``, ``retraced``).
        ran: cases measured by this call.
        skipped_done: cases already on disk (``resume``).
        wall_s: seconds the session took.
        left: cases not started because the time budget ran out (``--resume`` runs them).
    """

    path: Path
    statuses: dict[str, int] = field(default_factory=dict)
    ran: int = 0
    skipped_done: int = 0
    wall_s: float = 0.0
    left: int = 0


def resolve_devices(requested: list[str] | tuple[str, ...]) -> list[str]:
    """Turn ``cpu``/``gpu``/``all`` into the JAX platforms to run on.

    Raises:
        DiffbenchError: ``gpu`` was asked for and JAX sees none.
    """
    present = [p for p in ("cpu", "gpu") if environment.available_devices(p)]
    out: list[str] = []
    for name in requested:
        if name == "all":
            out += present
        elif name not in present:
            raise DiffbenchError(
                f"No {name.upper()} available: JAX sees only {', '.join(present)}. "
                "Use --device cpu, or --device all to run on whatever is present."
            )
        else:
            out.append(name)
    return list(dict.fromkeys(out))


@x64
def run_suite(
    suite: str | Path | Suite,
    *,
    device: str | None = None,
    dtype: str | None = None,
    out: str | Path = DEFAULT_ROOT,
    resume: bool = False,
    quiet: bool = False,
    select: Callable[[Any], bool] | None = None,
    budget_s: float | None = None,
) -> SessionResult:
    """Run a suite and return where its result set is.

    Args:
        suite: a built-in suite name, a TOML path, or a ``Suite``.
        device: ``cpu``, ``gpu`` or ``all`` (None: the suite's devices).
        dtype: ``float32``, ``float64`` or ``all`` (None or ``all``: the suite's dtypes).
        out: the results root; the set goes to ``<out>/<machine>/<timestamp>-<suite>/``.
        resume: continue the newest unfinished (status not ``complete``) result set of this
            suite on this machine under ``out`` (a fresh one if there is none), skipping the
            cases already on disk. A set another process is writing is an error.
        quiet: no progress bar.
        select: keep only the cases for which ``select(case)`` is true (``Selection``).
        budget_s: start no new case after this many seconds; the set stays ``interrupted``
            so ``resume`` finishes it.

    Example:
        >>> result = run_suite("smoke", out="/tmp/diffbench-runs")  # doctest: +SKIP
    """
    started = time.perf_counter()
    spec = suite if isinstance(suite, Suite) else load_suite(suite)
    check_root(Path(out))
    devices = resolve_devices([device] if device else list(spec.devices))
    dtypes = None if dtype in (None, "all") else [dtype]
    cases = [c for c in spec.cases(devices, dtypes) if select is None or select(c)]
    if not cases:
        raise DiffbenchError(
            f"Suite {spec.name} has no case for devices {devices}, {dtype} and the filters given."
        )
    results = _open(spec, out, resume, devices)
    todo = [c for c in cases if c.key() not in results.done(c.table)]
    runner = _Runner(results)
    with progress_bar(len(cases), len(cases) - len(todo), quiet) as bar:
        try:
            done = 0
            for case in todo:
                if budget_s is not None and time.perf_counter() - started > budget_s:
                    break
                bar.start(case.label())
                runner.run(case)
                bar.advance()
                done += 1
            bar.finish()
        except BaseException:
            results.close(status="interrupted")
            raise
    results.metadata.update(wall_s=time.perf_counter() - started)
    results.close(status="complete" if done == len(todo) else "interrupted")
    return SessionResult(
        path=results.path,
        statuses=_statuses(results),
        ran=done,
        skipped_done=len(cases) - len(todo),
        wall_s=time.perf_counter() - started,
        left=len(todo) - done,
    )


def check_root(out: Path) -> None:
    """Make sure results can be written under ``out`` before any measurement starts.

    Raises:
        DiffbenchError: ``out`` is a file, or cannot be created or written (read-only, full).
    """
    if out.exists() and not out.is_dir():
        raise DiffbenchError(f"--out {out} is a file; give a folder for result sets.")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise DiffbenchError(f"Cannot write result sets to {out}: {exc.strerror or exc}.") from None


def _open(spec: Suite, out: str | Path, resume: bool, devices: list[str]) -> ResultSet:
    machine = environment.machine_id()
    if resume:
        found = latest_result_set(out, spec.name, machine, unfinished=True)
        if found is not None:
            results = ResultSet(found)
            results.open_for_writing()  # the lock: a second --resume of this set stops here
            results.update_metadata(status="running", resumed=timestamp_now())
            return results
    meta = environment.fingerprint(calibrate=False)
    meta["calibration_s"] = {d: environment.calibration_seconds(d) for d in devices}
    meta["copy_bandwidth_gbs"] = {d: environment.copy_bandwidth_gbs(d) for d in devices}
    meta["dispatch_s"] = {d: environment.dispatch_seconds(d) for d in devices}
    meta.update(suite_source=spec.source, seed=spec.seed, devices=devices, started=timestamp_now())
    from .. import plugins

    meta["plugins"] = plugins.loaded()  # {module: where it was named}; failures stay errors
    return ResultSet.create(out, spec.name, meta)


def _statuses(results: ResultSet) -> dict[str, int]:
    """Count cases by status (a sweep or run case with an error row counts as ``error``)."""
    counts: Counter[str] = Counter()
    for (table, _key), tables in results.entries().items():
        rows = tables[table]
        statuses = {str(r.get("status")) for r in rows}
        counts[
            statuses.pop() if len(statuses) == 1 else "error" if "error" in statuses else "ok"
        ] += 1
    return dict(counts)


class _Runner:
    """Measures cases in order, keeping the current group's point and the truths it needs."""

    def __init__(self, results: ResultSet) -> None:
        self.results = results
        self.run_id = results.run_id
        self.bandwidth = results.metadata.get("copy_bandwidth_gbs") or {}
        self.last_checkpoint = time.monotonic()
        self.group: tuple[Any, ...] | None = None
        self.point: Point | BaseException | None = None
        self.truths: dict[tuple[str, int, bytes], Any] = {}

    def run(self, case: GradientCase | SweepCase | RunCase) -> None:
        """Measure ``case``, append its rows to the journal, checkpoint now and then."""
        more: dict[str, list[dict[str, Any]]] = {}
        try:
            rows, more = self._measure(case)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - one case never stops a session
            rows = [self._error_row(case, f"{case.label()}: {_describe(exc)}")]
        self.results.append(case.table, case.key(), rows, more)
        if time.monotonic() - self.last_checkpoint > CHECKPOINT_S:
            self.results.write_tables()
            self.last_checkpoint = time.monotonic()

    def _measure(self, case: GradientCase | SweepCase | RunCase) -> tuple[list[dict], dict]:
        """Return the case's rows and its rows of other tables."""
        if isinstance(case, SweepCase):
            return measure_sweep(case, self.run_id), {}
        if isinstance(case, RunCase):
            runs, traces = measure_run(case, self.run_id, self.bandwidth.get(case.device))
            return runs, {"traces": traces}
        if isinstance(case, StudyCase):
            return measure_study(case, self.run_id), {}
        point = self._point(case)
        row = measure_gradient(case, point, self.run_id, self._truth(case.function))
        return [with_bandwidth(row, self.bandwidth.get(case.device))], {}

    def _point(self, case: GradientCase) -> Point:
        if case.group != self.group:
            self.group, self.point = case.group, None  # free the last point before the next
            try:
                self.point = make_point(*case.group, policy=case.timing)
            except Exception as exc:  # noqa: BLE001 - every case of the group reports it
                self.point = exc
        if isinstance(self.point, BaseException):
            raise self.point
        assert self.point is not None
        return self.point

    def _truth(self, function: str) -> Any:
        def reference(point: Point) -> Any:
            import numpy as np

            from .references import reference_for

            x64 = np.asarray(point.x, dtype=np.float64)
            key = (function, x64.shape[0], x64.tobytes())
            if key not in self.truths:
                self.truths = {k: v for k, v in self.truths.items() if k[1] <= 64}
                self.truths[key] = reference_for(function, x64)
            return self.truths[key]

        return reference

    def _error_row(self, case: Any, message: str) -> dict[str, Any]:
        if isinstance(case, SweepCase):
            return sweep_error_row(case, self.run_id, message)
        if isinstance(case, RunCase):
            return run_error_row(case, self.run_id, message)
        if isinstance(case, StudyCase):
            return study_error_row(case, self.run_id, message)
        row = empty_row(case, self.run_id)
        row.update(status="error", error=message)
        return row


def _describe(exc: BaseException) -> str:
    """One line: the exception type and the first line of its message, plus where it arose."""
    message = describe(exc)
    if isinstance(exc, DiffbenchError):
        return message
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        message += f" (at {Path(last.filename).name}:{last.lineno})"
    return message
