"""Seeded data for the machine-learning family.

Every array comes from ``numpy.random.default_rng([SEED, stream, ...])``, so an entry that uses
data is one fixed function of its parameters, the same in every process. Arrays are cached and
read-only; sizes are small (32 samples, a handful of features) so SymPy can still expand the
objectives exactly.
"""

from __future__ import annotations

from functools import cache

import numpy as np

SEED = 20250415
"""The seed of every data set in the ``ml`` family."""

SAMPLES = 32
FEATURES = 4
CLASSES = 3
MLP_INPUTS, MLP_HIDDEN = 3, 4


def _rng(*stream: int) -> np.random.Generator:
    return np.random.default_rng([SEED, *stream])


def _frozen(**arrays: np.ndarray) -> dict[str, np.ndarray]:
    for a in arrays.values():
        a.flags.writeable = False
    return arrays


@cache
def real_targets(n: int) -> np.ndarray:
    """``n`` standard-normal regression targets (the ``y`` of ``mse``)."""
    return _frozen(y=_rng(1, n).standard_normal(n))["y"]


@cache
def binary_targets(n: int) -> np.ndarray:
    """``n`` labels in {0.0, 1.0} (the ``y`` of ``binary_cross_entropy``)."""
    return _frozen(y=_rng(2, n).integers(0, 2, size=n).astype(np.float64))["y"]


@cache
def class_index(n: int) -> int:
    """The true class, in ``0 .. n-1``, of the one example of ``categorical_cross_entropy``."""
    return int(_rng(3, n).integers(0, n))


@cache
def regression() -> dict[str, np.ndarray]:
    """``X`` (32 x 4) standard normal, ``y = X w + b + 0.1 noise`` with a seeded ``(w, b)``."""
    rng = _rng(4)
    X = rng.standard_normal((SAMPLES, FEATURES))
    w, b = rng.standard_normal(FEATURES), rng.standard_normal()
    y = X @ w + b + 0.1 * rng.standard_normal(SAMPLES)
    return _frozen(X=X, y=y)


@cache
def binary_classification() -> dict[str, np.ndarray]:
    """``X`` (32 x 4) and labels ``y`` in {0, 1} drawn from a logistic model (not separable)."""
    rng = _rng(5)
    X = rng.standard_normal((SAMPLES, FEATURES))
    w, b = rng.standard_normal(FEATURES), rng.standard_normal()
    p = 1 / (1 + np.exp(-(X @ w + b)))
    y = (rng.random(SAMPLES) < p).astype(np.float64)
    return _frozen(X=X, y=y)


@cache
def multiclass() -> dict[str, np.ndarray]:
    """``X`` (32 x 4) and one-hot ``Y`` (32 x 3) drawn from a softmax model (not separable)."""
    rng = _rng(6)
    X = rng.standard_normal((SAMPLES, FEATURES))
    W, b = rng.standard_normal((FEATURES, CLASSES)), rng.standard_normal(CLASSES)
    z = X @ W + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(CLASSES, p=row) for row in p])
    return _frozen(X=X, Y=np.eye(CLASSES)[labels])


@cache
def mlp_regression() -> dict[str, np.ndarray]:
    """``X`` (32 x 3) and ``y`` from a seeded teacher tanh(X W1 + b1) w2 + b2, plus noise."""
    rng = _rng(7)
    X = rng.standard_normal((SAMPLES, MLP_INPUTS))
    W1 = rng.standard_normal((MLP_INPUTS, MLP_HIDDEN))
    b1, w2 = rng.standard_normal(MLP_HIDDEN), rng.standard_normal(MLP_HIDDEN)
    y = np.tanh(X @ W1 + b1) @ w2 + rng.standard_normal() + 0.1 * rng.standard_normal(SAMPLES)
    return _frozen(X=X, y=y)


@cache
def mlp_init() -> np.ndarray:
    """A seeded start for ``mlp``: 21 normal draws scaled by 0.5 (distinct hidden units)."""
    size = MLP_INPUTS * MLP_HIDDEN + 2 * MLP_HIDDEN + 1
    return _frozen(x0=0.5 * _rng(8).standard_normal(size))["x0"]
