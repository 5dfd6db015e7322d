"""Every definition against values computed independently of it, at points away from the optimum.

Classic functions: the formulas of the Virtual Library of Simulation Experiments (Surjanovic &
Bingham; COCO/BBOB for the ellipsoid, Himmelblau 1972), typed here a second time as scalar
loops in mpmath (34 digits), plus SciPy's ``rosen``. ML functions: ``jax.nn``, ``scipy.special``
and optax. A changed constant in a definition (rastrigin's 2 pi, say) fails here even though
every method and the truth share that definition. Gradients are checked too: mpmath's own
numerical derivative of the typed formula against ``accuracy.reference_gradient``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import mpmath as mp
import numpy as np
import optax
import pytest
import scipy.optimize
import scipy.special

from diffbench import accuracy, functions

mp.mp.dps = 34
PI = mp.pi


def _sum(terms):
    return mp.fsum(list(terms))


VLSE = {
    "sphere": lambda x: _sum(v**2 for v in x),
    "sum_powers": lambda x: _sum(abs(v) ** (i + 2) for i, v in enumerate(x)),
    "ellipsoid": lambda x: _sum(
        mp.mpf(10) ** (6 * mp.mpf(i) / (len(x) - 1)) * v**2 for i, v in enumerate(x)
    ),
    "rosenbrock": lambda x: _sum(
        100 * (x[i + 1] - x[i] ** 2) ** 2 + (x[i] - 1) ** 2 for i in range(len(x) - 1)
    ),
    "rastrigin": lambda x: 10 * len(x) + _sum(v**2 - 10 * mp.cos(2 * PI * v) for v in x),
    "ackley": lambda x: (
        -20 * mp.exp(-mp.mpf("0.2") * mp.sqrt(_sum(v**2 for v in x) / len(x)))
        - mp.exp(_sum(mp.cos(2 * PI * v) for v in x) / len(x))
        + 20
        + mp.e
    ),
    "griewank": lambda x: (
        _sum(v**2 / 4000 for v in x)
        - mp.fprod(mp.cos(v / mp.sqrt(i + 1)) for i, v in enumerate(x))
        + 1
    ),
    "styblinski_tang": lambda x: _sum(v**4 - 16 * v**2 + 5 * v for v in x) / 2,
    "dixon_price": lambda x: (
        (x[0] - 1) ** 2 + _sum((i + 1) * (2 * x[i] ** 2 - x[i - 1]) ** 2 for i in range(1, len(x)))
    ),
    "zakharov": lambda x: (
        _sum(v**2 for v in x)
        + _sum(mp.mpf(i + 1) / 2 * v for i, v in enumerate(x)) ** 2
        + _sum(mp.mpf(i + 1) / 2 * v for i, v in enumerate(x)) ** 4
    ),
    "beale": lambda x: (
        (mp.mpf("1.5") - x[0] + x[0] * x[1]) ** 2
        + (mp.mpf("2.25") - x[0] + x[0] * x[1] ** 2) ** 2
        + (mp.mpf("2.625") - x[0] + x[0] * x[1] ** 3) ** 2
    ),
    "booth": lambda x: (x[0] + 2 * x[1] - 7) ** 2 + (2 * x[0] + x[1] - 5) ** 2,
    "himmelblau": lambda x: (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2,
    "matyas": lambda x: mp.mpf("0.26") * (x[0] ** 2 + x[1] ** 2) - mp.mpf("0.48") * x[0] * x[1],
    "three_hump_camel": lambda x: (
        2 * x[0] ** 2 - mp.mpf("1.05") * x[0] ** 4 + x[0] ** 6 / 6 + x[0] * x[1] + x[1] ** 2
    ),
    "six_hump_camel": lambda x: (
        (4 - mp.mpf("2.1") * x[0] ** 2 + x[0] ** 4 / 3) * x[0] ** 2
        + x[0] * x[1]
        + (-4 + 4 * x[1] ** 2) * x[1] ** 2
    ),
    "goldstein_price": lambda x: (
        (
            1
            + (x[0] + x[1] + 1) ** 2
            * (19 - 14 * x[0] + 3 * x[0] ** 2 - 14 * x[1] + 6 * x[0] * x[1] + 3 * x[1] ** 2)
        )
        * (
            30
            + (2 * x[0] - 3 * x[1]) ** 2
            * (18 - 32 * x[0] + 12 * x[0] ** 2 + 48 * x[1] - 36 * x[0] * x[1] + 27 * x[1] ** 2)
        )
    ),
    "saddle": lambda x: x[0] ** 2 - x[1] ** 2,
    "monkey_saddle": lambda x: x[0] ** 3 - 3 * x[0] * x[1] ** 2,
}


def _levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    body = _sum((u - 1) ** 2 * (1 + 10 * mp.sin(PI * u + 1) ** 2) for u in w[:-1])
    return mp.sin(PI * w[0]) ** 2 + body + (w[-1] - 1) ** 2 * (1 + mp.sin(2 * PI * w[-1]) ** 2)


VLSE["levy"] = _levy
POINTS = {  # two points per function, away from its optimum, inside its box
    2: ([0.7, -1.3], [-2.2, 1.9]),
    3: ([0.7, -1.3, 2.4], [-2.2, 1.9, -0.45]),
}


def test_every_classic_function_has_an_independent_formula():
    classic = {n for n in functions.names() if functions.get(n).fn.__module__.endswith("classic")}
    assert classic == set(VLSE)


CASES = [
    (name, np.array(p))
    for name in sorted(VLSE)
    for n in ((2,) if functions.get(name).dim else (2, 3))
    for p in POINTS[n]
]


@pytest.mark.parametrize(
    ("name", "x"), CASES, ids=[f"{c[0]}-{len(c[1])}-{i}" for i, c in enumerate(CASES)]
)
def test_classic_value_and_gradient_match_the_published_formula(name, x):
    formula = VLSE[name]
    exact = formula([mp.mpf(float(v)) for v in x])
    assert float(functions.get(name).numpy(x)) == pytest.approx(float(exact), rel=1e-13, abs=1e-13)
    slope = [
        mp.diff(
            lambda t, i=i: formula([t if j == i else mp.mpf(float(v)) for j, v in enumerate(x)]),
            mp.mpf(float(x[i])),
        )
        for i in range(len(x))
    ]
    truth, _ = accuracy.reference_gradient(name, x)
    np.testing.assert_allclose(truth, np.array(slope, dtype=np.float64), rtol=1e-13, atol=1e-13)


def test_rosenbrock_is_scipy_rosen_away_from_the_optimum():
    for x in POINTS[3]:
        x = np.array(x)
        assert float(functions.get("rosenbrock").numpy(x)) == pytest.approx(
            scipy.optimize.rosen(x), rel=1e-15
        )
        np.testing.assert_allclose(
            accuracy.reference_gradient("rosenbrock", x)[0], scipy.optimize.rosen_der(x), rtol=1e-13
        )


X = np.array([-2.3, -0.4, 0.9, 3.1])
ACTIVATIONS = {
    "relu": lambda x: np.sum(np.asarray(jax.nn.relu(x))),
    "sigmoid": lambda x: np.sum(scipy.special.expit(x)),
    "tanh": lambda x: np.sum(np.tanh(x)),
    "softplus": lambda x: np.sum(np.asarray(jax.nn.softplus(x))),
    "gelu": lambda x: np.sum(np.asarray(jax.nn.gelu(x, approximate=True))),
    "softmax": lambda x: scipy.special.softmax(x)[0],
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_a_second_library(name):
    for x in (X, X[::-1] * 0.7):
        assert float(functions.get(name).numpy(x)) == pytest.approx(ACTIVATIONS[name](x), rel=1e-14)


def test_losses_match_optax_and_closed_forms():
    n = X.shape[0]
    y = functions.ml.dataset("mse", n)["y"]
    assert float(functions.get("mse").numpy(X)) == pytest.approx(
        float(np.mean(optax.l2_loss(X, y))) * 2, rel=1e-14
    )
    labels = functions.ml.dataset("binary_cross_entropy", n)["y"]
    bce = np.mean(
        np.asarray(optax.sigmoid_binary_cross_entropy(jnp.asarray(X), jnp.asarray(labels)))
    )
    assert float(functions.get("binary_cross_entropy").numpy(X)) == pytest.approx(
        float(bce), rel=1e-13
    )
    label = functions.ml.dataset("categorical_cross_entropy", n)["label"]
    cce = optax.softmax_cross_entropy_with_integer_labels(jnp.asarray(X), jnp.asarray(label))
    assert float(functions.get("categorical_cross_entropy").numpy(X)) == pytest.approx(
        float(cce), rel=1e-13
    )


def test_finite_sum_objectives_match_optax_and_numpy():
    x = np.linspace(-0.8, 0.6, 5)
    reg = functions.ml.dataset("linear_regression")
    assert float(functions.get("linear_regression").numpy(x)) == pytest.approx(
        np.mean((reg["X"] @ x[:-1] + x[-1] - reg["y"]) ** 2), rel=1e-14
    )
    cls = functions.ml.dataset("logistic_regression")
    logits = jnp.asarray(cls["X"] @ x[:-1] + x[-1])
    bce = np.mean(np.asarray(optax.sigmoid_binary_cross_entropy(logits, jnp.asarray(cls["y"]))))
    assert float(functions.get("logistic_regression").numpy(x)) == pytest.approx(
        float(bce), rel=1e-13
    )
    w = np.linspace(-0.5, 0.7, 15)
    multi = functions.ml.dataset("softmax_regression")
    z = multi["X"] @ w[:12].reshape(4, 3) + w[12:]
    ce = np.mean(np.asarray(optax.softmax_cross_entropy(jnp.asarray(z), jnp.asarray(multi["Y"]))))
    assert float(functions.get("softmax_regression").numpy(w)) == pytest.approx(
        float(ce), rel=1e-13
    )
    p = np.linspace(-0.9, 0.9, 21)
    net = functions.ml.dataset("mlp")
    hidden = np.tanh(net["X"] @ p[:12].reshape(3, 4) + p[12:16])
    assert float(functions.get("mlp").numpy(p)) == pytest.approx(
        np.mean((hidden @ p[16:20] + p[20] - net["y"]) ** 2), rel=1e-14
    )


def test_deep_chain_is_nested_expit():
    x = np.array([0.3, -1.2, 0.8, 2.0, -0.1])
    h = 0.0
    for v in x:
        h = scipy.special.expit(h + v)
    assert float(functions.get("deep_chain").numpy(x)) == pytest.approx(h, rel=1e-15)
