"""``minimize`` and ``sweep``: the public entry points of the optimization runners."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import jax
import numpy as np

from .. import _checks
from .._x64 import x64
from . import _inputs, _targets
from ._inputs import Grid
from ._loop import Loop, state_bytes
from ._objective import Objective
from ._objective import resolve as resolve_objective
from ._optimizers import resolve as resolve_optimizer
from ._result import OptimizeResult
from ._runner import compiled, execute, plan_for
from ._sgd import check_sampler


@x64
def minimize(
    f: Any,
    optimizer: Any,
    steps: int | None = None,
    *,
    x0: Any = None,
    starts: int | None = None,
    n: int | None = None,
    lr: float | Sequence[float] | None = None,
    key: int = 0,
    seeds: Sequence[int] | None = None,
    dtype: str = "float64",
    batch: int | None = None,
    epochs: int | None = None,
    sampling: str = "shuffle",
    tol: float | None = None,
    f_opt: float | None = None,
    trace_every: int | None = None,
    check_every: int = 1,
    repeats: int = 1,
    warmup: int = 0,
    device: str | None = None,
    unroll: int | None = None,
    donate: bool | None = None,
    run_id: str | None = None,
) -> OptimizeResult:
    """Minimize ``f`` with an optax optimizer, every run's whole loop in one compiled call.

    Runs are the grid starts x learning rates x seeds, vmapped together. The loop is a
    ``lax.scan`` over ``steps`` (or, with ``tol``, a ``lax.while_loop``); nothing returns to
    the host until it ends. Divergence is recorded, never raised. Compiled runners are cached:
    a second call with the same function, optimizer, budget and shapes does not recompile.

    Args:
        f: a registry name, a ``TestFunction``, a ``functions.ml.FiniteSum`` or a callable
            ``f(x) -> scalar`` written with ``jax.numpy`` (cached by identity: reuse the object).
        optimizer: a name of ``names()``, an ``optimizer(name, **hyper)``, an optax
            ``GradientTransformation`` (carrying its own learning rate) or a factory
            ``factory(learning_rate) -> GradientTransformation``.
        steps: the step budget (optimizer updates); for finite sums ``epochs`` may give it.
        x0: one start, shape ``(n,)``, or a batch, ``(K, n)``. Default: the function's ``x0``.
        starts: instead of ``x0``, sample this many starts uniformly in the function's bounds
            (``[-5, 5]^n`` for a plain callable) from ``key``.
        n: the dimension (default: from ``x0``, else the function's default).
        lr: a learning rate or a grid of them (see ``lr_grid``); default: the optimizer's.
        key: the seed of the starts' sampling, and the one run seed when ``seeds`` is None.
        seeds: run seeds (e.g. ``range(5)``); each run's minibatches come from ``key(seed)``.
        dtype: ``"float32"`` or ``"float64"``: of the iterates, the loss and the optimizer.
        batch: minibatch size, in examples: SGD on a finite-sum objective.
        epochs: passes over the data (``steps = epochs * (size // batch)``), with ``batch``.
        sampling: ``"shuffle"`` (epochs without replacement) or ``"replace"`` (see ``_sgd``).
        tol: stop each run once its gradient 2-norm is <= ``tol`` or it reached the last target
            (a ``lax.while_loop`` that ends when every run stopped, or at ``steps``).
        f_opt: the optimum the targets sit above (default: the registry's ``f_opt``).
        trace_every: stride of the loss trace, in steps (default: at most ~100 intervals).
        check_every: record the loss (targets, divergence) every this many steps; between
            checks only gradients are computed. Must divide ``steps`` and ``trace_every``.
            The default, 1, records every step: the loss of ``x_k`` is the value that
            ``value_and_grad`` returns with the gradient at ``x_k``, so its cost is only what
            the loss adds to the gradient (on XLA:CPU a transcendental or a long reduction
            can make that large: see the README). A check of a finite sum evaluates the
            full-data loss: on a large data set check once an epoch or so.
        repeats: calls of the compiled runner that are timed. The default, 1, runs the loop
            once: the result and its time come from that one run. More calls only refine
            ``step_time_s`` (the median), each one a full run of the loop whose result is
            identical (runs are deterministic); a session asks for them (``[[runs]] repeats``).
        warmup: untimed calls before the timed ones (caches, page faults, thread pools);
            sessions pass 1. The result comes from the first call made.
        device: ``"cpu"`` or ``"gpu"`` (default: JAX's default device).
        unroll, donate: override the backend's ``PLANS`` entry (scan unroll, donate x0).
        run_id: identifier for the table rows (default: a fresh one per call).

    Returns:
        An ``OptimizeResult``; ``result.table()`` gives the ``runs`` rows.

    Example:
        >>> import diffbench
        >>> res = diffbench.optimize.minimize(
        ...     "quadratic_loss", "sgd", 2, x0=[0.0], lr=0.1)
        >>> [round(float(v), 6) for v in res.x_final[:, 0]]
        [1.08]
    """
    dtype, repeats = _checks.dtype(dtype), _checks.count("repeats", repeats)
    warmup = _checks.calls("warmup", warmup)
    opt = resolve_optimizer(optimizer)
    first = None if x0 is None else _checks.points(x0)
    obj = resolve_objective(f, _checks.dimension(n, first), minibatch=batch is not None)
    sampler = None if batch is None else check_sampler(obj.size, batch, sampling)
    steps = _checks.steps(steps, epochs, None if sampler is None else sampler.steps_per_epoch)
    lrs, use_lr = _checks.learning_rates(lr, opt)
    seed_list = _checks.seeds(seeds, key)
    stride, check = _checks.strides(steps, trace_every, check_every, tol)
    dev = _checks.device(device)
    plan = plan_for(dev.platform, unroll, donate)
    points = _inputs.starts(obj, first, starts, key)
    _checks.runs(len(points) * lrs.size * seed_list.size, obj.n, dtype, dev)
    grid = _inputs.grid(len(points), lrs, seed_list)
    loop = Loop(obj, opt, use_lr, steps, stride, check, tol is not None, sampler, plan.unroll)
    known = obj.f_opt if f_opt is None else float(f_opt)
    args = _inputs.arguments(obj, points, grid, known, tol, dtype, dev)
    executable, compile_s = compiled(loop, len(_targets.EXPONENTS), plan, args)
    out, seconds = execute(executable, args, repeats, plan.donate, warmup)
    timing = (seconds, compile_s)
    return _result(obj, opt.label, loop, grid, points[grid.start], out, timing, known, dev, run_id)


def _result(
    obj: Objective,
    label: str,
    loop: Loop,
    grid: Grid,
    x0: np.ndarray,
    out: Any,
    timing: tuple[list[float], float],
    f_ref: float | None,
    dev: jax.Device,
    run_id: str | None,
) -> OptimizeResult:
    """Assemble the result; targets from the trace where the optimum is unknown."""
    trace_steps, (seconds, compile_s) = np.asarray(loop.trace_steps), timing
    hit_step, hit_evals, known = out.hit_step, out.hit_evals, f_ref is not None
    if not known:
        f_ref = _targets.best_value(out.trace, out.f_final)
        hit_step, hit_evals = _targets.hits_from_trace(
            out.trace, trace_steps, out.trace_evals, _targets.targets(f_ref)
        )
    steps_done = int(out.steps_done)
    dtype = str(out.x.dtype)
    per_run = obj.n * np.dtype(dtype).itemsize + state_bytes(
        loop.optimizer, loop.use_lr, obj.n, dtype
    )
    return OptimizeResult(
        function=obj.name,
        n=obj.n,
        dtype=dtype,
        device=dev.platform,
        optimizer=label,
        batch=None if loop.sampler is None else loop.sampler.batch,
        steps=loop.steps,
        run_id=run_id or uuid.uuid4().hex[:12],
        x0=x0,
        x_final=out.x,
        f_final=out.f_final,
        trace=out.trace,
        trace_steps=trace_steps,
        lr=grid.lr,
        start=grid.start,
        seed=grid.seed,
        targets=_targets.targets(f_ref),
        f_ref=float(f_ref),
        f_ref_known=known,
        hit_step=hit_step,
        hit_evals=hit_evals,
        diverged_at=out.diverged_at,
        stopped_at=out.stopped_at,
        evals=out.evals,
        step_time_s=float(np.median(seconds)) / max(steps_done, 1),
        times_s=seconds,
        compile_s=compile_s,
        steps_done=steps_done,
        min_bytes=2.0 * per_run * len(grid.start),
    )


def lr_grid(lo: float = 1e-5, hi: float = 1e2, num: int | None = None) -> np.ndarray:
    """Log-spaced learning rates from ``lo`` to ``hi`` inclusive (default: one per decade).

    The default range is DeepOBS's tuning range (Schneider et al. 2019).

    Example:
        >>> lr_grid(1e-2, 1e0)
        array([0.01, 0.1 , 1.  ])
    """
    if not 0 < lo < hi:
        _checks.fail(f"lr_grid needs 0 < lo < hi; got lo={lo}, hi={hi}.")
    num = int(round(np.log10(hi / lo))) + 1 if num is None else _checks.count("num", num)
    return np.logspace(np.log10(lo), np.log10(hi), num)


@x64
def sweep(
    f: Any, optimizer: Any, steps: int | None = None, *, lrs: Any = None, **kwargs: Any
) -> OptimizeResult:
    """``minimize`` over a learning-rate grid (default ``lr_grid()``: 1e-5 ... 1e2), vmapped.

    Example:
        >>> import diffbench
        >>> res = diffbench.optimize.sweep(
        ...     "quadratic_loss", "sgd", 500, x0=[0.0], lrs=[0.01, 0.5, 5.0])
        >>> res.status.tolist()
        ['ok', 'ok', 'diverged']
    """
    return minimize(f, optimizer, steps, lr=lr_grid() if lrs is None else lrs, **kwargs)
