"""The project's own code: what it wants to benchmark."""

import jax
import jax.numpy as jnp
import numpy as np

_RNG = np.random.default_rng(0)
FEATURES = _RNG.standard_normal((32, 4))
LABELS = (FEATURES @ np.array([1.0, -2.0, 0.5, 0.0]) > 0).astype(np.float64)


def quartic(xp, x):
    """A smooth test objective written once against an array namespace ``xp``.

    diffbench evaluates it with jax.numpy, NumPy and SymPy, so it gets an exact reference.
    """
    return xp.sum((x - 1.0) ** 4) + 0.5 * xp.sum(x**2)


def loss(w):
    """Mean logistic loss of a linear model on a fixed data set, written with jax.numpy only.

    It has no SymPy form, so diffbench scores it against float64 reverse mode.
    """
    features = jnp.asarray(FEATURES, dtype=w.dtype)
    labels = jnp.asarray(LABELS, dtype=w.dtype)
    margins = features @ w
    return jnp.mean(jax.nn.softplus(margins) - labels * margins)


def linearized_gradient(f):
    """A gradient trick: linearize f once, then push every basis vector through the linear map.

    Returns a function ``x -> gradient`` of x's shape (forward mode, exact up to rounding).
    """

    def grad(x):
        _, push = jax.linearize(f, x)
        return jax.vmap(push)(jnp.eye(x.shape[0], dtype=x.dtype))

    return grad
