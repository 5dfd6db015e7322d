"""diffbench: a JAX-accelerated benchmark suite for numerical differentiation and optimization.

The whole public API is re-exported here. Importing diffbench enables float64 in JAX
(``jax_enable_x64``): precision is an axis of every study, so every array carries an explicit
dtype and float32 is asked for, never defaulted to.
"""

import jax as _jax

_jax.config.update("jax_enable_x64", True)

from . import accuracy as accuracy  # noqa: E402
from . import functions as functions  # noqa: E402
from . import harness as harness  # noqa: E402
from . import methods as methods  # noqa: E402
from . import optimize as optimize  # noqa: E402
from . import report as report  # noqa: E402
from . import store as store  # noqa: E402
from . import studies as studies  # noqa: E402
from ._errors import DiffbenchError as DiffbenchError  # noqa: E402
from ._gradient import gradient as gradient  # noqa: E402
from ._gradient import gradient_with_error as gradient_with_error  # noqa: E402
from ._gradient import hessian as hessian  # noqa: E402
from ._gradient import hvp as hvp  # noqa: E402
from ._gradient import jvp as jvp  # noqa: E402
from .functions import TestFunction as TestFunction  # noqa: E402
from .harness import run_suite as run_suite  # noqa: E402
from .methods import Skipped as Skipped  # noqa: E402

__version__ = "0.1.0"
