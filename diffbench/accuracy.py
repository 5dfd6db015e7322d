"""Accuracy of a derivative against an independent truth, and step-size sweeps.

The truth (the ``reference`` column names it) is independent of the method it scores:

- ``mpmath34``: for a registered function up to ``REFERENCE_MAX_N`` coordinates, its exact
  SymPy gradient evaluated with 34 digits (mpmath) at the very float point the methods see;
- ``longdouble_reverse_sweep``: above ``REFERENCE_MAX_N``, and for the ``symbolic`` method
  (which shares mpmath34's SymPy expression), a reverse sweep over the same definition
  ``fn(xp, x)`` evaluated by NumPy in 80-bit extended precision (``diffbench._tape``), with
  no JAX in it; it agrees with mpmath34 to 17+ digits on every registered function (tested),
  and costs a few evaluations of f, so it reaches n = 1e6 in seconds;
- ``reverse_ad_f64`` / ``forward_ad_f64``: for a plain JAX callable (no definition to
  evaluate elsewhere), JAX's reverse mode in float64, or its forward mode when the method
  scored is ``reverse_ad``: a method is never scored against itself.

Error measures (all float64):
- ``abs_err_max``: ``max_i |g_i - r_i|``;
- ``rel_err_max``: ``max_i |g_i - r_i| / max(|r_i|, 1e-8 ||r||_inf)``: componentwise, except
  that a component far below the largest one is judged against 1e-8 of the largest, so one
  near-zero component does not make every approximation look useless;
- ``rel_err_l2``: ``||g - r||_2 / ||r||_2``;
- ``digits``: ``-log10(rel_err_l2)``, clipped to ``[0, 17]`` (17 means exact): the correct
  digits of the gradient as a vector, the figure that governs an optimizer's step. A
  finite difference on an ill-conditioned function (ellipsoid, deep_chain) keeps its large
  components to 10 digits while a component 1e6 times smaller keeps 3: ``digits`` says 10,
  ``rel_err_max`` says 1e-3. Reports show both.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from . import _symbolic, _tape, methods
from ._checks import check_point
from ._errors import DiffbenchError
from ._gradient import gradient
from ._objective import Objective, as_objective
from ._x64 import x64
from .methods.finite_difference import COMPLEX_STEP

REFERENCE_MAX_N = 64
"""Largest n for the mpmath reference; above it the extended-precision reverse sweep is used."""

MPMATH = f"mpmath{_symbolic.REFERENCE_DIGITS}"
SWEEP = "longdouble_reverse_sweep"
DERIVATION = {MPMATH: "sympy", "reverse_ad_f64": "jax_reverse", "forward_ad_f64": "jax_forward"}
"""Reference name -> its derivation; a method of the same ``Method.derivation`` is never
scored against it."""
AD_REFERENCES = ("reverse_ad", "forward_ad")
"""For a plain JAX callable, the float64 autodiff truths, in order of preference."""

MAX_DIGITS = 17.0
SMALL_COMPONENT = 1e-8


def errors(grad: Any, reference: Any) -> dict[str, float]:
    """Return ``abs_err_max``, ``rel_err_max``, ``rel_err_l2`` and ``digits`` of ``grad``.

    Both arrays are compared in float64; see the module docstring for the definitions.
    """
    g = np.asarray(grad, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    diff = np.abs(g - r)
    if not np.all(np.isfinite(g)):
        return {"abs_err_max": np.inf, "rel_err_max": np.inf, "rel_err_l2": np.inf, "digits": 0.0}
    scale = np.max(np.abs(r)) if r.size else 0.0
    floor = max(SMALL_COMPONENT * scale, np.finfo(np.float64).tiny)
    rel_max = float(np.max(diff / np.maximum(np.abs(r), floor))) if r.size else 0.0
    norm = float(np.linalg.norm(r))
    rel_l2 = float(np.linalg.norm(g - r) / norm) if norm > 0 else float(np.linalg.norm(g - r))
    return {
        "abs_err_max": float(np.max(diff)) if diff.size else 0.0,
        "rel_err_max": rel_max,
        "rel_err_l2": rel_l2,
        "digits": digits_from_error(rel_l2),
    }


def digits_from_error(rel_err: float) -> float:
    """Return correct significant digits ``-log10(rel_err)``, clipped to ``[0, 17]``."""
    if rel_err <= 0:
        return MAX_DIGITS
    return float(np.clip(-np.log10(rel_err), 0.0, MAX_DIGITS))


@x64
def reference_gradient(f: Any, x: Any, method: str | None = None) -> tuple[np.ndarray, str]:
    """Return the truth ``(gradient as float64 NumPy array, reference name)`` at ``x``.

    ``x`` is promoted exactly to float64, so a float32 point gets its exact derivative.

    Args:
        f: a registry name, a ``TestFunction`` or a JAX callable.
        x: the point.
        method: the method the truth will score, if any: a reference sharing its derivation
            (``DERIVATION``, ``Method.derivation``) is replaced by the next best one.

    Returns:
        The gradient in float64 and the reference's name (module docstring).

    Example:
        >>> import diffbench, numpy as np
        >>> g, name = diffbench.accuracy.reference_gradient("sphere", np.array([1.0, 2.0]))
        >>> g.tolist(), name
        ([2.0, 4.0], 'mpmath34')
    """
    objective = as_objective(f)
    x64 = np.asarray(check_point(x), dtype=np.float64)
    definition = objective.definition
    usable = definition is not None and not definition.jax_only  # NumPy can evaluate it
    if usable and x64.shape[0] <= REFERENCE_MAX_N and independent(MPMATH, method):
        return _symbolic.reference_gradient(definition, x64), MPMATH
    if usable:
        definition.check_dim(x64.shape[0])
        return np.asarray(_tape.reverse_sweep(definition.fn, x64)[1], dtype=np.float64), SWEEP
    ad = next(a for a in AD_REFERENCES if independent(f"{a}_f64", method))
    truth = gradient(objective, jnp.asarray(x64, dtype=jnp.float64), method=ad)
    return np.asarray(truth, dtype=np.float64), f"{ad}_f64"


def independent(reference: str, method: str | None) -> bool:
    """Return whether the truth named ``reference`` may score ``method`` (not itself).

    No method (None), or one not registered (any more), shares nothing.
    """
    shared = DERIVATION.get(reference)
    if shared is None or method is None:
        return True
    try:
        return methods.get(method).derivation != shared
    except DiffbenchError:
        return True


@x64
def accuracy(f: Any, x: Any, method: str, reference: Any = None, **params: Any) -> dict[str, Any]:
    """Return the errors of ``method`` at ``x`` against the truth, plus the reference's name.

    Args:
        f: a registry name, a ``TestFunction`` or a JAX callable.
        x: the point (its dtype is the dtype the method runs in).
        method: a gradient method name.
        reference: an explicit truth (array); by default ``reference_gradient(f, x)``.
        **params: the method's parameters (e.g. ``step``).

    Returns:
        ``{"abs_err_max", "rel_err_max", "rel_err_l2", "digits", "reference"}``.
    """
    if reference is None:
        truth, name = reference_gradient(f, x, method)
    else:
        truth, name = np.asarray(reference, dtype=np.float64), "given"
    return {**errors(gradient(f, x, method=method, **params), truth), "reference": name}


# -- step-size sweep -----------------------------------------------------------------------


def sweepable() -> list[str]:
    """Return the gradient methods ``step_sweep`` takes: those with a ``Method.sweep`` variant."""
    return [name for name in methods.names() if methods.get(name).sweep is not None]


def __getattr__(name: str) -> Any:
    if name == "SWEEPABLE":  # the registry may grow (plugins): computed when asked
        return tuple(sweepable())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class StepSweep:
    """Error against step size of one finite-difference method at one point.

    Attributes:
        method: the finite-difference method.
        dtype: the dtype it ran in.
        steps: the relative steps tried (float64, descending).
        errors: ``rel_err_l2`` at each step (float64; inf where the estimate was not finite).
        max_errors: ``rel_err_max`` (the worst component) at each step.
        reference: the name of the truth.
    """

    method: str
    dtype: str
    steps: np.ndarray
    errors: np.ndarray
    max_errors: np.ndarray
    reference: str

    @property
    def best_index(self) -> int:
        """Index of the smallest error (the first one on ties)."""
        return int(np.argmin(self.errors))

    @property
    def best_step(self) -> float:
        """The step with the smallest error."""
        return float(self.steps[self.best_index])

    @property
    def best_error(self) -> float:
        """The smallest ``rel_err_l2`` over the sweep."""
        return float(self.errors[self.best_index])

    @property
    def digits(self) -> np.ndarray:
        """Correct digits at each step."""
        return np.array([digits_from_error(e) for e in self.errors])

    def table(self) -> pd.DataFrame:
        """Return one row per step: method, dtype, step, rel_err_l2, rel_err_max, digits,
        reference."""
        return pd.DataFrame(
            {
                "method": self.method,
                "dtype": self.dtype,
                "step": self.steps,
                "rel_err_l2": self.errors,
                "rel_err_max": self.max_errors,
                "digits": self.digits,
                "reference": self.reference,
            }
        )


def default_steps(dtype: Any, per_decade: int = 4) -> np.ndarray:
    """Return log-spaced relative steps: 1e-1 ... 1e-16 for float64, 1e-1 ... 1e-8 for float32."""
    lowest = 16 if np.dtype(dtype) == np.float64 else 8
    return np.logspace(-1, -lowest, (lowest - 1) * per_decade + 1)


@x64
def step_sweep(
    f: Any,
    x: Any,
    method: str = "central",
    steps: Any = None,
    reference: Any = None,
    levels: int = 3,
) -> StepSweep:
    """Return the error-vs-step curve of a finite-difference method, in ONE jitted call over h.

    Args:
        f: a registry name, a ``TestFunction`` or a JAX callable.
        x: the point; its dtype (float32 or float64) is the precision swept.
        method: a method with a step (``sweepable()``: ``forward``, ``backward``, ``central``,
            ``central4``, ``complex_step``, ``richardson``, and plugins' that define ``sweep``).
        steps: relative steps (``h_i = step * max(1, |x_i|)``); default ``default_steps``.
        reference: an explicit truth; by default ``reference_gradient(f, x)``.
        levels: extrapolation levels of an extrapolating method (``richardson``: classic
            Richardson at steps ``h, h/2, ...``, one table's V-curve, not the adaptive pick).

    Example:
        >>> import diffbench, numpy as np
        >>> sweep = diffbench.accuracy.step_sweep("tutorial_exp", np.array([0.5]), "central")
        >>> 1e-7 < sweep.best_step < 1e-4  # near eps^(1/3) = 6e-6
        True
    """
    if method not in (known := sweepable()):
        raise DiffbenchError(
            f"step_sweep takes a finite-difference method ({', '.join(known)}); got `{method}`."
        )
    objective = as_objective(f)
    x = check_point(x)
    steps = default_steps(x.dtype) if steps is None else np.asarray(steps, dtype=np.float64)
    truth, name = (
        reference_gradient(objective, x)
        if reference is None
        else (np.asarray(reference, np.float64), "given")
    )
    estimates = _sweep_jit(objective, method, levels)(x, jnp.asarray(steps, dtype=x.dtype))
    measured = [errors(g, truth) for g in np.asarray(estimates)]
    l2 = np.array([m["rel_err_l2"] for m in measured])
    worst = np.array([m["rel_err_max"] for m in measured])
    return StepSweep(method, str(x.dtype), steps, l2, worst, name)


@functools.lru_cache(maxsize=128)
def _sweep_jit(objective: Objective, method: str, levels: int) -> Any:
    f, at_step = objective.jax_fn, methods.get(method).sweep

    def one(x: jax.Array, step: jax.Array) -> jax.Array:
        return at_step(f, x, step, levels)

    return jax.jit(jax.vmap(one, in_axes=(None, 0)))


__all__ = [
    "COMPLEX_STEP",
    "REFERENCE_MAX_N",
    "StepSweep",
    "accuracy",
    "sweepable",
    "default_steps",
    "digits_from_error",
    "errors",
    "independent",
    "reference_gradient",
    "step_sweep",
]
