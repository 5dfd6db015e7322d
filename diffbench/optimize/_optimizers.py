"""Optimizers by name: each name maps to an optax factory of the learning rate.

optax ``GradientTransformation``s are used as they are (STYLE.md, "methods are data over one
engine"); this module only names them, keeps their hyperparameters, and builds one for a given
(possibly traced, possibly vmapped) learning rate inside the compiled runner.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._errors import DiffbenchError, unknown
from .._lazy import LazyModule

optax = LazyModule("optax")

Factory = Callable[..., Any]
"""``factory(learning_rate, **hyper) -> GradientTransformation``."""


@dataclass(frozen=True)
class Optimizer:
    """A named optax optimizer with its hyperparameters, built per learning rate.

    Attributes:
        name: the registry name (``sgd``, ``adam``, ...) or a user label.
        factory: ``factory(learning_rate, **hyper)`` returning an optax transformation.
        hyper: hyperparameters other than the learning rate, as sorted ``(key, value)`` pairs.
        default_lr: the learning rate used when ``minimize`` gets none; None means the
            optimizer sets its own step (L-BFGS's line search) and ``lr`` is recorded as NaN.
        takes_lr: False for a ready-made transformation that carries its own learning rate.
        description: one line for listings.
    """

    name: str
    factory: Factory = field(repr=False)
    hyper: tuple[tuple[str, Any], ...] = ()
    default_lr: float | None = 1e-3
    takes_lr: bool = True
    description: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        """The name, with any hyperparameter overrides: ``adam`` or ``adam(b1=0.8)``."""
        if not self.hyper:
            return self.name
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.hyper)})"

    def build(self, lr: Any) -> optax.GradientTransformation:
        """Return the transformation for learning rate ``lr`` (a float, an array or None)."""
        if not self.takes_lr:
            return self.factory()
        return self.factory(lr, **dict(self.hyper))

    def with_hyper(self, **hyper: Any) -> Optimizer:
        """Return a copy with some hyperparameters overridden (checked against the factory)."""
        if not hyper:
            return self
        _check_hyper(self, hyper)
        merged = {**dict(self.hyper), **hyper}
        return Optimizer(
            self.name,
            self.factory,
            tuple(sorted(merged.items())),
            self.default_lr,
            self.takes_lr,
            self.description,
        )


def _check_hyper(opt: Optimizer, hyper: Mapping[str, Any]) -> None:
    """Raise a one-line error for a hyperparameter the factory does not take."""
    params = dict(inspect.signature(opt.factory).parameters)
    params.pop(next(iter(params)), None)  # the learning rate
    bad = sorted(set(hyper) - set(params))
    if bad:
        raise DiffbenchError(
            f"{opt.name} has no hyperparameter {', '.join(f'`{b}`' for b in bad)}; "
            f"it takes: {', '.join(params) or 'none'}."
        )
    for key, value in hyper.items():
        try:
            hash(value)
        except TypeError:
            raise DiffbenchError(
                f"{opt.name}: hyperparameter `{key}` must be hashable (a number, a string or a "
                f"tuple); got {type(value).__name__}."
            ) from None


@dataclass(frozen=True)
class _Ready:
    """A factory that returns one ready transformation (equal when the transformation is)."""

    transformation: optax.GradientTransformation

    def __call__(self) -> optax.GradientTransformation:
        return self.transformation


@dataclass(frozen=True)
class _Optax:
    """``optax.<name>``, imported when first called, so listing optimizers does not import JAX."""

    name: str

    def __call__(self, *args: Any, **kwargs: Any) -> optax.GradientTransformation:
        return getattr(optax, self.name)(*args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.signature(getattr(optax, self.name))


def _momentum(learning_rate: Any, momentum: float = 0.9) -> optax.GradientTransformation:
    return optax.sgd(learning_rate, momentum=momentum)


def _nesterov(learning_rate: Any, momentum: float = 0.9) -> optax.GradientTransformation:
    return optax.sgd(learning_rate, momentum=momentum, nesterov=True)


def _lbfgs(learning_rate: Any = None, memory_size: int = 10) -> optax.GradientTransformation:
    return optax.lbfgs(learning_rate=learning_rate, memory_size=memory_size)


def _sgd(learning_rate: Any) -> optax.GradientTransformation:
    return optax.sgd(learning_rate)


_OPTIMIZERS: dict[str, Optimizer] = {
    opt.name: opt
    for opt in (
        Optimizer("sgd", _sgd, description="plain (stochastic) gradient descent"),
        Optimizer("momentum", _momentum, description="heavy-ball momentum 0.9"),
        Optimizer("nesterov", _nesterov, description="Nesterov momentum 0.9"),
        Optimizer("adam", _Optax("adam"), description="Adam (Kingma & Ba 2015)"),
        Optimizer("adamw", _Optax("adamw"), description="Adam with decoupled weight decay 1e-4"),
        Optimizer("rmsprop", _Optax("rmsprop"), description="RMSProp, decay 0.9"),
        Optimizer("adagrad", _Optax("adagrad"), default_lr=1e-1, description="Adagrad"),
        Optimizer(
            "lbfgs", _lbfgs, default_lr=None, description="L-BFGS with zoom line search (optax)"
        ),
    )
}


def names() -> list[str]:
    """Return the names of the built-in optimizers, sorted.

    Example:
        >>> import diffbench
        >>> "adam" in diffbench.optimize.names()
        True
    """
    return sorted(_OPTIMIZERS)


def add(opt: Optimizer, replace: bool = False) -> Optimizer:
    """Add ``opt`` to the named optimizers and return it (``plugins.register_optimizer``).

    Raises:
        DiffbenchError: the name is taken (pass ``replace=True`` to override it).
    """
    if opt.name in _OPTIMIZERS and not replace:
        raise DiffbenchError(f"An optimizer named `{opt.name}` is already registered.")
    _OPTIMIZERS[opt.name] = opt
    return opt


def describe(name: str) -> str:
    """Return the one-line description of the optimizer called ``name``."""
    if name not in _OPTIMIZERS:
        raise unknown("optimizer", name, _OPTIMIZERS)
    return _OPTIMIZERS[name].description


def optimizer(name: str, **hyper: Any) -> Optimizer:
    """Return the optimizer called ``name``, with hyperparameters overridden by ``hyper``.

    Example:
        >>> import diffbench
        >>> diffbench.optimize.optimizer("adam", b1=0.8).label
        'adam(b1=0.8)'
    """
    if name not in _OPTIMIZERS:
        raise unknown("optimizer", name, _OPTIMIZERS)
    return _OPTIMIZERS[name].with_hyper(**hyper)


def resolve(spec: Any) -> Optimizer:
    """Turn a name, an ``Optimizer``, an optax transformation or a factory into an ``Optimizer``.

    A factory is any callable ``factory(learning_rate) -> GradientTransformation``; a ready
    transformation carries its own learning rate, so ``minimize`` refuses an ``lr`` for it.
    """
    if isinstance(spec, Optimizer):
        return spec
    if isinstance(spec, str):
        return optimizer(spec)
    if _is_transformation(spec):
        return Optimizer("custom", _Ready(spec), default_lr=None, takes_lr=False)
    if callable(spec):
        name = getattr(spec, "__name__", "custom")
        return Optimizer(name, spec, default_lr=1e-3)
    raise DiffbenchError(
        "optimizer must be a name, an optax GradientTransformation or a factory of the "
        f"learning rate; got {type(spec).__name__}. Known names: {', '.join(names())}."
    )


def _is_transformation(spec: Any) -> bool:
    """Whether ``spec`` is a ready optax transformation (checked without importing optax)."""
    return hasattr(spec, "init") and hasattr(spec, "update") and not isinstance(spec, type)
