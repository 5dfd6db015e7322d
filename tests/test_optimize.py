"""Optimization runners: the seed texts' gradient-descent case, targets, the runs table, batches.

Every runner compiles once per test module (module-scoped fixtures) and runs small: the suite
shares two cores. Timing is never asserted here (see benchmarks/bench_optimize.py).
"""

from __future__ import annotations

import logging

import jax
import numpy as np
import pandas as pd
import pytest

import diffbench
from diffbench import optimize

QUADRATIC_LRS = [1e-3, 1e-2, 0.1, 0.5, 1.0, 1.25, 2.0, 10.0]


@pytest.fixture(scope="module")
def quadratic_sweep():
    """Gradient descent on (x - 3)^2 from 0 over a learning-rate grid (seed text 000)."""
    return optimize.sweep(
        "quadratic_loss", "sgd", 2000, x0=[0.0], lrs=QUADRATIC_LRS, trace_every=1, repeats=1
    )


@pytest.fixture(scope="module")
def rosenbrock_starts():
    """Momentum on 2-D rosenbrock from 6 sampled starts x 2 learning rates x 2 seeds."""
    kwargs = dict(starts=6, lr=[1e-4, 3e-4], seeds=[0, 1], key=7, repeats=1)
    return optimize.minimize("rosenbrock", "momentum", 600, **kwargs), kwargs


def test_names_cover_the_issue():
    assert {"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad", "lbfgs"} <= set(
        optimize.names()
    )


def test_unknown_optimizer_suggests_the_closest():
    message = r"Unknown optimizer `adm`. Did you mean: adam"
    with pytest.raises(diffbench.DiffbenchError, match=message):
        optimize.minimize("sphere", "adm", 10)


def test_unknown_hyperparameter_is_named():
    with pytest.raises(diffbench.DiffbenchError, match=r"adam has no hyperparameter `beta1`"):
        optimize.optimizer("adam", beta1=0.8)


def test_seed_text_gradient_descent_steps(quadratic_sweep):
    """x: 0 -> 0.6 -> 1.08 (losses 9, 5.76, 3.6864), then converges to 3."""
    res = optimize.minimize("quadratic_loss", "sgd", 2, x0=[0.0], lr=0.1, repeats=1)
    assert res.x_final[0, 0] == pytest.approx(1.08, rel=1e-15)
    lr01 = QUADRATIC_LRS.index(0.1)
    np.testing.assert_allclose(quadratic_sweep.trace[:3, lr01], [9.0, 5.76, 3.6864], rtol=1e-15)
    assert quadratic_sweep.x_final[lr01, 0] == pytest.approx(3.0, abs=1e-12)


def test_learning_rate_sweep_diverges_above_one(quadratic_sweep):
    lrs, status = np.asarray(QUADRATIC_LRS), quadratic_sweep.status
    assert list(status[lrs > 1]) == ["diverged"] * int((lrs > 1).sum())
    assert not quadratic_sweep.diverged[lrs <= 1].any()
    # |1 - 2 lr| > 1 grows the error geometrically: the larger the rate, the sooner it overflows.
    steps = quadratic_sweep.diverged_at[lrs > 1]
    assert np.all(steps > 0) and np.all(np.diff(steps) < 0)
    # lr = 1 bounces between 0 and 6 for ever.
    assert quadratic_sweep.f_final[QUADRATIC_LRS.index(1.0)] == 9.0


def test_learning_rate_sweep_is_slow_at_small_rates(quadratic_sweep):
    """Steps to reach f <= 1e-2 fall as the rate grows towards 0.5 (one step at 0.5)."""
    lrs = np.asarray(QUADRATIC_LRS)
    k = list(optimize.EXPONENTS).index(-2)
    steps = quadratic_sweep.hit_step[lrs <= 0.5, k]
    assert np.all(np.diff(steps) < 0) and steps[-1] == 1
    assert quadratic_sweep.hit_step[QUADRATIC_LRS.index(1e-3), -1] == -1  # 1e-8 not reached


def test_table_has_the_runs_columns(quadratic_sweep):
    table = quadratic_sweep.table()
    assert list(table.columns) == optimize.COLUMNS
    assert len(table) == len(QUADRATIC_LRS) * len(optimize.EXPONENTS)
    assert set(table.status) <= set(optimize.STATUS)
    assert table.function.unique().tolist() == ["quadratic_loss"]
    assert table.device.unique().tolist() == [jax.devices()[0].platform]
    np.testing.assert_allclose(table.f_target[:11], 10.0 ** np.arange(2, -9, -1))
    hit = table[table.hit_target]
    assert hit.steps_to_target.notna().all() and hit.time_to_target_s.notna().all()
    assert table[~table.hit_target].steps_to_target.isna().all()
    assert (table.diverged == (table.status == "diverged")).all()
    assert table.batch.isna().all() and (table.steps == 2000).all()


def test_trace_lengths():
    res = optimize.minimize("sphere", "sgd", 10, n=3, lr=0.1, trace_every=3, starts=2, repeats=1)
    assert list(res.trace_steps) == [0, 3, 6, 9, 10]
    assert res.trace.shape == (5, 2) and res.x_final.shape == (2, 3)
    np.testing.assert_array_equal(res.trace[-1], res.f_final)
    assert np.all(np.diff(res.trace, axis=0) < 0)


def test_multistart_grid_order_and_determinism(rosenbrock_starts):
    first, kwargs = rosenbrock_starts
    assert first.runs == 6 * 2 * 2
    assert list(first.start[:4]) == [0, 0, 0, 0] and list(first.lr[:4]) == [1e-4, 1e-4, 3e-4, 3e-4]
    again = optimize.minimize("rosenbrock", "momentum", 600, **kwargs)
    np.testing.assert_array_equal(first.x_final, again.x_final)
    np.testing.assert_array_equal(first.trace, again.trace)
    np.testing.assert_array_equal(first.hit_step, again.hit_step)


def test_starts_lie_in_the_bounds(rosenbrock_starts):
    first, _ = rosenbrock_starts
    lo, hi = diffbench.functions.get("rosenbrock").bounds(2)
    assert np.all((first.x0 >= lo) & (first.x0 <= hi))
    assert len(np.unique(first.x0, axis=0)) == 6  # one per start, shared by its lr x seed runs
    same_start = first.x0[first.start == 2]
    np.testing.assert_array_equal(same_start, np.repeat(same_start[:1], 4, axis=0))


def test_second_call_does_not_recompile(rosenbrock_starts, caplog):
    _, kwargs = rosenbrock_starts
    before = optimize.cache_info()
    with jax.log_compiles(True), caplog.at_level(logging.WARNING):
        optimize.minimize("rosenbrock", "momentum", 600, **{**kwargs, "lr": [2e-4, 5e-4]})
    after = optimize.cache_info()
    assert after["traces"] == before["traces"] and after["hits"] == before["hits"] + 1
    assert not [r for r in caplog.records if "ompil" in r.getMessage()]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(dtype="float16"), "dtype must be float32 or float64"),
        (dict(x0=[1.0, 2.0, 3.0], n=2), "n=2 but x0 has 3 coordinates"),
        (dict(x0=[1.0, np.nan]), "non-finite"),
        (dict(x0=[1.0, 2.0], starts=3), "not both"),
        (dict(batch=4), "batch= needs a finite-sum objective; rosenbrock is not one"),
        (dict(lr=-0.1), "lr must be a positive number"),
        (dict(seeds=3), r"range\(3\)"),
        (dict(check_every=3), "check_every=3 must divide steps=10"),
        (dict(trace_every=5, check_every=2), "multiple of check_every=2"),
        (dict(tol=-1.0), "tol must be"),
        (dict(n=1), "rosenbrock needs n >= 2; got n=1"),
    ],
)
def test_bad_arguments_fail_in_one_line(kwargs, message):
    with pytest.raises(diffbench.DiffbenchError, match=message) as info:
        diffbench.optimize.minimize("rosenbrock", "sgd", 10, **kwargs)
    assert "\n" not in str(info.value)


def test_fixed_dimension_is_checked():
    with pytest.raises(diffbench.DiffbenchError, match="beale is defined for n=2 only; got n=3"):
        diffbench.optimize.minimize("beale", "sgd", 10, x0=[1.0, 1.0, 1.0])


def test_runs_table_is_a_dataframe_with_nullable_steps(quadratic_sweep):
    summary = quadratic_sweep.summary()
    assert isinstance(summary, pd.DataFrame) and len(summary) == len(QUADRATIC_LRS)
    diverged = summary[summary.status == "diverged"]
    assert diverged.diverged_at.notna().all() and summary.diverged_at.dtype == "Int64"
    assert quadratic_sweep.best() == QUADRATIC_LRS.index(0.5)


def test_check_every_rounds_steps_up_to_a_check():
    res = optimize.minimize(
        "quadratic_loss", "sgd", 200, x0=[0.0], lr=[0.1, 10.0], check_every=4, repeats=1
    )
    hit = res.hit_step[0][res.hit_step[0] >= 0]
    assert len(hit) > 3 and np.all(hit % 4 == 0)
    assert res.status.tolist() == ["ok", "diverged"] and res.diverged_at[1] % 4 == 0
    assert list(res.trace_steps[:3]) == [0, 4, 8]


def test_tolerance_budget_with_a_shorter_last_segment():
    res = optimize.minimize(
        "sphere", "sgd", 105, n=2, lr=1e-4, tol=1e-12, trace_every=10, donate=True, repeats=2
    )
    assert res.status.tolist() == ["ok"] and res.steps_done == 105
    assert res.trace_steps[-2:].tolist() == [100, 105]
    assert np.isfinite(res.trace).all() and res.trace[-1, 0] == res.f_final[0]


def test_f_opt_override_moves_the_targets():
    res = optimize.minimize("quadratic_loss", "sgd", 50, x0=[0.0], lr=0.1, f_opt=-1.0, repeats=1)
    assert res.f_ref == -1.0 and res.targets[-1] == pytest.approx(-1.0 + 1e-8)
    # the loss is >= 0: only f_opt + 100 and f_opt + 10 are within reach
    assert (res.hit_step[0, :2] >= 0).all() and (res.hit_step[0, 2:] == -1).all()


@pytest.mark.parametrize(("name", "arrays"), [("sgd", 1), ("momentum", 2), ("adam", 3)])
def test_min_bytes_count_the_iterate_and_the_state(name, arrays):
    """A step reads and writes x and every per-coordinate state array (Adam: mu and nu)."""
    res = optimize.minimize("sphere", name, 4, n=7, starts=3, lr=[0.1, 0.2], dtype="float32")
    assert res.min_bytes == 2 * arrays * (3 * 2) * 7 * 4
    table = res.table(copy_gbs=2.0)
    assert table.gb_per_s.iloc[0] == pytest.approx(res.min_bytes / res.step_time_s / 1e9)
    np.testing.assert_allclose(table.bandwidth_fraction, table.gb_per_s / 2.0)
    assert res.table().bandwidth_fraction.isna().all()


def test_one_call_runs_the_loop_once_and_timing_repeats_are_asked_for():
    kwargs = dict(x0=[0.0], lr=0.1)
    assert len(optimize.minimize("quadratic_loss", "sgd", 8, **kwargs).times_s) == 1
    timed = optimize.minimize("quadratic_loss", "sgd", 8, repeats=3, warmup=1, **kwargs)
    assert len(timed.times_s) == 3
    with pytest.raises(diffbench.DiffbenchError, match="warmup must be an integer >= 0"):
        optimize.minimize("quadratic_loss", "sgd", 8, warmup=-1, **kwargs)


def test_a_repeated_call_moves_nothing_to_the_device():
    """Starts, rates, keys, targets and data of a repeated call are cached on the device."""
    kwargs = dict(starts=5, lr=[1e-3, 1e-2], seeds=[0, 1])
    first = optimize.minimize("rosenbrock", "adam", 20, **kwargs)
    with jax.transfer_guard_host_to_device("disallow_explicit"):
        again = optimize.minimize("rosenbrock", "adam", 20, **kwargs)
    np.testing.assert_array_equal(first.x_final, again.x_final)
