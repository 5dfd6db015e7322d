"""The whole optimization, batched over runs, as one traceable function.

``make_run(loop, n_targets)`` returns ``run(x0, lr, keys, targets, stop, data) -> Outputs``:
per-run steps from ``_loop`` are vmapped over runs (axis 0 of ``x0``, ``lr``, ``keys``) and
looped at the batch level, so the step number ``t`` stays an unbatched scalar (the minibatch
sampler's epoch test stays a real ``cond`` rather than a select over every run).

- fixed budget: ``lax.scan`` over trace segments, each a ``lax.scan`` over check blocks (one
  check step and ``check_every - 1`` plain steps), the trace row being the segment's first loss;
- tolerance: a ``lax.while_loop`` over check blocks that freezes each run once it stopped
  (gradient norm <= ``tol``, last target reached, or diverged) and ends when all runs stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from . import _loop
from ._loop import Carry, Context, Loop


class Outputs(NamedTuple):
    """What one compiled runner returns (``R`` runs, ``T`` targets, ``P`` trace points)."""

    x: jax.Array  # (R, n) final iterates
    f_final: jax.Array  # (R,) objective at the final iterates
    trace: jax.Array  # (P, R) loss at loop.trace_steps
    trace_evals: jax.Array  # (P, R) gradient evaluations spent at those steps
    hit_step: jax.Array  # (R, T) first step reaching each target, -1 if none
    hit_evals: jax.Array  # (R, T)
    diverged_at: jax.Array  # (R,) first step with a non-finite loss, -1 if none
    stopped_at: jax.Array  # (R,) step a tolerance run stopped at, -1 if it did not
    evals: jax.Array  # (R,) gradient evaluations spent in all
    steps_done: jax.Array  # () steps the loop ran (== steps unless all runs stopped early)


class Stop(NamedTuple):
    """Tolerance-mode stopping rule (runtime scalars, so changing them does not recompile)."""

    tol: jax.Array  # gradient-norm tolerance
    target: jax.Array  # loss at which a run is done (the last target), -inf if none


def make_run(loop: Loop, n_targets: int) -> Callable[..., Outputs]:
    """Build the batched runner for ``loop`` (to be jitted and compiled by ``_runner``)."""

    def run(x0: jax.Array, lr: jax.Array, keys: jax.Array, targets: jax.Array, stop: Stop, data):
        carry = jax.vmap(partial(_loop.init, loop, n_targets=n_targets))(x0, lr)
        ctx = Context(lr, keys, data, targets)
        loop_fn = _while if loop.tolerance else _scan
        carry, trace, trace_evals, t_end = loop_fn(loop, carry, ctx, stop)
        f_final = jax.vmap(loop.objective.value, in_axes=(0, None))(carry.x, data)
        f_final = f_final.astype(carry.x.dtype)
        carry = jax.vmap(_loop.record, in_axes=(0, 0, None, None))(carry, f_final, t_end, targets)
        ran_to_end = (carry.stopped_at == _loop.NEVER) & (t_end == loop.steps)
        trace = trace.at[-1].set(jnp.where(ran_to_end, f_final, jnp.nan))
        trace_evals = trace_evals.at[-1].set(jnp.where(ran_to_end, carry.evals, _loop.NEVER))
        return Outputs(
            carry.x,
            f_final,
            trace,
            trace_evals,
            carry.hit_step,
            carry.hit_evals,
            carry.diverged_at,
            carry.stopped_at,
            carry.evals,
            t_end,
        )

    return run


_CTX_AXES = Context(lr=0, key=0, data=None, targets=None)


def _vstep(loop: Loop, check: bool) -> Callable[..., Any]:
    """The per-run step, vmapped over runs (``t`` and the data shared)."""
    return jax.vmap(partial(_loop.step, loop, check=check), in_axes=(0, None, _CTX_AXES))


def _plain(loop: Loop, carry: Carry, t0: jax.Array, ctx: Context, count: int) -> Carry:
    """``count`` plain (gradient-only) steps from step ``t0``."""
    if count == 0:
        return carry
    vplain = _vstep(loop, check=False)

    def body(c: Carry, t: jax.Array) -> tuple[Carry, None]:
        return vplain(c, t, ctx)[0], None

    ts = t0 + jnp.arange(count, dtype=jnp.int32)
    return jax.lax.scan(body, carry, ts, unroll=min(loop.unroll, count))[0]


def _block(loop: Loop, carry: Carry, t: jax.Array, ctx: Context, stop: Stop) -> tuple:
    """A check step at ``t`` then ``check_every - 1`` plain steps: ``(carry, value)``."""
    carry, value, _ = _vstep(loop, check=True)(carry, t, ctx)
    return _plain(loop, carry, t + 1, ctx, loop.check_every - 1), value


def _segment(loop: Loop, carry: Carry, t0: jax.Array, ctx: Context, stop: Stop, length: int):
    """``length`` steps from ``t0`` as a scan over check blocks: ``(carry, value, evals)``,
    the loss and gradient evaluations at ``t0`` (the segment's trace row)."""
    block = _tolerance_block if loop.tolerance else _block

    def body(c_: Carry, t: jax.Array) -> tuple[Carry, jax.Array]:
        return block(loop, c_, t, ctx, stop)

    evals, count = carry.evals, length // loop.check_every
    ts = t0 + loop.check_every * jnp.arange(count, dtype=jnp.int32)
    unroll = min(loop.unroll, count) if loop.check_every == 1 else 1
    carry, values = jax.lax.scan(body, carry, ts, unroll=unroll)
    return carry, values[0], evals


class _Trace(NamedTuple):
    loss: jax.Array  # (P, R)
    evals: jax.Array  # (P, R)

    def put(self, row: Any, value: jax.Array, evals: jax.Array) -> _Trace:
        return _Trace(self.loss.at[row].set(value), self.evals.at[row].set(evals))


def _empty_trace(loop: Loop, carry: Carry) -> _Trace:
    """NaN losses and -1 evaluations: rows not reached stay so (the end row: ``run``)."""
    shape = (len(loop.trace_steps), carry.x.shape[0])
    return _Trace(jnp.full(shape, jnp.nan, carry.x.dtype), jnp.full(shape, _loop.NEVER, jnp.int32))


def _scan(loop: Loop, carry: Carry, ctx: Context, stop: Stop) -> tuple:
    """All ``steps`` in ``lax.scan`` over trace segments (and a shorter last one)."""
    s = loop.trace_every
    full, rest = divmod(loop.steps, s)

    def body(c_: Carry, t0: jax.Array) -> tuple[Carry, tuple]:
        c_, value, evals = _segment(loop, c_, t0, ctx, stop, s)
        return c_, (value, evals)

    starts = s * jnp.arange(full, dtype=jnp.int32)
    carry, (values, evals) = jax.lax.scan(body, carry, starts)
    trace = _empty_trace(loop, carry)
    trace = _Trace(trace.loss.at[:full].set(values), trace.evals.at[:full].set(evals))
    if rest:
        carry, value, evals = _segment(loop, carry, jnp.int32(full * s), ctx, stop, rest)
        trace = trace.put(full, value, evals)
    return carry, trace.loss, trace.evals, jnp.int32(loop.steps)


def _while(loop: Loop, carry: Carry, ctx: Context, stop: Stop) -> tuple:
    """Trace segments in ``lax.while_loop`` until every run stopped or the budget is spent."""
    s = loop.trace_every
    full, rest = divmod(loop.steps, s)

    def active(c_: Carry) -> jax.Array:
        return jnp.any(c_.stopped_at == _loop.NEVER)

    def body(state: tuple) -> tuple:
        k, c_, trace = state
        c_, value, evals = _segment(loop, c_, k * s, ctx, stop, s)
        return k + 1, c_, trace.put(k, value, evals)

    state = (jnp.int32(0), carry, _empty_trace(loop, carry))
    k, carry, trace = jax.lax.while_loop(lambda st: (st[0] < full) & active(st[1]), body, state)
    t_end = k * s
    if rest:

        def last(args: tuple) -> tuple:
            c_, value, evals = _segment(loop, args[0], jnp.int32(full * s), ctx, stop, rest)
            return c_, args[1].put(full, value, evals), jnp.int32(loop.steps)

        carry, trace, t_end = jax.lax.cond(
            active(carry), last, lambda args: args, (carry, trace, t_end)
        )
    return carry, trace.loss, trace.evals, t_end


def _tolerance_block(loop: Loop, carry: Carry, t: jax.Array, ctx: Context, stop: Stop) -> tuple:
    """A check block that leaves stopped runs as they were; returns ``(carry, value)``."""
    active = carry.stopped_at == _loop.NEVER
    checked, value, gnorm = _vstep(loop, check=True)(carry, t, ctx)
    advanced = _plain(loop, checked, t + 1, ctx, loop.check_every - 1)
    done = (checked.diverged_at != _loop.NEVER) | (value <= stop.target) | (gnorm <= stop.tol)
    keep = ~active | done
    frozen = carry._replace(
        hit_step=checked.hit_step, hit_evals=checked.hit_evals, diverged_at=checked.diverged_at
    )
    new = jax.tree.map(lambda a, b: jnp.where(_per_run(keep, a), a, b), frozen, advanced)
    new = new._replace(stopped_at=jnp.where(active & done, t, carry.stopped_at))
    return new, jnp.where(active, value, jnp.nan)


def _per_run(mask: jax.Array, like: jax.Array) -> jax.Array:
    """``mask`` of shape (R,) reshaped to broadcast against ``like`` of shape (R, ...)."""
    return mask.reshape(mask.shape + (1,) * (like.ndim - 1))
