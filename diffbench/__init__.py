"""diffbench: a JAX-accelerated benchmark suite for numerical differentiation and optimization.

The whole public API is re-exported here and imported when first used (PEP 562), so
``diffbench --help`` and ``diffbench list`` answer without importing JAX, SymPy or pandas.

``import diffbench`` leaves JAX's configuration as it found it. Precision is an axis of every
study, so diffbench's own calls (``gradient``, ``hessian``, ``accuracy.*``,
``optimize.minimize``, ``run_suite`` ...) run with float64 enabled for their duration only
(``jax.enable_x64``); every array carries an explicit dtype and float32 is asked for, never
defaulted to. Enable ``jax_enable_x64`` yourself to compute in float64 outside those calls.
"""

from typing import TYPE_CHECKING

from ._errors import DiffbenchError as DiffbenchError
from ._lazy import lazy_exports

__version__ = "0.1.0"

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "accuracy": ".accuracy",
        "functions": ".functions",
        "harness": ".harness",
        "methods": ".methods",
        "optimize": ".optimize",
        "plugins": ".plugins",
        "report": ".report",
        "results": ".results",
        "store": ".store",
        "studies": ".studies",
        "gradient": "._gradient:gradient",
        "gradient_with_error": "._gradient:gradient_with_error",
        "hessian": "._gradient:hessian",
        "hvp": "._gradient:hvp",
        "jvp": "._gradient:jvp",
        "register": ".plugins:register",
        "TestFunction": ".functions:TestFunction",
        "run_suite": ".harness:run_suite",
        "Skipped": ".methods:Skipped",
    },
)

if TYPE_CHECKING:  # what static tools see: the same names, imported eagerly
    from . import accuracy as accuracy
    from . import functions as functions
    from . import harness as harness
    from . import methods as methods
    from . import optimize as optimize
    from . import plugins as plugins
    from . import report as report
    from . import results as results
    from . import store as store
    from . import studies as studies
    from ._gradient import gradient as gradient
    from ._gradient import gradient_with_error as gradient_with_error
    from ._gradient import hessian as hessian
    from ._gradient import hvp as hvp
    from ._gradient import jvp as jvp
    from .functions import TestFunction as TestFunction
    from .harness import run_suite as run_suite
    from .methods import Skipped as Skipped
    from .plugins import register as register
