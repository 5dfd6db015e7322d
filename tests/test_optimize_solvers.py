"""Optimization runners reach optima: convex functions, L-BFGS on rosenbrock, SGD on finite sums.

Each case compiles one runner; sizes are small (the suite shares two cores).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import optax
import pytest

import diffbench
from diffbench import functions, optimize

CONVEX = [
    ("sphere", "sgd", 0.25, 200),  # contraction 1 - 2 lr = 0.5 per step
    ("ellipsoid", "lbfgs", None, 100),  # condition number 1e6: hopeless for plain GD
    ("linear_regression", "lbfgs", None, 100),
    ("logistic_regression", "adam", 0.05, 3000),
]


@pytest.mark.parametrize(("name", "opt", "lr", "steps"), CONVEX)
def test_convex_functions_reach_their_optimum(name, opt, lr, steps):
    tf = functions.get(name)
    res = optimize.minimize(name, opt, steps, lr=lr, repeats=1)
    n = tf.resolve_dim(None)
    assert res.f_ref_known and res.f_ref == tf.f_opt(n)
    assert res.f_final[0] - tf.f_opt(n) <= 1e-8 * max(1.0, abs(tf.f_opt(n)))
    assert res.hit_step[0, -1] >= 0  # the 1e-8 target, recorded in the loop
    np.testing.assert_allclose(res.x_final[0], tf.x_opt(n), atol=1e-3)


def test_lbfgs_solves_rosenbrock_and_counts_line_search_evaluations():
    res = optimize.minimize("rosenbrock", "lbfgs", 60, repeats=1)
    assert res.f_final[0] < 1e-20 and np.isnan(res.lr[0])
    np.testing.assert_allclose(res.x_final[0], [1.0, 1.0], atol=1e-9)
    hit, evals = res.hit_step[0], res.hit_evals[0]
    assert (hit >= 0).all() and (np.diff(hit) >= 0).all()
    assert (evals >= hit).all() and evals[-1] > hit[-1]  # line searches cost evaluations
    table = res.table()
    assert (table.grad_evals_to_target >= table.steps_to_target).all()


@pytest.fixture(scope="module")
def linear_sgd():
    """SGD, minibatches of 8 out of 32 examples, 3 seeds, 25 epochs (100 steps)."""
    kwargs = dict(batch=8, epochs=25, lr=0.05, seeds=[0, 1, 2], repeats=1)
    return optimize.minimize("linear_regression", "sgd", **kwargs), kwargs


def test_sgd_on_a_finite_sum_reduces_the_loss(linear_sgd):
    res, _ = linear_sgd
    assert res.steps == 25 * (32 // 8) and res.batch == 8
    start_loss = res.trace[0]
    assert np.all(res.f_final < 0.05 * start_loss)
    assert np.all(res.f_final - res.f_ref < 0.05)  # near the least-squares value, SGD noise
    assert set(res.table().batch) == {8}


def test_sgd_minibatches_depend_on_the_seed_only(linear_sgd):
    res, kwargs = linear_sgd
    assert len({float(v) for v in res.f_final}) == 3  # three seeds, three sample paths
    again = optimize.minimize("linear_regression", "sgd", **kwargs)
    np.testing.assert_array_equal(res.x_final, again.x_final)
    np.testing.assert_array_equal(res.trace, again.trace)


def test_sgd_with_replacement_on_the_mlp():
    fs = functions.ml.finite_sum("mlp")
    res = optimize.minimize(fs, "adam", 300, batch=4, lr=0.01, sampling="replace", repeats=1)
    assert res.function == "mlp" and res.f_final[0] < 0.5 * res.trace[0, 0]
    assert not res.f_ref_known  # no known optimum: targets sit above the best loss found


def test_tolerance_stops_runs_and_the_loop():
    res = optimize.minimize("sphere", "adam", 4000, n=3, starts=4, lr=0.05, tol=1e-6, repeats=1)
    assert (res.status == "converged").all()
    assert (res.stopped_at > 0).all() and res.steps_done < 4000
    assert res.steps_done % res.trace_steps[1] == 0  # the loop ends on a trace segment
    assert np.isnan(res.trace[-1]).all()  # the budget's last step was never reached
    assert (res.f_final <= res.targets[-1]).all()


def test_float32_runs_stay_float32():
    res = optimize.minimize("rosenbrock", "nesterov", 200, starts=3, lr=1e-4, dtype="float32")
    assert res.x_final.dtype == np.float32 and res.trace.dtype == np.float32
    assert set(res.table().dtype) == {"float32"}


def test_custom_transformation_and_factory():
    ready = optax.chain(optax.clip_by_global_norm(1.0), optax.sgd(0.2))
    res = optimize.minimize("sphere", ready, 100, n=2, repeats=1)
    assert res.optimizer == "custom" and np.isnan(res.lr[0]) and res.f_final[0] < 1e-10

    def clipped_sgd(learning_rate):
        return optax.chain(optax.clip_by_global_norm(1.0), optax.sgd(learning_rate))

    res = optimize.minimize("sphere", clipped_sgd, 100, n=2, lr=[0.01, 0.1], repeats=1)
    assert res.optimizer == "clipped_sgd" and res.f_final[1] < res.f_final[0]
    with pytest.raises(diffbench.DiffbenchError, match="drop lr="):
        optimize.minimize("sphere", ready, 100, n=2, lr=0.1)


def test_plain_callable_targets_sit_above_the_best_value():
    def cosh_sum(x):
        return jnp.sum(jnp.cosh(x))

    res = optimize.minimize(cosh_sum, "adam", 300, n=3, starts=2, lr=0.1, repeats=1)
    assert res.function == "cosh_sum" and not res.f_ref_known
    assert res.f_ref == pytest.approx(3.0, abs=1e-9)
    table = res.table()
    assert table.f_target.min() == pytest.approx(3.0 + 1e-8)
    assert table.hit_target[table.f_target == table.f_target.max()].all()


def test_an_unregistered_finite_sum():
    """A FiniteSum that is not a registry entry: least squares y = 2 a, on 16 examples."""
    a = np.linspace(-1.0, 1.0, 16)
    fs = functions.ml.FiniteSum(
        "my_least_squares",
        {"a": a, "y": 2.0 * a},
        lambda xp, x, batch: (x[0] * batch["a"] - batch["y"]) ** 2,
        16,
    )
    res = optimize.minimize(fs, "sgd", None, batch=4, epochs=30, n=1, x0=[0.0], lr=0.5)
    assert res.function == "my_least_squares" and res.x_final[0, 0] == pytest.approx(2.0)
    with pytest.raises(diffbench.DiffbenchError, match="pass n= or x0="):
        optimize.minimize(fs, "sgd", 10, batch=4)
