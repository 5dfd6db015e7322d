"""Classic optimization test functions.

Definitions and constants follow the Virtual Library of Simulation Experiments (Surjanovic &
Bingham, https://www.sfu.ca/~ssurjano/optimization.html) unless an entry's ``source`` says
otherwise. Each is written once against the array namespace ``xp``.
"""

from __future__ import annotations

from ._registry import register

VLSE = "Surjanovic & Bingham, Virtual Library of Simulation Experiments"


def sphere(xp, x):
    return xp.sum(x**2)


register(
    name="sphere",
    fn=sphere,
    tags={"convex", "separable", "unimodal"},
    min_dim=1,
    bounds=(-5.12, 5.12),
    x_opt=0.0,
    f_opt=0.0,
    source=f"{VLSE}: Sphere function",
    description="sum of squares",
)


def rosenbrock(xp, x):
    return xp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


register(
    name="rosenbrock",
    fn=rosenbrock,
    tags={"nonconvex", "unimodal", "valley"},
    min_dim=2,
    bounds=(-5.0, 10.0),
    x0=lambda n: [-1.2 if i % 2 == 0 else 1.0 for i in range(n)],
    x_opt=1.0,
    f_opt=0.0,
    source=f"{VLSE}: Rosenbrock function (extended form, as scipy.optimize.rosen)",
    description="extended Rosenbrock valley; x0 is the classic (-1.2, 1, -1.2, 1, ...)",
)
