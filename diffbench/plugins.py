"""Plugins: your own functions, gradient methods and optimizers in diffbench, without a fork.

A plugin is a module that registers things when it is imported (or a ``module:attribute``
that names one thing or a hook to call). diffbench loads plugins from three places:

- the ``diffbench.plugins`` entry-point group of every installed package (``list`` and ``run``
  load them all, so a plugin that imports JAX makes ``list`` import it too), e.g. in the
  plugin package's ``pyproject.toml``::

      [project.entry-points."diffbench.plugins"]
      mybench = "mybench.bench"

- ``diffbench run SUITE --plugin mybench.bench`` (``--plugin`` may be repeated);
- ``plugins = ["mybench.bench", "mybench.more:register"]`` in a suite's ``[suite]`` table.

Registration (``register`` dispatches on its first argument):

- ``register_function(name=..., fn=lambda xp, x: ...)`` (or ``jax_fn=lambda x: ...`` for a
  function written with ``jax.numpy`` only), with the fields of ``functions.register``;
- ``register_method(name, builder, kind=...)``: ``builder(f, **params)`` returns ``x -> grad``;
- ``register_optimizer(name, factory)``: ``factory(learning_rate, **hyper)`` returns an optax
  ``GradientTransformation`` (or pass a ready transformation).

A failing plugin never crashes the command: its import error, or the first error its function,
method or optimizer raises in a case, is recorded under the plugin's name (``failures()``);
that case becomes an ``error`` row, the other cases run, and the CLI prints one line per
failing plugin and exits 2.

Example:
    >>> import diffbench, jax.numpy as jnp
    >>> m = diffbench.plugins.register_method(
    ...     "doc_reverse", lambda f: __import__("jax").grad(f), kind="exact", replace=True)
    >>> diffbench.gradient("sphere", jnp.array([1.0, 2.0]), method="doc_reverse").tolist()
    [2.0, 4.0]
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ._errors import DiffbenchError, first_line

ENTRY_POINT_GROUP = "diffbench.plugins"
METHOD_KINDS = {"exact": "exact", "finite_difference": "finite_difference"}
"""The kinds a plugin method declares: ``exact`` or ``finite_difference`` (with its order)."""


class PluginError(DiffbenchError):
    """A plugin failed: it did not import, or its function, method or optimizer raised."""


_loaded: dict[str, str] = {}  # plugin spec -> where it came from (entry point, --plugin, suite)
_failures: dict[str, str] = {}  # plugin spec -> the one-line reason of its first failure
_origin: dict[tuple[str, str], str] = {}  # (kind, name) -> the plugin that registered it
_current: list[str] = []  # the plugin being imported (registrations are attributed to it)


def failures() -> dict[str, str]:
    """Return ``{plugin: one-line reason}`` for every plugin that failed so far."""
    return dict(_failures)


def origin(kind: str, name: str) -> str | None:
    """Return the plugin that registered ``name`` (kind ``function``/``method``/``optimizer``)."""
    return _origin.get((kind, name))


def loaded() -> dict[str, str]:
    """Return ``{plugin: source}`` of the plugins loaded so far (source: where it was named)."""
    return dict(_loaded)


def _fail(plugin: str, message: str) -> PluginError:
    line = first_line(message)
    _failures.setdefault(plugin, line)
    return PluginError(f"plugin `{plugin}`: {line}")


# -- loading --------------------------------------------------------------------------------


def load(spec: str, source: str = "--plugin") -> bool:
    """Import the plugin ``spec`` (``module`` or ``module:attribute``); return whether it loaded.

    An attribute that is a ``TestFunction``, a ``Method`` or an ``Optimizer`` is registered;
    any other callable is called with no arguments (a registration hook). A failure is
    recorded (see ``failures``) and never raised. Loading the same spec twice is a no-op.
    """
    if spec in _loaded:
        return spec not in _failures
    _loaded[spec] = source
    module_name, _, attribute = spec.partition(":")
    _current.append(spec)
    try:
        value = importlib.import_module(module_name)
        for part in filter(None, attribute.split(".")):
            value = getattr(value, part)
        if attribute:
            _register_object(value)
    except Exception as exc:  # noqa: BLE001 - one plugin never stops the others
        _fail(spec, f"{type(exc).__name__}: {exc}")
        return False
    finally:
        _current.pop()
    return True


def load_all(specs: Iterable[str] = (), entry_points: bool = True, source: str = "--plugin") -> int:
    """Load the installed entry-point plugins (optionally) and ``specs``; return how many failed."""
    before = len(_failures)
    if entry_points:
        for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            load(point.value, f"entry point {point.name}")
    for spec in specs:
        load(spec, source)
    return len(_failures) - before


def _register_object(value: Any) -> None:
    from .functions import TestFunction
    from .methods import Method
    from .optimize import Optimizer

    if isinstance(value, TestFunction):
        register_function(value, replace=True)
    elif isinstance(value, Method):
        _claim("method", value.name)
        from . import methods

        methods.add(value, replace=True)
    elif isinstance(value, Optimizer):
        _claim("optimizer", value.name)
        from .optimize import _optimizers

        _optimizers.add(value, replace=True)
    elif callable(value):
        value()
    else:
        raise TypeError(f"{type(value).__name__} is not a function, method, optimizer or hook")


def _claim(kind: str, name: str) -> str:
    plugin = _current[-1] if _current else "python"
    _origin[(kind, name)] = plugin
    return plugin


@contextlib.contextmanager
def _guard(plugin: str, what: str) -> Iterator[None]:
    """Turn an exception of plugin code into a ``PluginError`` naming it (``Skipped`` passes)."""
    from .methods import Skipped

    try:
        yield
    except (Skipped, PluginError):
        raise
    except Exception as exc:  # noqa: BLE001 - re-raised with the plugin's name
        raise _fail(plugin, f"{what} raised {type(exc).__name__}: {exc}") from exc


# -- registration ---------------------------------------------------------------------------


def register(what: str, /, *args: Any, **fields: Any) -> Any:
    """Register a ``"function"``, ``"method"`` or ``"optimizer"``; see ``register_<what>``."""
    table = {
        "function": register_function,
        "method": register_method,
        "optimizer": register_optimizer,
    }
    if what not in table:
        raise DiffbenchError(f"register what `{what}`? Use function, method or optimizer.")
    return table[what](*args, **fields)


@dataclass(frozen=True)
class _GuardedDefinition:
    fn: Callable[[Any, Any], Any]
    plugin: str
    name: str

    def __call__(self, xp: Any, x: Any) -> Any:
        with _guard(self.plugin, f"function `{self.name}`"):
            return self.fn(xp, x)


def register_function(tf: Any = None, /, **fields: Any) -> Any:
    """Register a test function from a plugin; takes what ``functions.register`` takes.

    ``fn(xp, x)`` is written against an array namespace (it gets a SymPy form and the exact
    reference); ``jax_fn(x)`` is written with ``jax.numpy`` only (reference: float64 reverse
    mode, never used to score ``reverse_ad`` itself). Returns the ``TestFunction``.
    """
    from dataclasses import replace as copy

    from . import functions

    tf = functions.register(tf, **fields) if tf is not None else functions.register(**fields)
    plugin = _claim("function", tf.name)
    guarded = copy(tf, fn=_GuardedDefinition(tf.fn, plugin, tf.name))
    return functions.register(guarded, replace=True)


def register_method(
    name: str,
    builder: Callable[..., Callable[[Any], Any]],
    *,
    kind: str = "exact",
    order: int | None = None,
    needs_complex: bool = False,
    defaults: dict[str, Any] | None = None,
    description: str = "",
    what: str = "gradient",
    replace: bool = False,
) -> Any:
    """Register a gradient (or Hessian) method built by ``builder(f, **params) -> x -> grad``.

    Args:
        name: the method name used in suites and ``--method``.
        builder: gets the objective ``f(x) -> scalar`` (jax.numpy) and the parameters; returns
            a pure JAX function of ``x`` (jitted by diffbench) whose result has x's shape
            (``(n, n)`` for a Hessian method).
        kind: ``exact`` or ``finite_difference``.
        order: truncation order of a finite-difference method.
        needs_complex: the method evaluates f at complex points (like the complex step): it is
            skipped on functions registered as not analytic.
        defaults: its parameters and their default values.
        description: one line for ``diffbench list methods``.
        what: ``gradient`` or ``hessian``.
        replace: replace a method of the same name.

    Returns:
        The ``Method`` record.
    """
    from . import methods

    if kind not in METHOD_KINDS:
        raise DiffbenchError(
            f"method `{name}`: kind must be exact or finite_difference; got {kind}."
        )
    plugin = _claim("method", name)
    factory = _MethodFactory(builder, plugin, name, needs_complex, what)
    record = methods.Method(
        name, METHOD_KINDS[kind], factory, order, True, dict(defaults or {}), description
    )
    return methods.add(record, what, replace=replace)


@dataclass(frozen=True)
class _MethodFactory:
    """``factory(objective, n, dtype, **params)`` around a plugin's builder, with shape checks."""

    builder: Callable[..., Callable[[Any], Any]]
    plugin: str
    name: str
    needs_complex: bool
    what: str

    def __call__(self, objective: Any, n: int, dtype: Any, **params: Any) -> Callable:
        from .methods import Skipped

        tf = objective.definition
        if self.needs_complex and tf is not None and not tf.analytic:
            raise Skipped(f"{self.name} needs an analytic function; {tf.name} is not.")
        with _guard(self.plugin, f"method `{self.name}`"):
            grad_fn = self.builder(objective.jax_fn, **params)
        shape = (n,) if self.what == "gradient" else (n, n)

        def checked(x: Any) -> Any:
            with _guard(self.plugin, f"method `{self.name}`"):
                out = grad_fn(x)
            if tuple(getattr(out, "shape", ())) != shape:
                got = tuple(getattr(out, "shape", ()))
                raise _fail(
                    self.plugin,
                    f"method `{self.name}` returned shape {got} for x of shape {(n,)}; "
                    f"expected {shape}",
                )
            return out

        return checked


def register_optimizer(
    name: str,
    factory: Callable[..., Any],
    *,
    description: str = "",
    default_lr: float | None = 1e-3,
    replace: bool = False,
) -> Any:
    """Register an optimizer: ``factory(learning_rate, **hyper) -> GradientTransformation``.

    The factory may build any optax chain around the learning rate, e.g.
    ``lambda lr: optax.chain(optax.clip_by_global_norm(1.0), optax.adam(lr))``; the suite's
    ``lr`` values are passed to it (vmapped, so a new grid never recompiles). Returns the
    ``Optimizer``.
    """
    from .optimize import Optimizer, _optimizers

    if _optimizers._is_transformation(factory) or not callable(factory):
        raise DiffbenchError(
            f"optimizer `{name}`: pass a factory of the learning rate "
            "(lambda lr: optax.chain(..., optax.adam(lr))), not a ready transformation."
        )
    plugin = _claim("optimizer", name)
    build = _GuardedFactory(factory, plugin, name)
    opt = Optimizer(name, build, (), default_lr, True, description or name)
    return _optimizers.add(opt, replace=replace)


@dataclass(frozen=True)
class _GuardedFactory:
    factory: Callable[..., Any]
    plugin: str
    name: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with _guard(self.plugin, f"optimizer `{self.name}`"):
            return self.factory(*args, **kwargs)

    @property
    def __signature__(self) -> Any:
        import inspect

        return inspect.signature(self.factory)
