"""Issue 13: one objective for methods, accuracy and optimize; methods own their variants;
``minimize``'s knobs as option objects that key the runner cache."""

import logging

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import diffbench
from diffbench import methods
from diffbench._objective import as_objective, resolve
from diffbench.methods import Method
from diffbench.optimize import Grid, Records, Stop, Timing


def _with(monkeypatch, method: Method) -> Method:
    """Register ``method`` for one test only (a ``*`` suite elsewhere must not see it)."""
    monkeypatch.setitem(methods._GRADIENT, method.name, method)
    return method


# -- one objective --------------------------------------------------------------------------


def test_one_objective_record_is_equal_however_f_was_named():
    by_name, by_entry = as_objective("sphere"), as_objective(diffbench.functions.get("sphere"))
    assert by_name == by_entry and hash(by_name) == hash(by_entry)
    assert resolve("sphere", 3, minibatch=False) == resolve("sphere", 3, minibatch=False)
    assert resolve("sphere", 3, minibatch=False) != resolve("sphere", 4, minibatch=False)
    assert resolve("sphere", 3, minibatch=False).n == 3 and by_name.n is None


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_finite_sum_differentiates_like_its_registry_entry(dtype, caplog):
    """``f`` may be a FiniteSum: the methods see the mean over all its data (truth: mpmath)."""
    fs = diffbench.functions.ml.finite_sum("linear_regression")
    x = np.linspace(-0.5, 0.7, 5).astype(dtype)
    truth, name = diffbench.accuracy.reference_gradient("linear_regression", x)
    assert name == "mpmath34"
    grad = diffbench.gradient(fs, x, method="reverse_ad")
    assert grad.dtype == np.dtype(dtype)
    np.testing.assert_allclose(grad, truth, rtol=1e-5 if dtype == "float32" else 1e-12)
    again = diffbench.functions.ml.finite_sum("linear_regression")  # a new, equal record
    with jax.log_compiles(True), caplog.at_level(logging.WARNING):
        diffbench.gradient(again, x, method="reverse_ad")
    assert not [r for r in caplog.records if "ompil" in r.getMessage()]
    obj = resolve(fs, None, minibatch=True)
    assert obj.finite_sum and obj.n == 5 and obj.size == len(fs.data["X"])


# -- methods own their variants -------------------------------------------------------------


def test_step_sweep_takes_any_method_with_a_sweep_variant(monkeypatch):
    """A plugin's stencil (the backward difference under another name) is swept like the
    built-ins: step_sweep looks the variant up on the Method, not by name."""
    backward = methods.get("backward")
    _with(
        monkeypatch,
        Method(
            "plug_back",
            "finite_difference",
            backward.factory,
            1,
            defaults={"step": None},
            sweep=backward.sweep,
        ),
    )
    x = np.array([0.3, -1.2])
    mine = diffbench.accuracy.step_sweep("rosenbrock", x, "plug_back", steps=[1e-2, 1e-5])
    theirs = diffbench.accuracy.step_sweep("rosenbrock", x, "backward", steps=[1e-2, 1e-5])
    np.testing.assert_array_equal(mine.errors, theirs.errors)
    assert "plug_back" in diffbench.accuracy.SWEEPABLE
    with pytest.raises(diffbench.DiffbenchError, match="finite-difference method"):
        diffbench.accuracy.step_sweep("rosenbrock", x, "forward_ad")


def test_gradient_with_error_takes_the_method_s_own_variant(monkeypatch):
    """A central difference whose estimate is |central - forward| (a plugin's variant)."""

    def with_error(objective, n, dtype, step=None):
        def both(x):
            g = methods.finite_difference.stencil_gradient(
                objective.jax_fn, x, methods.STENCILS["central"], 1e-4
            )
            f = methods.finite_difference.stencil_gradient(
                objective.jax_fn, x, methods.STENCILS["forward"], 1e-4
            )
            return g, jnp.abs(g - f)

        return both

    central = methods.get("central")
    _with(
        monkeypatch,
        Method(
            "plug_est",
            "finite_difference",
            central.factory,
            2,
            defaults={"step": None},
            with_error=with_error,
        ),
    )
    x = np.array([1.0, -2.0])
    grad, err = diffbench.gradient_with_error("sphere", x, method="plug_est")
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-9)
    h = 1e-4 * np.maximum(1.0, np.abs(x))  # the engine's step rule
    np.testing.assert_allclose(err, h, rtol=1e-6)  # forward's error on x^2 is exactly h
    with pytest.raises(diffbench.DiffbenchError, match="`central` has no error estimate"):
        diffbench.gradient_with_error("sphere", x, method="central")


def test_a_method_is_never_scored_against_a_truth_of_its_own_derivation(monkeypatch):
    """The derivation, not the name, decides: a renamed reverse mode gets forward mode."""
    reverse = methods.get("reverse_ad")
    _with(monkeypatch, Method("plug_grad", "exact", reverse.factory, derivation="jax_reverse"))

    def logsumexp(x):
        return jnp.log(jnp.sum(jnp.exp(x)))

    x = np.array([0.1, -0.4, 1.3])
    truth, name = diffbench.accuracy.reference_gradient(logsumexp, x, method="plug_grad")
    assert name == "forward_ad_f64"
    np.testing.assert_allclose(truth, np.exp(x) / np.exp(x).sum(), rtol=1e-14)
    assert diffbench.accuracy.reference_gradient(logsumexp, x)[1] == "reverse_ad_f64"
    assert not diffbench.accuracy.independent("reverse_ad_f64", "plug_grad")
    assert diffbench.accuracy.independent("mpmath34", "plug_grad")


# -- minimize's option objects --------------------------------------------------------------


def test_option_objects_and_flat_keywords_are_the_same_call():
    flat = diffbench.optimize.minimize(
        "rosenbrock",
        "adam",
        40,
        starts=3,
        lr=[1e-2, 1e-1],
        seeds=[1, 2],
        key=7,
        check_every=4,
        trace_every=8,
        repeats=2,
    )
    grouped = diffbench.optimize.minimize(
        "rosenbrock",
        "adam",
        stop=Stop(steps=40),
        grid=Grid(starts=3, lr=[1e-2, 1e-1], seeds=[1, 2], key=7),
        records=Records(check_every=4, trace_every=8),
        timing=Timing(repeats=2),
    )
    np.testing.assert_array_equal(flat.x_final, grouped.x_final)
    np.testing.assert_array_equal(flat.trace_steps, grouped.trace_steps)
    assert len(flat.times_s) == len(grouped.times_s) == 2 and flat.x_final.shape == (12, 2)


def test_the_resolved_options_key_the_runner_cache():
    """What shapes the loop (steps, strides, whether tol is set) compiles again; what is an
    argument (tol's value, f_opt, the grid) does not."""
    run = diffbench.optimize.minimize
    run("sphere", "sgd", 16, n=2, lr=0.1, tol=1e-3)
    before = diffbench.optimize.cache_info()["misses"]
    run("sphere", "sgd", 16, n=2, lr=0.2, tol=1e-9, f_opt=-1.0, starts=1, key=3)
    run("sphere", "sgd", stop=Stop(16, tol=1e-6), n=2, grid=Grid(lr=0.3))
    assert diffbench.optimize.cache_info()["misses"] == before
    run("sphere", "sgd", 16, n=2, lr=0.1)  # no tol: a scan, not a while loop
    run("sphere", "sgd", 16, n=2, lr=0.1, check_every=4)
    assert diffbench.optimize.cache_info()["misses"] == before + 2
    assert Stop(16, tol=1e-3) == Stop(16, tol=1e-9) != Stop(16)
    assert Records(2, f_opt=0.0) == Records(2) != Records(4)


def test_a_mistyped_flat_keyword_names_the_nearest_field():
    with pytest.raises(diffbench.DiffbenchError, match="`check_evry`.*Did you mean: check_every"):
        diffbench.optimize.minimize("sphere", "sgd", 4, n=2, check_evry=2)
    with pytest.raises(diffbench.DiffbenchError, match="stop= takes a diffbench.optimize.Stop"):
        diffbench.optimize.minimize("sphere", "sgd", n=2, stop=4)
