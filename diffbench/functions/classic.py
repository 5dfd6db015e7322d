"""Classic optimization test functions.

Definitions, search boxes and optima follow the Virtual Library of Simulation Experiments
(Surjanovic & Bingham, https://www.sfu.ca/~ssurjano/optimization.html) unless an entry's
``source`` says otherwise. Each is written once against the array namespace ``xp``; constants
are written as integers or ratios where the source allows, so the SymPy form is exact.
"""

from __future__ import annotations

import numpy as np

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


def sum_powers(xp, x):
    return xp.sum(xp.abs(x) ** xp.arange(2, x.shape[0] + 2, dtype=x.dtype))


register(
    name="sum_powers",
    fn=sum_powers,
    tags={"convex", "separable", "unimodal"},
    min_dim=1,
    bounds=(-1.0, 1.0),
    x_opt=0.0,
    f_opt=0.0,
    source=f"{VLSE}: Sum of Different Powers function",
    analytic=False,
    description="sum |x_i|^(i+1): differentiable everywhere, but written with abs",
)


ELLIPSOID_CONDITION = 10**6
"""Condition number of the registered ``ellipsoid``: its largest weight over its smallest."""


def ellipsoid_weights(xp, n, dtype, condition=ELLIPSOID_CONDITION):
    """Weights ``condition^((i-1)/(n-1))``, i = 1..n, of the ellipsoid (all 1 when n = 1)."""
    if n == 1:
        return xp.asarray(np.ones(1), dtype=dtype)
    return condition ** (xp.arange(n, dtype=dtype) / (n - 1))


def ellipsoid(xp, x):
    return xp.sum(ellipsoid_weights(xp, x.shape[0], x.dtype) * x**2)


register(
    name="ellipsoid",
    fn=ellipsoid,
    tags={"convex", "separable", "unimodal", "ill-conditioned"},
    min_dim=1,
    bounds=(-5.0, 5.0),
    x_opt=0.0,
    f_opt=0.0,
    source="Hansen et al., COCO/BBOB f2 (separable ellipsoid), without shift or rotation",
    description="sum 10^(6(i-1)/(n-1)) x_i^2: axis-aligned quadratic, condition number 1e6",
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


def rastrigin(xp, x):
    return 10 * x.shape[0] + xp.sum(x**2 - 10 * xp.cos(2 * xp.pi * x))


register(
    name="rastrigin",
    fn=rastrigin,
    tags={"nonconvex", "multimodal", "separable"},
    min_dim=1,
    bounds=(-5.12, 5.12),
    x_opt=0.0,
    f_opt=0.0,
    source=f"{VLSE}: Rastrigin function",
    description="10n + sum(x_i^2 - 10 cos(2 pi x_i)): a regular grid of local minima",
)


def ackley(xp, x):
    a, b, c = 20, 0.2, 2 * xp.pi
    return -a * xp.exp(-b * xp.sqrt(xp.mean(x**2))) - xp.exp(xp.mean(xp.cos(c * x))) + a + xp.e


register(
    name="ackley",
    fn=ackley,
    tags={"nonconvex", "multimodal", "kink-at-optimum"},
    min_dim=1,
    bounds=(-32.768, 32.768),
    x_opt=0.0,
    f_opt=0.0,
    source=f"{VLSE}: Ackley function (a=20, b=0.2, c=2 pi)",
    description="nearly flat outer region, one deep hole; sqrt(mean(x^2)) has a cone at x=0",
)


def griewank(xp, x):
    i = xp.arange(1, x.shape[0] + 1, dtype=x.dtype)
    return xp.sum(x**2) / 4000 - xp.prod(xp.cos(x / xp.sqrt(i))) + 1


register(
    name="griewank",
    fn=griewank,
    tags={"nonconvex", "multimodal"},
    min_dim=1,
    bounds=(-600.0, 600.0),
    x_opt=0.0,
    f_opt=0.0,
    source=f"{VLSE}: Griewank function",
    description="sum x_i^2/4000 - prod cos(x_i/sqrt(i)) + 1",
)


def levy(xp, x):
    w = 1 + (x - 1) / 4
    head = xp.sin(xp.pi * w[0]) ** 2
    body = xp.sum((w[:-1] - 1) ** 2 * (1 + 10 * xp.sin(xp.pi * w[:-1] + 1) ** 2))
    tail = (w[-1] - 1) ** 2 * (1 + xp.sin(2 * xp.pi * w[-1]) ** 2)
    return head + body + tail


register(
    name="levy",
    fn=levy,
    tags={"nonconvex", "multimodal"},
    min_dim=1,
    bounds=(-10.0, 10.0),
    x_opt=1.0,
    f_opt=0.0,
    source=f"{VLSE}: Levy function",
    description="w_i = 1 + (x_i - 1)/4; sines of w with many local minima",
)

STYBLINSKI_TANG_X = -2.903534027771178
"""The coordinate of the minimizer of each term of Styblinski-Tang (a root of 2x^3 - 16x + 2.5)."""


def styblinski_tang(xp, x):
    return xp.sum(x**4 - 16 * x**2 + 5 * x) / 2


register(
    name="styblinski_tang",
    fn=styblinski_tang,
    tags={"nonconvex", "multimodal", "separable"},
    min_dim=1,
    bounds=(-5.0, 5.0),
    x_opt=STYBLINSKI_TANG_X,
    f_opt=lambda n: -39.16616570377142 * n,
    source=f"{VLSE}: Styblinski-Tang function",
    description="1/2 sum(x_i^4 - 16 x_i^2 + 5 x_i); minimum -39.16617 n",
)


def dixon_price(xp, x):
    i = xp.arange(2, x.shape[0] + 1, dtype=x.dtype)
    return (x[0] - 1) ** 2 + xp.sum(i * (2 * x[1:] ** 2 - x[:-1]) ** 2)


def _dixon_price_x_opt(n):
    i = np.arange(1, n + 1, dtype=np.float64)
    return 2.0 ** (-(2.0**i - 2) / 2.0**i)


register(
    name="dixon_price",
    fn=dixon_price,
    tags={"nonconvex", "unimodal", "valley"},
    min_dim=2,
    bounds=(-10.0, 10.0),
    x_opt=_dixon_price_x_opt,
    f_opt=0.0,
    source=f"{VLSE}: Dixon-Price function",
    description="(x_1 - 1)^2 + sum i (2 x_i^2 - x_{i-1})^2; x_opt_i = 2^(-(2^i - 2)/2^i)",
)


def zakharov(xp, x):
    s = xp.sum(xp.arange(1, x.shape[0] + 1, dtype=x.dtype) * x) / 2
    return xp.sum(x**2) + s**2 + s**4


register(
    name="zakharov",
    fn=zakharov,
    tags={"convex", "unimodal", "plate"},
    min_dim=1,
    bounds=(-5.0, 10.0),
    x_opt=0.0,
    f_opt=0.0,
    source=f"{VLSE}: Zakharov function",
    description="sum x_i^2 + s^2 + s^4 with s = sum i x_i / 2",
)


def beale(xp, x):
    a, b = x[0], x[1]
    return (3 / 2 - a + a * b) ** 2 + (9 / 4 - a + a * b**2) ** 2 + (21 / 8 - a + a * b**3) ** 2


register(
    name="beale",
    fn=beale,
    tags={"nonconvex", "multimodal"},
    dim=2,
    bounds=(-4.5, 4.5),
    x_opt=[3.0, 0.5],
    f_opt=0.0,
    source=f"{VLSE}: Beale function",
    description="(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2; sharp corners",
)


def booth(xp, x):
    return (x[0] + 2 * x[1] - 7) ** 2 + (2 * x[0] + x[1] - 5) ** 2


register(
    name="booth",
    fn=booth,
    tags={"convex", "unimodal", "plate"},
    dim=2,
    bounds=(-10.0, 10.0),
    x_opt=[1.0, 3.0],
    f_opt=0.0,
    source=f"{VLSE}: Booth function",
    description="(x + 2y - 7)^2 + (2x + y - 5)^2",
)


def himmelblau(xp, x):
    return (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2


register(
    name="himmelblau",
    fn=himmelblau,
    tags={"nonconvex", "multimodal"},
    dim=2,
    bounds=(-5.0, 5.0),
    x_opt=[3.0, 2.0],
    f_opt=0.0,
    source="Himmelblau (1972), Applied Nonlinear Programming; not in VLSE",
    description="(x^2 + y - 11)^2 + (x + y^2 - 7)^2; four global minima, x_opt gives (3, 2)",
)


def matyas(xp, x):
    return 13 * (x[0] ** 2 + x[1] ** 2) / 50 - 12 * x[0] * x[1] / 25


register(
    name="matyas",
    fn=matyas,
    tags={"convex", "unimodal", "plate"},
    dim=2,
    bounds=(-10.0, 10.0),
    x_opt=0.0,
    f_opt=0.0,
    source=f"{VLSE}: Matyas function",
    description="0.26 (x^2 + y^2) - 0.48 xy",
)


def three_hump_camel(xp, x):
    a, b = x[0], x[1]
    return 2 * a**2 - 21 * a**4 / 20 + a**6 / 6 + a * b + b**2


register(
    name="three_hump_camel",
    fn=three_hump_camel,
    tags={"nonconvex", "multimodal"},
    dim=2,
    bounds=(-5.0, 5.0),
    x_opt=0.0,
    f_opt=0.0,
    source=f"{VLSE}: Three-Hump Camel function",
    description="2x^2 - 1.05x^4 + x^6/6 + xy + y^2; three local minima",
)


def six_hump_camel(xp, x):
    a, b = x[0], x[1]
    return (4 - 21 * a**2 / 10 + a**4 / 3) * a**2 + a * b + (-4 + 4 * b**2) * b**2


register(
    name="six_hump_camel",
    fn=six_hump_camel,
    tags={"nonconvex", "multimodal"},
    dim=2,
    bounds=([-3.0, -2.0], [3.0, 2.0]),
    x_opt=[0.08984201368301331, -0.7126564032704135],
    f_opt=-1.031628453489877,
    source=f"{VLSE}: Six-Hump Camel function",
    description="six local minima, two global (x_opt gives one of the symmetric pair)",
)


def goldstein_price(xp, x):
    a, b = x[0], x[1]
    first = 1 + (a + b + 1) ** 2 * (19 - 14 * a + 3 * a**2 - 14 * b + 6 * a * b + 3 * b**2)
    second = 30 + (2 * a - 3 * b) ** 2 * (18 - 32 * a + 12 * a**2 + 48 * b - 36 * a * b + 27 * b**2)
    return first * second


register(
    name="goldstein_price",
    fn=goldstein_price,
    tags={"nonconvex", "multimodal"},
    dim=2,
    bounds=(-2.0, 2.0),
    x_opt=[0.0, -1.0],
    f_opt=3.0,
    source=f"{VLSE}: Goldstein-Price function",
    description="degree-8 polynomial with several local minima, values spanning 3 to 1e6",
)


def saddle(xp, x):
    return x[0] ** 2 - x[1] ** 2


register(
    name="saddle",
    fn=saddle,
    tags={"nonconvex", "saddle"},
    dim=2,
    bounds=(-2.0, 2.0),
    x0=[1.0, 1e-3],
    source="Seed text 000 (Saddle points); the standard x^2 - y^2 saddle",
    description="x^2 - y^2: zero gradient at 0 but no minimum; x0 sits just off the x-axis",
)


def monkey_saddle(xp, x):
    return x[0] ** 3 - 3 * x[0] * x[1] ** 2


register(
    name="monkey_saddle",
    fn=monkey_saddle,
    tags={"nonconvex", "saddle"},
    dim=2,
    bounds=(-2.0, 2.0),
    x0=[1.0, 1e-3],
    source="The monkey saddle x^3 - 3xy^2 (degenerate saddle: zero gradient and Hessian at 0)",
    description="x^3 - 3xy^2: degenerate saddle at 0, unbounded below",
)
