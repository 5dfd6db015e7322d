"""Differentiation methods: ``get``, ``names`` and the ``Method`` record.

Every gradient method maps an objective to a function ``x -> gradient`` (like ``jax.grad``):
``symbolic``; the finite differences ``forward``, ``backward``, ``central``, ``central4``,
``complex_step``, ``richardson``; ``forward_ad``; ``reverse_ad``; and, when the ``peers``
extra is installed, ``scipy_approx_fprime``, ``scipy_differentiate``, ``numdifftools``,
``autograd``, ``torch_func``. Hessian methods are listed with ``names("hessian")``.
"""

from __future__ import annotations

from .._errors import unknown
from . import autodiff, finite_difference, peers, symbolic
from ._method import KINDS as KINDS
from ._method import Method as Method
from ._method import Skipped as Skipped
from .finite_difference import STENCILS as STENCILS
from .finite_difference import Stencil as Stencil
from .hessian import HESSIAN_METHODS

_GRADIENT = {
    m.name: m
    for m in [*symbolic.METHODS, *finite_difference.METHODS, *autodiff.METHODS, *peers.METHODS]
}
_HESSIAN = {m.name: m for m in HESSIAN_METHODS}
_TABLES = {"gradient": _GRADIENT, "hessian": _HESSIAN}


def names(what: str = "gradient", kind: str | None = None) -> list[str]:
    """Return the available method names, in a stable order (exact first, then differences).

    Args:
        what: ``"gradient"`` or ``"hessian"``.
        kind: only methods of this kind (``finite_difference``, ``peer``, ...).
    """
    table = _TABLES[what]
    return [name for name, m in table.items() if kind is None or m.kind == kind]


def get(name: str | Method, what: str = "gradient") -> Method:
    """Return the method called ``name``; an unknown name lists the nearest ones."""
    if isinstance(name, Method):
        return name
    table = _TABLES[what]
    if name not in table:
        candidates = list(table) + (peers.ALL_PEER_NAMES if what == "gradient" else [])
        if name in peers.ALL_PEER_NAMES:
            from .._errors import DiffbenchError

            raise DiffbenchError(
                f"`{name}` needs the optional peers extra: pip install 'diffbench[peers]'."
            )
        raise unknown(f"{what} method", name, candidates)
    return table[name]


def add(method: Method, what: str = "gradient", replace: bool = False) -> Method:
    """Add ``method`` to the ``gradient`` or ``hessian`` table and return it.

    Plugins call this through ``diffbench.plugins.register_method``.

    Raises:
        DiffbenchError: the name is taken (pass ``replace=True`` to override it).
    """
    from .._errors import DiffbenchError

    table = _TABLES[what]
    if method.name in table and not replace:
        raise DiffbenchError(f"A {what} method named `{method.name}` is already registered.")
    table[method.name] = method
    return method
