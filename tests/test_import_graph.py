"""The package's imports form no cycle: every import counts, function-level ones included."""

import textwrap
from pathlib import Path

from _import_graph import cycles, import_graph, main

PACKAGE = Path(__file__).resolve().parents[1] / "diffbench"


def test_diffbench_has_no_import_cycle():
    found = cycles(import_graph(PACKAGE))
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root / "pkg"


def test_a_function_level_import_that_closes_a_cycle_is_found(tmp_path):
    """The shape the report had: ``_report`` imports ``_html`` inside a function."""
    pkg = _package(
        tmp_path,
        {
            "__init__.py": "",
            "_report.py": "def build():\n    from ._html import render\n",
            "_html.py": "from ._report import Report\n",
            "sub/__init__.py": "",
            "sub/leaf.py": "from .. import _html\nfrom ..sub import leaf2\n",
            "sub/leaf2.py": "import os\n",
        },
    )
    graph = import_graph(pkg)
    assert graph["pkg.sub.leaf"] == {"pkg._html", "pkg.sub.leaf2"}
    assert cycles(graph) == [["pkg._html", "pkg._report"]]


def test_type_checking_imports_and_plain_modules_make_no_cycle(tmp_path, capsys):
    pkg = _package(
        tmp_path,
        {
            "__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from .a import A\n",
            "a.py": "import pkg\nfrom . import b\n",
            "b.py": "from .a import thing\n",
        },
    )
    assert cycles(import_graph(pkg)) == [["pkg.a", "pkg.b"]]
    (pkg / "b.py").write_text("X = 1\n")
    assert cycles(import_graph(pkg)) == []
    assert main([str(pkg)]) == 0
    assert "import cycles: 0" in capsys.readouterr().out
