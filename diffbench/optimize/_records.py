"""What the loop records about every run, kept at the batch level with the runs last.

Targets are compared against the whole batch at once, ``(T, R)`` with the runs on the minor
axis, so the bookkeeping vectorizes over runs. A check step's loss is not compared in the step
that computes it: it waits in the loop carry (``value``, ``step``, ``evals``) and is recorded
at the next check. A loop-carried value is a materialized buffer, so XLA evaluates the loss
once per run; compared on the spot, XLA:CPU fused the loss's computation into the ``(T, R)``
comparison and evaluated it once per target (on 10,000 starts of 2-D rosenbrock the bookkeeping
cost 5x the optimization).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

NEVER = -1
"""The step recorded for a target not reached, a run that did not diverge or stop."""


class Records(NamedTuple):
    """First events of every run (``T`` targets, ``R`` runs), int32, ``NEVER`` until they occur.

    ``value``, ``evals`` and ``step`` hold the last check's losses until they are recorded.
    """

    hit_step: jax.Array  # (T, R) first step whose loss reached each target
    hit_evals: jax.Array  # (T, R) gradient evaluations spent to reach that iterate
    diverged_at: jax.Array  # (R,) first step with a non-finite loss
    stopped_at: jax.Array  # (R,) step at which a tolerance run stopped
    value: jax.Array  # (R,) loss awaiting its record
    evals: jax.Array  # (R,) gradient evaluations of that iterate
    step: jax.Array  # () its step, NEVER when nothing awaits


def empty(n_targets: int, runs: int, dtype: jnp.dtype) -> Records:
    """Records with nothing happened yet."""
    never = jnp.full((n_targets, runs), NEVER, jnp.int32)
    per_run = jnp.full((runs,), NEVER, jnp.int32)
    nan = jnp.full((runs,), jnp.nan, dtype)
    return Records(never, never, per_run, per_run, nan, per_run, jnp.int32(NEVER))


def note(
    rec: Records,
    value: jax.Array,
    t: jax.Array,
    evals: jax.Array,
    targets: jax.Array,
    count_evals: bool,
) -> Records:
    """Record the waiting losses, then let ``value`` (the losses at step ``t``, reached with
    ``evals`` gradient evaluations, shape ``(R,)``) wait for the next check."""
    rec = flush(rec, targets, count_evals)
    return rec._replace(value=value, evals=evals, step=t)


def flush(rec: Records, targets: jax.Array, count_evals: bool) -> Records:
    """Compare the waiting losses with the targets (shape ``(T,)``) and note divergence.

    With ``count_evals`` False (one gradient per step: evaluations equal steps) the
    evaluations are not recorded; ``hit_evals`` is then a copy of ``hit_step`` (``finish``).
    """
    waiting = rec.step != NEVER
    finite = jnp.isfinite(rec.value)
    reached = (finite & waiting)[None, :] & (rec.value[None, :] <= targets[:, None])
    new = (rec.hit_step == NEVER) & reached
    diverged = (rec.diverged_at == NEVER) & ~finite & waiting
    hit_evals = jnp.where(new, rec.evals[None, :], rec.hit_evals) if count_evals else None
    return rec._replace(
        hit_step=jnp.where(new, rec.step, rec.hit_step),
        hit_evals=rec.hit_evals if hit_evals is None else hit_evals,
        diverged_at=jnp.where(diverged, rec.step, rec.diverged_at),
        step=jnp.int32(NEVER),
    )


def finish(rec: Records, count_evals: bool) -> Records:
    """The records to return: ``hit_evals`` filled from ``hit_step`` where not counted."""
    return rec if count_evals else rec._replace(hit_evals=rec.hit_step)
