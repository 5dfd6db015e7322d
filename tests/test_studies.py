"""The studies' numbers against closed forms, the seed texts, SciPy and NumPy recomputations.

Sizes are tiny (two shared CPU cores): each test calls the part of a study it checks at a
size of its own; ``test_study_runs_end_to_end`` runs one whole study through the CLI.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import diffbench
from diffbench.studies import expectations, learning_rate, local_minima, saddles, vanishing

# -- vanishing-exploding ------------------------------------------------------------------------


def test_sigmoid_slope_peaks_at_a_quarter():
    slopes = jax.vmap(jax.grad(jax.nn.sigmoid))(jnp.linspace(-8.0, 8.0, 1601))
    assert float(slopes.max()) == vanishing.SIGMOID_MAX_SLOPE == 0.25
    assert float(jax.grad(jax.nn.sigmoid)(0.0)) == 0.25


def test_chain_gradient_meets_the_texts_bound_at_ten_layers():
    rows = vanishing.bound_rows(depth=10, points=4)
    start = rows[rows["init"] == "start"].set_index("depth")["grad_norm"]
    assert start[10] == 0.25**10 == 9.5367431640625e-07  # the texts' 0.25^10 ~ 1e-6, exactly
    np.testing.assert_array_equal(start.to_numpy(), 0.25 ** np.arange(1.0, 11.0))
    random = rows[rows["init"] == "random"]
    assert (random["grad_norm_max"] <= random["bound"]).all()
    assert (random["grad_norm_max"] < random["bound"]).any()


def test_exact_partials_are_the_texts_quarter_powers_at_the_start():
    x0 = vanishing.chain_start(10)
    np.testing.assert_array_equal(vanishing.exact_first_partials(x0), 0.25 ** np.arange(1.0, 11))


def test_central_difference_loses_every_digit_and_reverse_mode_none():
    rows = vanishing.digits_rows(depth=20)
    get = rows.set_index(["method", "dtype", "depth"])["digits"]
    # f ~ 0.5 + 0.25^n h: at n = 12 the change 2 * 6e-8 * 4.9e-3 = 6e-10 is far below an ulp
    # of 0.5 in float32 (6e-8); in float64 (h = 6e-6, ulp 1.1e-16) the same happens by n = 20.
    assert get[("central", "float32", 12)] == 0.0
    assert get[("central", "float64", 20)] == 0.0
    assert get[("central", "float64", 1)] > 9  # truncation ~ h^2 = 4e-11
    reverse = rows[rows["method"] == "reverse_ad"].groupby("dtype")["digits"].min()
    assert reverse["float64"] > 14 and reverse["float32"] > 5.5


def test_clipping_keeps_an_exploding_chain_finite():
    rows = vanishing.clipping_rows(depths=(20,), lrs=(1e-2,), steps=50).set_index("clip")
    # grad at w = 1.25: 2 (P - 1) P / 1.25 per coordinate, P = 1.25^20 = 86.7: ~1.2e4 each
    p = 1.25**20
    assert rows.loc["none", "grad_norm"] == pytest.approx(2 * (p - 1) * p / 1.25 * np.sqrt(20))
    assert rows.loc["none", "diverged"]
    assert not rows.loc["global_norm", "diverged"]
    assert rows.loc["global_norm", "f_final"] < (p - 1) ** 2


def test_layer_norms_order_with_the_gain():
    rows = vanishing.layer_rows(depth=8, width=8, batch=4, seeds=3)
    first = rows[rows["depth"] == 1].set_index(["activation", "init"])["grad_norm"]
    for act in vanishing.ACTIVATIONS:
        assert first[(act, "vanish")] < first[(act, "hold")] < first[(act, "explode")]


# -- saddles --------------------------------------------------------------------------------------


def test_second_derivative_test_from_diffbench_hessian():
    assert saddles.second_derivative_test("saddle") == {
        "hess_eig_min": -2.0,
        "hess_eig_max": 2.0,
        "test": "saddle",
    }
    monkey = saddles.second_derivative_test("monkey_saddle")
    assert (monkey["hess_eig_min"], monkey["hess_eig_max"], monkey["test"]) == (
        0.0,
        0.0,
        "inconclusive",
    )


def test_gradient_descent_escape_matches_the_closed_form():
    starts, _ = saddles.start_points(angles=3)
    starts = starts[::4]  # distances 1e-1, 1e-5
    steps = saddles.escape_steps("saddle", "sgd", starts, 1500)
    # x^2 - y^2 under GD: x_k = (1 - 2 lr)^k x_0, y_k = (1 + 2 lr)^k y_0.
    k = np.arange(1, 1501)[:, None]
    x = (1 - 2 * saddles.LR) ** k * starts[:, 0]
    y = (1 + 2 * saddles.LR) ** k * starts[:, 1]
    expected = np.argmax(x**2 + y**2 > 1.0, axis=0) + 1
    np.testing.assert_array_equal(steps, expected)


def test_plain_descent_stays_at_the_degenerate_saddle():
    # |grad| = 3 r^2 on the monkey saddle: a step of lr 3e-16 from r = 1e-8 goes nowhere.
    starts = np.array([[1e-8, 0.0], [0.0, 1e-8], [-1e-2, 0.0]])
    steps = saddles.escape_steps("monkey_saddle", "sgd", starts, 4000)
    assert (steps[:2] == saddles.NEVER).all()
    # From (-r, 0), x_{k+1} = x_k - 3 lr x_k^2: leaves the unit disc after ~1/(3 lr r) steps.
    x, k = -1e-2, 0
    while x > -1.0:
        x, k = x - 3 * saddles.LR * x**2, k + 1
    assert steps[2] == k


# -- local minima ---------------------------------------------------------------------------------

HIMMELBLAU_MINIMA = np.array(  # Himmelblau (1972); the four global minima, f = 0
    [[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]]
)


def test_himmelblau_has_four_global_minima_and_runs_find_each():
    res = diffbench.optimize.minimize(
        "himmelblau", "adam", 300, x0=HIMMELBLAU_MINIMA + 0.3, lr=1e-2, repeats=1
    )
    assert local_minima.distinct_minima(res.x_final) == 4
    assert np.all(res.f_final < 1e-8)
    np.testing.assert_allclose(res.x_final, HIMMELBLAU_MINIMA, atol=1e-5)


def test_k_start_rows_group_disjoint_starts():
    success = np.array([0, 0, 1, 0, 0, 0, 0, 1], dtype=bool)
    rows = {r["k"]: r for r in local_minima.k_rows(success, p=0.25, p_ci=(0.1, 0.5))}
    assert (rows[2]["groups"], rows[2]["successes"]) == (4, 2)  # (0,0) (1,0) (0,0) (0,1)
    assert (rows[4]["groups"], rows[4]["successes"]) == (2, 2)
    assert rows[4]["predicted"] == pytest.approx(1 - 0.75**4)
    assert (rows[4]["predicted_low"], rows[4]["predicted_high"]) == pytest.approx(
        (1 - 0.9**4, 1 - 0.5**4)
    )
    low, high = stats.binomtest(2, 4).proportion_ci(0.95, method="exact")
    assert (rows[2]["ci_low"], rows[2]["ci_high"]) == pytest.approx((low, high))
    assert 16 not in rows


def test_k_start_success_agrees_with_one_minus_one_minus_p_to_the_k():
    success, _ = local_minima.successes("six_hump_camel", "sgd", 1e-3, 96 + 384, 300)
    p = success[:96].mean()
    assert 0.2 < p < 0.6
    for k in (2, 4):
        groups = success[96:].reshape(-1, k).any(axis=1)
        ci = stats.binomtest(int(groups.sum()), groups.size).proportion_ci(0.95, method="exact")
        assert ci.low <= 1 - (1 - p) ** k <= ci.high


# -- learning rate -------------------------------------------------------------------------------


def test_the_texts_iterates_point_six_then_one_point_oh_eight():
    rows = learning_rate.iterate_rows()
    np.testing.assert_allclose(rows["x_final"], [0.6, 1.08], rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def quadratic_sweep():
    return learning_rate.sweep_rows("quadratic_loss", learning_rate.learning_rates(), 200)


def test_quadratic_diverges_above_one_and_not_at_or_below(quadratic_sweep):
    sweep, edge = quadratic_sweep
    assert edge["L"].iloc[0] == pytest.approx(2.0, rel=1e-12)  # (x - 3)^2'' = 2
    assert not sweep.loc[sweep["lr"] <= 1.0 + 1e-9, "unstable"].any()
    assert sweep.loc[sweep["lr"] > 1.0 + 1e-9, "unstable"].all()
    assert bool(edge["within_one_step"].iloc[0])
    assert edge["edge_lo"].iloc[0] <= 1.0 <= edge["edge_hi"].iloc[0]


def test_power_iteration_matches_the_hessian_spectrum():
    tf = diffbench.functions.get("logistic_regression")
    for x in (tf.x0(), tf.x_opt()):
        exact = np.linalg.eigvalsh(np.asarray(diffbench.hessian(tf, jnp.asarray(x)))).max()
        assert learning_rate.largest_eigenvalue(tf.name, x) == pytest.approx(exact, rel=1e-10)


def test_logistic_regression_edge_within_one_grid_step_of_two_over_l():
    _, edge = learning_rate.sweep_rows("logistic_regression", learning_rate.learning_rates(), 500)
    row = edge.iloc[0]
    assert row["edge_lo"] < row["edge_theory"] < row["edge_hi"] * 10 ** row["grid_step"]
    assert bool(row["within_one_step"])


def test_measured_edge_of_a_grid():
    lrs = np.array([0.1, 1.0, 10.0, 100.0])
    assert learning_rate.measured_edge(lrs, np.array([0, 0, 1, 1], bool)) == (1.0, 10.0, 10**0.5)
    lo, hi, edge = learning_rate.measured_edge(lrs, np.zeros(4, bool))
    assert (lo, np.isnan(hi), np.isnan(edge)) == (100.0, True, True)


# -- expectations --------------------------------------------------------------------------------


def _expect(rule_nodes, name):
    x, w = rule_nodes
    names = list(expectations.INTEGRANDS)
    return np.asarray(expectations._estimates(jnp.asarray(x), jnp.asarray(w)))[:, names.index(name)]


def test_gauss_hermite_integrates_the_density_to_one_and_the_mean_to_zero():
    nodes = expectations.gauss_hermite(20)
    assert abs(_expect(nodes, "density")[0] - 1.0) < 1e-12
    assert abs(_expect(nodes, "mean")[0]) < 1e-12
    assert _expect(nodes, "x^4")[0] == pytest.approx(3.0, abs=1e-12)  # degree 4 < 2 * 20
    assert _expect(nodes, "cos")[0] == pytest.approx(np.exp(-0.5), abs=1e-14)
    assert _expect(expectations.gauss_hermite(2), "x^4")[0] == pytest.approx(1.0)  # not exact


def test_trapezoid_on_the_registry_density_is_spectrally_accurate():
    nodes = expectations.trapezoid(64)
    assert abs(_expect(nodes, "density")[0] - 1.0) < 1e-12
    assert _expect(nodes, "exp")[0] == pytest.approx(np.exp(0.5), rel=1e-12)


def test_monte_carlo_error_shrinks_as_one_over_root_n():
    est = _expect(expectations.monte_carlo(1024, 64, 1024), "x^2")
    rmse = np.sqrt(np.mean((est - 1.0) ** 2))
    assert 0.6 < rmse / np.sqrt(2.0 / 1024) < 1.4  # Var(X^2) = 2


def test_gradient_estimators_are_unbiased_and_reparameterisation_variance_is_4_over_s():
    exact = np.array([2 * expectations.MU, 2 * expectations.SIGMA])  # d/d(mu, sigma) of mu^2+s^2
    for estimator in expectations.ESTIMATORS:
        est = expectations.gradient_estimates("x^2", estimator, [1, 16], 2048)
        for sample in est:
            se = sample.std(axis=0, ddof=1) / np.sqrt(sample.shape[0])
            assert np.all(np.abs(sample.mean(axis=0) - exact) < 5 * se)
    reparam = expectations.gradient_estimates("x^2", "reparameterisation", [1, 16], 2048)
    # d/dmu of mean (mu + sigma eps)^2 is the mean of 2 (mu + sigma eps): variance 4 sigma^2/S.
    np.testing.assert_allclose(reparam[:, :, 0].var(axis=1, ddof=1), [4.0, 0.25], rtol=0.15)
