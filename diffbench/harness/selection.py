"""Choosing which cases of a suite run: the filters of ``diffbench run`` (like pytest's ``-k``).

Example:
    >>> from diffbench.harness.cases import GradientCase, RunCase
    >>> pick = Selection(functions=("rosen*",), methods=("central",))
    >>> pick(GradientCase("rosenbrock", 8, "float64", "cpu", "central"))
    True
    >>> pick(RunCase("rosenbrock", 2, "float64", "cpu", "adam", 1e-3, 100))  # no -o: no runs
    False
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any


@dataclass(frozen=True)
class Selection:
    """Filters over cases; an empty filter keeps everything.

    Attributes:
        functions: glob patterns of function names (``-f``).
        methods: glob patterns of gradient methods (``-m``): with methods and no optimizers,
            optimizer runs are left out.
        optimizers: glob patterns of optimizers (``-o``): with optimizers and no methods,
            gradient cases and step sweeps are left out.
        dims: the dimensions to keep (``--dims``).
    """

    functions: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    optimizers: tuple[str, ...] = ()
    dims: tuple[int, ...] = ()

    def __call__(self, case: Any) -> bool:
        """Return whether ``case`` (gradient, sweep or run) passes every filter."""
        if self.functions and not _matches(case.function, self.functions):
            return False
        if self.dims and case.n not in self.dims:
            return False
        optimizer = getattr(case, "optimizer", None)
        if optimizer is not None:
            return _matches(optimizer, self.optimizers) if self.optimizers else not self.methods
        if self.methods:
            return _matches(case.method, self.methods)
        return not self.optimizers

    @property
    def empty(self) -> bool:
        """Whether no filter is set."""
        return not (self.functions or self.methods or self.optimizers or self.dims)


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(name, p) for p in patterns)
