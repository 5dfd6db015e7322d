"""Print a pip constraints file pinning every declared floor: ``name>=X`` becomes ``name==X``.

Usage: ``python .ci/floors.py [EXTRA ...] > floors.txt`` then
``pip install -c floors.txt -e '.[EXTRA]'``: the lowest versions pyproject.toml claims to
support, for the packages diffbench names (their own dependencies resolve as usual). A
requirement with an environment marker is pinned only where the marker holds.
"""

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from packaging.markers import Marker

FLOOR = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*>=\s*([0-9][^,;\s]*)")


def floors(extras: list[str]) -> list[str]:
    """Return ``name==floor`` lines for the dependencies and the given extras."""
    project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    pins = {}
    for requirement in wanted:
        spec, _, marker = requirement.partition(";")
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        match = FLOOR.match(spec)
        if match:
            pins[match.group(1).lower()] = match.group(3)
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


if __name__ == "__main__":
    print("\n".join(floors(sys.argv[1:])))
