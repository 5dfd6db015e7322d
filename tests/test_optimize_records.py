"""Default per-step records against a record-free run and an independent reference loop.

The reference loop is written here, apart from the runners: one hand-written ``lax.scan`` of the
same optax optimizer per run, keeping every iterate; the loss of every iterate comes from
``scipy.optimize.rosen`` in float64 (not from JAX), and first hits are read off those losses
with NumPy. The runners must agree step for step: the check at step ``k`` is the loss of
``x_k``, taken from the ``value_and_grad`` that moves ``x_k``.
"""

from __future__ import annotations

import inspect

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from scipy.optimize import rosen

from diffbench import functions, optimize

STEPS = 600
LRS = [2e-2, 2e-3]
STARTS = np.array([[-1.2, 1.0], [2.5, -1.5], [0.3, 4.0]])


def _rosenbrock(x):
    return functions.get("rosenbrock").fn(jnp, x)


def reference(x0: np.ndarray, lr: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Adam from ``x0``: the iterates ``x_0 ... x_steps`` (steps + 1, 2) and their losses."""
    opt = optax.adam(lr)

    def body(carry, _):
        x, state = carry
        updates, state = opt.update(jax.grad(_rosenbrock)(x), state, x)
        x_next = optax.apply_updates(x, updates)
        return (x_next, state), x_next

    x = jnp.asarray(x0, jnp.float64)
    with jax.numpy_dtype_promotion("standard"), jax.numpy_rank_promotion("allow"):
        _, path = jax.jit(lambda x: jax.lax.scan(body, (x, opt.init(x)), None, steps))(x)
    iterates = np.vstack([x0[None, :], np.asarray(path)])
    return iterates, rosen(iterates.T)


def first_hits(losses: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The first step whose loss is <= each target, -1 where none is (NumPy, per target)."""
    out = []
    for target in targets:
        reached = np.flatnonzero(np.isfinite(losses) & (losses <= target))
        out.append(int(reached[0]) if reached.size else -1)
    return np.asarray(out)


@pytest.fixture(scope="module")
def runs():
    """The default run, a record-free one (one check at the start) and the reference loop."""
    kwargs = dict(x0=STARTS, lr=LRS)
    default = optimize.minimize("rosenbrock", "adam", STEPS, **kwargs)
    free = optimize.minimize("rosenbrock", "adam", STEPS, check_every=STEPS, **kwargs)
    pairs = zip(default.start, default.lr, strict=True)
    refs = [reference(STARTS[s], lr, STEPS) for s, lr in pairs]
    return default, free, refs


def test_default_records_every_step():
    assert optimize.Records().check_every == 1  # minimize's default records (issue 13)
    assert inspect.signature(optimize.minimize).parameters["records"].default is None


def test_records_leave_the_iterates_bitwise_unchanged(runs):
    default, free, _ = runs
    np.testing.assert_array_equal(default.x_final, free.x_final)
    np.testing.assert_array_equal(default.f_final, free.f_final)


def test_iterates_follow_the_reference_loop(runs):
    default, _, refs = runs
    ends = np.stack([iterates[-1] for iterates, _ in refs])
    np.testing.assert_allclose(default.x_final, ends, rtol=1e-12, atol=1e-14)


def test_first_hits_are_the_reference_first_steps(runs):
    default, _, refs = runs
    expected = np.stack([first_hits(losses, default.targets) for _, losses in refs])
    assert (expected >= 0).sum() >= 10 and (expected == -1).any()  # hits and misses both tested
    assert len(np.unique(expected[expected > 0] % 64)) > 3  # hits fall inside chunks too
    np.testing.assert_array_equal(default.hit_step, expected)
    np.testing.assert_array_equal(default.hit_evals, expected)  # one gradient per step


def test_trace_holds_the_reference_losses(runs):
    default, _, refs = runs
    losses = np.stack([losses for _, losses in refs], axis=1)
    np.testing.assert_allclose(default.trace, losses[default.trace_steps], rtol=1e-12)


@pytest.mark.parametrize("trace_every", [STEPS // 2, 6])
def test_chunking_does_not_change_first_hits(runs, trace_every):
    """Chunks of 50 (trace every 300 steps) and of 6 checks give the same records."""
    default, _, _ = runs
    other = optimize.minimize(
        "rosenbrock", "adam", STEPS, x0=STARTS, lr=LRS, trace_every=trace_every
    )
    np.testing.assert_array_equal(other.hit_step, default.hit_step)
    np.testing.assert_array_equal(other.x_final, default.x_final)


def test_first_non_finite_loss_is_the_divergence_step():
    """GD on (x - 3)^2 with lr = 2: x_k - 3 = (-3)^(k+1), so the loss overflows at a known k."""
    res = optimize.minimize("quadratic_loss", "sgd", 700, x0=[0.0], lr=2.0)
    k = np.arange(701)
    with np.errstate(over="ignore"):
        losses = (3.0 ** (k + 1)) ** 2  # |x_k - 3|^2 in float64, inf past 1e308
    assert res.diverged_at[0] == np.flatnonzero(~np.isfinite(losses))[0]


def test_a_loss_equal_to_a_target_reaches_it():
    """GD with rate 1/4 on (x - 3)^2 from 11 halves x - 3: losses 64, 16, 4, 1, 1/4, ... exactly.

    The loss 1 at step 3 equals the target f_opt + 10^0: reached there (<=), inside a chunk of
    eight checks; and 100 at the start of the second run equals f_opt + 10^2.
    """
    res = optimize.minimize("quadratic_loss", "sgd", 8, x0=[[11.0], [13.0]], lr=0.25, trace_every=8)
    assert res.trace[:, 0].tolist() == [64.0, 2.0**-10]
    assert res.hit_step[0, :4].tolist() == [0, 2, 3, 5]  # 1/16 is the first <= 0.1
    assert res.hit_step[1, 0] == 0


def test_gpu_plan_is_chosen_by_backend_and_records_the_same_on_cpu(runs):
    """The GPU's plan (scan unrolled 10x) runs here on the CPU: same iterates, same records."""
    from diffbench.optimize._runner import plan_for

    assert plan_for("gpu") == optimize.PLANS["gpu"] and optimize.PLANS["gpu"].unroll == 10
    assert plan_for("cpu").unroll == 1 and plan_for("tpu") == optimize.Plan()
    assert plan_for("gpu", unroll=2, donate=True) == optimize.Plan(unroll=2, donate=True)
    default, _, _ = runs
    gpu_plan = optimize.minimize(
        "rosenbrock", "adam", STEPS, x0=STARTS, lr=LRS, unroll=optimize.PLANS["gpu"].unroll
    )
    np.testing.assert_allclose(gpu_plan.x_final, default.x_final, rtol=1e-13)  # fusion differs
    np.testing.assert_array_equal(gpu_plan.hit_step, default.hit_step)
    np.testing.assert_array_equal(gpu_plan.diverged_at, default.diverged_at)


def test_a_batch_records_what_its_runs_record_alone():
    """8 runs of n = 2 batched, and each run alone: same results, also in
    tolerance mode, where stopped runs are frozen while the others go on."""
    kwargs = dict(lr=0.2, tol=1e-6, trace_every=10)
    starts = np.linspace([-4.0, 3.0], [3.0, -2.0], 8)
    batch = optimize.minimize("sphere", "sgd", 200, x0=starts, **kwargs)
    assert len(set(batch.stopped_at.tolist())) > 2  # runs stop at different steps
    for r, x0 in enumerate(starts):
        alone = optimize.minimize("sphere", "sgd", 200, x0=x0, **kwargs)
        np.testing.assert_array_equal(alone.x_final[0], batch.x_final[r])
        np.testing.assert_array_equal(alone.hit_step[0], batch.hit_step[r])
        assert alone.stopped_at[0] == batch.stopped_at[r]


def test_evaluations_of_stopped_runs_are_their_stop_steps():
    """GD with rate 0.2 on the sphere: x_k = 0.6^k x_0, so the step at which a run first has
    |grad| = 2 |x_k| <= tol, or a loss at the last target, is known in closed form; each run
    spent one gradient a step up to it."""
    starts = np.linspace([-4.0, 3.0], [3.0, -2.0], 8)
    tol, steps = 1e-6, 200
    res = optimize.minimize("sphere", "sgd", steps, x0=starts, lr=0.2, tol=tol, trace_every=10)
    k = np.arange(steps + 1)[:, None]
    norm = np.linalg.norm(starts, axis=1)[None, :] * 0.6**k
    done = (2 * norm <= tol) | (norm**2 <= res.targets[-1])
    expected = np.argmax(done, axis=0)
    assert len(set(expected.tolist())) > 2 and (expected < steps).all()
    np.testing.assert_array_equal(res.stopped_at, expected)
    np.testing.assert_array_equal(res.evals, expected)


def test_cpu_runner_is_compiled_without_ynn_fusions():
    """XLA:CPU's YNNPACK fusion of a loss's reduction ran several times slower than the loop
    emitter (rosenbrock's value at n = 1e6: 2.7 against 0.5-2 ms); the CPU plan turns it off,
    and the runner must be compiled with that plan's options."""
    from diffbench.optimize import _runner

    assert dict(optimize.PLANS["cpu"].options) == {"xla_cpu_experimental_ynn_fusion_type": ""}
    if jax.default_backend() != "cpu":
        pytest.skip("the option is XLA:CPU's")
    optimize.minimize("rosenbrock", "sgd", 4, n=65536, lr=1e-4)  # YNN takes it from ~1e4
    hlo = next(reversed(_runner._CACHE.values())).as_text()
    assert "reduce" in hlo and "__ynn_fusion" not in hlo


class _Lowered:
    """A stand-in for ``jax.stages.Lowered`` whose XLA refuses every compiler option."""

    def __init__(self, refusal: str) -> None:
        self.refusal, self.calls = refusal, []

    def compile(self, compiler_options=None):
        self.calls.append(compiler_options)
        if compiler_options:
            raise RuntimeError(self.refusal)
        return "executable"


def test_an_xla_without_a_plan_option_compiles_without_it():
    """jaxlib 0.4.35 (the declared floor) has no YNNPACK option: the runner must still compile."""
    from diffbench.optimize import _runner

    options = (("xla_cpu_test_only_option", ""),)
    lowered = _Lowered("INVALID_ARGUMENT: No such compile option: 'xla_cpu_test_only_option'")
    assert _runner._compile(lowered, options) == "executable"
    assert lowered.calls == [dict(options), None]
    again = _Lowered("never raised: the refused options are remembered")
    assert _runner._compile(again, options) == "executable" and again.calls == [None]
    other = _Lowered("RESOURCE_EXHAUSTED: out of memory")
    with pytest.raises(RuntimeError, match="RESOURCE_EXHAUSTED"):
        _runner._compile(other, (("xla_cpu_other_option", ""),))
