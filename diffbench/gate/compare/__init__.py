"""The single-session gate: ``diffbench compare BASE NEW`` on tables that are already measured.

Public names:

* ``compare(base, new, ...)`` -> ``Comparison``: rows matched by key, noise-aware timing
  verdicts, accuracy, status and cost regressions (``_compare``);
* ``to_markdown`` / ``to_json``: the comparison as text (``_render``);
* ``main_compare(argv)``: the command, argv in, exit code out (``_cli``).

Names are imported when first used (``diffbench --help`` stays light). It reads results only
through ``diffbench.results.load_results``; the paired gate (``diffbench continuous``) is its
sibling in ``diffbench.gate``.
"""

from typing import TYPE_CHECKING

from ..._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "main_compare": "._cli:main_compare",
        "KINDS": "._kinds:KINDS",
        "Comparison": "._compare:Comparison",
        "compare": "._compare:compare",
        "to_json": "._render:to_json",
        "to_markdown": "._render:to_markdown",
    },
)

if TYPE_CHECKING:
    from ._cli import main_compare as main_compare
    from ._compare import Comparison as Comparison
    from ._compare import compare as compare
    from ._kinds import KINDS as KINDS
    from ._render import to_json as to_json
    from ._render import to_markdown as to_markdown
