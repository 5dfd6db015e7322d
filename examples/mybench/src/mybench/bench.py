"""The diffbench plugin of mybench: importing it registers the project's code.

Named by the ``diffbench.plugins`` entry point in pyproject.toml (and, for illustration, by the
suite's ``plugins`` list); ``diffbench list`` shows everything below in its ``plugin`` column.
"""

import optax

import diffbench

from .model import linearized_gradient, loss, quartic

diffbench.register(
    "function",
    name="mybench_quartic",
    fn=quartic,
    dim=None,
    min_dim=1,
    default_dim=4,
    bounds=(-2.0, 3.0),
    x0=2.5,
    x_opt=None,
    tags={"convex", "mybench"},
    description="sum (x - 1)^4 + |x|^2 / 2 (mybench)",
    replace=True,
)
diffbench.register(
    "function",
    name="mybench_loss",
    jax_fn=loss,
    dim=4,
    bounds=(-3.0, 3.0),
    x0=0.5,
    tags={"ml", "mybench"},
    description="logistic loss of mybench's linear model (jax.numpy only)",
    replace=True,
)
diffbench.register(
    "method",
    "mybench_linearize",
    linearized_gradient,
    kind="exact",
    description="jax.linearize once, vmap the basis through it (mybench)",
    replace=True,
)
diffbench.register(
    "optimizer",
    "mybench_clipped_adam",
    lambda learning_rate: optax.chain(optax.clip_by_global_norm(1.0), optax.adam(learning_rate)),
    description="Adam after clipping the gradient norm to 1 (mybench)",
    replace=True,
)
