"""A reverse sweep in extended precision: the array namespace behind the scalable reference.

``reverse_sweep(fn, x)`` evaluates a registry definition ``fn(xp, x)`` with the namespace
``LongDoubleTape``: every array derived from ``x`` is a ``Node`` that holds its value in
NumPy ``longdouble`` (80-bit extended precision on x86: 64-bit mantissa, eps = 1.1e-19) and
remembers how to pull a cotangent back to its inputs. One backward pass then gives the whole
gradient at the cost of a few evaluations of f, so it scales to n = 1e5 and beyond.

It shares nothing with JAX or with any method under test: the derivative rules below are
written out by hand (one line each) and checked against the 34-digit SymPy/mpmath truth.
Nonsmooth primitives take the subgradient JAX's conventions would not decide for us: ``abs``
has derivative ``sign(x)`` (0 at 0), ``maximum``/``minimum``/``max`` split a tie equally.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

LD = np.longdouble
_ids = itertools.count()

Pull = Callable[[np.ndarray], np.ndarray]


class Node:
    """A value computed from ``x`` and the edges back to the nodes it was computed from.

    Attributes:
        value: the value, a ``longdouble`` NumPy array (0-d for scalars).
        parents: ``(node, pull)`` pairs; ``pull(cotangent)`` returns the cotangent of ``node``
            (already reduced to ``node``'s shape), or is None for an index into ``node``.
        index: for an indexing node, the index into its one parent.
    """

    __array_ufunc__ = None  # ndarray op Node -> Node's reflected operator
    __slots__ = ("value", "parents", "index", "order")

    def __init__(self, value: Any, parents: list[tuple[Node, Pull | None]], index: Any = None):
        self.value = np.asarray(value, dtype=LD)
        self.parents = parents
        self.index = index
        self.order = next(_ids)

    shape = property(lambda self: self.value.shape)
    ndim = property(lambda self: self.value.ndim)
    size = property(lambda self: self.value.size)
    dtype = property(lambda self: self.value.dtype)

    def __getitem__(self, index: Any) -> Node:
        return Node(self.value[index], [(self, None)], index)

    def __add__(self, other: Any) -> Node:
        return _binary(self, other, np.add, lambda a, b, g: (g, g))

    def __sub__(self, other: Any) -> Node:
        return _binary(self, other, np.subtract, lambda a, b, g: (g, -g))

    def __mul__(self, other: Any) -> Node:
        return _binary(self, other, np.multiply, lambda a, b, g: (g * b, g * a))

    def __truediv__(self, other: Any) -> Node:
        return _binary(self, other, np.divide, lambda a, b, g: (g / b, -g * a / (b * b)))

    def __pow__(self, other: Any) -> Node:
        return _binary(self, other, np.power, _pow_pullback)

    def __matmul__(self, other: Any) -> Node:
        return _binary(self, other, np.matmul, _matmul_pullback, broadcast=False)

    def __radd__(self, other: Any) -> Node:
        return _binary(other, self, np.add, lambda a, b, g: (g, g))

    def __rsub__(self, other: Any) -> Node:
        return _binary(other, self, np.subtract, lambda a, b, g: (g, -g))

    def __rmul__(self, other: Any) -> Node:
        return _binary(other, self, np.multiply, lambda a, b, g: (g * b, g * a))

    def __rtruediv__(self, other: Any) -> Node:
        return _binary(other, self, np.divide, lambda a, b, g: (g / b, -g * a / (b * b)))

    def __rpow__(self, other: Any) -> Node:
        return _binary(other, self, np.power, _pow_pullback)

    def __rmatmul__(self, other: Any) -> Node:
        return _binary(other, self, np.matmul, _matmul_pullback, broadcast=False)

    def __neg__(self) -> Node:
        return _unary(self, -self.value, lambda g: -g)

    def __pos__(self) -> Node:
        return self

    def __lt__(self, other: Any) -> Any:
        return self.value < _value(other)

    def __le__(self, other: Any) -> Any:
        return self.value <= _value(other)

    def __gt__(self, other: Any) -> Any:
        return self.value > _value(other)

    def __ge__(self, other: Any) -> Any:
        return self.value >= _value(other)


def _value(a: Any) -> np.ndarray:
    return a.value if isinstance(a, Node) else np.asarray(a, dtype=LD)


def _reduce_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a broadcast cotangent back to ``shape``."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def _unary(a: Node, value: Any, pull: Pull) -> Node:
    return Node(value, [(a, pull)])


def _binary(a: Any, b: Any, op: Callable, rule: Callable, broadcast: bool = True) -> Node:
    """Apply ``op`` to the values; ``rule(a, b, g)`` gives both cotangents before reduction."""
    va, vb = _value(a), _value(b)
    parents: list[tuple[Node, Pull | None]] = []
    for position, node in enumerate((a, b)):
        if isinstance(node, Node):
            shape = node.shape

            def pull(g: np.ndarray, position: int = position, shape: tuple = shape) -> np.ndarray:
                part = rule(va, vb, g)[position]
                return _reduce_to(part, shape) if broadcast else part

            parents.append((node, pull))
    return Node(op(va, vb), parents)


def _pow_pullback(a: np.ndarray, b: np.ndarray, g: np.ndarray) -> tuple[Any, Any]:
    da = g * b * np.power(a, b - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        db = np.where(a > 0, g * np.power(a, b) * np.log(np.where(a > 0, a, 1)), 0)
    return da, db


def _matmul_pullback(a: np.ndarray, b: np.ndarray, g: np.ndarray) -> tuple[Any, Any]:
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = np.reshape(g, (a2.shape[0], b2.shape[1]))
    return np.reshape(g2 @ b2.T, a.shape), np.reshape(a2.T @ g2, b.shape)


def _elementwise(forward: Callable, slope: Callable) -> Callable:
    """A namespace function ``a -> forward(a)`` whose derivative is ``slope(a, forward(a))``."""

    def apply(a: Any) -> Any:
        if not isinstance(a, Node):
            return forward(np.asarray(a, dtype=LD))
        out = forward(a.value)
        return _unary(a, out, lambda g: g * slope(a.value, out))

    return apply


def _split_ties(a: np.ndarray, b: np.ndarray, pick_a: np.ndarray) -> np.ndarray:
    return np.where(a == b, 0.5, np.where(pick_a, 1.0, 0.0)).astype(LD)


def _extreme(a: Any, b: Any, take_a: Callable) -> Any:
    va, vb = _value(a), _value(b)
    share = _split_ties(va, vb, take_a(va, vb))
    return _binary(
        a,
        b,
        lambda x, y: np.where(take_a(x, y), x, y),
        lambda x, y, g: (g * share, g * (1 - share)),
    )


class LongDoubleTape:
    """The array namespace ``xp`` of a reverse sweep in ``longdouble`` (see module docstring)."""

    pi = LD("3.14159265358979323846264338327950288")
    e = LD("2.71828182845904523536028747135266250")
    float64 = LD
    float32 = LD

    exp = staticmethod(_elementwise(np.exp, lambda a, out: out))
    log = staticmethod(_elementwise(np.log, lambda a, out: 1 / a))
    log1p = staticmethod(_elementwise(np.log1p, lambda a, out: 1 / (1 + a)))
    sin = staticmethod(_elementwise(np.sin, lambda a, out: np.cos(a)))
    cos = staticmethod(_elementwise(np.cos, lambda a, out: -np.sin(a)))
    tanh = staticmethod(_elementwise(np.tanh, lambda a, out: 1 - out * out))
    sqrt = staticmethod(_elementwise(np.sqrt, lambda a, out: 0.5 / out))
    abs = staticmethod(_elementwise(np.abs, lambda a, out: np.sign(a)))
    sign = staticmethod(_elementwise(np.sign, lambda a, out: np.zeros_like(a)))

    @staticmethod
    def sum(a: Any, axis: int | None = None) -> Any:
        """Sum of all entries, or along ``axis``."""
        if not isinstance(a, Node):
            return np.sum(_value(a), axis=axis)
        shape = a.shape
        expand = (lambda g: g) if axis is None else (lambda g: np.expand_dims(g, axis))
        return _unary(a, np.sum(a.value, axis=axis), lambda g: np.broadcast_to(expand(g), shape))

    @classmethod
    def mean(cls, a: Any, axis: int | None = None) -> Any:
        """Arithmetic mean: the sum times ``1 / count``."""
        count = _value(a).size if axis is None else _value(a).shape[axis]
        return cls.sum(a, axis) * (LD(1) / LD(count))

    @staticmethod
    def prod(a: Any, axis: int | None = None) -> Any:
        """Product; its pullback uses products of the other entries (no division by zero)."""
        if not isinstance(a, Node):
            return np.prod(_value(a), axis=axis)
        flat = a.value.ravel() if axis is None else np.moveaxis(a.value, axis, -1)
        ones = np.ones_like(flat[..., :1])
        left = np.concatenate([ones, np.cumprod(flat[..., :-1], axis=-1)], axis=-1)
        right = np.concatenate([np.cumprod(flat[..., :0:-1], axis=-1)[..., ::-1], ones], axis=-1)
        others = left * right
        shape = a.shape

        def pull(g: np.ndarray) -> np.ndarray:
            full = others * np.expand_dims(g, -1)
            return full.reshape(shape) if axis is None else np.moveaxis(full, -1, axis)

        return _unary(a, np.prod(a.value, axis=axis), pull)

    @staticmethod
    def max(a: Any, axis: int | None = None, keepdims: bool = False) -> Any:
        """Maximum along ``axis``; ties share the cotangent equally."""
        if not isinstance(a, Node):
            return np.max(_value(a), axis=axis, keepdims=keepdims)
        top = np.max(a.value, axis=axis, keepdims=True)
        hits = (a.value == top).astype(LD)
        share = hits / np.sum(hits, axis=axis, keepdims=True)

        def pull(g: np.ndarray) -> np.ndarray:
            return share * (g if keepdims or axis is None else np.expand_dims(g, axis))

        return _unary(a, top if keepdims else np.max(a.value, axis=axis), pull)

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        """Elementwise maximum; a tie gives each side half."""
        return _extreme(a, b, np.greater)

    @staticmethod
    def minimum(a: Any, b: Any) -> Any:
        """Elementwise minimum; a tie gives each side half."""
        return _extreme(a, b, np.less)

    @staticmethod
    def where(cond: Any, a: Any, b: Any) -> Any:
        """Elementwise choice by a (non-differentiated) condition."""
        c = np.asarray(_value(cond) if isinstance(cond, Node) else cond, dtype=bool)
        return _binary(a, b, lambda x, y: np.where(c, x, y), lambda x, y, g: (g * c, g * ~c))

    @staticmethod
    def arange(start: int, stop: int | None = None, step: int = 1, dtype: Any = None) -> Any:
        """Integers as a ``longdouble`` constant array."""
        return (
            np.arange(start, stop, step, dtype=LD)
            if stop is not None
            else np.arange(start, dtype=LD)
        )

    @staticmethod
    def asarray(data: Any, dtype: Any = None) -> Any:
        """Constant data as ``longdouble`` (a ``Node`` passes through)."""
        return data if isinstance(data, Node) else np.asarray(data, dtype=LD)

    @staticmethod
    def matmul(a: Any, b: Any) -> Any:
        """Matrix product."""
        return _binary(a, b, np.matmul, _matmul_pullback, broadcast=False)

    @staticmethod
    def reshape(a: Any, shape: Any) -> Any:
        """Reshape; the cotangent is reshaped back."""
        if not isinstance(a, Node):
            return np.reshape(_value(a), shape)
        old = a.shape
        return _unary(a, np.reshape(a.value, shape), lambda g: np.reshape(g, old))

    @staticmethod
    def stack(arrays: Any, axis: int = 0) -> Any:
        """Stack along a new axis; the cotangent is split back."""
        parts = list(arrays)
        value = np.stack([_value(p) for p in parts], axis=axis)
        parents = [
            (p, lambda g, i=i: np.take(g, i, axis=axis))
            for i, p in enumerate(parts)
            if isinstance(p, Node)
        ]
        return Node(value, parents)


tape_namespace = LongDoubleTape()


def reverse_sweep(fn: Callable[[Any, Any], Any], x: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(f(x), grad f(x))`` of a definition ``fn(xp, x)``, both ``longdouble``.

    ``x`` is taken exactly (a float32 or float64 point is promoted without rounding).

    Example:
        >>> import numpy as np
        >>> value, grad = reverse_sweep(lambda xp, x: xp.sum(xp.sin(x) * x), np.array([0.5, 2.0]))
        >>> [round(float(g), 12) for g in grad]
        [0.918216819549, 0.077003753731]
    """
    leaf = Node(np.asarray(x, dtype=LD), [])
    collecting = gc.isenabled()
    gc.disable()  # the tape holds ~10 objects per operation and no cycles: skip the GC scans
    try:
        out = fn(tape_namespace, leaf)
        if not isinstance(out, Node):  # f does not depend on x
            return np.asarray(out, dtype=LD), np.zeros(leaf.shape, dtype=LD)
        return out.value, _backward(out, leaf)
    finally:
        if collecting:
            gc.enable()


def _backward(out: Node, leaf: Node) -> np.ndarray:
    """Pull ``d out / d out = 1`` back through every node, latest first."""
    nodes, stack, seen = [], [out], {id(out)}
    while stack:
        node = stack.pop()
        nodes.append(node)
        for parent, _ in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    nodes.sort(key=lambda node: node.order, reverse=True)
    grads: dict[int, np.ndarray] = {id(out): np.ones(out.shape, dtype=LD)}
    owned: set[int] = set()  # cotangent buffers this sweep may update in place
    for node in nodes:
        g = grads.pop(id(node), None)
        if g is None or node is leaf:
            grads[id(node)] = g if g is not None else np.zeros(node.shape, dtype=LD)
            continue
        for parent, pull in node.parents:
            _accumulate(grads, owned, parent, node.index, pull, g)
    return np.array(np.broadcast_to(grads[id(leaf)], leaf.shape), dtype=LD)


def _accumulate(
    grads: dict, owned: set, parent: Node, index: Any, pull: Pull | None, g: np.ndarray
) -> None:
    """Add a node's cotangent contribution to ``parent``'s."""
    key = id(parent)
    if pull is None:  # an index into parent: add in place, never a dense array per index
        if key not in owned:
            old = grads.get(key)
            grads[key] = np.zeros(parent.shape, LD) if old is None else np.array(old, LD)
            owned.add(key)
        np.add.at(grads[key], index, g)
        return
    part = np.asarray(pull(g), dtype=LD)
    if key in grads:
        grads[key] = grads[key] + part
        owned.add(key)
    else:
        grads[key] = part
        owned.discard(key)
