"""An array namespace that evaluates a definition ``fn(xp, x)`` into SymPy expressions.

A NumPy object array of SymPy symbols already supports slicing and arithmetic; this namespace
adds the reductions and elementwise functions of the Array API subset the registry uses, as
vectorized SymPy functions, so ``fn(sympy_namespace, symbols)`` is the exact expression.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy


def _elementwise(sympy_fn: Any) -> Any:
    vectorized = np.vectorize(sympy_fn, otypes=[object])

    def apply(a: Any) -> Any:
        return vectorized(a) if isinstance(a, np.ndarray) else sympy_fn(a)

    apply.__name__ = getattr(sympy_fn, "__name__", "elementwise")
    return apply


def _piecewise(cond: Any, a: Any, b: Any) -> Any:
    if cond is sympy.true or cond is True:
        return a
    if cond is sympy.false or cond is False:
        return b
    return sympy.Piecewise((a, cond), (b, True))


class SymPyNamespace:
    """The ``xp`` that turns a registry definition into SymPy expressions.

    Arrays are NumPy object arrays of SymPy expressions; scalars are SymPy expressions.
    """

    pi = sympy.pi
    e = sympy.E
    float64 = object
    float32 = object

    exp = staticmethod(_elementwise(sympy.exp))
    log = staticmethod(_elementwise(sympy.log))
    sin = staticmethod(_elementwise(sympy.sin))
    cos = staticmethod(_elementwise(sympy.cos))
    tanh = staticmethod(_elementwise(sympy.tanh))
    sqrt = staticmethod(_elementwise(sympy.sqrt))
    abs = staticmethod(_elementwise(sympy.Abs))
    sign = staticmethod(_elementwise(sympy.sign))
    log1p = staticmethod(_elementwise(lambda a: sympy.log(1 + a)))

    @staticmethod
    def sum(a: Any, axis: int | None = None) -> Any:
        """Sum of all entries (``axis=None``) or along ``axis`` of an object array."""
        if not isinstance(a, np.ndarray):
            return a
        if axis is None:
            return sympy.Add(*a.ravel())
        return np.apply_along_axis(lambda v: sympy.Add(*v), axis, a)

    @staticmethod
    def prod(a: Any, axis: int | None = None) -> Any:
        """Product of all entries (``axis=None``) or along ``axis`` of an object array."""
        if not isinstance(a, np.ndarray):
            return a
        if axis is None:
            return sympy.Mul(*a.ravel())
        return np.apply_along_axis(lambda v: sympy.Mul(*v), axis, a)

    @classmethod
    def mean(cls, a: Any, axis: int | None = None) -> Any:
        """Arithmetic mean, as an exact rational multiple of the sum."""
        if not isinstance(a, np.ndarray):
            return a
        count = a.size if axis is None else a.shape[axis]
        return cls.sum(a, axis) * sympy.Rational(1, count)

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        """Elementwise maximum (``sympy.Max``)."""
        return (
            np.vectorize(sympy.Max, otypes=[object])(a, b) if _any_array(a, b) else sympy.Max(a, b)
        )

    @staticmethod
    def minimum(a: Any, b: Any) -> Any:
        """Elementwise minimum (``sympy.Min``)."""
        return (
            np.vectorize(sympy.Min, otypes=[object])(a, b) if _any_array(a, b) else sympy.Min(a, b)
        )

    @staticmethod
    def where(cond: Any, a: Any, b: Any) -> Any:
        """Elementwise choice, as a ``sympy.Piecewise``."""
        if _any_array(cond, a, b):
            return np.vectorize(_piecewise, otypes=[object])(cond, a, b)
        return _piecewise(cond, a, b)

    @staticmethod
    def arange(start: int, stop: int | None = None, step: int = 1, dtype: Any = None) -> Any:
        """Integers ``start, start+step, ...`` as an object array of ``sympy.Integer``."""
        values = range(start, stop, step) if stop is not None else range(start)
        return np.array([sympy.Integer(v) for v in values], dtype=object)

    @staticmethod
    def asarray(data: Any, dtype: Any = None) -> Any:
        """Constant data as an object array; floats become 30-digit ``sympy.Float`` (exact)."""
        arr = np.asarray(data)
        if arr.dtype == object:
            return arr
        if np.issubdtype(arr.dtype, np.integer):
            return np.vectorize(sympy.Integer, otypes=[object])(arr)
        return np.vectorize(lambda v: sympy.Float(float(v), 30), otypes=[object])(arr)

    @staticmethod
    def matmul(a: Any, b: Any) -> Any:
        """Matrix product of object arrays (NumPy's own object ``@``)."""
        return np.matmul(a, b)

    @staticmethod
    def stack(arrays: Any, axis: int = 0) -> Any:
        """Stack object arrays along a new axis."""
        return np.stack(arrays, axis=axis)

    @staticmethod
    def reshape(a: Any, shape: Any) -> Any:
        """Reshape an object array."""
        return np.reshape(a, shape)

    @staticmethod
    def max(a: Any, axis: int | None = None, keepdims: bool = False) -> Any:
        """Maximum along ``axis`` as ``sympy.Max`` (used by stable log-sum-exp)."""
        if axis is None:
            return sympy.Max(*a.ravel())
        out = np.apply_along_axis(lambda v: sympy.Max(*v), axis, a)
        return np.expand_dims(out, axis) if keepdims else out


def _any_array(*values: Any) -> bool:
    return any(isinstance(v, np.ndarray) for v in values)


sympy_namespace = SymPyNamespace()


def symbols(n: int, name: str = "x") -> np.ndarray:
    """Return an object array of ``n`` real SymPy symbols ``x0 ... x{n-1}``."""
    return np.array(sympy.symbols(f"{name}0:{n}", real=True), dtype=object)
