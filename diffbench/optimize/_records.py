"""What the loop records about every run, kept at the batch level with the runs last.

Check steps hand their losses out of a short scan (a *chunk* of up to ``CHUNK`` checks); the
loss of a check is the value that ``jax.value_and_grad`` returns with the gradient of that same
step, so recording it costs no second evaluation. After the chunk, ``flush`` resolves the
targets it reached. Targets are reached in order (they decrease and so does a run's best loss),
so a run's progress is one number, how many it has reached; the chunk's best loss says how many
it reaches now (``T`` comparisons a run and chunk). Only for a target newly reached is its
first check looked up, the chunk's first loss at or below it (``P`` comparisons); a batch-level
loop does this once per newly reached target of the run that reached the most, and not at all in a
chunk that reached none. Exact first hits then cost about ``(T + P) / P`` comparisons a run and
check, not ``T``. Losses leave the step as scan outputs, i.e. materialized once (compared on
the spot, XLA:CPU fused the loss into every comparison and evaluated it once per target).
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp

NEVER = -1
"""The step recorded for a target not reached, a run that did not diverge or stop."""

CHUNK = 50
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
    """Fold a chunk of checks into the records: first hits of the targets (shape ``(T,)``,
    decreasing) and first non-finite losses.

    A check counts when its loss is finite (and, in tolerance mode, its run still active).
    With ``count_evals`` False (one gradient per step) evaluations are not recorded;
    ``finish`` then copies ``hit_step`` into ``hit_evals``.
    """
    counted = jnp.isfinite(checks.value)
    if checks.active is not None:
        counted = counted & checks.active
    losses = jnp.where(counted, checks.value, jnp.inf)
    best = jnp.min(losses, axis=0)
    reached = jnp.sum(targets[:, None] >= best[None, :], axis=0, dtype=jnp.int32)
    done = jnp.sum(rec.hit_step != NEVER, axis=0, dtype=jnp.int32)
    new = jnp.maximum(reached - done, 0)
    resolve = partial(_first_hits, checks=checks, targets=targets, count_evals=count_evals)
    hits = jax.lax.cond(
        jnp.any(new > 0),
        resolve,
        lambda losses, done, new, hits: hits,
        losses,
        done,
        new,
        (rec.hit_step, rec.hit_evals),
    )
    bad = ~jnp.isfinite(checks.value) if checks.active is None else (~counted & checks.active)
    first_bad = _first(bad)
    diverged = (rec.diverged_at == NEVER) & (first_bad < bad.shape[0])
    return rec._replace(
        hit_step=hits[0],
        hit_evals=hits[1],
        diverged_at=jnp.where(diverged, _at(checks.step, first_bad), rec.diverged_at),
    )


def _first(flags: jax.Array) -> jax.Array:
    """The index of the first true row of ``flags`` (shape ``(P, R)``) per run, ``P`` if none.

    One fused min-reduction; ``argmax`` compiles on XLA:CPU to a variadic (value, index)
    reduction several times slower.
    """
    index = jnp.arange(flags.shape[0], dtype=jnp.int32)[:, None]
    return jnp.min(jnp.where(flags, index, flags.shape[0]), axis=0)


def _at(steps: jax.Array, index: jax.Array) -> jax.Array:
    """``steps[index]`` for an index per run, clipped to the chunk (``index`` may be ``P``)."""
    return jnp.take(steps, jnp.minimum(index, steps.shape[0] - 1), axis=0)


def _first_hits(
    losses: jax.Array,
    done: jax.Array,
    new: jax.Array,
    hits: tuple[jax.Array, jax.Array],
    *,
    checks: Checks,
    targets: jax.Array,
    count_evals: bool,
) -> tuple[jax.Array, jax.Array]:
    """Record the first check of each newly reached target (targets ``done`` to
    ``done + new - 1`` of every run), one target of every run per trip of the loop: the
    first check whose loss is at or below it (the running minimum first reaches a level at
    the first loss that does)."""
    count = targets.shape[0]
    levels = jnp.arange(count, dtype=jnp.int32)[:, None]

    def record(j: jax.Array, hits: tuple) -> tuple:
        level = done + j
        goal = jnp.take(targets, jnp.minimum(level, count - 1))
        first = _first(losses <= goal[None, :])
        put = (levels == level[None, :]) & (j < new)[None, :]
        step = jnp.where(put, _at(checks.step, first)[None, :], hits[0])
        if not count_evals:
            return step, hits[1]
        first = jnp.minimum(first, losses.shape[0] - 1)
        evals = jnp.take_along_axis(checks.evals, first[None, :], axis=0)
        return step, jnp.where(put, evals, hits[1])

    return jax.lax.fori_loop(0, jnp.max(new), record, hits)


def finish(rec: Records, count_evals: bool) -> Records:
    """The records to return: ``hit_evals`` filled from ``hit_step`` where not counted."""
    return rec if count_evals else rec._replace(hit_evals=rec.hit_step)
