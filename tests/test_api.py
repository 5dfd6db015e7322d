"""The public boundary: one-line errors for bad input, sweeps, dtype keeping, peers."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

import diffbench
from diffbench import DiffbenchError


def one_line(excinfo) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    return message


def test_unknown_function_lists_the_nearest_names():
    with pytest.raises(DiffbenchError) as excinfo:
        diffbench.gradient("rosenbrok", np.ones(2))
    assert "Did you mean: rosenbrock" in one_line(excinfo)


def test_unknown_method_lists_the_nearest_names():
    with pytest.raises(DiffbenchError) as excinfo:
        diffbench.gradient("sphere", np.ones(2), method="cental")
    message = one_line(excinfo)
    assert "Unknown gradient method `cental`" in message
    assert "central" in message and "central4" in message


def test_fixed_dimension_function_at_another_n():
    with pytest.raises(DiffbenchError) as excinfo:
        diffbench.gradient("beale", np.ones(3), method="central")
    assert one_line(excinfo) == "beale is defined for n=2 only; got n=3."


def test_scalable_function_below_its_minimum():
    with pytest.raises(DiffbenchError) as excinfo:
        diffbench.gradient("rosenbrock", np.ones(1))
    assert one_line(excinfo) == "rosenbrock needs n >= 2; got n=1."


@pytest.mark.parametrize("x", [np.ones((2, 2)), np.float64(1.0), np.ones(0)])
def test_x_must_be_a_nonempty_vector(x):
    with pytest.raises(DiffbenchError) as excinfo:
        diffbench.gradient("sphere", x)
    assert "x must" in one_line(excinfo)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_x_names_the_index(bad):
    x = np.array([1.0, 2.0, bad])
    with pytest.raises(DiffbenchError) as excinfo:
        diffbench.gradient("sphere", x)
    assert one_line(excinfo) == "x has non-finite entries (nan or inf) at index 2."


def test_symbolic_needs_a_definition():
    with pytest.raises(DiffbenchError) as excinfo:
        diffbench.gradient(lambda x: jnp.sum(x**2), np.ones(2), method="symbolic")
    assert "needs the array-namespace definition" in one_line(excinfo)


def test_unknown_parameter_names_the_accepted_ones():
    with pytest.raises(DiffbenchError) as excinfo:
        diffbench.gradient("sphere", np.ones(2), method="central", stepsize=1e-3)
    assert one_line(excinfo) == "`central` got unknown parameter(s) stepsize; it takes: step."


def test_complex_step_refuses_non_analytic_functions():
    with pytest.raises(diffbench.Skipped, match="analytic"):
        diffbench.gradient("relu", np.array([0.5, -0.5]), method="complex_step")


def test_symbolic_is_skipped_beyond_its_size_limit():
    with pytest.raises(diffbench.Skipped, match="max_n"):
        diffbench.gradient("sphere", np.ones(200), method="symbolic")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("method", ["central", "complex_step", "forward_ad", "reverse_ad"])
def test_result_keeps_shape_and_dtype(method, dtype):
    x = np.linspace(-1, 1, 4).astype(dtype)
    grad = diffbench.gradient("sphere", x, method=method)
    assert grad.shape == x.shape and grad.dtype == x.dtype
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-3 if dtype == np.float32 else 1e-8)


def test_user_step_changes_the_estimate_as_theory_says():
    # Forward difference of x^3 at x = 1 errs by 3h + h^2: step 1e-3 -> error ~3e-3.
    x = np.array([1.0])
    grad = diffbench.gradient("cube", x, method="forward", step=1e-3)
    assert float(grad[0]) - 3.0 == pytest.approx(3e-3 + 1e-6, rel=1e-6)


# -- the step-size sweep: exp(x) sin(x) at x = 1, exact derivative e^x (sin x + cos x) ----------


def exp_sin(x):
    return jnp.sum(jnp.exp(x) * jnp.sin(x))


EXACT = np.array([np.e * (np.sin(1.0) + np.cos(1.0))])
EPS64 = np.finfo(np.float64).eps


@pytest.fixture(scope="module")
def sweeps():
    x = np.array([1.0])
    methods = ("forward", "backward", "central", "central4", "complex_step", "richardson")
    return {m: diffbench.accuracy.step_sweep(exp_sin, x, m, reference=EXACT) for m in methods}


def test_sweep_best_forward_step_is_near_sqrt_eps(sweeps):
    assert np.sqrt(EPS64) / 10 <= sweeps["forward"].best_step <= np.sqrt(EPS64) * 10


def test_sweep_best_central_step_is_near_cube_root_eps(sweeps):
    assert EPS64 ** (1 / 3) / 10 <= sweeps["central"].best_step <= EPS64 ** (1 / 3) * 10


def test_sweep_complex_step_keeps_14_digits_for_tiny_steps(sweeps):
    sweep = sweeps["complex_step"]
    assert np.all(sweep.digits[sweep.steps <= 1e-8] >= 14)


def test_sweep_shows_the_v_curve_and_its_orders(sweeps):
    # Truncation dominates at large h: the error falls with slope ~order on log-log axes.
    for method, order in (("forward", 1), ("central", 2), ("central4", 4)):
        s = sweeps[method]
        big = (s.steps <= 1e-1) & (s.steps >= 1e-2 if order < 4 else s.steps >= 3e-2)
        slope = np.polyfit(np.log10(s.steps[big]), np.log10(s.errors[big]), 1)[0]
        assert slope == pytest.approx(order, abs=0.35), method
        assert s.errors[-1] > 100 * s.best_error, method  # rounding wins at tiny h


def test_sweep_table_and_float32_range():
    sweep = diffbench.accuracy.step_sweep(exp_sin, np.array([1.0], np.float32), "central")
    table = sweep.table()
    columns = ["method", "dtype", "step", "rel_err_l2", "rel_err_max", "digits", "reference"]
    assert list(table.columns) == columns
    assert table.step.min() == pytest.approx(1e-8) and sweep.dtype == "float32"
    assert 1e-4 < sweep.best_step < 1e-1


def test_sweep_refuses_non_fd_methods():
    with pytest.raises(DiffbenchError, match="finite-difference"):
        diffbench.accuracy.step_sweep("sphere", np.ones(2), "reverse_ad")


# -- peers on the same definition ------------------------------------------------------------


@pytest.mark.parametrize("peer", ["scipy_approx_fprime", "numdifftools", "autograd", "torch_func"])
def test_peers_agree_on_rosenbrock(peer):
    if peer not in diffbench.methods.names():
        pytest.skip(f"{peer} is not installed (optional peers extra)")
    from scipy.optimize import rosen_der

    x = np.array([-1.2, 1.0, 0.3, 0.8])
    tol = 1e-5 if peer == "scipy_approx_fprime" else 1e-9
    grad = diffbench.gradient("rosenbrock", x, method=peer)
    np.testing.assert_allclose(grad, rosen_der(x), rtol=tol, atol=tol)


def test_blocks_are_sized_for_the_device_being_compiled_for(monkeypatch):
    import jax

    from diffbench.methods import _engine

    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")  # as on a GPU host
    assert _engine.traced_platform() == "gpu"
    with jax.default_device(jax.devices("cpu")[0]):
        assert _engine.traced_platform() == "cpu"
        cpu_block = _engine.block_size(10**6, 8 * 10**6)
    assert cpu_block == _engine.BLOCK_BYTES["cpu"] // (8 * 10**6)
    assert _engine.block_size(10**6, 8 * 10**6) == _engine.BLOCK_BYTES["gpu"] // (8 * 10**6)
