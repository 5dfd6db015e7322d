"""Print the foundation's performance ratios, every figure measured side by side in one run.

1. ``richardson`` on rosenbrock at n = 1000 against numdifftools.Gradient and
   scipy.differentiate.jacobian (peers extra): time and max elementwise relative error
   against scipy's ``rosen_der`` at the same point. Target: at least as accurate as
   numdifftools in at most 1/5 of its time.
2. ``symbolic`` against ``reverse_ad`` on rosenbrock for n <= 50 (steady state), and how
   the symbolic setup (SymPy differentiation, lambdify, XLA compile) grows with n.

Run: ``python benchmarks/foundation_ratios.py`` (about a minute on a 2-core machine).
"""

from __future__ import annotations

import time

import jax
import numpy as np

import diffbench
from diffbench.harness import TimingPolicy, compile_jit, time_calls

jax.config.update("jax_enable_x64", True)  # figures in float64; diffbench no longer sets it

POLICY = TimingPolicy(budget_s=1.0, sample_s=0.02, min_repeats=7)
PEER_POLICY = TimingPolicy(budget_s=3.0, sample_s=1e-6, min_repeats=5, max_repeats=7)


def rel_err_max(grad: np.ndarray, truth: np.ndarray) -> float:
    """Max elementwise relative error (the figure numdifftools users quote)."""
    return float(np.max(np.abs(grad - truth) / np.abs(truth)))


def time_jax(method: str, x: np.ndarray, **params) -> tuple[float, np.ndarray, float]:
    """Return (median seconds, gradient, compile seconds) of a jitted diffbench method."""
    fn = diffbench.methods.get(method).build("rosenbrock", x.shape[0], x.dtype, **params)
    xj = jax.numpy.asarray(x)
    compiled = compile_jit(fn, xj)
    timing = time_calls(compiled.call, (xj,), POLICY, traces=lambda: compiled.counter.count)
    return timing.median_s, np.asarray(compiled.call(xj)), compiled.compile_s


def time_peer(method: str, x: np.ndarray) -> tuple[float, np.ndarray]:
    """Return (median seconds, gradient) of a peer method (plain Python calls)."""
    fn = diffbench.methods.get(method).build("rosenbrock", x.shape[0], x.dtype)
    timing = time_calls(fn, (x,), PEER_POLICY)
    return timing.median_s, np.asarray(fn(x))


def richardson_against_peers(n: int = 1000) -> None:
    from scipy.optimize import rosen_der

    x = np.random.default_rng(0).uniform(-2.0, 2.0, n)
    truth = rosen_der(x)
    seconds, grad, _ = time_jax("richardson", x)
    rows = [("richardson (diffbench)", seconds, rel_err_max(grad, truth))]
    for peer in ("numdifftools", "scipy_differentiate"):
        if peer not in diffbench.methods.names():
            print(f"  {peer}: not installed (pip install 'diffbench[peers]')")
            continue
        peer_s, peer_grad = time_peer(peer, x)
        rows.append((peer, peer_s, rel_err_max(peer_grad, truth)))
    central_s, central_grad, _ = time_jax("central", x)
    rows.append(("central (diffbench)", central_s, rel_err_max(central_grad, truth)))
    print(f"rosenbrock n={n}, float64, max elementwise relative error vs scipy rosen_der")
    print(f"  {'method':24s} {'median ms':>10s} {'rel err':>9s} {'time / richardson':>18s}")
    for name, s, err in rows:
        print(f"  {name:24s} {s * 1e3:10.2f} {err:9.1e} {s / seconds:18.1f}")


def symbolic_against_reverse(sizes=(2, 5, 10, 20, 50)) -> None:
    print("rosenbrock float64: symbolic steady state vs reverse_ad, and symbolic setup cost")
    print(
        f"  {'n':>4s} {'symbolic us':>11s} {'reverse us':>10s} {'ratio':>6s} "
        f"{'diff s':>7s} {'lambdify s':>10s} {'compile s':>9s}"
    )
    for n in sizes:
        x = np.random.default_rng(n).uniform(-2.0, 2.0, n)
        diff_s, lambdify_s = symbolic_setup("rosenbrock", n)
        sym_s, sym_grad, sym_compile = time_jax("symbolic", x)
        rev_s, rev_grad, _ = time_jax("reverse_ad", x)
        np.testing.assert_allclose(sym_grad, rev_grad, rtol=1e-12)
        print(
            f"  {n:4d} {sym_s * 1e6:11.2f} {rev_s * 1e6:10.2f} {sym_s / rev_s:6.2f} "
            f"{diff_s:7.3f} {lambdify_s:10.3f} {sym_compile:9.3f}"
        )


def symbolic_setup(name: str, n: int) -> tuple[float, float]:
    """Seconds SymPy takes to differentiate ``name`` at ``n`` (expression included), and to
    lambdify the gradient to JAX: the symbolic method's one-off setup, apart from compiling."""
    from diffbench import _symbolic

    tf = diffbench.functions.get(name)
    start = time.perf_counter()
    form = _symbolic.symbolic_form.__wrapped__(tf, n)  # not the cached form
    gradient = form.gradient
    diff_s = time.perf_counter() - start
    start = time.perf_counter()
    _symbolic.jax_function(form.variables, gradient)
    return diff_s, time.perf_counter() - start


if __name__ == "__main__":
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}")
    richardson_against_peers()
    symbolic_against_reverse()
