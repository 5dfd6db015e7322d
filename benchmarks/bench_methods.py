"""The foundation's comparisons as pytest-benchmark cases (float64, rosenbrock).

- ``test_richardson_vs_peers``: diffbench ``richardson`` against numdifftools.Gradient and
  scipy.differentiate.jacobian at n = 1000 (peers skip cleanly without the ``peers`` extra);
  ``extra_info['rel_err_max']`` is the max elementwise relative error against scipy's
  ``rosen_der``. Target: at least numdifftools' accuracy in at most 1/5 of its time.
- ``test_symbolic_vs_reverse``: the lambdified SymPy gradient against ``jax.grad`` for
  n <= 50 (steady state; compile time is in ``extra_info['compile_s']``).

``python benchmarks/foundation_ratios.py`` prints the same comparisons as ratios.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest
from scipy.optimize import rosen_der

import diffbench
from diffbench.harness import compile_jit

N_PEERS = 1000
X_PEERS = np.random.default_rng(0).uniform(-2.0, 2.0, N_PEERS)


def _jax_call(method: str, x: np.ndarray):
    fn = diffbench.methods.get(method).build("rosenbrock", x.shape[0], x.dtype)
    xj = jax.numpy.asarray(x)
    compiled = compile_jit(fn, xj)
    jax.block_until_ready(compiled.call(xj))  # warm-up
    return (lambda: jax.block_until_ready(compiled.call(xj))), compiled.compile_s


@pytest.mark.parametrize("method", ["richardson", "central", "numdifftools", "scipy_differentiate"])
def test_richardson_vs_peers(benchmark, method: str) -> None:
    if method not in diffbench.methods.names():
        pytest.skip(f"{method} needs the peers extra")
    if diffbench.methods.get(method).jittable:
        call, compile_s = _jax_call(method, X_PEERS)
    else:
        fn = diffbench.methods.get(method).build("rosenbrock", N_PEERS, X_PEERS.dtype)
        call, compile_s = (lambda: fn(X_PEERS)), 0.0
    grad = np.asarray(benchmark(call))
    rel = np.max(np.abs(grad - rosen_der(X_PEERS)) / np.abs(rosen_der(X_PEERS)))
    benchmark.extra_info.update(
        method=method, n=N_PEERS, rel_err_max=float(rel), compile_s=compile_s
    )


@pytest.mark.parametrize("n", [2, 10, 20, 50], ids=lambda n: f"n={n}")
@pytest.mark.parametrize("method", ["symbolic", "reverse_ad"])
def test_symbolic_vs_reverse(benchmark, method: str, n: int) -> None:
    x = np.random.default_rng(n).uniform(-2.0, 2.0, n)
    call, compile_s = _jax_call(method, x)
    benchmark(call)
    benchmark.extra_info.update(method=method, n=n, compile_s=compile_s)
