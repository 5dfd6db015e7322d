"""Machine-learning functions: activations, losses and finite-sum objectives (tag ``ml``).

Activations are scalar functions of a vector (the sum of the activation over its entries); losses
take predictions or logits as ``x`` against seeded targets; objectives are means of per-example
losses over seeded data sets (see ``finite_sum`` and ``_data``). Definitions follow seed text 000
("Activation Functions and Their Derivatives", "Loss Functions and Their Derivatives",
"Vanishing Gradients") and Goodfellow, Bengio & Courville, Deep Learning (2016), ch. 6; GELU is
the tanh approximation of Hendrycks & Gimpel (2016). Everything is written without ``max``
(no max-shifted log-sum-exp), so every smooth entry is one elementary SymPy expression; the price
is overflow for logits beyond about 88 (float32) or 709 (float64), far outside the bounds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, NamedTuple

import numpy as np

from .._errors import DiffbenchError, unknown
from . import _data
from ._registry import get as functions_get
from ._registry import register

DL_BOOK = "Goodfellow, Bengio & Courville, Deep Learning (2016), ch. 6"
SEED_000 = "Seed text 000, 'Calculus Basics Every AI Practitioner Should Know'"


# -- activations ---------------------------------------------------------------------------
def relu(xp, x):
    return xp.sum(xp.maximum(x, 0))


def sigmoid(xp, x):
    return xp.sum(1 / (1 + xp.exp(-x)))


def tanh(xp, x):
    return xp.sum(xp.tanh(x))


def softplus(xp, x):
    return xp.sum(xp.log1p(xp.exp(x)))


def gelu(xp, x):
    inner = xp.sqrt(2 / xp.pi) * (x + 0.044715 * x**3)
    return xp.sum(x * (1 + xp.tanh(inner)) / 2)


def softmax(xp, x):
    return xp.exp(x[0]) / xp.sum(xp.exp(x))


_ACTIVATION = dict(min_dim=1, bounds=(-5.0, 5.0))
register(
    name="relu",
    fn=relu,
    tags={"ml", "activation", "convex", "separable", "nonsmooth"},
    x_opt=-1.0,
    f_opt=0.0,
    analytic=False,
    source=f"{SEED_000}: ReLU f(x) = max(0, x), f'(x) = 1 if x > 0 else 0",
    description="sum max(0, x_i): kink at 0; every x <= 0 is a minimizer (x_opt gives -1)",
    **_ACTIVATION,
)
register(
    name="sigmoid",
    fn=sigmoid,
    tags={"ml", "activation", "nonconvex", "separable"},
    source=f"{SEED_000}: sigmoid f(x) = 1/(1 + e^-x), f'(x) = f(x)(1 - f(x)) <= 0.25",
    description="sum 1/(1 + exp(-x_i)); infimum 0 is not attained",
    **_ACTIVATION,
)
register(
    name="tanh",
    fn=tanh,
    tags={"ml", "activation", "nonconvex", "separable"},
    source=f"{SEED_000}: tanh, f'(x) = 1 - f(x)^2",
    description="sum tanh(x_i); infimum -n is not attained",
    **_ACTIVATION,
)
register(
    name="softplus",
    fn=softplus,
    tags={"ml", "activation", "convex", "separable"},
    source=f"{DL_BOOK}: softplus log(1 + e^x), the smooth ReLU",
    description="sum log(1 + exp(x_i)); infimum 0 is not attained",
    **_ACTIVATION,
)
register(
    name="gelu",
    fn=gelu,
    tags={"ml", "activation", "nonconvex", "separable"},
    source="Hendrycks & Gimpel (2016), GELU, tanh approximation (as jax.nn.gelu(approximate=True))",
    description="sum x/2 (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3)))",
    **_ACTIVATION,
)
register(
    name="softmax",
    fn=softmax,
    tags={"ml", "activation", "nonconvex"},
    min_dim=2,
    bounds=(-5.0, 5.0),
    source=f"{SEED_000}: softmax turns outputs into probabilities (Jacobian p_i(d_ij - p_j))",
    description="softmax(x)[0] = exp(x_0)/sum exp(x_j), written plainly (no max shift)",
)


# -- losses --------------------------------------------------------------------------------
def mse(xp, x):
    y = xp.asarray(_data.real_targets(x.shape[0]), dtype=x.dtype)
    return xp.mean((x - y) ** 2)


def binary_cross_entropy(xp, x):
    y = xp.asarray(_data.binary_targets(x.shape[0]), dtype=x.dtype)
    return xp.mean(xp.log1p(xp.exp(x)) - y * x)


def categorical_cross_entropy(xp, x):
    return xp.log(xp.sum(xp.exp(x))) - x[_data.class_index(x.shape[0])]


register(
    name="mse",
    fn=mse,
    tags={"ml", "loss", "convex", "separable"},
    min_dim=1,
    bounds=(-5.0, 5.0),
    x_opt=_data.real_targets,
    f_opt=0.0,
    source=f"{SEED_000}: MSE L = (y_pred - y)^2, dL/dy_pred = 2(y_pred - y)",
    description="mean (x_i - y_i)^2: x are predictions, y seeded standard-normal targets",
)
register(
    name="binary_cross_entropy",
    fn=binary_cross_entropy,
    tags={"ml", "loss", "convex", "separable"},
    min_dim=1,
    bounds=(-5.0, 5.0),
    source=f"{SEED_000}: L = -[y log p + (1-y) log(1-p)], dL/dp = -y/p + (1-y)/(1-p)",
    description=(
        "mean of -[y log p + (1-y) log(1-p)] with p = sigmoid(x), x logits, y seeded labels "
        "in {0, 1}; written as log(1 + e^x) - y x"
    ),
)
register(
    name="categorical_cross_entropy",
    fn=categorical_cross_entropy,
    tags={"ml", "loss", "convex"},
    min_dim=2,
    bounds=(-5.0, 5.0),
    source=f"{SEED_000}: L = -sum y_c log p_c with p = softmax(x)",
    description="-log softmax(x)[c]: x the logits of one example, c a seeded class",
)


# -- finite-sum objectives -----------------------------------------------------------------
class FiniteSum(NamedTuple):
    """A finite-sum objective ``f(x) = mean_i example_loss(xp, x, data)[i]`` for SGD runners.

    Attributes:
        name: the registry name of the full objective.
        data: read-only NumPy arrays, each with a leading axis of length ``size``.
        example_loss: ``(xp, x, batch) -> losses`` of shape ``(b,)``, where ``batch`` has the
            keys of ``data`` and any leading length ``b`` (NumPy or JAX arrays).
        size: the number of examples ``m``.

    Example:
        >>> import numpy as np, jax.numpy as jnp, diffbench
        >>> fs = diffbench.functions.ml.finite_sum("linear_regression")
        >>> batch = {k: v[:8] for k, v in fs.data.items()}
        >>> fs.example_loss(jnp, jnp.zeros(5), batch).shape
        (8,)
    """

    name: str
    data: Mapping[str, np.ndarray]
    example_loss: Callable[[Any, Any, Mapping[str, Any]], Any]
    size: int

    def objective(self, xp: Any, x: Any, batch: Mapping[str, Any] | None = None) -> Any:
        """The mean loss over ``batch`` (the whole data set when None)."""
        return xp.mean(self.example_loss(xp, x, self.data if batch is None else batch))


def _linear_regression_losses(xp, x, batch):
    X, y = (xp.asarray(batch[k], dtype=x.dtype) for k in ("X", "y"))
    return (X @ x[:-1] + x[-1] - y) ** 2


def _logistic_regression_losses(xp, x, batch):
    X, y = (xp.asarray(batch[k], dtype=x.dtype) for k in ("X", "y"))
    z = X @ x[:-1] + x[-1]
    return xp.log1p(xp.exp(z)) - y * z


def _softmax_regression_losses(xp, x, batch):
    X, Y = (xp.asarray(batch[k], dtype=x.dtype) for k in ("X", "Y"))
    d, k = _data.FEATURES, _data.CLASSES
    z = X @ xp.reshape(x[: d * k], (d, k)) + xp.reshape(x[d * k :], (1, k))
    return xp.log(xp.sum(xp.exp(z), axis=1)) - xp.sum(Y * z, axis=1)


def _mlp_losses(xp, x, batch):
    X, y = (xp.asarray(batch[k], dtype=x.dtype) for k in ("X", "y"))
    d, h = _data.MLP_INPUTS, _data.MLP_HIDDEN
    W1, b1 = xp.reshape(x[: d * h], (d, h)), xp.reshape(x[d * h : d * h + h], (1, h))
    hidden = xp.tanh(X @ W1 + b1)
    return (hidden @ x[d * h + h : d * h + 2 * h] + x[-1] - y) ** 2


def linear_regression(xp, x):
    return xp.mean(_linear_regression_losses(xp, x, _data.regression()))


def logistic_regression(xp, x):
    return xp.mean(_logistic_regression_losses(xp, x, _data.binary_classification()))


def softmax_regression(xp, x):
    return xp.mean(_softmax_regression_losses(xp, x, _data.multiclass()))


def mlp(xp, x):
    return xp.mean(_mlp_losses(xp, x, _data.mlp_regression()))


_FINITE_SUMS = {
    "linear_regression": (_data.regression, _linear_regression_losses),
    "logistic_regression": (_data.binary_classification, _logistic_regression_losses),
    "softmax_regression": (_data.multiclass, _softmax_regression_losses),
    "mlp": (_data.mlp_regression, _mlp_losses),
}


def finite_sum(name: str) -> FiniteSum:
    """Return the data and per-example loss behind a finite-sum objective, for minibatching.

    Example:
        >>> import numpy as np, diffbench
        >>> fs = diffbench.functions.ml.finite_sum("logistic_regression")
        >>> fs.size, sorted(fs.data)
        (32, ['X', 'y'])
    """
    if name not in _FINITE_SUMS:
        raise unknown("finite-sum objective", name, _FINITE_SUMS)
    make_data, example_loss = _FINITE_SUMS[name]
    data = make_data()
    return FiniteSum(name, data, example_loss, len(next(iter(data.values()))))


_LOSS_DATA = {
    "mse": lambda n: {"y": _data.real_targets(n)},
    "binary_cross_entropy": lambda n: {"y": _data.binary_targets(n)},
    "categorical_cross_entropy": lambda n: {"label": np.array(_data.class_index(n))},
}


def dataset(name: str, n: int | None = None) -> dict[str, np.ndarray]:
    """Return the seeded arrays an ``ml`` entry uses (for a loss, those of dimension ``n``).

    ``mse`` and ``binary_cross_entropy`` give ``{"y": targets}``, ``categorical_cross_entropy``
    gives ``{"label": class index}``, a finite-sum objective its whole data set.

    Example:
        >>> import diffbench
        >>> diffbench.functions.ml.dataset("mse", 3)["y"].shape
        (3,)
    """
    if name in _FINITE_SUMS:
        return dict(finite_sum(name).data)
    if name not in _LOSS_DATA:
        raise unknown("ml entry with data", name, [*_FINITE_SUMS, *_LOSS_DATA])
    if n is None:
        raise DiffbenchError(f"dataset({name!r}) needs the dimension n of the loss.")
    return _LOSS_DATA[name](functions_get(name).check_dim(n))


def _least_squares(n: int) -> np.ndarray:
    data = _data.regression()
    A = np.column_stack([data["X"], np.ones(len(data["y"]))])
    return np.linalg.lstsq(A, data["y"], rcond=None)[0]


def _least_squares_value(n: int) -> float:
    data = _data.regression()
    A = np.column_stack([data["X"], np.ones(len(data["y"]))])
    return float(np.mean((A @ _least_squares(n) - data["y"]) ** 2))


@cache
def _newton(fn: Callable, n: int) -> np.ndarray:
    """Minimize a smooth convex definition by damped Newton from 0 (float64, jax derivatives).

    Steps are least-squares solutions, so a singular Hessian (softmax regression is invariant to
    adding one vector to every class) leads to the minimum-norm minimizer.
    """
    import jax
    import jax.numpy as jnp

    f = jax.jit(lambda x: fn(jnp, x))
    grad, hess = jax.jit(jax.grad(f)), jax.jit(jax.hessian(f))
    x = jnp.zeros(n, dtype=jnp.float64)
    for _ in range(100):
        step = jnp.asarray(np.linalg.lstsq(np.asarray(hess(x)), np.asarray(grad(x)), rcond=None)[0])
        if float(jnp.linalg.norm(step)) <= 1e-14 * (1 + float(jnp.linalg.norm(x))):
            return np.asarray(x - step, dtype=np.float64)
        t, fx = 1.0, float(f(x))
        while float(f(x - t * step)) > fx + 1e-14 * abs(fx) and t > 1e-6:
            t /= 2  # damp only real increases, not rounding
        x = x - t * step
    raise RuntimeError(f"Newton did not converge for {getattr(fn, '__name__', fn)}.")


def _newton_rules(fn: Callable) -> dict[str, Callable[[int], Any]]:
    return {"x_opt": lambda n: _newton(fn, n), "f_opt": lambda n: fn(np, _newton(fn, n))}


_OBJECTIVE = dict(bounds=(-5.0, 5.0), x0=0.0)
register(
    name="linear_regression",
    fn=linear_regression,
    tags={"ml", "finite-sum", "convex"},
    dim=_data.FEATURES + 1,
    x_opt=_least_squares,
    f_opt=_least_squares_value,
    source=f"{SEED_000} (Linear Regression); seeded data, 32 samples x 4 features",
    description="mean (X w + b - y)^2, x = (w, b); x_opt is the least-squares solution",
    **_OBJECTIVE,
)
register(
    name="logistic_regression",
    fn=logistic_regression,
    tags={"ml", "finite-sum", "convex"},
    dim=_data.FEATURES + 1,
    source=f"{DL_BOOK}; seeded data, 32 samples x 4 features, labels from a logistic model",
    description="mean binary cross-entropy of sigmoid(X w + b), x = (w, b); x_opt by Newton",
    **_newton_rules(logistic_regression),
    **_OBJECTIVE,
)
register(
    name="softmax_regression",
    fn=softmax_regression,
    tags={"ml", "finite-sum", "convex"},
    dim=(_data.FEATURES + 1) * _data.CLASSES,
    source=f"{DL_BOOK}; seeded data, 32 samples x 4 features, 3 classes",
    description=(
        "mean cross-entropy of softmax(X W + b); x = (W row-major 4x3, b); minimizers form a "
        "line (add one vector to every class), x_opt is the min-norm one, by Newton"
    ),
    **_newton_rules(softmax_regression),
    **_OBJECTIVE,
)
register(
    name="mlp",
    fn=mlp,
    tags={"ml", "finite-sum", "nonconvex"},
    dim=_data.MLP_INPUTS * _data.MLP_HIDDEN + 2 * _data.MLP_HIDDEN + 1,
    bounds=(-5.0, 5.0),
    x0=lambda n: _data.mlp_init(),
    source=f"{DL_BOOK}; seeded teacher-network data, 32 samples x 3 inputs",
    description=(
        "mean squared error of tanh(X W1 + b1) w2 + b2, 3-4-1 network; x = (W1 row-major 3x4, "
        "b1, w2, b2), 21 parameters; x0 a seeded init"
    ),
)


# -- deep chain ----------------------------------------------------------------------------
def deep_chain(xp, x):
    h = 0
    for i in range(x.shape[0]):
        h = 1 / (1 + xp.exp(-(h + x[i])))
    return h


register(
    name="deep_chain",
    fn=deep_chain,
    tags={"ml", "nonconvex", "vanishing-gradient"},
    min_dim=1,
    default_dim=10,
    bounds=(-5.0, 5.0),
    x0=lambda n: [0.0] + [-0.5] * (n - 1),
    source=f"{SEED_000} (Vanishing Gradients): sigmoid' <= 0.25, through 10 layers 0.25^10 ~ 1e-6",
    description=(
        "h_0 = 0, h_i = sigmoid(h_{i-1} + x_i), f = h_n (n layers); at x0 = (0, -0.5, ...) every "
        "pre-activation is 0, so df/dx_1 = 0.25^n exactly"
    ),
)
