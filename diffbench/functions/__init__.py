"""The registry of test functions: ``get``, ``names``, ``register`` and ``TestFunction``.

Every entry is defined once as ``fn(xp, x)`` and evaluated by ``jax.numpy``, NumPy, SymPy (see
``sympy_namespace``) and, optionally, peer libraries. Families live in their own modules:
``classic`` (optimization test functions), ``ml`` (activations, losses, finite-sum objectives),
``tutorial`` (the worked examples of the seed texts). A function written with ``jax.numpy``
only is registered with ``register(name=..., jax_fn=...)``: it has no NumPy or SymPy form.

The SymPy namespace is imported when first used, so listing the registry does not import SymPy.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from . import classic as classic
from . import ml as ml
from . import tutorial as tutorial
from ._registry import Definition as Definition
from ._registry import TestFunction as TestFunction
from ._registry import all_tags as all_tags
from ._registry import get as get
from ._registry import names as names
from ._registry import register as register

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "SymPyNamespace": "._sympy_namespace:SymPyNamespace",
        "symbols": "._sympy_namespace:symbols",
        "sympy_namespace": "._sympy_namespace:sympy_namespace",
    },
)

if TYPE_CHECKING:
    from ._sympy_namespace import SymPyNamespace as SymPyNamespace
    from ._sympy_namespace import symbols as symbols
    from ._sympy_namespace import sympy_namespace as sympy_namespace
