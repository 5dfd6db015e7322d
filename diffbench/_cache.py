"""The cache of compiled derivative functions, keyed so that it neither leaks nor recompiles.

A user's callable is keyed by what it computes rather than by the object when that can be
told safely: a plain function is keyed by its code, its defaults, the values in its closure
and the module globals its code names, provided each of those is a constant (number, string,
None, a tuple of constants) or a permanent object (a module, a class, a module-level
function). ``gradient(lambda v: (v**2).sum(), x)`` in a loop then compiles once, and the
cache holds a clone of the first lambda, never the user's objects. Any other callable (a
closure over an array, a bound method, an object with ``__call__``) is keyed weakly by
identity: its entries go when it does.
"""

from __future__ import annotations

import inspect
import types
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

MAX_ENTRIES = 256
"""Compiled functions kept for values keyed by content (least recently used go first)."""

_CONSTANTS = (type(None), bool, int, float, complex, str, bytes)


def _stable(value: Any) -> Hashable | None:
    """A key for a value a function reads, or None when the value may change or die."""
    if isinstance(value, _CONSTANTS):
        return (type(value).__name__, value)
    if isinstance(value, tuple):
        parts = [_stable(v) for v in value]
        return None if any(p is None for p in parts) else ("tuple", *parts)
    owner = getattr(value, "__self__", None)
    if owner is not None and not inspect.ismodule(owner):
        return None  # a bound method: its object's state may change, and it may die
    if inspect.ismodule(value) or inspect.isclass(value) or inspect.isbuiltin(value):
        return ("object", value)
    qualname = getattr(value, "__qualname__", None)
    if callable(value) and isinstance(qualname, str) and "<" not in qualname:
        return ("object", value)  # a module-level function: lives as long as its module
    return None


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def code_key(fn: Any) -> Hashable | None:
    """Return a key for what ``fn`` computes, or None when only its identity is safe."""
    if not isinstance(fn, types.FunctionType):
        return None
    try:
        cells = tuple(c.cell_contents for c in fn.__closure__ or ())
    except ValueError:  # an empty cell: a variable not yet assigned
        return None
    reads = sorted(n for n in _global_names(fn.__code__) if n in fn.__globals__)
    parts = [
        _stable(fn.__defaults__),
        _stable(tuple(sorted((fn.__kwdefaults__ or {}).items()))),
        _stable(cells),
        _stable(tuple(fn.__globals__[n] for n in reads)),
    ]
    if any(p is None for p in parts):
        return None
    return ("code", fn.__code__, tuple(reads), *parts)


def clone(fn: types.FunctionType) -> types.FunctionType:
    """A copy of ``fn`` with fresh closure cells: caching it keeps none of the user's objects."""
    cells = tuple(types.CellType(c.cell_contents) for c in fn.__closure__ or ())
    out = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, cells)
    out.__kwdefaults__ = fn.__kwdefaults__
    out.__qualname__ = fn.__qualname__
    return out


def weak_proxy(fn: Callable) -> Callable:
    """``fn`` called through a weak reference, so a compiled function does not keep it alive."""
    ref = weakref.ref(fn)

    def call(*args: Any) -> Any:
        target = ref()
        if target is None:  # pragma: no cover - its cache entry went with it
            raise RuntimeError("the function of this compiled derivative no longer exists")
        return target(*args)

    call.__name__ = getattr(fn, "__name__", type(fn).__name__)
    return call


class CompileCache:
    """Compiled functions per (callable, rest of the key), without leaking callables."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._by_value: OrderedDict[Hashable, Any] = OrderedDict()
        self._by_identity: weakref.WeakKeyDictionary[Any, dict[Hashable, Any]] = (
            weakref.WeakKeyDictionary()
        )

    def __len__(self) -> int:
        return len(self._by_value) + sum(len(v) for v in self._by_identity.values())

    def get(self, fn: Any, rest: Hashable, build: Callable[[Callable], Any]) -> Any:
        """Return the entry for ``fn`` and ``rest``, calling ``build(callable)`` on a miss.

        ``build`` receives the callable to compile: a clone of ``fn`` (keyed by content),
        a weak proxy of it (keyed by identity), or ``fn`` itself when it cannot be weakly
        referenced (then kept, least recently used first out, like a content key).
        """
        key = code_key(fn)
        if key is not None:
            return self.lookup((key, rest), lambda: build(clone(fn)))
        try:
            per_fn = self._by_identity.setdefault(fn, {})
        except TypeError:  # neither hashable by content nor weakly referenceable
            return self.lookup(("object", fn, rest), lambda: build(fn))
        if rest not in per_fn:
            per_fn[rest] = build(weak_proxy(fn))
        return per_fn[rest]

    def lookup(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """Return the entry under a content ``key``, calling ``make()`` on a miss (LRU)."""
        if key in self._by_value:
            self._by_value.move_to_end(key)
            return self._by_value[key]
        value = self._by_value[key] = make()
        while len(self._by_value) > self.max_entries:
            self._by_value.popitem(last=False)
        return value

    def clear(self) -> None:
        """Drop every entry."""
        self._by_value.clear()
        self._by_identity.clear()
