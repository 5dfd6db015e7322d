"""The columns of a result set's tables: the one place in code that defines them.

Each of the four tables (``gradients``, ``runs``, ``traces``, ``sweeps``) is a tuple of
``Column`` records (name, Arrow type, unit, meaning), in the order the writers emit them; study
tables (``study_<name>``) share only their ``STUDY`` columns. The writers take their columns
from here (``GRADIENT_SCHEMA`` for the store, ``RUNS`` for ``OptimizeResult.table``), the reader
validates and guesses tables with ``required_columns`` / ``guess_table``, and
docs/ARCHITECTURE.md shows ``markdown_table(name)`` for each (``tests/test_schema.py`` checks
the document against this module).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from .._errors import DiffbenchError


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Attributes:
        name: snake_case, with a unit suffix where it has one (``_s``, ``_bytes``).
        type: its Arrow type.
        unit: ``s``, ``bytes``, ``GB/s``, ``digits``, ... or ``""`` for none.
        meaning: one line.
    """

    name: str
    type: pa.DataType
    unit: str
    meaning: str


_F, _I, _S, _B = pa.float64(), pa.int64(), pa.string(), pa.bool_()
_CASE = (
    Column("run_id", _S, "", "the session's id (`<machine>/<folder>`)"),
    Column("function", _S, "", "test function (registry name)"),
    Column("n", _I, "", "dimension"),
    Column("dtype", _S, "", "`float32` or `float64`"),
    Column("device", _S, "", "platform the case ran on (`cpu`, `gpu`)"),
)
_RUN_CONFIG = (
    Column("optimizer", _S, "", "optimizer name (registry)"),
    Column("lr", _F, "", "learning rate"),
    Column("batch", _I, "", "minibatch size; missing for full-batch gradients"),
    Column("steps", _I, "", "step budget"),
    Column("start", _I, "", "index of the starting point"),
    Column("seed", _I, "", "random seed of the run (starts, minibatches)"),
)
_BANDWIDTH = (
    Column("min_bytes", _F, "bytes", "least memory traffic of one call or loop step"),
    Column("gb_per_s", _F, "GB/s", "`min_bytes` over the median time"),
    Column("bandwidth_fraction", _F, "", "`gb_per_s` over the device's copy bandwidth"),
)

GRADIENTS = (
    *_CASE,
    Column("method", _S, "", "differentiation method"),
    Column("params", _S, "", "the method's parameters as JSON (`{}`: defaults)"),
    Column("status", _S, "", "`ok`, `skipped`, `error`, `retraced`, ..."),
    Column("error", _S, "", "why the status is not `ok`"),
    Column("compile_s", _F, "s", "jit compile time (`lower().compile()`)"),
    Column("time_median_s", _F, "s", "median seconds per gradient call"),
    Column("time_min_s", _F, "s", "fastest sample"),
    Column("time_iqr_s", _F, "s", "interquartile range of the samples"),
    Column("repeats", _I, "", "number of timed samples"),
    Column("samples", pa.list_(_F), "s", "raw per-call seconds of every sample"),
    Column("f_time_median_s", _F, "s", "median seconds per call of f itself"),
    Column("cost_ratio", _F, "", "`time_median_s / f_time_median_s`"),
    Column("flops", _F, "FLOP", "XLA `cost_analysis()` flops of one call"),
    Column("bytes_accessed", _F, "bytes", "XLA `cost_analysis()` bytes accessed"),
    Column("flops_ratio", _F, "", "flops of the gradient over flops of f"),
    Column("temp_bytes", _I, "bytes", "XLA `memory_analysis()` temporary memory"),
    Column("retraces", _I, "", "re-traces while timed (non-zero: `status=retraced`)"),
    Column("abs_err_max", _F, "", "largest absolute error against the reference"),
    Column("rel_err_max", _F, "", "largest relative error against the reference"),
    Column("rel_err_l2", _F, "", "relative error in the 2-norm"),
    Column("digits", _F, "digits", "correct digits: `-log10(rel_err_l2)` clipped to [0, 17]"),
    Column("reference", _S, "", "what the truth was (`mpmath`, `reverse_ad_f64`, ...)"),
    *_BANDWIDTH,
    Column("compiles", _I, "", "XLA compilations the case caused"),
    Column("devices", _I, "", "devices one gradient was split over"),
    Column("processes", _I, "", "processes that shared the session"),
    Column("process_id", _I, "", "the process that measured the row"),
)
"""``gradients``: one row per gradient measurement (function x n x dtype x device x method)."""

RUNS = (
    *_CASE,
    *_RUN_CONFIG,
    Column("f_final", _F, "", "loss at the last iterate (non-finite if diverged)"),
    Column("f_target", _F, "", "target loss: `f_opt + 10^k` (COCO)"),
    Column("hit_target", _B, "", "whether the run reached `f_target`"),
    Column("steps_to_target", _I, "steps", "first step at `f_target`; missing if never"),
    Column("grad_evals_to_target", _I, "", "gradient evaluations spent to reach it"),
    Column("time_to_target_s", _F, "s", "`steps_to_target` x seconds per step of one run"),
    Column("steps_per_s", _F, "1/s", "loop steps per second charged to one run"),
    Column("diverged", _B, "", "the loss became non-finite"),
    Column("status", _S, "", "`ok`, `converged`, `diverged`, `error`"),
    *_BANDWIDTH,
    Column("devices", _I, "", "devices the call's runs were split over"),
    Column("processes", _I, "", "processes that shared the session"),
    Column("runs", _I, "", "runs in the call (starts x learning rates x seeds)"),
)
"""``runs``: one row per optimizer run and target."""

TRACES = (
    *_CASE,
    *_RUN_CONFIG,
    Column("step", _I, "steps", "the traced step"),
    Column("loss", _F, "", "the loss at that step"),
    Column("time_s", _F, "s", "`step` x seconds per step of one run"),
)
"""``traces``: the strided loss trace, one row per recorded run and traced step."""

SWEEPS = (
    Column("run_id", _S, "", "the session's id"),
    Column("function", _S, "", "test function (registry name)"),
    Column("n", _I, "", "dimension"),
    Column("method", _S, "", "finite-difference method"),
    Column("device", _S, "", "platform the case ran on"),
    Column("dtype", _S, "", "`float32` or `float64`"),
    Column("step", _F, "", "relative step h"),
    Column("rel_err_l2", _F, "", "relative error in the 2-norm at that step"),
    Column("rel_err_max", _F, "", "largest relative error at that step"),
    Column("digits", _F, "digits", "correct decimal digits at that step"),
    Column("reference", _S, "", "what the truth was"),
    Column("status", _S, "", "`ok` or `error` (one row for a failed sweep)"),
    Column("error", _S, "", "why the status is not `ok`"),
)
"""``sweeps``: error against step size (the U-curve), one row per method and step."""

STUDY = (
    Column("study", _S, "", "the study's name"),
    Column("part", _S, "", "which experiment of the study the row belongs to"),
    Column("status", _S, "", "`ok`, or `error` on the one row of a study that failed"),
)
"""Columns every ``study_<name>`` table has; the rest are the study's own (its docstring)."""

TABLES = {"gradients": GRADIENTS, "runs": RUNS, "traces": TRACES, "sweeps": SWEEPS}
"""The four tables by name."""

META_COLUMNS = ("result_set", "machine", "suite", "commit", "timestamp", "device_kind")
"""Added by the reader to every table's rows, from the result set's metadata."""

REQUIRED = {
    "gradients": {"run_id", "function", "n", "dtype", "device", "method", "params", "status"}
    | {"time_median_s", "samples"},
    "runs": {"run_id", "function", "n", "optimizer"},
    "traces": {"run_id"},
    "sweeps": {"function", "method"},
}
"""What a file needs to be read as a table; columns added later read as missing values."""

GRADIENT_SCHEMA = pa.schema([(c.name, c.type) for c in GRADIENTS])
"""The Arrow schema the store writes ``gradients`` with (a row that does not fit is dropped)."""
GRADIENT_COLUMNS = tuple(GRADIENT_SCHEMA.names)
RUN_COLUMNS = [c.name for c in RUNS]


def conform(arrow: pa.Table, table: str) -> pa.Table:
    """Return ``arrow`` with its columns of ``table``'s schema cast to their declared types.

    A column that is missing in every row (Arrow's ``null`` type) gets its declared type; a
    value that does not cast leaves its column as it was. Columns the schema does not declare
    (a study's own, an error row's ``error``) keep the type Arrow inferred.
    """
    declared = {c.name: c.type for c in TABLES.get(table, ())}
    for i, field in enumerate(arrow.schema):
        kind = declared.get(field.name)
        if kind is None or field.type == kind:
            continue
        try:
            arrow = arrow.set_column(i, field.name, arrow.column(i).cast(kind))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return arrow


def required_columns(table: str) -> set[str]:
    """Return the columns a file must have to be read as ``table`` (a study: ``study``)."""
    return REQUIRED.get(table, {"study"})


def guess_table(columns: Iterable[str], path: Path | str) -> str:
    """Return the table a lone Parquet file with ``columns`` is: of the tables whose required
    columns it has, the one whose schema it matches best (Jaccard index of the column sets).

    Raises:
        DiffbenchError: no table's required columns are all there.
    """
    found = set(columns)
    candidates = [name for name in TABLES if REQUIRED[name] <= found]
    if not candidates:
        listed = ", ".join(sorted(found))
        raise DiffbenchError(f"{path} is not a diffbench table (its columns: {listed}).")

    def overlap(name: str) -> float:
        names = {c.name for c in TABLES[name]}
        return len(found & names) / len(found | names)

    return max(candidates, key=overlap)


def markdown_table(table: str) -> str:
    """Return the columns of ``table`` (``gradients`` ... or ``study``) as a markdown table:
    column, type, unit, meaning; docs/ARCHITECTURE.md holds exactly this text."""
    columns = STUDY if table == "study" else TABLES[table]
    lines = ["| column | type | unit | meaning |", "|---|---|---|---|"]
    lines += [f"| `{c.name}` | {c.type} | {c.unit} | {c.meaning} |" for c in columns]
    return "\n".join(lines)


_BLOCK = re.compile(r"(<!-- schema:(\w+) -->\n).*?(<!-- /schema -->)", re.DOTALL)


def update_document(text: str) -> str:
    """Return ``text`` with every block between ``<!-- schema:NAME -->`` and ``<!-- /schema -->``
    replaced by ``markdown_table(NAME)`` (how docs/ARCHITECTURE.md's tables are written)."""
    return _BLOCK.sub(lambda m: f"{m[1]}{markdown_table(m[2])}\n{m[3]}", text)
