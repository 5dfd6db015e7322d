"""Every gradient method on every registry function, against the 34-digit SymPy/mpmath truth."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
from _tolerances import MIN_DIGITS
from scipy.optimize import rosen, rosen_der

import diffbench
from diffbench import functions, methods

EXACT_AND_FD = [m for m in methods.names() if methods.get(m).kind != "peer"]
SCALABLE_DIMS = (2, 7)


def dims_of(tf):
    return (tf.dim,) if tf.dim is not None else tuple(max(d, tf.min_dim) for d in SCALABLE_DIMS)


CASES = [(name, n) for name in functions.names() for n in dims_of(functions.get(name))]


def random_points(tf, n, count=3):
    """Seeded points where the function is usually studied.

    Standard normal coordinates (clipped into the box) where the box contains 0, uniform in
    the middle 80% of the box otherwise (e.g. ln x on [0.1, 10]). Uniform points over a wide
    box such as rosenbrock's [-5, 10] give |f| ~ 1e6 against components ~ 1e2, where no
    step rule of the form eps^(1/(p+1)) max(1, |x|) keeps 5 digits for a forward difference.
    """
    rng = np.random.default_rng(sum(map(ord, tf.name)) * 31 + n)
    lo, hi = tf.bounds(n)
    margin = 0.1 * (hi - lo)
    points = []
    for _ in range(count):
        normal = np.clip(rng.standard_normal(n), lo + margin, hi - margin)
        uniform = lo + margin + (hi - lo - 2 * margin) * rng.uniform(size=n)
        points.append(np.where((lo < 0) & (hi > 0), normal, uniform))
    return points


def method_applies(tf, method):
    """Finite differences are held to their digits on smooth functions only: a stencil that
    straddles a kink (relu at |x_i| < h) measures the kink, not the derivative."""
    if method == "complex_step" and not tf.analytic:
        return False
    return tf.smooth or methods.get(method).kind != "finite_difference"


def worst_digits(name, n, dtype):
    tf = functions.get(name)
    worst = {}
    for x in random_points(tf, n):
        x = np.asarray(x, dtype=dtype)
        truth, reference = diffbench.accuracy.reference_gradient(tf, x)
        assert reference == "mpmath34"
        for method in EXACT_AND_FD:
            if not method_applies(tf, method):
                continue
            grad = diffbench.gradient(tf, x, method=method)
            assert grad.dtype == x.dtype, (method, grad.dtype)
            digits = diffbench.accuracy.errors(grad, truth)["digits"]
            worst[method] = min(worst.get(method, np.inf), digits)
    return worst


# float64 at every dimension; float32 (whose thresholds are looser) at the smallest one.
DTYPE_CASES = [(name, n, "float64") for name, n in CASES] + [
    (name, dims_of(functions.get(name))[0], "float32") for name in functions.names()
]


@pytest.mark.parametrize(
    ("name", "n", "dtype"), DTYPE_CASES, ids=[f"{a}-n{b}-{c}" for a, b, c in DTYPE_CASES]
)
def test_every_method_meets_its_digits(name, n, dtype):
    worst = worst_digits(name, n, dtype)
    failures = {m: round(d, 2) for m, d in worst.items() if d < MIN_DIGITS[(m, dtype)]}
    assert not failures, f"{name} n={n} {dtype}: digits below threshold {failures}"


@pytest.mark.parametrize("n", [2, 10, 1000])
def test_rosenbrock_matches_scipy(n):
    x = np.random.default_rng(n).uniform(-2, 2, n)
    assert float(functions.get("rosenbrock")(x)) == pytest.approx(rosen(x), rel=1e-14)
    for method in ("reverse_ad", "forward_ad", "central4", "richardson"):
        grad = np.asarray(diffbench.gradient("rosenbrock", x, method=method))
        tol = 1e-13 if method.endswith("_ad") else 1e-7
        np.testing.assert_allclose(grad, rosen_der(x), rtol=tol, atol=tol * 1e3)


def test_reverse_ad_reference_agrees_with_mpmath_where_both_exist():
    x = np.linspace(-1.5, 1.5, 9)
    mp, name = diffbench.accuracy.reference_gradient("rosenbrock", x)
    f64 = np.asarray(diffbench.gradient("rosenbrock", x))
    assert name == "mpmath34"
    np.testing.assert_allclose(f64, mp, rtol=1e-14)
    big = np.linspace(-1.5, 1.5, diffbench.accuracy.REFERENCE_MAX_N + 1)
    truth, name = diffbench.accuracy.reference_gradient("rosenbrock", big)
    assert name == "longdouble_reverse_sweep"
    np.testing.assert_allclose(truth, rosen_der(big), rtol=1e-13)


def test_richardson_error_estimate_bounds_the_error():
    x = jnp.array([0.3, -0.7, 1.1])
    f = lambda x: jnp.sum(jnp.exp(x) * jnp.sin(3 * x))  # noqa: E731
    truth = np.exp(x) * (np.sin(3 * x) + 3 * np.cos(3 * x))
    grad, estimate = diffbench.gradient_with_error(f, x)
    actual = np.abs(np.asarray(grad) - truth)
    assert np.all(actual <= 10 * np.asarray(estimate) + 1e-15)
    assert np.all(np.asarray(estimate) < 1e-9)


@pytest.mark.parametrize("method", methods.names("hessian"))
def test_hessians_match_symbolic_truth(method):
    x = jnp.array([-1.2, 1.0, 0.5])
    exact = np.array([[1330.0, 480.0, 0.0], [480.0, 1202.0, -400.0], [0.0, -400.0, 200.0]])
    tol = 1e-6 if method == "fd_gradient" else 1e-12
    np.testing.assert_allclose(diffbench.hessian("rosenbrock", x, method=method), exact, rtol=tol)


def test_jvp_and_hvp_match_closed_forms():
    x, v = jnp.array([1.0, 2.0]), jnp.array([0.5, -1.0])
    f = "gradient_example"  # x^2 + xy + y^2: grad [2x+y, x+2y], H [[2,1],[1,2]]
    assert float(diffbench.jvp(f, x, v)) == pytest.approx(4 * 0.5 + 5 * -1.0)
    np.testing.assert_allclose(diffbench.hvp(f, x, v), [2 * 0.5 - 1.0, 0.5 - 2.0])


def test_plain_callables_work_for_every_non_symbolic_method():
    f = lambda x: jnp.sum(jnp.cos(x) * x**2)  # noqa: E731
    x = jnp.array([0.1, 0.2, 0.3])
    truth = -np.sin(x) * x**2 + 2 * x * np.cos(x)
    for method in EXACT_AND_FD:
        if method == "symbolic":
            continue
        np.testing.assert_allclose(diffbench.gradient(f, x, method=method), truth, rtol=1e-5)


def test_second_call_does_not_recompile():
    from diffbench._gradient import _freeze, compiled
    from diffbench._objective import as_objective

    x = jnp.linspace(0.1, 0.9, 5)
    for method in ("central", "reverse_ad", "richardson", "forward_ad", "symbolic"):
        diffbench.gradient("sphere", x, method=method)
        diffbench.gradient("sphere", x[::-1], method=method)
        fn = compiled(as_objective("sphere"), method, "gradient", 5, x.dtype, _freeze({}))
        assert fn._cache_size() == 1, method
