"""Lazy imports: ``diffbench --help``, ``--version`` and ``list`` never import JAX, SymPy or pandas.

Two tools, both small:

- ``LazyModule("jax.numpy")`` stands for a module and imports it on the first attribute access
  (``jnp.sum``), so a module that only *defines* JAX code can be imported without JAX;
- ``lazy_exports(package, table)`` returns the PEP 562 ``__getattr__`` and ``__dir__`` of a
  package whose public names live in private submodules, imported when first used.

Example:
    >>> jnp = LazyModule("json")
    >>> jnp.dumps([1])
    '[1]'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any


class LazyModule:
    """A module imported on first attribute access; ``repr`` says whether it is loaded yet."""

    def __init__(self, name: str) -> None:
        self.__dict__["_name"] = name
        self.__dict__["_module"] = None

    def _load(self) -> ModuleType:
        module = self.__dict__["_module"]
        if module is None:
            module = importlib.import_module(self.__dict__["_name"])
            self.__dict__["_module"] = module
        return module

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._load(), attr)

    def __repr__(self) -> str:
        state = "loaded" if self.__dict__["_module"] is not None else "not loaded"
        return f"<lazy module {self.__dict__['_name']!r} ({state})>"


def lazy_exports(
    package: str, table: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for ``package`` (PEP 562).

    Args:
        package: the package's ``__name__``.
        table: public name -> ``".module"`` (a submodule) or ``".module:attribute"``.

    Returns:
        ``__getattr__(name)`` imports the owning submodule on first use and caches the value in
        the package namespace; ``__dir__()`` lists the public names.
    """

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module_name, _, attribute = table[name].partition(":")
        module = importlib.import_module(module_name, package)
        value = getattr(module, attribute) if attribute else module
        setattr(importlib.import_module(package), name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(table) | set(vars(importlib.import_module(package))))

    return __getattr__, __dir__
