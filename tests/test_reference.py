"""The truth itself: the extended-precision reverse sweep against the 34-digit mpmath truth,
the reference chosen at every n, and a method never scored against itself."""

from __future__ import annotations

import jax.numpy as jnp
import mpmath
import numpy as np
import pytest
from _tolerances import MIN_DIGITS

import diffbench
from diffbench import _symbolic, accuracy, functions
from diffbench._tape import reverse_sweep

SWEEP_DIGITS = 16.0
"""Correct digits the longdouble sweep keeps on every function (measured min 16.58, ackley)."""


def _point(tf, n, seed):
    lo, hi = tf.bounds(n)
    rng = np.random.default_rng([seed, n, len(tf.name)])
    return lo + (hi - lo) * rng.uniform(0.1, 0.9, size=n)


def _digits_against_mpmath(tf, x):
    """Normwise correct digits of the sweep, computed in mpmath without rounding either side."""
    grad = reverse_sweep(tf.fn, x)[1]
    evaluate = _symbolic._mpmath_gradient(tf, x.shape[0])
    with mpmath.workdps(34):
        truth = evaluate([mpmath.mpf(float(v)) for v in x])
        ours = [mpmath.mpf(np.format_float_scientific(g, unique=True)) for g in grad]
        norm = mpmath.sqrt(sum(mpmath.mpf(t) ** 2 for t in truth))
        err = mpmath.sqrt(sum((o - mpmath.mpf(t)) ** 2 for o, t in zip(ours, truth, strict=True)))
        return 34.0 if err == 0 else float(-mpmath.log10(err / norm)) if norm else 34.0


def _dims(tf):
    return [tf.dim] if tf.dim is not None else [max(2, tf.min_dim), 7]


CASES = [(name, n) for name in functions.names() for n in _dims(functions.get(name))]


@pytest.mark.parametrize(("name", "n"), CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_longdouble_sweep_agrees_with_mpmath(name, n):
    tf = functions.get(name)
    for seed in (1, 2):
        x = _point(tf, n, seed)
        assert _digits_against_mpmath(tf, x) >= SWEEP_DIGITS, (name, n, x)


def test_sweep_value_is_the_definition():
    tf = functions.get("ackley")
    x = _point(tf, 5, 3)
    value, _ = reverse_sweep(tf.fn, x)
    assert float(value) == pytest.approx(float(tf.numpy(x)), rel=1e-15)


@pytest.mark.parametrize("n", [100, 10_000])
@pytest.mark.parametrize("name", ["rosenbrock", "rastrigin", "ackley"])
def test_reverse_ad_at_large_n_is_scored_against_an_independent_truth(name, n):
    x = functions.get(name).x0(n) + np.linspace(-0.3, 0.3, n)  # distinct coordinates
    truth, reference = accuracy.reference_gradient(name, x)
    assert reference == accuracy.SWEEP
    digits = accuracy.errors(diffbench.gradient(name, jnp.asarray(x)), truth)["digits"]
    assert MIN_DIGITS[("reverse_ad", "float64")] <= digits < accuracy.MAX_DIGITS


def test_reference_names_by_n_and_method():
    x = np.linspace(-1.5, 1.5, 9)
    assert accuracy.reference_gradient("rosenbrock", x)[1] == "mpmath34"
    assert accuracy.reference_gradient("rosenbrock", x, method="symbolic")[1] == accuracy.SWEEP
    big = np.linspace(-1.5, 1.5, accuracy.REFERENCE_MAX_N + 1)
    assert accuracy.reference_gradient("rosenbrock", big)[1] == accuracy.SWEEP


def test_a_plain_callable_is_never_scored_against_itself():
    def f(x):
        return jnp.sum(jnp.sin(x) * x)

    x = np.array([0.5, 2.0])
    exact = np.sin(x) + x * np.cos(x)
    for method, expected in [("central", "reverse_ad_f64"), ("reverse_ad", "forward_ad_f64")]:
        result = accuracy.accuracy(f, x, method)
        assert result["reference"] == expected and result["digits"] >= 6
        truth, name = accuracy.reference_gradient(f, x, method=method)
        assert name == expected and accuracy.independent(name, method)
        np.testing.assert_allclose(truth, exact, rtol=1e-15)


def test_session_rows_name_an_independent_reference():
    from diffbench.harness import TimingPolicy
    from diffbench.harness.cases import GradientCase
    from diffbench.harness.measure import make_point, measure_gradient

    policy = TimingPolicy(budget_s=0.0, sample_s=1e-4, min_repeats=1, max_repeats=1)
    point = make_point("sphere", 3, "float64", "cpu", policy)
    case = GradientCase("sphere", 3, "float64", "cpu", "symbolic", "{}", policy)
    mp = (np.asarray(point.x) * 2.0, "mpmath34")
    row = measure_gradient(case, point, "run", lambda p: mp)
    assert row["reference"] == accuracy.SWEEP and row["digits"] >= 15
