"""Scale-out: runs and gradients over a device mesh, sessions over several processes.

- ``minimize(devices=...)`` / ``sweep(devices=...)`` split the runs axis over this process's
  devices (``_mesh``, ``_runs``);
- ``sharded_gradient`` splits a large-n gradient's coordinates over them (``_gradients``);
- ``diffbench run SUITE --processes N`` (or ``--coordinator``/``--num-processes``/
  ``--process-id`` on a cluster) shares one session's cases among processes joined by
  ``jax.distributed``; process 0 alone writes the result set (``_session``).
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "AXIS": "._mesh:AXIS",
        "resolve": "._mesh:resolve",
        "METHODS": "._gradients:METHODS",
        "Sharded": "._gradients:Sharded",
        "bandwidth": "._gradients:bandwidth",
        "sharded_gradient": "._gradients:sharded_gradient",
    },
)

if TYPE_CHECKING:
    from ._gradients import METHODS as METHODS
    from ._gradients import Sharded as Sharded
    from ._gradients import bandwidth as bandwidth
    from ._gradients import sharded_gradient as sharded_gradient
    from ._mesh import AXIS as AXIS
    from ._mesh import resolve as resolve
