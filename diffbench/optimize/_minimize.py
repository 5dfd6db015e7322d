"""``minimize`` and ``sweep``: the public entry points of the optimization runners."""

from __future__ import annotations

import uuid
from typing import Any

import jax
import numpy as np

from .. import _checks
from .._objective import Objective
from .._objective import resolve as resolve_objective
from .._x64 import x64
from ..distributed._runs import jit_shardings, runs_mesh, trim
from . import _inputs, _options, _targets
from ._inputs import RunGrid
from ._loop import Loop, state_bytes
from ._optimizers import resolve as resolve_optimizer
from ._options import Grid, Records, Stop, Timing
from ._result import OptimizeResult
from ._runner import Plan, compiled, execute, plan_for
from ._sgd import check_sampler


@x64
def minimize(
    f: Any,
    optimizer: Any,
    steps: int | None = None,
    *,
    x0: Any = None,
    n: int | None = None,
    dtype: str = "float64",
    batch: int | None = None,
    sampling: str = "shuffle",
    device: str | None = None,
    stop: Stop | None = None,
    records: Records | None = None,
    grid: Grid | None = None,
    timing: Timing | None = None,
    plan: Plan | None = None,
    run_id: str | None = None,
    **flat: Any,
) -> OptimizeResult:
    """Minimize ``f`` with an optax optimizer, every run's whole loop in one compiled call.

    Runs are the grid starts x learning rates x seeds, vmapped together. The loop is a
    ``lax.scan`` over ``steps`` (or, with ``tol``, a ``lax.while_loop``); nothing returns to
    the host until it ends. Divergence is recorded, never raised. Compiled runners are cached
    by the function, optimizer, shapes and the resolved ``Stop``, ``Records`` and ``Plan``: a
    second call that differs only in values (starts, learning rates, seeds, ``tol``,
    ``f_opt``) does not recompile.

    The knobs come in option objects (``diffbench.optimize.Stop``, ``Records``, ``Grid``,
    ``Timing``, ``Plan``; see ``docs/objective-and-methods.md``). Each of their fields is also
    a flat keyword (``starts=64``, ``lr=1e-2``, ``tol=1e-8``, ``check_every=10``,
    ``repeats=3``, ``unroll=10`` ...), which replaces that field.

    Args:
        f: a registry name, a ``TestFunction``, a ``functions.ml.FiniteSum`` or a callable
            ``f(x) -> scalar`` written with ``jax.numpy`` (cached by identity: reuse the object).
        optimizer: a name of ``names()``, an ``optimizer(name, **hyper)``, an optax
            ``GradientTransformation`` (carrying its own learning rate) or a factory
            ``factory(learning_rate) -> GradientTransformation``.
        steps: the step budget (``Stop.steps``).
        x0: one start, shape ``(n,)``, or a batch, ``(K, n)``. Default: the function's ``x0``
            (or ``Grid.starts`` sampled ones; ``[-5, 5]^n`` for a plain callable).
        n: the dimension (default: from ``x0``, else the function's default).
        dtype: ``"float32"`` or ``"float64"``: of the iterates, the loss and the optimizer.
        batch: minibatch size, in examples: SGD on a finite-sum objective.
        sampling: ``"shuffle"`` (epochs without replacement) or ``"replace"`` (see ``_sgd``).
        device: ``"cpu"`` or ``"gpu"`` (default: JAX's default device).
        stop: ``Stop(steps, epochs, tol)``: when runs end.
        records: ``Records(check_every, trace_every, f_opt)``: what runs record. The default
            ``check_every=1`` records the loss of every step: the value ``value_and_grad``
            returns with the gradient at ``x_k``, so its cost is only what the loss adds to
            the gradient (on XLA:CPU a transcendental or a long reduction can make that
            large: see the README). A check of a finite sum evaluates the full-data loss.
        grid: ``Grid(starts, lr, seeds, key, devices)``: which runs. ``devices`` splits the
            runs over this process's devices of that platform (``diffbench.distributed``):
            None (all of them, at most one per run), a count, or a list of ``jax.Device``;
            ``1`` runs unsharded. Results equal the unsharded call's (the runs axis is padded
            to a multiple of the devices, then trimmed).
        timing: ``Timing(repeats, warmup)``: calls of the compiled runner. The default runs
            the loop once; more timed calls only refine ``step_time_s`` (the median).
        plan: ``Plan(unroll, donate)``: override the backend's ``PLANS`` entry.
        run_id: identifier for the table rows (default: a fresh one per call).
        **flat: any field of the option objects, by name (``unroll`` and ``donate`` too).

    Returns:
        An ``OptimizeResult``; ``result.table()`` gives the ``runs`` rows.

    Example:
        >>> import diffbench
        >>> res = diffbench.optimize.minimize(
        ...     "quadratic_loss", "sgd", 2, x0=[0.0], lr=0.1)
        >>> [round(float(v), 6) for v in res.x_final[:, 0]]
        [1.08]
        >>> from diffbench.optimize import Grid
        >>> same = diffbench.optimize.minimize(
        ...     "quadratic_loss", "sgd", 2, x0=[0.0], grid=Grid(lr=0.1))
        >>> bool((same.x_final == res.x_final).all())
        True
    """
    unroll, donate = flat.pop("unroll", None), flat.pop("donate", None)
    if steps is not None:
        flat["steps"] = steps
    given = {Stop: stop, Records: records, Grid: grid, Timing: timing}
    opts = _options.gather(flat, given)
    stop, records, grid, timing = opts[Stop], opts[Records], opts[Grid], opts[Timing]
    dtype = _checks.dtype(dtype)
    timing = Timing(
        _checks.count("repeats", timing.repeats), _checks.calls("warmup", timing.warmup)
    )
    opt = resolve_optimizer(optimizer)
    first = None if x0 is None else _checks.points(x0)
    obj = resolve_objective(f, _checks.dimension(n, first), minibatch=batch is not None)
    sampler = None if batch is None else check_sampler(obj.size, batch, sampling)
    per_epoch = None if sampler is None else sampler.steps_per_epoch
    lrs, use_lr = _checks.learning_rates(grid.lr, opt)
    seed_list = _checks.seeds(grid.seeds, grid.key)
    stop = Stop(_checks.steps(stop.steps, stop.epochs, per_epoch), tol=stop.tol)
    stride, check = _checks.strides(stop.steps, records.trace_every, records.check_every, stop.tol)
    known = obj.f_opt if records.f_opt is None else float(records.f_opt)
    records = Records(check_every=check, trace_every=stride, f_opt=known)
    dev = _checks.device(device)
    plan = _plan(dev.platform, plan, unroll, donate)
    points = _inputs.starts(obj, first, grid.starts, grid.key)
    _checks.runs(len(points) * lrs.size * seed_list.size, obj.n, dtype, dev)
    runs = _inputs.grid(len(points), lrs, seed_list)
    mesh = runs_mesh(grid.devices, dev.platform, len(runs.start))
    loop = Loop(obj, opt, use_lr, stop.steps, stride, check, stop.early, sampler, plan.unroll)
    args = _inputs.arguments(obj, points, runs, known, stop.tol, dtype, dev, mesh)
    shardings = None if mesh is None else jit_shardings(mesh)
    options = (stop, records)
    executable, compile_s = compiled(loop, len(_targets.EXPONENTS), plan, args, options, shardings)
    out, seconds = execute(executable, args, timing.repeats, plan.donate, timing.warmup)
    out = out if mesh is None else trim(out, len(runs.start))
    times = (seconds, compile_s, 1 if mesh is None else mesh.size)
    return _result(obj, opt.label, loop, runs, points[runs.start], out, times, known, dev, run_id)


def _plan(platform: str, plan: Plan | None, unroll: int | None, donate: bool | None) -> Plan:
    """The backend's plan, overridden by ``plan`` and then by the flat ``unroll``/``donate``."""
    if plan is not None and not isinstance(plan, Plan):
        _checks.fail(f"plan= takes a diffbench.optimize.Plan; got {type(plan).__name__}.")
    unroll = plan.unroll if unroll is None and plan is not None else unroll
    donate = plan.donate if donate is None and plan is not None else donate
    return plan_for(platform, unroll, donate)


def _result(
    obj: Objective,
    label: str,
    loop: Loop,
    grid: RunGrid,
    x0: np.ndarray,
    out: Any,
    timing: tuple[list[float], float, int],
    f_ref: float | None,
    dev: jax.Device,
    run_id: str | None,
) -> OptimizeResult:
    """Assemble the result; targets from the trace where the optimum is unknown."""
    trace_steps, (seconds, compile_s, devices) = np.asarray(loop.trace_steps), timing
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
        devices=devices,
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
