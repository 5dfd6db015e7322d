"""The worked examples of the two seed texts, one entry each (tag ``tutorial``).

Sources: seed text 000, "Calculus Basics Every AI Practitioner Should Know", and seed text 002,
"Calculus Crash Course: Derivatives Driving AI Innovation" (``shared/seeds/``). Each entry's
``source`` quotes the numbers the text gives; the tests reproduce them with ``jax.grad``.
Entries whose bare name would be too generic carry a ``tutorial_`` prefix.
"""

from __future__ import annotations

from ._registry import register

TEXT_000 = "Seed text 000, 'Calculus Basics Every AI Practitioner Should Know'"
TEXT_002 = "Seed text 002, 'Calculus Crash Course: Derivatives Driving AI Innovation'"

LINEAR_REGRESSION_EXAMPLE = (2.0, 3.0)
"""The one example ``(x, y_actual)`` of ``linear_regression_loss`` (the text leaves it symbolic)."""


def _scalar(**fields):
    """Common fields of the one-variable examples."""
    return register(dim=1, tags={"tutorial", *fields.pop("tags", ())}, **fields)


def square(xp, x):
    return xp.sum(x**2)


def cube(xp, x):
    return xp.sum(x**3)


def tutorial_exp(xp, x):
    return xp.sum(xp.exp(x))


def tutorial_log(xp, x):
    return xp.sum(xp.log(x))


def five_x_squared(xp, x):
    return xp.sum(5 * x**2)


def sum_rule(xp, x):
    return xp.sum(x**2 + x**3)


def product_rule(xp, x):
    return xp.sum(x**2 * x**3)


def chain_rule(xp, x):
    return xp.sum((x**2 + 1) ** 3)


def quadratic_loss(xp, x):
    return xp.sum((x - 3) ** 2)


def normal_density(xp, x):
    return xp.sum(xp.exp(-(x**2) / 2)) / xp.sqrt(2 * xp.pi)


_scalar(
    name="square",
    fn=square,
    tags={"convex"},
    bounds=(-5.0, 5.0),
    x0=2.0,
    x_opt=0.0,
    f_opt=0.0,
    source=f"{TEXT_000}: y = x^2 at x = 2: y = 4, dy/dx = 4; {TEXT_002}: f'(x) = 2x",
    description="x^2; f'(2) = 4, so x: 2 -> 2.01 moves y by about 0.04",
)
_scalar(
    name="cube",
    fn=cube,
    bounds=(-2.0, 2.0),
    source=f"{TEXT_000}: power rule, f(x) = x^3 -> f'(x) = 3x^2",
    description="x^3; f'(x) = 3x^2 (no minimum)",
)
_scalar(
    name="tutorial_exp",
    fn=tutorial_exp,
    tags={"convex"},
    bounds=(-2.0, 2.0),
    source=f"{TEXT_000}: f(x) = e^x -> f'(x) = e^x, its own derivative",
    description="e^x; f'(x) = e^x",
)
_scalar(
    name="tutorial_log",
    fn=tutorial_log,
    bounds=(0.1, 10.0),
    source=f"{TEXT_000}: f(x) = ln(x) -> f'(x) = 1/x",
    description="ln x, defined for x > 0 only; f'(x) = 1/x",
)
_scalar(
    name="five_x_squared",
    fn=five_x_squared,
    tags={"convex"},
    bounds=(-5.0, 5.0),
    x_opt=0.0,
    f_opt=0.0,
    source=f"{TEXT_000}: constant multiple rule, f(x) = 5x^2 -> f'(x) = 5 * 2x = 10x",
    description="5x^2; f'(x) = 10x",
)
_scalar(
    name="sum_rule",
    fn=sum_rule,
    bounds=(-2.0, 2.0),
    source=f"{TEXT_000}: sum rule, f(x) = x^2 + x^3 -> f'(x) = 2x + 3x^2",
    description="x^2 + x^3; f'(x) = 2x + 3x^2",
)
_scalar(
    name="product_rule",
    fn=product_rule,
    bounds=(-2.0, 2.0),
    source=f"{TEXT_000}: product rule, x^2 * x^3 -> 2x * x^3 + x^2 * 3x^2 = 5x^4",
    description="x^2 * x^3 = x^5; f'(x) = 5x^4 by the product rule and by the power rule",
)
_scalar(
    name="chain_rule",
    fn=chain_rule,
    tags={"convex"},
    bounds=(-2.0, 2.0),
    x_opt=0.0,
    f_opt=1.0,
    source=f"{TEXT_000}: chain rule, h(x) = (x^2 + 1)^3 -> h'(x) = 3(x^2 + 1)^2 * 2x",
    description="(x^2 + 1)^3; h'(x) = 6x(x^2 + 1)^2",
)
_scalar(
    name="quadratic_loss",
    fn=quadratic_loss,
    tags={"convex"},
    bounds=(-5.0, 10.0),
    x0=0.0,
    x_opt=3.0,
    f_opt=0.0,
    source=(
        f"{TEXT_000}: gradient descent on (x - 3)^2 from x = 0 at rate 0.1: gradient -6, "
        f"x = 0.6, gradient -4.8, x = 1.08; {TEXT_002}: L(theta) = (theta - 3)^2, "
        "dL/dtheta = 2(theta - 3)"
    ),
    description="(x - 3)^2; gradient descent from 0 at rate 0.1 gives 0.6, then 1.08",
)
_scalar(
    name="normal_density",
    fn=normal_density,
    bounds=(-5.0, 5.0),
    source=(
        f"{TEXT_002}: the standard normal density integrates to 1, and E[X] = integral of "
        "x f(x) = 0"
    ),
    description="exp(-x^2/2)/sqrt(2 pi); f'(x) = -x f(x); maximum, not minimum, at 0",
)


def partial_example(xp, x):
    return x[0] ** 2 * x[1] + 3 * x[0] * x[1] ** 2


def gradient_example(xp, x):
    return x[0] ** 2 + x[0] * x[1] + x[1] ** 2


def autodiff_example(xp, x):
    return x[0] ** 2 + 2 * x[0] * x[1] + x[1] ** 2


def linear_regression_loss(xp, x):
    example, actual = LINEAR_REGRESSION_EXAMPLE
    return (x[0] * example + x[1] - actual) ** 2


register(
    name="partial_example",
    fn=partial_example,
    tags={"tutorial"},
    dim=2,
    bounds=(-2.0, 2.0),
    source=f"{TEXT_000}: f(x, y) = x^2 y + 3xy^2: df/dx = 2xy + 3y^2, df/dy = x^2 + 6xy",
    description="x^2 y + 3 x y^2 (no minimum)",
)
register(
    name="gradient_example",
    fn=gradient_example,
    tags={"tutorial", "convex"},
    dim=2,
    bounds=(-5.0, 5.0),
    x0=[1.0, 2.0],
    x_opt=0.0,
    f_opt=0.0,
    source=f"{TEXT_000}: f(x, y) = x^2 + xy + y^2, grad = [2x + y, x + 2y] = [4, 5] at (1, 2)",
    description="x^2 + xy + y^2; gradient [4, 5] at (1, 2)",
)
register(
    name="autodiff_example",
    fn=autodiff_example,
    tags={"tutorial", "convex"},
    dim=2,
    bounds=(-5.0, 5.0),
    x0=[2.0, 3.0],
    x_opt=0.0,
    f_opt=0.0,
    source=f"{TEXT_000}: the torch example z = x^2 + 2xy + y^2 at x = 2, y = 3: grad [10, 10]",
    description="x^2 + 2xy + y^2 = (x + y)^2; gradient [10, 10] at (2, 3); minimal on x = -y",
)
register(
    name="linear_regression_loss",
    fn=linear_regression_loss,
    tags={"tutorial", "convex"},
    dim=2,
    bounds=(-5.0, 5.0),
    x_opt=[1.0, 1.0],
    f_opt=0.0,
    source=(
        f"{TEXT_000}: L = (w1 x + w2 - y_actual)^2, dL/dw1 = 2(w1 x + w2 - y_actual) x, "
        "dL/dw2 = 2(w1 x + w2 - y_actual); one example (x, y_actual) = (2, 3) chosen here"
    ),
    description="(2 w1 + w2 - 3)^2, x = (w1, w2); minimal on the line w2 = 3 - 2 w1",
)
