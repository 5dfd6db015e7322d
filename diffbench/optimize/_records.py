"""What the loop records about every run, kept at the batch level with the runs last.

Check steps hand their losses out of a short scan (a *chunk* of up to ``CHUNK`` checks); after
the chunk, one fused pass compares them with the targets and keeps each target's first hit.
Losses leave the step as scan outputs, i.e. materialized once: compared on the spot, XLA:CPU
fused the loss into the ``(T, R)`` comparison and evaluated it once per target. The comparison
itself (``T`` compares per run and check) is what exact first hits cost: on 10,000 starts of
2-D rosenbrock, about twice the optimization step.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

NEVER = -1
"""The step recorded for a target not reached, a run that did not diverge or stop."""

CHUNK = 16
"""Most check steps whose losses are compared with the targets in one pass."""


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

    Steps grow along the chunk, and so do evaluations, so the first hit is the smallest step
    (and the smallest evaluation count) among the checks that reached a target: a running
    minimum, which XLA:CPU fuses into one pass faster than a chain of selects. With
    ``count_evals`` False (one gradient per step) evaluations are not recorded; ``finish``
    then copies ``hit_step`` into ``hit_evals``.
    """
    first_hit, first_evals = _LATEST, _LATEST
    first_bad = _LATEST
    for i in range(checks.value.shape[0]):
        value = checks.value[i]
        active = True if checks.active is None else checks.active[i]
        reached = (jnp.isfinite(value) & active)[None, :] & (value[None, :] <= targets[:, None])
        first_hit = jnp.minimum(first_hit, jnp.where(reached, checks.step[i], _LATEST))
        if count_evals:
            evals = jnp.where(reached, checks.evals[i][None, :], _LATEST)
            first_evals = jnp.minimum(first_evals, evals)
        bad = ~jnp.isfinite(value) & active
        first_bad = jnp.minimum(first_bad, jnp.where(bad, checks.step[i], _LATEST))
    unhit = (rec.hit_step == NEVER) & (first_hit < _LATEST)
    hit_evals = jnp.where(unhit, first_evals, rec.hit_evals) if count_evals else rec.hit_evals
    diverged = (rec.diverged_at == NEVER) & (first_bad < _LATEST)
    return rec._replace(
        hit_step=jnp.where(unhit, first_hit, rec.hit_step),
        hit_evals=hit_evals,
        diverged_at=jnp.where(diverged, first_bad, rec.diverged_at),
    )


_LATEST = jnp.iinfo(jnp.int32).max
"""Larger than any step: the neutral element of the running minimum."""


def finish(rec: Records, count_evals: bool) -> Records:
    """The records to return: ``hit_evals`` filled from ``hit_step`` where not counted."""
    return rec if count_evals else rec._replace(hit_evals=rec.hit_step)
