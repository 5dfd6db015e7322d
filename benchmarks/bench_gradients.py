"""Gradient methods on rosenbrock, rastrigin and ackley at n = 10, 1e3 and 1e5 (float64).

Each benchmark times one compiled gradient call that ends in ``block_until_ready``, after the
executable was compiled ahead of time and warmed up, so pytest-benchmark's rounds time steady
state work, never compilation or mere dispatch. ``extra_info`` holds the accuracy against the
reference (``digits``, ``rel_err_max``, ``reference``), ``compile_s`` and XLA's ``flops``.

Forward mode and the finite differences cost n evaluations of f (n^2 work in all), so they are
skipped at n = 1e5 (hours on a CPU); reverse mode runs at every n.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

import diffbench
from diffbench.harness import compile_jit, xla_costs

FUNCTIONS = ("rosenbrock", "rastrigin", "ackley")
SIZES = (10, 1_000, 100_000)
METHODS = ("reverse_ad", "forward_ad", "central", "complex_step", "richardson")
MAX_N = {"reverse_ad": None, "forward_ad": 1_000, "central": 1_000}
MAX_N.update(complex_step=1_000, richardson=1_000)
_REFERENCES: dict[tuple[str, int], tuple[np.ndarray, str]] = {}


def _reference(function: str, x: np.ndarray) -> tuple[np.ndarray, str]:
    key = (function, x.shape[0])
    if key not in _REFERENCES:
        _REFERENCES[key] = diffbench.accuracy.reference_gradient(function, x)
    return _REFERENCES[key]


@pytest.mark.parametrize("n", SIZES, ids=lambda n: f"n={n}")
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_gradient(benchmark, function: str, method: str, n: int) -> None:
    limit = MAX_N[method]
    if limit is not None and n > limit:
        pytest.skip(f"{method} costs n evaluations of f: infeasible at n={n} on a CPU")
    x_host = diffbench.functions.get(function).x0(n)
    x = jax.numpy.asarray(x_host, dtype=jax.numpy.float64)
    try:
        grad_fn = diffbench.methods.get(method).build(function, n, np.dtype("float64"))
    except diffbench.Skipped as skip:
        pytest.skip(str(skip))
    compiled = compile_jit(grad_fn, x)
    jax.block_until_ready(compiled.call(x))  # warm-up

    def call() -> jax.Array:
        return jax.block_until_ready(compiled.call(x))

    grad = benchmark(call)
    truth, name = _reference(function, x_host)
    errors = diffbench.accuracy.errors(np.asarray(grad), truth)
    benchmark.extra_info.update(
        function=function,
        method=method,
        n=n,
        dtype="float64",
        reference=name,
        compile_s=compiled.compile_s,
        flops=xla_costs(compiled.executable).flops,
        retraces=compiled.counter.count - 1,
        **errors,
    )
    assert compiled.counter.count == 1, "the gradient retraced while benchmarked"
