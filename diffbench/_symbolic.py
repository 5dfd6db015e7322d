"""The symbolic layer: exact SymPy gradients and Hessians of a registry definition.

The expression comes from evaluating the one definition ``fn(xp, x)`` with the SymPy
namespace; derivatives are SymPy's; ``lambdify(..., modules="jax", cse=True)`` turns them
back into JAX code, and the mpmath printer gives a high-precision reference evaluator.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy

from .functions import TestFunction, symbols, sympy_namespace

REFERENCE_DIGITS = 34
"""Working precision of the high-precision reference (decimal digits)."""


@dataclass
class SymbolicForm:
    """The exact expression of a function in dimension ``n`` and its derivatives.

    Attributes:
        expr: f as a SymPy expression of ``variables``.
        variables: the n real symbols ``x0 ... x{n-1}``.
    """

    expr: Any
    variables: list[Any]
    _gradient: list[Any] | None = None
    _hessian: Any = None

    @property
    def gradient(self) -> list[Any]:
        """The n partial derivatives (computed once)."""
        if self._gradient is None:
            self._gradient = [sympy.diff(self.expr, v) for v in self.variables]
        return self._gradient

    @property
    def hessian(self) -> Any:
        """The n x n matrix of second derivatives (from the gradient, computed once)."""
        if self._hessian is None:
            grad = self.gradient
            self._hessian = sympy.Matrix([[sympy.diff(g, v) for v in self.variables] for g in grad])
        return self._hessian


@functools.lru_cache(maxsize=256)
def symbolic_form(tf: TestFunction, n: int) -> SymbolicForm:
    """Return the (cached) exact expression of ``tf`` in dimension ``n``."""
    tf.check_dim(n)
    variables = symbols(n)
    expr = sympy.sympify(tf.fn(sympy_namespace, variables))
    return SymbolicForm(expr, list(variables))


def jax_function(variables: list[Any], exprs: list[Any]) -> Callable[[Any], Any]:
    """Return ``x -> jnp.stack(exprs at x)``: SymPy expressions lambdified to JAX with CSE.

    The result keeps the dtype of ``x``; constant entries are broadcast to it.
    """
    import jax.numpy as jnp

    raw = sympy.lambdify([variables], exprs, modules="jax", cse=True)

    def evaluate(x: Any) -> Any:
        values = raw(x)
        return jnp.stack([jnp.asarray(v, dtype=x.dtype) for v in values])

    return evaluate


@functools.lru_cache(maxsize=256)
def _mpmath_gradient(tf: TestFunction, n: int) -> Callable[..., Any]:
    form = symbolic_form(tf, n)
    return sympy.lambdify([form.variables], form.gradient, modules="mpmath")


def reference_gradient(
    tf: TestFunction, x: np.ndarray, digits: int = REFERENCE_DIGITS
) -> np.ndarray:
    """Return the exact gradient at ``x`` evaluated with ``digits`` decimal digits, as float64.

    ``x`` is taken as exact binary floats: the reference is the true derivative at the very
    point the float64 methods see.
    """
    x = np.asarray(x, dtype=np.float64)
    evaluate = _mpmath_gradient(tf, x.shape[0])
    with mpmath.workdps(digits):
        values = evaluate([mpmath.mpf(float(v)) for v in x])
        return np.array([float(mpmath.mpf(v)) for v in values], dtype=np.float64)
