"""Peer libraries on the same definitions: scipy, numdifftools, autograd, torch.func.

Each peer is listed only when its library imports (the optional ``peers`` extra); each
evaluates the registry definition ``fn(xp, x)`` with its own namespace (NumPy for the
scipy and numdifftools differences, ``autograd.numpy``, ``torch``). Peers take and return
NumPy arrays and are not jittable.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from ._method import Method


def _installed(module: str) -> bool:
    """Whether ``module`` can be imported, found without importing it (nor its parent)."""
    top, _, rest = module.partition(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    if spec is None or not rest:
        return spec is not None
    folders = [Path(p) for p in spec.submodule_search_locations or []]
    sub = rest.replace(".", "/")
    return any((f / sub).is_dir() or (f / f"{sub}.py").is_file() for f in folders)


def _numpy_f(objective):
    tf = objective.require_definition("a peer method")
    return lambda x: tf.fn(np, np.asarray(x))


def _scipy_approx_fprime(objective, n, dtype, step=None):
    from scipy.optimize import approx_fprime

    f = _numpy_f(objective)
    eps = np.sqrt(np.finfo(dtype).eps) if step is None else step
    return lambda x: approx_fprime(np.asarray(x, dtype=dtype), f, eps).astype(dtype)


def _scipy_differentiate(objective, n, dtype):
    from scipy.differentiate import jacobian

    f = _numpy_f(objective)

    def along_columns(x):  # scipy evaluates x of shape (n, ...) at once
        flat = x.reshape(x.shape[0], -1)
        values = np.array([f(flat[:, k]) for k in range(flat.shape[1])])
        return values.reshape(x.shape[1:])

    return lambda x: np.asarray(jacobian(along_columns, np.asarray(x, dtype=dtype)).df, dtype)


def _numdifftools(objective, n, dtype):
    import numdifftools

    gradient = numdifftools.Gradient(_numpy_f(objective))
    return lambda x: np.asarray(gradient(np.asarray(x, dtype=dtype)), dtype=dtype)


def _autograd(objective, n, dtype):
    import autograd
    import autograd.numpy as anp

    tf = objective.require_definition("autograd")
    gradient = autograd.grad(lambda x: tf.fn(anp, x))
    return lambda x: np.asarray(gradient(np.asarray(x, dtype=dtype)), dtype=dtype)


def _torch_func(objective, n, dtype):
    import torch

    tf = objective.require_definition("torch_func")
    gradient = torch.func.grad(lambda x: tf.fn(torch, x))
    return lambda x: gradient(torch.as_tensor(np.asarray(x, dtype=dtype))).numpy()


_PEERS = [
    (
        "scipy",
        Method(
            "scipy_approx_fprime",
            "peer",
            _scipy_approx_fprime,
            1,
            False,
            {"step": None},
            "scipy.optimize.approx_fprime (forward difference)",
        ),
    ),
    (
        "scipy.differentiate",
        Method(
            "scipy_differentiate",
            "peer",
            _scipy_differentiate,
            None,
            False,
            {},
            "scipy.differentiate.jacobian (adaptive)",
        ),
    ),
    (
        "numdifftools",
        Method(
            "numdifftools",
            "peer",
            _numdifftools,
            None,
            False,
            {},
            "numdifftools.Gradient (Richardson-extrapolated differences)",
        ),
    ),
    (
        "autograd",
        Method("autograd", "peer", _autograd, None, False, {}, "autograd.grad on autograd.numpy"),
    ),
    (
        "torch",
        Method(
            "torch_func",
            "peer",
            _torch_func,
            None,
            False,
            {},
            "torch.func.grad on the torch namespace",
        ),
    ),
]

METHODS = [method for module, method in _PEERS if _installed(module)]
ALL_PEER_NAMES = [method.name for _, method in _PEERS]
