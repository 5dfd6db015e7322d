"""The symbolic method: SymPy's exact gradient of the definition, lambdified to JAX."""

from __future__ import annotations

from ._method import Method, Skipped

SYMBOLIC_MAX_N = 128
"""Beyond this n, differentiating and compiling one expression per coordinate costs minutes."""


def _symbolic_factory(objective, n, dtype, max_n=SYMBOLIC_MAX_N):
    tf = objective.require_definition("symbolic")
    if n > max_n:
        raise Skipped(
            f"symbolic is skipped at n={n} > max_n={max_n}: SymPy differentiation and the "
            "compile of n unrolled expressions grow quadratically; pass max_n= to force it."
        )
    from .._symbolic import jax_function, symbolic_form  # SymPy: imported when used

    form = symbolic_form(tf, n)
    return jax_function(form.variables, form.gradient)


METHODS = [
    Method(
        "symbolic",
        "symbolic",
        _symbolic_factory,
        defaults={"max_n": SYMBOLIC_MAX_N},
        description="SymPy gradient of the definition, lambdified to jax.numpy (CSE)",
        derivation="sympy",
    ),
]
