"""Hessians and Hessian-vector products.

``forward_over_reverse`` (``jacfwd(grad f)``) and ``reverse_over_reverse`` (``jacrev(grad f)``)
are exact; ``fd_gradient`` differences the reverse-mode gradient with the central stencil and
symmetrizes; ``symbolic`` is SymPy's matrix lambdified to JAX.
"""

from __future__ import annotations

from typing import Any

from .._lazy import LazyModule
from ._engine import onehot, over_direction_blocks
from ._method import Method, Skipped
from .finite_difference import coordinate_steps, default_step

jax = LazyModule("jax")
jnp = LazyModule("jax.numpy")


def hvp(f: Any, x: jax.Array, v: jax.Array) -> jax.Array:
    """Return the Hessian-vector product ``H(x) v`` by forward-over-reverse (one jvp of grad)."""
    return jax.jvp(jax.grad(f), (x,), (v,))[1]


def _forward_over_reverse(objective, n, dtype):
    return jax.jacfwd(jax.grad(objective.jax_fn))


def _reverse_over_reverse(objective, n, dtype):
    return jax.jacrev(jax.grad(objective.jax_fn))


def fd_gradient_hessian(f: Any, x: jax.Array, step: Any) -> jax.Array:
    """Return the symmetrized central difference of ``grad f``.

    Row i is ``(g(x + h_i e_i) - g(x - h_i e_i)) / 2 h_i``; all 2n gradients are evaluated
    as one batch per block of directions.
    """
    grad = jax.vmap(jax.grad(f))
    h = coordinate_steps(x, step)
    n = x.shape[0]

    def block(indices: jax.Array) -> jax.Array:
        steps = jnp.take(h, indices, mode="clip")[:, None] * onehot(indices, n, x.dtype)
        plus, minus = grad(x[None, :] + steps), grad(x[None, :] - steps)  # (B, n) each
        return ((plus - minus) / (2 * jnp.take(h, indices, mode="clip")[:, None])).T

    columns = over_direction_blocks(block, n, 6 * n * x.dtype.itemsize)  # (n, n)
    return (columns + columns.T) / 2


def _fd_gradient(objective, n, dtype, step=None):
    h = default_step(2, dtype) if step is None else step
    return lambda x: fd_gradient_hessian(objective.jax_fn, x, h)


def _symbolic_hessian(objective, n, dtype, max_n=48):
    tf = objective.require_definition("symbolic")
    if n > max_n:
        raise Skipped(f"symbolic Hessian is skipped at n={n} > max_n={max_n} (n^2 expressions).")
    from .._symbolic import jax_function, symbolic_form  # SymPy: imported when used

    form = symbolic_form(tf, n)
    flat = jax_function(form.variables, list(form.hessian))
    return lambda x: jnp.reshape(flat(x), (n, n))


HESSIAN_METHODS = [
    Method(
        "forward_over_reverse",
        "forward_ad",
        _forward_over_reverse,
        description="jacfwd(grad f): n jvps of the reverse-mode gradient",
    ),
    Method(
        "reverse_over_reverse",
        "reverse_ad",
        _reverse_over_reverse,
        description="jacrev(grad f): n vjps of the reverse-mode gradient",
    ),
    Method(
        "fd_gradient",
        "finite_difference",
        _fd_gradient,
        2,
        defaults={"step": None},
        description="central differences of the reverse-mode gradient, symmetrized",
    ),
    Method(
        "symbolic",
        "symbolic",
        _symbolic_hessian,
        defaults={"max_n": 48},
        description="SymPy Hessian of the definition, lambdified to jax.numpy",
    ),
]
