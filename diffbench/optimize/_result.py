"""``OptimizeResult``: the arrays of one ``minimize`` call and its rows of the ``runs`` table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..results.schema import RUN_COLUMNS
from ._targets import NEVER

COLUMNS = RUN_COLUMNS
"""The columns of the ``runs`` table, in order (``diffbench.results.schema.RUNS``)."""

STATUS = {
    "ok": "The run used its whole step budget with finite losses.",
    "converged": "The run stopped early: its gradient norm fell to tol or it reached the last "
    "target.",
    "diverged": "The loss became non-finite (inf or nan); see diverged_at for the step.",
}
"""Every value of the ``status`` column, with what it means."""


@dataclass(frozen=True, eq=False)
class OptimizeResult:
    """The outcome of ``R`` runs (starts x learning rates x seeds) of one compiled runner.

    Arrays have the runs on their last axis (trace) or first axis (everything else); run ``r``
    used start ``start[r]``, learning rate ``lr[r]`` and seed ``seed[r]``.

    Attributes:
        x0: each run's starting point, shape ``(R, n)`` (float64, before the cast to dtype).
        x_final: final iterates, shape ``(R, n)``.
        f_final: the objective at ``x_final``, shape ``(R,)`` (non-finite for diverged runs).
        trace: loss at ``trace_steps``, shape ``(P, R)``, one column per run; NaN after a run
            stopped (tolerance mode) or where the loop ended before that step.
        trace_steps: the step of each trace row, shape ``(P,)``: multiples of ``trace_every``
            and the final step.
        targets: the COCO targets, shape ``(T,)``; ``f_ref`` is the value they sit above and
            ``f_ref_known`` whether it is the true optimum (else the best loss found).
        hit_step, hit_evals: first step, and gradient evaluations spent, at which each run
            reached each target, shape ``(R, T)``; ``-1`` where never.
        diverged_at: first step with a non-finite loss, ``-1`` if none, shape ``(R,)``.
        stopped_at: step at which a tolerance run stopped, ``-1`` if it did not.
        evals: gradient evaluations spent by each run (minibatch gradients count one each).
        step_time_s: median wall seconds per loop step of the whole batch of runs.
        times_s: wall seconds of every timed call (the raw samples of the median).
        compile_s: seconds spent compiling (0.0 when the runner came from the cache).
        steps_done: steps the loop ran (less than ``steps`` when every run stopped early).
        min_bytes: the least memory traffic of one loop step of the whole batch, in bytes:
            every run reads and writes its iterate and its optimizer state (GD ``2 n``,
            momentum ``4 n``, Adam ``6 n`` itemsize per run). Minibatch reads are not counted.
        devices: the devices the runs were split over (1: not sharded); the ``runs`` table
            also has ``processes``, the processes of the JAX session (``jax.distributed``),
            and ``runs``, the runs of the call (its throughput is ``runs * steps_per_s``).
    """

    function: str
    n: int
    dtype: str
    device: str
    optimizer: str
    batch: int | None
    steps: int
    run_id: str
    x0: np.ndarray
    x_final: np.ndarray
    f_final: np.ndarray
    trace: np.ndarray
    trace_steps: np.ndarray
    lr: np.ndarray
    start: np.ndarray
    seed: np.ndarray
    targets: np.ndarray
    f_ref: float
    f_ref_known: bool
    hit_step: np.ndarray
    hit_evals: np.ndarray
    diverged_at: np.ndarray
    stopped_at: np.ndarray
    evals: np.ndarray
    step_time_s: float
    times_s: list[float] = field(repr=False)
    compile_s: float
    steps_done: int
    min_bytes: float = float("nan")
    devices: int = 1

    @property
    def runs(self) -> int:
        """The number of runs ``R``."""
        return int(self.f_final.shape[0])

    @property
    def diverged(self) -> np.ndarray:
        """Whether each run's loss became non-finite, shape ``(R,)``."""
        return self.diverged_at != NEVER

    @property
    def status(self) -> np.ndarray:
        """Each run's status (a key of ``STATUS``), shape ``(R,)``."""
        converged = np.where(self.stopped_at != NEVER, "converged", "ok")
        return np.where(self.diverged, "diverged", converged)

    @property
    def run_step_s(self) -> float:
        """Seconds per step charged to one run: the batch's step time shared by its runs."""
        return self.step_time_s / self.runs

    @property
    def gb_per_s(self) -> float:
        """``min_bytes`` over the median step time, in GB/s (1e9 bytes a second)."""
        return self.min_bytes / self.step_time_s / 1e9 if self.step_time_s > 0 else np.nan

    def best(self) -> int:
        """Index of the run with the lowest finite final loss (0 when none is finite)."""
        f = np.where(np.isfinite(self.f_final), self.f_final, np.inf)
        return int(np.argmin(f))

    def summary(self) -> pd.DataFrame:
        """One row per run: start, lr, seed, f_final, status, diverged_at, stopped_at, evals."""
        return pd.DataFrame(
            {
                "start": self.start,
                "lr": self.lr,
                "seed": self.seed,
                "f_final": self.f_final.astype(np.float64),
                "status": self.status,
                "diverged_at": _or_na(self.diverged_at),
                "stopped_at": _or_na(self.stopped_at),
                "evals": self.evals.astype(np.int64),
            }
        )

    def table(
        self, run_id: str | None = None, subset: Any = None, copy_gbs: float | None = None
    ) -> pd.DataFrame:
        """The ``runs`` table: one row per run and target, with the columns of ``COLUMNS``.

        Times are charged per run: the batch advances all its runs at once, so a run's step
        costs ``step_time_s / runs`` (``run_step_s``); ``steps_per_s`` is its inverse and
        ``time_to_target_s`` is ``steps_to_target * run_step_s``. ``batch`` is the minibatch
        size (missing for full-batch gradients); ``f_target`` is ``f_ref + 10^k``. The step a
        run diverged at is in ``summary()`` and ``diverged_at``.

        Args:
            run_id: the identifier to write in every row (default: this call's ``run_id``).
            subset: indices of the runs to include (default: all), e.g. an evenly spaced
                sample of a very large batch; times stay charged over the whole batch.
            copy_gbs: the device's copy bandwidth in GB/s (a session's metadata); with it
                ``bandwidth_fraction`` is ``gb_per_s / copy_gbs``, else missing. ``min_bytes``
                and ``gb_per_s`` are the call's (see the attributes), the same in every row.

        Example:
            >>> import diffbench
            >>> res = diffbench.optimize.minimize("sphere", "sgd", 10, starts=3)
            >>> res.table(subset=[0, 2]).shape
            (22, 26)
        """
        picked = np.arange(self.runs) if subset is None else np.asarray(subset, dtype=np.int64)
        goals = len(self.targets)
        hit_step, hit_evals = self.hit_step[picked], self.hit_evals[picked]
        hit = hit_step != NEVER
        per_run = {
            "lr": self.lr.astype(np.float64),
            "start": self.start.astype(np.int64),
            "seed": self.seed.astype(np.int64),
            "f_final": self.f_final.astype(np.float64),
            "diverged": self.diverged,
            "status": self.status,
        }
        rows = {key: np.repeat(v[picked], goals) for key, v in per_run.items()}
        size = len(picked) * goals
        return pd.DataFrame(
            {
                "run_id": run_id or self.run_id,
                "function": self.function,
                "n": self.n,
                "dtype": self.dtype,
                "device": self.device,
                "optimizer": self.optimizer,
                "lr": rows["lr"],
                "batch": pd.array([self.batch] * size, dtype="Int64"),
                "steps": self.steps,
                "start": rows["start"],
                "seed": rows["seed"],
                "f_final": rows["f_final"],
                "f_target": np.tile(self.targets.astype(np.float64), len(picked)),
                "hit_target": hit.ravel(),
                "steps_to_target": _or_na(hit_step.ravel()),
                "grad_evals_to_target": _or_na(hit_evals.ravel()),
                "time_to_target_s": np.where(hit, hit_step * self.run_step_s, np.nan).ravel(),
                "steps_per_s": 1.0 / self.run_step_s if self.run_step_s > 0 else np.inf,
                "diverged": rows["diverged"],
                "status": rows["status"],
                "min_bytes": self.min_bytes,
                "gb_per_s": self.gb_per_s,
                "bandwidth_fraction": self.gb_per_s / copy_gbs if copy_gbs else np.nan,
                "devices": self.devices,
                "processes": _processes(),
                "runs": self.runs,
            },
            columns=COLUMNS,
        )


def _processes() -> int:
    """The processes of the JAX session this one belongs to (1 unless ``jax.distributed``)."""
    import jax

    return int(jax.process_count())


def _or_na(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Integer steps as a nullable ``Int64`` array, missing where ``NEVER``."""
    values = np.asarray(values, dtype=np.int64)
    return pd.arrays.IntegerArray(values, values == NEVER)
