"""The traced optimization loop: one step of one run, vmapped over runs, looped in one jit.

A *check step* evaluates the objective at the current iterate ``x_t`` (together with the
gradient, in one ``value_and_grad``) for the batch level to record (``_records``). Between
checks, *plain steps* evaluate the gradient only: on large stencil objectives XLA:CPU computes the
loss's reduction far slower than the gradient, so ``check_every > 1`` buys throughput at the price
of rounding the step counts up to the next check.

Nothing here raises or syncs with the host once traced: divergence is a recorded step, and a
non-finite loss simply never reaches a target.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from .._errors import DiffbenchError
from .._objective import Objective
from ._optimizers import Optimizer
from ._sgd import Sampler, minibatch


class Carry(NamedTuple):
    """The state of one run between steps (all arrays; batched over runs by vmap)."""

    x: jax.Array  # (n,) the iterate
    opt_state: Any  # the optax state
    perm: jax.Array  # (perm_size,) int32: the epoch's permutation (finite sums, shuffle)
    evals: jax.Array  # int32: gradient evaluations spent to reach x


@dataclass(frozen=True)
class Loop:
    """Everything static about a loop: what it minimizes, how, and its shape.

    Attributes:
        objective: the function (its ``identity`` is what the cache compares).
        optimizer: the optax optimizer spec.
        use_lr: whether the optimizer is built from the ``lr`` argument (else from None).
        steps: the step budget.
        trace_every: stride of the loss trace, in steps (a multiple of ``check_every``).
        check_every: stride of the loss checks (targets, divergence), dividing ``steps``.
        tolerance: False for ``lax.scan`` over all steps; True for a ``lax.while_loop`` that
            stops a run at its tolerance, and the whole loop once every run has stopped.
        sampler: the minibatch scheme for finite sums, None for full-batch gradients.
        unroll: ``lax.scan`` unrolling of the step loop.
    """

    objective: Objective
    optimizer: Optimizer
    use_lr: bool
    steps: int
    trace_every: int
    check_every: int
    tolerance: bool
    sampler: Sampler | None
    unroll: int

    @property
    def trace_steps(self) -> list[int]:
        """The steps whose loss the trace holds: multiples of ``trace_every`` and ``steps``."""
        return sorted({*range(0, self.steps, self.trace_every), self.steps})


@contextlib.contextmanager
def optax_promotion() -> Iterator[None]:
    """Trace optax with standard dtype promotion (optax mixes Python ints and int32 counts)."""
    with jax.numpy_dtype_promotion("standard"), jax.numpy_rank_promotion("allow"):
        yield


def uses_linesearch(state: Any) -> bool:
    """Whether an optax state stores the value and gradient (L-BFGS and other line searches)."""
    try:
        return optax.tree.get(state, "value") is not None and (
            optax.tree.get(state, "grad") is not None
        )
    except KeyError:  # several entries of that name: not the line-search layout
        return False


def init(loop: Loop, x0: jax.Array, lr: jax.Array) -> Carry:
    """The carry of one run before its first step."""
    with optax_promotion():
        state = _build(loop, lr).init(x0)
    perm = jnp.zeros((loop.sampler.perm_size if loop.sampler else 0,), jnp.int32)
    return Carry(x0, state, perm, jnp.zeros((), jnp.int32))


@functools.lru_cache(maxsize=256)
def state_bytes(optimizer: Optimizer, use_lr: bool, n: int, dtype: str) -> int:
    """Bytes of one run's optimizer state (its floating arrays) for iterates of ``n`` x dtype.

    0 for plain GD, ``n`` itemsize for momentum, ``2 n`` itemsize for Adam (and a few scalars).
    """
    x, lr = jax.ShapeDtypeStruct((n,), dtype), jax.ShapeDtypeStruct((), dtype)
    with optax_promotion():
        state = jax.eval_shape(lambda x, lr: optimizer.build(lr if use_lr else None).init(x), x, lr)
    leaves = jax.tree.leaves(state)
    return sum(a.size * a.dtype.itemsize for a in leaves if jnp.issubdtype(a.dtype, jnp.floating))


def _build(loop: Loop, lr: jax.Array) -> optax.GradientTransformation:
    return loop.optimizer.build(lr if loop.use_lr else None)


class Context(NamedTuple):
    """Per-run inputs that do not change over the loop (batched over runs: lr and key)."""

    lr: jax.Array
    key: jax.Array
    data: Any


CONTEXT_AXES = Context(lr=0, key=0, data=None)
"""``vmap`` axes of a ``Context``: learning rate and key per run, the data shared."""


def step(loop: Loop, carry: Carry, t: jax.Array, ctx: Context, check: bool) -> tuple:
    """One optimizer step of one run from ``x_t``; returns ``(carry, value, grad_norm)``.

    ``value`` (the full objective at ``x_t``) and ``grad_norm`` are None on plain steps.
    """
    obj, x = loop.objective, carry.x
    perm, loss = carry.perm, lambda p: obj.value(p, ctx.data)
    if loop.sampler is not None:
        batch, perm = minibatch(loop.sampler, ctx.key, t, carry.perm, ctx.data)
        loss = lambda p: obj.batch_value(p, batch)  # noqa: E731
    opt, want_value = _build(loop, ctx.lr), check and loop.sampler is None
    value, grad, updates, state, spent = _update(loop, opt, carry, loss, want_value)
    gnorm = None
    if check:
        value = (obj.value(x, ctx.data) if loop.sampler else value).astype(x.dtype)
        gnorm = jnp.sqrt(jnp.sum(grad * grad)) if loop.tolerance else None
    with optax_promotion():
        x_new = optax.apply_updates(x, updates).astype(x.dtype)
    evals = carry.evals if spent is None else carry.evals + spent
    carry = carry._replace(x=x_new, opt_state=state, perm=perm, evals=evals)
    return carry, value, gnorm


def _update(loop: Loop, opt: Any, carry: Carry, loss: Any, want_value: bool) -> tuple:
    """Gradient and optimizer update at ``carry.x``: ``(value, grad, updates, state, spent)``.

    ``value`` is None unless asked for or free; ``spent`` counts gradient evaluations, None
    when it is one a step (then ``carry.evals`` stays as it was and ``_batched`` derives the
    count from the step: a per-run counter added to every step cost XLA:CPU a kernel a step).
    """
    x, state = carry.x, carry.opt_state
    if uses_linesearch(state):
        return _linesearch_update(loop, opt, carry, loss)
    if want_value:
        value, grad = jax.value_and_grad(loss)(x)
    else:
        value, grad = None, jax.grad(loss)(x)
    with optax_promotion():
        updates, state = opt.update(grad, state, x)
    return value, grad, updates, state, None


def _linesearch_update(loop: Loop, opt: Any, carry: Carry, loss: Any) -> tuple:
    """An L-BFGS-style update: value and gradient come from (or are stored in) the state."""
    if loop.sampler is not None:
        raise DiffbenchError(
            f"{loop.optimizer.label} uses a line search on the full objective; "
            "drop batch= (minibatches would change the function between its evaluations)."
        )
    state, x = carry.opt_state, carry.x
    first = ~jnp.isfinite(optax.tree.get(state, "value"))
    with optax_promotion():
        value, grad = optax.value_and_grad_from_state(loss)(x, state=state)
        updates, state = opt.update(grad, state, x, value=value, grad=grad, value_fn=loss)
    searched = optax.tree.get(state, "num_linesearch_steps")
    searched = jnp.ones((), jnp.int32) if searched is None else searched.astype(jnp.int32)
    return value, grad, updates, state, searched + first.astype(jnp.int32)
