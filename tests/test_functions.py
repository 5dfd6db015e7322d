"""The function registry: every entry checked against its documented optimum, against itself in
jax.numpy, NumPy and SymPy, in float32, and against the worked examples of the seed texts.

Truth comes from outside the definitions: the texts' numbers and closed forms, SciPy, SymPy.
"""

import math
import re
import zlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate
import scipy.optimize
import sympy

import diffbench
from diffbench import functions

NAMES = functions.names()
BUILT_IN = [n for n in NAMES if functions.get(n).fn.__module__.startswith("diffbench.functions.")]
NOT_ELEMENTARY = (sympy.Abs, sympy.Max, sympy.Min, sympy.Piecewise, sympy.sign, sympy.Heaviside)


def dims(name):
    """The dimensions a test uses: the fixed one, or a small and a larger one for scalables."""
    tf = functions.get(name)
    return [tf.dim] if tf.dim is not None else sorted({max(tf.min_dim, 2), 7})


def cases(select=lambda tf: True):
    return [
        pytest.param(name, n, id=f"{name}-{n}")
        for name in NAMES
        if select(functions.get(name))
        for n in dims(name)
    ]


def random_point(name, n):
    """A seeded point inside the bounds, the same for every test and test order."""
    lo, hi = functions.get(name).bounds(n)
    rng = np.random.default_rng([20261122, n, zlib.crc32(name.encode())])
    return lo + (hi - lo) * rng.uniform(0.05, 0.95, size=n)


def grad(name):
    return jax.grad(functions.get(name))


def has_optimum(tf):
    return tf.x_opt_rule is not None and tf.f_opt_rule is not None


def smooth_at_optimum(tf):
    return has_optimum(tf) and not {"nonsmooth", "kink-at-optimum"} & tf.tags


# -- every entry ---------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "n"), cases(has_optimum))
def test_value_at_optimum(name, n):
    tf = functions.get(name)
    x_opt, f_opt = tf.x_opt(n), tf.f_opt(n)
    tol = 1e-10 * (1 + abs(f_opt))
    assert abs(float(tf(jnp.asarray(x_opt))) - f_opt) <= tol
    assert abs(float(tf.numpy(x_opt)) - f_opt) <= tol


@pytest.mark.parametrize(("name", "n"), cases(smooth_at_optimum))
def test_gradient_vanishes_at_smooth_optimum(name, n):
    tf = functions.get(name)
    g = np.asarray(grad(name)(jnp.asarray(tf.x_opt(n))))
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, 0.0, atol=1e-8 * max(1.0, abs(tf.f_opt(n))))


@pytest.mark.parametrize(("name", "n"), cases())
def test_sympy_numpy_and_jax_agree(name, n):
    tf = functions.get(name)
    symbols = functions.symbols(n)
    expr = sympy.sympify(tf.fn(functions.sympy_namespace, symbols))
    point = random_point(name, n)
    values = {s: sympy.Float(v, 30) for s, v in zip(symbols, point, strict=True)}
    exact = float(expr.xreplace(values).evalf(30))
    assert float(tf(jnp.asarray(point))) == pytest.approx(exact, rel=1e-12, abs=1e-13)
    assert float(tf.numpy(point)) == pytest.approx(exact, rel=1e-12, abs=1e-13)
    if expr.has(*NOT_ELEMENTARY):
        assert not tf.analytic, "abs/max/where make complex step invalid: set analytic=False"


@pytest.mark.parametrize(("name", "n"), cases())
def test_float32_is_kept(name, n):
    tf = functions.get(name)
    x32 = jnp.asarray(tf.x0(n), dtype=jnp.float32)
    value, g = jax.value_and_grad(tf)(x32)
    assert value.dtype == jnp.float32 and g.dtype == jnp.float32
    assert np.isfinite(float(value)) and np.all(np.isfinite(np.asarray(g)))
    np.testing.assert_allclose(float(value), float(tf(tf.x0(n))), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", BUILT_IN)
def test_entry_is_documented_and_consistent(name):
    tf = functions.get(name)
    n = tf.resolve_dim(None)
    lo, hi = tf.bounds(n)
    assert tf.fn.__name__ == name
    assert tf.source and tf.description
    assert np.all(lo < hi)
    assert np.all((lo <= tf.x0(n)) & (tf.x0(n) <= hi))
    if has_optimum(tf):
        assert np.all((lo <= tf.x_opt(n)) & (tf.x_opt(n) <= hi))


def test_registry_size_and_families():
    assert len(NAMES) >= 30
    for family in ("classic", "ml", "tutorial"):
        module = f"diffbench.functions.{family}"
        defined_there = {n for n in NAMES if functions.get(n).fn.__module__ == module}
        assert defined_there
        if family != "classic":
            assert set(functions.names(tags=family)) == defined_there
    assert {"chain_rule", "gradient_example", "quadratic_loss"} <= set(functions.names("tutorial"))


# -- bad input -----------------------------------------------------------------------------
def test_unknown_name_suggests_the_closest():
    with pytest.raises(diffbench.DiffbenchError) as err:
        functions.get("rosenbrok")
    assert isinstance(err.value, KeyError)
    assert "rosenbrock" in str(err.value)


def test_wrong_fixed_dimension_is_one_line():
    with pytest.raises(diffbench.DiffbenchError) as err:
        functions.get("beale").check_dim(3)
    message = str(err.value)
    assert "\n" not in message and "beale" in message and "n=3" in message


def test_dimension_below_minimum():
    tf = functions.get("rosenbrock")
    expected = re.escape("rosenbrock needs n >= 2; got n=1.")
    for call in (tf.check_dim, tf.x0, tf.bounds):
        with pytest.raises(diffbench.DiffbenchError, match=expected):
            call(1)


def test_unknown_finite_sum():
    with pytest.raises(diffbench.DiffbenchError, match="linear_regression"):
        functions.ml.finite_sum("linear_regresion")


# -- classic -------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [2, 10, 1000])
def test_rosenbrock_is_scipy_rosen(n):
    x = random_point("rosenbrock", n)
    assert float(functions.get("rosenbrock")(x)) == pytest.approx(
        scipy.optimize.rosen(x), rel=1e-13
    )


def test_ellipsoid_condition_number():
    hessian = jax.hessian(functions.get("ellipsoid"))(jnp.zeros(6))
    eigenvalues = np.linalg.eigvalsh(np.asarray(hessian))
    assert eigenvalues.max() / eigenvalues.min() == pytest.approx(1e6, rel=1e-12)


@pytest.mark.parametrize("name", ["saddle", "monkey_saddle"])
def test_saddles_are_critical_points_without_a_minimum(name):
    tf = functions.get(name)
    origin = jnp.zeros(2)
    np.testing.assert_array_equal(np.asarray(grad(name)(origin)), 0.0)
    lo, hi = tf.bounds()
    below = [float(tf(p)) for p in (np.array([0.0, 1.0]), np.array([-1.0, 0.0]))]
    assert min(below) < float(tf(origin)) == 0.0 and tf.x_opt() is None
    assert np.all(lo < 0) and np.all(hi > 0)


# -- tutorial: the seed texts' worked examples ---------------------------------------------
def derivative(name, x):
    """d/dx of a one-variable tutorial entry at the scalar x (reverse mode)."""
    return float(grad(name)(jnp.asarray([x], dtype=jnp.float64))[0])


XS = [-1.5, -0.3, 0.7, 2.0]


def test_square_at_two():
    tf = functions.get("square")
    assert float(tf(np.array([2.0]))) == 4.0
    assert derivative("square", 2.0) == 4.0
    assert float(tf(np.array([2.01]))) - 4.0 == pytest.approx(4 * 0.01, abs=1e-3)


@pytest.mark.parametrize(
    ("name", "closed_form"),
    [
        ("square", lambda x: 2 * x),
        ("cube", lambda x: 3 * x**2),
        ("tutorial_exp", math.exp),
        ("five_x_squared", lambda x: 10 * x),
        ("sum_rule", lambda x: 2 * x + 3 * x**2),
        ("product_rule", lambda x: 2 * x * x**3 + x**2 * 3 * x**2),
        ("product_rule", lambda x: 5 * x**4),
        ("chain_rule", lambda x: 6 * x * (x**2 + 1) ** 2),
        ("chain_rule", lambda x: 3 * (x**2 + 1) ** 2 * 2 * x),
        ("quadratic_loss", lambda x: 2 * (x - 3)),
    ],
)
def test_one_variable_rules(name, closed_form):
    for x in XS:
        assert derivative(name, x) == pytest.approx(closed_form(x), rel=1e-14, abs=1e-14)


def test_log_derivative_on_its_domain():
    lo, hi = functions.get("tutorial_log").bounds()
    assert lo[0] > 0
    for x in (0.1, 0.5, 1.0, 7.0):
        assert derivative("tutorial_log", x) == pytest.approx(1 / x, rel=1e-15)


def test_partial_derivatives():
    g = grad("partial_example")
    for x, y in [(1.0, 2.0), (-0.5, 1.5), (2.0, -1.0)]:
        expected = [2 * x * y + 3 * y**2, x**2 + 6 * x * y]
        np.testing.assert_allclose(np.asarray(g(jnp.asarray([x, y]))), expected, rtol=1e-15)


def test_gradient_at_one_two_is_four_five():
    x, y = 1.0, 2.0
    g = np.asarray(grad("gradient_example")(jnp.asarray([x, y])))
    np.testing.assert_array_equal(g, [4.0, 5.0])
    np.testing.assert_array_equal(g, [2 * x + y, x + 2 * y])
    assert list(functions.get("gradient_example").x0()) == [x, y]


def test_autodiff_example_at_two_three():
    tf = functions.get("autodiff_example")
    assert list(tf.x0()) == [2.0, 3.0]
    np.testing.assert_array_equal(np.asarray(grad("autodiff_example")(tf.x0())), [10.0, 10.0])


def test_gradient_descent_on_quadratic_loss():
    tf, g = functions.get("quadratic_loss"), jax.jit(grad("quadratic_loss"))
    x = jnp.asarray(tf.x0())
    assert float(x[0]) == 0.0
    gradients, iterates = [], []
    for _ in range(2):
        gradients.append(float(g(x)[0]))
        x = x - 0.1 * g(x)
        iterates.append(float(x[0]))
    assert gradients == pytest.approx([-6.0, -4.8], rel=1e-15)
    assert iterates == pytest.approx([0.6, 1.08], rel=1e-15)
    for _ in range(200):
        x = x - 0.1 * g(x)
    assert float(x[0]) == pytest.approx(tf.x_opt()[0], abs=1e-12)


def test_linear_regression_loss_partials():
    example, actual = functions.tutorial.LINEAR_REGRESSION_EXAMPLE
    g = grad("linear_regression_loss")
    for w1, w2 in [(0.0, 0.0), (1.5, -2.0), (-0.7, 0.4)]:
        residual = w1 * example + w2 - actual
        expected = [2 * residual * example, 2 * residual * 1]
        np.testing.assert_allclose(np.asarray(g(jnp.asarray([w1, w2]))), expected, rtol=1e-15)


def test_normal_density_integrates_to_one_with_mean_zero():
    tf = functions.get("normal_density")

    def density(t):
        return float(tf.numpy(np.array([t])))

    total, _ = scipy.integrate.quad(density, -np.inf, np.inf)
    mean, _ = scipy.integrate.quad(lambda t: t * density(t), -np.inf, np.inf)
    assert total == pytest.approx(1.0, abs=1e-10)
    assert mean == pytest.approx(0.0, abs=1e-10)
    for x in XS:
        assert derivative("normal_density", x) == pytest.approx(-x * density(x), rel=1e-14)


# -- ml: activations and losses with the texts' derivatives -------------------------------
def elementwise(name, xs):
    """Value and derivative of a summed activation at each scalar in xs."""
    tf, g = functions.get(name), grad(name)
    x = jnp.asarray(xs, dtype=jnp.float64)
    values = np.array([float(tf(x[i : i + 1])) for i in range(len(xs))])
    return values, np.asarray(g(x))


def test_sigmoid_derivative_is_s_times_one_minus_s():
    s, ds = elementwise("sigmoid", [-6.0, -1.0, 0.0, 0.5, 3.0])
    np.testing.assert_allclose(ds, s * (1 - s), rtol=1e-14)
    assert ds.max() == 0.25


def test_tanh_derivative_is_one_minus_tanh_squared():
    t, dt = elementwise("tanh", [-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(dt, 1 - t**2, rtol=1e-14)


def test_relu_derivative_is_a_step():
    xs = np.array([-2.0, -0.5, 0.5, 2.0])
    r, dr = elementwise("relu", xs)
    np.testing.assert_array_equal(r, np.where(xs > 0, xs, 0.0))
    np.testing.assert_array_equal(dr, np.where(xs > 0, 1.0, 0.0))


def test_softmax_is_a_probability_with_its_jacobian():
    x = random_point("softmax", 4)
    p = np.exp(x) / np.exp(x).sum()
    assert float(functions.get("softmax")(x)) == pytest.approx(p[0], rel=1e-15)
    expected = p[0] * (np.eye(4)[0] - p)
    np.testing.assert_allclose(np.asarray(grad("softmax")(jnp.asarray(x))), expected, atol=1e-16)


def test_mse_derivative():
    n = 5
    x = random_point("mse", n)
    y = functions.ml.dataset("mse", n)["y"]
    assert float(functions.get("mse")(x)) == pytest.approx(np.mean((x - y) ** 2), rel=1e-15)
    per_example = 2 * (x - y)
    np.testing.assert_allclose(np.asarray(grad("mse")(jnp.asarray(x))) * n, per_example, rtol=1e-14)


def test_binary_cross_entropy_derivative():
    n = 6
    z = random_point("binary_cross_entropy", n)
    y = functions.ml.dataset("binary_cross_entropy", n)["y"]
    p = 1 / (1 + np.exp(-z))
    text_loss = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert float(functions.get("binary_cross_entropy")(z)) == pytest.approx(
        text_loss.mean(), rel=1e-14
    )
    dl_dp = -(y / p) + (1 - y) / (1 - p)
    dp_dz = p * (1 - p)
    g = np.asarray(grad("binary_cross_entropy")(jnp.asarray(z)))
    np.testing.assert_allclose(g * n, dl_dp * dp_dz, rtol=1e-12)


def test_categorical_cross_entropy_derivative():
    n = 5
    z = random_point("categorical_cross_entropy", n)
    one_hot = np.eye(n)[functions.ml.dataset("categorical_cross_entropy", n)["label"]]
    p = np.exp(z) / np.exp(z).sum()
    loss = float(functions.get("categorical_cross_entropy")(z))
    assert loss == pytest.approx(-np.sum(one_hot * np.log(p)), rel=1e-14)
    g = np.asarray(grad("categorical_cross_entropy")(jnp.asarray(z)))
    np.testing.assert_allclose(g, p - one_hot, atol=1e-15)


def test_deep_chain_vanishing_gradient():
    layers = 10
    x = np.r_[0.0, np.full(layers - 1, -0.5)]
    tf = functions.get("deep_chain")
    np.testing.assert_array_equal(tf.x0(layers), x)
    assert tf.resolve_dim(None) == layers
    d_first = float(grad("deep_chain")(jnp.asarray(x))[0])
    assert d_first == pytest.approx(0.25**layers, rel=1e-15)
    assert d_first == pytest.approx(0.000001, rel=0.1)


@pytest.mark.parametrize("name", functions.names(tags="finite-sum"))
def test_finite_sum_matches_the_objective(name):
    tf, fs = functions.get(name), functions.ml.finite_sum(name)
    x = jnp.asarray(random_point(name, tf.resolve_dim(None)))
    assert fs.name == name and fs.size == 32
    assert all(len(v) == fs.size for v in fs.data.values())
    assert float(fs.objective(jnp, x)) == pytest.approx(float(tf(x)), rel=1e-14)
    batch = {k: jnp.asarray(v[:8]) for k, v in fs.data.items()}
    losses = fs.example_loss(jnp, x, batch)
    assert losses.shape == (8,)
    expected = [
        float(fs.objective(np, np.asarray(x), {k: v[i : i + 1] for k, v in fs.data.items()}))
        for i in range(8)
    ]
    np.testing.assert_allclose(np.asarray(losses), expected, rtol=1e-13)
