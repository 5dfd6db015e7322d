"""COCO-style targets: ``f_opt + 10^k`` for ``k = 2, 1, ..., -8``.

Where the optimum is known (the registry's ``f_opt``, or ``minimize(f_opt=...)``) the runner
records each target's first hit at every check step. Where it is not, the reference is the best
finite loss any run of the call reached (COCO's practice for problems without a known optimum:
the best value known), and first hits are read from the loss trace afterwards, so their steps
are rounded up to the trace stride.
"""

from __future__ import annotations

import numpy as np

EXPONENTS = np.arange(2, -9, -1)
"""The target exponents k: 2, 1, 0, ..., -8 (11 targets)."""

NEVER = -1


def targets(f_ref: float) -> np.ndarray:
    """The 11 targets above ``f_ref``, hardest last (float64).

    Example:
        >>> targets(0.0)[[0, -1]]
        array([1.e+02, 1.e-08])
    """
    return float(f_ref) + 10.0 ** EXPONENTS.astype(np.float64)


def best_value(trace: np.ndarray, f_final: np.ndarray) -> float:
    """The lowest finite loss in a trace and the final values (NaN when there is none)."""
    values = np.concatenate([np.ravel(trace), np.ravel(f_final)]).astype(np.float64)
    finite = values[np.isfinite(values)]
    return float(finite.min()) if finite.size else float("nan")


def hits_from_trace(
    trace: np.ndarray, trace_steps: np.ndarray, trace_evals: np.ndarray, goals: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """First trace step (and evaluations) at which each run reached each target.

    Args:
        trace: losses, shape ``(P, R)`` (NaN where not recorded).
        trace_steps: the step of each trace row, shape ``(P,)``.
        trace_evals: gradient evaluations at each row, shape ``(P, R)``.
        goals: targets, shape ``(T,)``.

    Returns:
        ``(hit_step, hit_evals)``, each int64 of shape ``(R, T)``, ``-1`` where never reached.
    """
    with np.errstate(invalid="ignore"):
        reached = np.isfinite(trace)[:, :, None] & (trace[:, :, None] <= goals[None, None, :])
    first = np.argmax(reached, axis=0)  # (R, T): first row that reached, 0 if none
    any_hit = reached.any(axis=0)
    runs = np.arange(trace.shape[1])[:, None]
    hit_step = np.where(any_hit, np.asarray(trace_steps)[first], NEVER)
    hit_evals = np.where(any_hit, trace_evals[first, runs], NEVER)
    return hit_step.astype(np.int64), hit_evals.astype(np.int64)
