"""What the loop records about every run, kept at the batch level with the runs last.

Check steps hand their losses out of a short scan (a *chunk* of up to ``CHUNK`` checks); the
loss of a check is the value that ``jax.value_and_grad`` returns with the gradient of that same
step, so recording it costs no second evaluation. After the chunk, ``flush`` resolves first hits
from the chunk's running minimum, a non-increasing sequence: the first check that reached a
target is where the target would be inserted in it, one binary search (``log2 CHUNK``
comparisons) per target and chunk rather than one comparison per target and check. Losses
leave the step as scan outputs, i.e. materialized once (compared on the spot, XLA:CPU fused
the loss into every comparison and evaluated it once per target).
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp

NEVER = -1
"""The step recorded for a target not reached, a run that did not diverge or stop."""

CHUNK = 64
"""Most check steps whose losses are resolved against the targets in one pass."""


class Records(NamedTuple):
    """First events of every run (``T`` targets, ``R`` runs), int32, ``NEVER`` until they occur."""

    hit_step: jax.Array  # (T, R) first step whose loss reached each target
    hit_evals: jax.Array  # (T, R) gradient evaluations spent to reach that iterate
    diverged_at: jax.Array  # (R,) first step with a non-finite loss
    stopped_at: jax.Array  # (R,) step at which a tolerance run stopped


class Checks(NamedTuple):
    """The losses of ``P`` check steps, as a chunk's scan outputs (``P`` leading)."""

    value: jax.Array  # (P, R) loss at each check
    active: jax.Array | None  # (P, R) bool: the run was still running (tolerance mode only)
    evals: jax.Array | None  # (P, R) int32 evaluations to reach the iterate (if counted)
    step: jax.Array  # (P,) int32 the checks' steps


def empty(n_targets: int, runs: int) -> Records:
    """Records with nothing happened yet."""
    never = jnp.full((n_targets, runs), NEVER, jnp.int32)
    per_run = jnp.full((runs,), NEVER, jnp.int32)
    return Records(never, never, per_run, per_run)


def chunk_size(count: int) -> int:
    """The largest divisor of ``count`` (check steps in a segment) that is at most ``CHUNK``."""
    return max(p for p in range(1, min(count, CHUNK) + 1) if count % p == 0)


def flush(rec: Records, checks: Checks, targets: jax.Array, count_evals: bool) -> Records:
    """Fold a chunk of checks into the records: first hits of the targets (shape ``(T,)``)
    and first non-finite losses.

    A check counts when its loss is finite (and, in tolerance mode, its run still active).
    The running minimum of the counted losses over the chunk is non-increasing, so the first
    check reaching target ``f_k`` is ``searchsorted`` of ``f_k`` in it; a target not reached
    in the chunk lands past its end. With ``count_evals`` False (one gradient per step)
    evaluations are not recorded; ``finish`` then copies ``hit_step`` into ``hit_evals``.
    """
    counted = jnp.isfinite(checks.value)
    if checks.active is not None:
        counted = counted & checks.active
    running = jax.lax.cummin(jnp.where(counted, checks.value, jnp.inf), axis=0)
    first = _first_at_or_below(running, targets)  # (T, R), P where not reached
    size = checks.value.shape[0]
    hit = first < size
    index = jnp.minimum(first, size - 1)
    unhit = (rec.hit_step == NEVER) & hit
    hit_evals = rec.hit_evals
    if count_evals:
        reached_evals = jnp.take_along_axis(checks.evals, index, axis=0)
        hit_evals = jnp.where(unhit, reached_evals, rec.hit_evals)
    bad = ~jnp.isfinite(checks.value) if checks.active is None else (~counted & checks.active)
    diverged = (rec.diverged_at == NEVER) & jnp.any(bad, axis=0)
    first_bad = checks.step[jnp.argmax(bad, axis=0)]
    return rec._replace(
        hit_step=jnp.where(unhit, checks.step[index], rec.hit_step),
        hit_evals=hit_evals,
        diverged_at=jnp.where(diverged, first_bad, rec.diverged_at),
    )


def _first_at_or_below(running: jax.Array, targets: jax.Array) -> jax.Array:
    """Per run, the first index where a non-increasing ``running`` (P, R) is <= each target.

    Returns int32 ``(T, R)``; ``P`` where the target is below the whole sequence. The negated
    sequence is ascending, so this is ``searchsorted(-running, -target, side="left")``.
    """
    search = partial(jnp.searchsorted, side="left", method="scan_unrolled")
    first = jax.vmap(search, in_axes=(1, None))(-running, -targets.astype(running.dtype))
    return first.T.astype(jnp.int32)


def finish(rec: Records, count_evals: bool) -> Records:
    """The records to return: ``hit_evals`` filled from ``hit_step`` where not counted."""
    return rec if count_evals else rec._replace(hit_evals=rec.hit_step)
