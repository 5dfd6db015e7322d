"""The whole optimization, batched over runs, as one traceable function.

``make_run(loop, n_targets)`` returns ``run(x0, lr, keys, targets, stop, data) -> Outputs``:
per-run steps from ``_loop`` are vmapped over runs (axis 0 of ``x0``, ``lr``, ``keys``) and
looped at the batch level, so the step number ``t`` stays an unbatched scalar (the minibatch
sampler's epoch test stays a real ``cond`` rather than a select over every run), and the records
of ``_records`` are updated for the whole batch at once.

- fixed budget: ``lax.scan`` over trace segments, each a ``lax.scan`` over chunks of check
  blocks (a block: one check step and ``check_every - 1`` plain steps; a chunk: up to
  ``_records.CHUNK`` blocks whose losses are then recorded in one pass), the trace row being
  the segment's first loss; segments shorter than a chunk are grouped, several to a chunk;
- tolerance: a ``lax.while_loop`` over the same segments that ends when every run stopped;
  within a segment a stopped run (gradient norm <= ``tol``, last target reached, or diverged)
  is frozen, so only the loop's exit, not any run's result, is rounded to the trace stride.

The carried state holds the runs first, ``(R, n)``, for any ``R`` and ``n``. Carrying many short
runs as ``(n, R)`` bought nothing once the records and the compiler options were fixed: XLA:CPU's
layout assignment stores such a carry runs-minor anyway and adds transposes inside the step's
fusion (2-D rosenbrock, 10,000 starts x 1,000 GD steps, CPU seconds a call, ``--clock process``,
load 11-12: 27 / 8.3 ms with records on / off runs-first against 32 / 8.5 ms runs-last;
rastrigin 422 / 195 against 462 / 191 ms). A few long runs carried as ``(n, 1)`` were slower
still: one rosenbrock at n = 1e6 took 29 ms a step, not 8.7.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from . import _loop, _records
from ._loop import CONTEXT_AXES, Carry, Context, Loop
from ._records import NEVER, Checks, Records


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


class Env(NamedTuple):
    """Loop inputs: per-run context, the targets (shape ``(T,)``) and the stopping rule.

    ``count_evals`` (static) is whether gradient evaluations per step vary (line searches);
    otherwise they equal the steps and are not recorded per target.
    """

    ctx: Context
    targets: jax.Array
    stop: Stop
    count_evals: bool


State = tuple[Carry, Records]


def make_run(loop: Loop, n_targets: int) -> Callable[..., Outputs]:
    """Build the batched runner for ``loop`` (to be jitted and compiled by ``_runner``)."""

    def run(
        x0: jax.Array, lr: jax.Array, keys: jax.Array, targets: jax.Array, stop: Stop, data: Any
    ):
        carry = jax.vmap(partial(_loop.init, loop), in_axes=(0, 0))(x0, lr)
        count_evals = _loop.uses_linesearch(carry.opt_state)
        env = Env(Context(lr, keys, data), targets, stop, count_evals)
        state = (carry, _records.empty(n_targets, x0.shape[0]))
        (carry, rec), trace, trace_evals, t_end = (_while if loop.tolerance else _scan)(
            loop, state, env
        )
        f_final = _objective(loop, carry, data)
        evals = _evals(env, (carry, rec), t_end)
        last = Checks(f_final[None], None, evals[None], t_end[None])
        rec = _records.finish(_records.flush(rec, last, targets, count_evals), count_evals)
        ran_to_end = (rec.stopped_at == NEVER) & (t_end == loop.steps)
        trace = trace.at[-1].set(jnp.where(ran_to_end, f_final, jnp.nan))
        trace_evals = trace_evals.at[-1].set(jnp.where(ran_to_end, evals, NEVER))
        return Outputs(
            carry.x,
            f_final,
            trace,
            trace_evals,
            rec.hit_step.T,
            rec.hit_evals.T,
            rec.diverged_at,
            rec.stopped_at,
            evals,
            t_end,
        )

    return run


def _evals(env: Env, state: State, t: jax.Array) -> jax.Array:
    """Gradient evaluations every run spent to reach its iterate at step ``t``, shape ``(R,)``:
    counted in the carry by line searches, else one a step up to ``t`` or the run's stop."""
    carry, rec = state
    if env.count_evals:
        return carry.evals
    stopped = (rec.stopped_at != NEVER) & (rec.stopped_at < t)
    return jnp.where(stopped, rec.stopped_at, t)


def _objective(loop: Loop, carry: Carry, data: Any) -> jax.Array:
    """The full objective at every run's iterate, shape ``(R,)``."""
    value = jax.vmap(loop.objective.value, in_axes=(0, None))(carry.x, data)
    return value.astype(carry.x.dtype)


def _vstep(loop: Loop, check: bool) -> Callable[..., Any]:
    """The per-run step, vmapped over runs (``t`` and the data shared)."""
    step = partial(_loop.step, loop, check=check)
    return jax.vmap(step, in_axes=(0, None, CONTEXT_AXES))


def _plain(loop: Loop, carry: Carry, t0: jax.Array, ctx: Context, count: int) -> Carry:
    """``count`` plain (gradient-only) steps from step ``t0``."""
    if count == 0:
        return carry
    vplain = _vstep(loop, check=False)
    if count == 1 and loop.unroll == 1:
        # XLA inlines a one-trip loop and then fuses the check step's update into this
        # step's gradient, recomputing it for every shifted read of a stencil (check_every=2
        # on rosenbrock at n=1e6: 5.0 ms a step against 1.3 at check_every=4). A trip count
        # the compiler cannot see (t0 >= 0 always holds) keeps the loop and the buffer.
        trips = (t0 >= 0).astype(jnp.int32)
        return jax.lax.fori_loop(0, trips, lambda i, c: vplain(c, t0 + i, ctx)[0], carry)

    def body(c: Carry, t: jax.Array) -> tuple[Carry, None]:
        return vplain(c, t, ctx)[0], None

    ts = t0 + jnp.arange(count, dtype=jnp.int32)
    return jax.lax.scan(body, carry, ts, unroll=min(loop.unroll, count))[0]


def _block(loop: Loop, carry: Carry, t: jax.Array, env: Env) -> tuple:
    """A check step at ``t`` then ``check_every - 1`` plain steps; the check's outputs."""
    checked, value, _ = _vstep(loop, check=True)(carry, t, env.ctx)
    out = (value, None, carry.evals if env.count_evals else None)
    return _plain(loop, checked, t + 1, env.ctx, loop.check_every - 1), out


def _tolerance_block(loop: Loop, state: tuple, t: jax.Array, env: Env) -> tuple:
    """A check block that leaves stopped runs as they were; ``state`` is
    ``(carry, stopped_at)``."""
    carry, stopped_at = state
    active = stopped_at == NEVER
    checked, value, gnorm = _vstep(loop, check=True)(carry, t, env.ctx)
    advanced = _plain(loop, checked, t + 1, env.ctx, loop.check_every - 1)
    done = ~jnp.isfinite(value) | (value <= env.stop.target) | (gnorm <= env.stop.tol)
    keep = ~active | done
    carry = jax.tree.map(lambda a, b: jnp.where(_per_run(keep, a), a, b), carry, advanced)
    stopped_at = jnp.where(active & done, t, stopped_at)
    out = (value, active, carry.evals if env.count_evals else None)
    return (carry, stopped_at), out


def _per_run(mask: jax.Array, like: jax.Array) -> jax.Array:
    """``mask`` of shape (R,) reshaped to broadcast against ``like`` (runs first)."""
    return mask.reshape(mask.shape + (1,) * (like.ndim - 1))


def _chunk(loop: Loop, state: State, t0: jax.Array, env: Env, size: int) -> tuple:
    """``size`` check blocks from ``t0``, then their records: ``(state, checks)``, the
    chunk's ``Checks``. Only what the steps change is carried through their scan."""
    carry, rec = state
    ts = t0 + loop.check_every * jnp.arange(size, dtype=jnp.int32)
    unroll = min(loop.unroll, size)
    if loop.tolerance:
        body = partial(_tolerance_block, loop, env=env)
        (carry, stopped_at), outs = jax.lax.scan(body, (carry, rec.stopped_at), ts, unroll=unroll)
        rec = rec._replace(stopped_at=stopped_at)
    else:
        carry, outs = jax.lax.scan(partial(_block, loop, env=env), carry, ts, unroll=unroll)
    checks = Checks(*outs, ts)
    rec = _records.flush(rec, checks, env.targets, env.count_evals)
    return (carry, rec), checks


def _segment(loop: Loop, state: State, t0: jax.Array, env: Env, length: int) -> tuple:
    """``length`` steps from ``t0`` as a scan over chunks of check blocks:
    ``(state, value, evals)``, the loss and gradient evaluations at ``t0`` (its trace row;
    the loss NaN for a stopped run)."""
    count = length // loop.check_every
    size = _records.chunk_size(count)

    def body(st: State, t: jax.Array) -> tuple[State, jax.Array]:
        st, checks = _chunk(loop, st, t, env, size)
        first = checks.value[0]
        if checks.active is not None:
            first = jnp.where(checks.active[0], first, jnp.nan)
        return st, first

    evals = _evals(env, state, t0)
    starts = t0 + loop.check_every * size * jnp.arange(count // size, dtype=jnp.int32)
    state, values = jax.lax.scan(body, state, starts)
    return state, values[0], evals


def _segments_per_chunk(loop: Loop, full: int) -> int:
    """How many whole trace segments one chunk of checks spans: the largest divisor of
    ``full`` whose checks fit in ``_records.CHUNK`` (1 when a segment alone fills a chunk).

    Records cost a fixed amount of work a chunk and run besides their per-check work
    (10,000 rosenbrock runs, 1,000 steps traced every 10: chunks of 10 checks); spanning
    segments lets the default trace stride keep full chunks.
    """
    per_segment = loop.trace_every // loop.check_every
    fits = max(1, _records.CHUNK // per_segment)
    return max(g for g in range(1, min(fits, full) + 1) if full % g == 0)


def _grouped(loop: Loop, state: State, env: Env, full: int, group: int) -> tuple:
    """The ``full`` trace segments of a fixed budget, ``group`` to a chunk of checks:
    ``(state, values, evals)``, the trace rows (``(full, R)`` each)."""
    per_segment = loop.trace_every // loop.check_every
    stride = loop.trace_every * group

    def body(st: State, t0: jax.Array) -> tuple[State, tuple]:
        st, checks = _chunk(loop, st, t0, env, per_segment * group)
        rows = checks.value[::per_segment]
        if env.count_evals:
            evals = checks.evals[::per_segment]
        else:
            evals = jnp.broadcast_to(checks.step[::per_segment, None], rows.shape)
        return st, (rows, evals)

    starts = stride * jnp.arange(full // group, dtype=jnp.int32)
    state, (values, evals) = jax.lax.scan(body, state, starts)
    return state, values.reshape(full, -1), evals.reshape(full, -1)


class _Trace(NamedTuple):
    loss: jax.Array  # (P, R)
    evals: jax.Array  # (P, R)

    def put(self, row: Any, value: jax.Array, evals: jax.Array) -> _Trace:
        return _Trace(self.loss.at[row].set(value), self.evals.at[row].set(evals))


def _empty_trace(loop: Loop, state: State) -> _Trace:
    """NaN losses and -1 evaluations: rows not reached stay so (the end row: ``run``)."""
    x = state[0].x
    shape = (len(loop.trace_steps), state[1].diverged_at.shape[0])
    return _Trace(jnp.full(shape, jnp.nan, x.dtype), jnp.full(shape, NEVER, jnp.int32))


def _scan(loop: Loop, state: State, env: Env) -> tuple:
    """All ``steps`` in ``lax.scan`` over trace segments (and a shorter last one)."""
    s = loop.trace_every
    full, rest = divmod(loop.steps, s)

    def body(st: State, t0: jax.Array) -> tuple[State, tuple]:
        st, value, evals = _segment(loop, st, t0, env, s)
        return st, (value, evals)

    group = _segments_per_chunk(loop, full) if full else 1
    if group > 1:
        state, values, evals = _grouped(loop, state, env, full, group)
    else:
        state, (values, evals) = jax.lax.scan(body, state, s * jnp.arange(full, dtype=jnp.int32))
    trace = _empty_trace(loop, state)
    trace = _Trace(trace.loss.at[:full].set(values), trace.evals.at[:full].set(evals))
    if rest:
        state, value, evals = _segment(loop, state, jnp.int32(full * s), env, rest)
        trace = trace.put(full, value, evals)
    return state, trace.loss, trace.evals, jnp.int32(loop.steps)


def _while(loop: Loop, state: State, env: Env) -> tuple:
    """Trace segments in ``lax.while_loop`` until every run stopped or the budget is spent."""
    s = loop.trace_every
    full, rest = divmod(loop.steps, s)

    def active(st: State) -> jax.Array:
        return jnp.any(st[1].stopped_at == NEVER)

    def body(args: tuple) -> tuple:
        k, st, trace = args
        st, value, evals = _segment(loop, st, k * s, env, s)
        return k + 1, st, trace.put(k, value, evals)

    args = (jnp.int32(0), state, _empty_trace(loop, state))
    k, state, trace = jax.lax.while_loop(lambda a: (a[0] < full) & active(a[1]), body, args)
    t_end = k * s
    if rest:

        def last(args: tuple) -> tuple:
            st, value, evals = _segment(loop, args[0], jnp.int32(full * s), env, rest)
            return st, args[1].put(full, value, evals), jnp.int32(loop.steps)

        state, trace, t_end = jax.lax.cond(
            active(state), last, lambda args: args, (state, trace, t_end)
        )
    return state, trace.loss, trace.evals, t_end
