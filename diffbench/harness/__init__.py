"""The benchmark harness: timing rules, XLA costs, the environment fingerprint, suites, sessions.

- ``compile_jit`` / ``time_calls`` / ``TimingPolicy`` / ``Timing``: timing JAX honestly;
- ``xla_costs``: FLOPs, bytes accessed and temporary bytes of a compiled computation;
- ``fingerprint``: versions, devices, CPU, git commit and machine id;
- ``load_suite`` / ``suite_names``: the TOML suites;
- ``run_suite``: a session that writes a result set (see ``diffbench.results``).
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from .suites import Suite as Suite
from .suites import load_suite as load_suite
from .suites import suite_names as suite_names
from .timing import TimingPolicy as TimingPolicy

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "XlaCosts": ".costs:XlaCosts",
        "xla_costs": ".costs:xla_costs",
        "fingerprint": ".environment:fingerprint",
        "SessionResult": ".session:SessionResult",
        "resolve_devices": ".session:resolve_devices",
        "run_suite": ".session:run_suite",
        "Compiled": ".timing:Compiled",
        "Timing": ".timing:Timing",
        "TraceCounter": ".timing:TraceCounter",
        "compile_jit": ".timing:compile_jit",
        "time_calls": ".timing:time_calls",
    },
)

if TYPE_CHECKING:
    from .costs import XlaCosts as XlaCosts
    from .costs import xla_costs as xla_costs
    from .environment import fingerprint as fingerprint
    from .session import SessionResult as SessionResult
    from .session import resolve_devices as resolve_devices
    from .session import run_suite as run_suite
    from .timing import Compiled as Compiled
    from .timing import Timing as Timing
    from .timing import TraceCounter as TraceCounter
    from .timing import compile_jit as compile_jit
    from .timing import time_calls as time_calls
