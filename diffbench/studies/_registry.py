"""The registry of studies: a name maps to a function ``run(size) -> pandas.DataFrame``.

A study measures one phenomenon of the seed texts end to end (vanishing gradients, saddle
points, ...) and returns one flat table, the rows of its ``study_<name>`` table in a result set.
Every row carries ``study`` and ``part`` (which experiment of the study it belongs to); a
session adds ``status`` (``ok``, or ``error`` on the one row of a study that failed), so a
study reports an optimizer run's outcome as ``run_status``.
``size`` is ``"default"`` (the documented size, under two minutes on two CPU cores) or
``"small"`` (a few seconds: tests and CI smoke runs).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._errors import DiffbenchError, unknown

if TYPE_CHECKING:
    import pandas as pd

SIZES = ("default", "small")


@dataclass(frozen=True)
class Study:
    """A named study.

    Attributes:
        name: the command-line name (``vanishing-exploding``); its table is ``table``.
        module: the module (in ``diffbench.studies``) whose ``run(size) -> DataFrame`` it is,
            imported only when the study runs, so listing studies stays light.
        description: one line for listings.
    """

    name: str
    module: str
    description: str = ""

    def run(self, size: str) -> pd.DataFrame:
        """Run the study at ``size`` (one of ``SIZES``) and return its table."""
        module = importlib.import_module(f"{__package__}.{self.module}")
        return module.run(size)

    @property
    def table(self) -> str:
        """The result-set table of this study: ``study_`` + the name with underscores."""
        return table_name(self.name)


_STUDIES: dict[str, Study] = {}


def table_name(name: str) -> str:
    """Return the result-set table of study ``name`` (``study_local_minima``)."""
    return "study_" + name.replace("-", "_")


def register(study: Study) -> Study:
    """Add ``study`` to the registry (a second study with the same name is an error)."""
    if study.name in _STUDIES:
        raise DiffbenchError(f"A study named `{study.name}` is already registered.")
    _STUDIES[study.name] = study
    return study


def names() -> list[str]:
    """Return the registered study names, in the order of the issue that defined them."""
    return list(_STUDIES)


def get(name: str) -> Study:
    """Return the study called ``name``; an unknown name is a one-line error with suggestions."""
    if name not in _STUDIES:
        raise unknown("study", name, _STUDIES)
    return _STUDIES[name]


def check_size(size: str) -> str:
    """Return ``size`` if it is one of ``SIZES``; raise a one-line error otherwise."""
    if size not in SIZES:
        raise DiffbenchError(f"Unknown study size `{size}`; use {' or '.join(SIZES)}.")
    return size


def run(name: str, size: str = "default") -> pd.DataFrame:
    """Run study ``name`` at ``size`` and return its table (one flat row per measurement).

    Example:
        >>> import diffbench
        >>> df = diffbench.studies.run("expectations", size="small")  # doctest: +SKIP
        >>> sorted(df["part"].unique())  # doctest: +SKIP
        ['gradients', 'integrals']
    """
    study = get(name)
    table = study.run(check_size(size))
    return table.assign(study=name)[["study", *[c for c in table.columns if c != "study"]]]
