"""pytest-benchmark cases for the optimization runners (``diffbench.optimize``).

Each benchmark times a whole ``minimize`` call with its defaults (every step's loss recorded,
one run of the loop), as a user waits for it (argument preparation, the compiled runner,
results back to NumPy), after a first call that compiled the runner; the runner's own per-step
time (compile apart, ``block_until_ready``) is in ``extra_info`` as ``steps_per_s``, with
``gb_per_s`` (``OptimizeResult.min_bytes`` over the step time). ``test_plan`` is the
measurement behind ``diffbench.optimize.PLANS``: scan unrolling x donation of the starts on a
stencil objective, loss checked once, per backend (run it on a GPU to revisit the ``gpu``
entry).

Run: ``pytest benchmarks/bench_optimize.py --benchmark-only`` (about a minute on 2 cores).
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from diffbench import optimize


def _bench(benchmark, rounds: int = 3, **kwargs):
    """Benchmark ``minimize(**kwargs)`` (compiled first) and record the runner's figures."""
    optimize.minimize(**kwargs)
    result = benchmark.pedantic(lambda: optimize.minimize(**kwargs), rounds=rounds, iterations=1)
    benchmark.extra_info.update(
        steps_per_s=float(result.runs / result.step_time_s),
        step_time_s=result.step_time_s,
        gb_per_s=result.gb_per_s,
        runs=result.runs,
        device=jax.devices()[0].platform,
        best_f=float(np.nanmin(result.f_final)),
    )
    return result


def test_rosenbrock_gd_20000_steps(benchmark):
    res = _bench(benchmark, f="rosenbrock", optimizer="sgd", steps=20_000, lr=1e-3)
    assert res.f_final[0] < 1e-3


def test_rastrigin_10000_starts(benchmark):
    res = _bench(
        benchmark, rounds=2, f="rastrigin", optimizer="sgd", steps=1_000, starts=10_000, lr=1e-3
    )
    assert res.runs == 10_000


def test_rosenbrock_10000_starts(benchmark):
    res = _bench(
        benchmark, rounds=2, f="rosenbrock", optimizer="sgd", steps=1_000, starts=10_000, lr=1e-4
    )
    assert res.runs == 10_000


def test_learning_rate_sweep(benchmark):
    res = _bench(
        benchmark, f="quadratic_loss", optimizer="sgd", steps=2_000, x0=[0.0], lr=optimize.lr_grid()
    )
    assert set(res.status) == {"ok", "diverged"}


def test_lbfgs_rosenbrock(benchmark):
    res = _bench(benchmark, f="rosenbrock", optimizer="lbfgs", steps=100, n=10)
    assert res.f_final[0] < 1e-10


def test_sgd_minibatches(benchmark):
    res = _bench(
        benchmark,
        f="logistic_regression",
        optimizer="adam",
        batch=8,
        epochs=100,
        lr=0.01,
        seeds=range(8),
    )
    assert res.runs == 8


@pytest.mark.parametrize("donate", [False, True], ids=["keep", "donate"])
@pytest.mark.parametrize("unroll", [1, 2, 10])
def test_plan(benchmark, unroll, donate):
    """GD on rosenbrock, n = 1e6, float64, loss checked once: bytes/step = read + write x."""
    n, steps = 1_000_000, 100
    res = _bench(
        benchmark,
        rounds=2,
        f="rosenbrock",
        optimizer="sgd",
        steps=steps,
        n=n,
        lr=1e-4,
        check_every=steps,
        unroll=unroll,
        donate=donate,
    )
    assert res.min_bytes == 16 * n
