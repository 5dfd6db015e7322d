"""The report's scale-out efficiencies, from hand-made ``runs`` rows with known throughputs,
and the suite keys (``shards``, ``scale``) that make such rows."""

from __future__ import annotations

import pandas as pd
import pytest

from diffbench.report import _scale_out


def _rows(cases: list[tuple[int, int, float]]) -> pd.DataFrame:
    """``runs`` rows (two targets each) of calls ``(devices, runs, run-steps/s)``."""
    config = dict(result_set="s", function="rastrigin", n=2, dtype="float64", device="cpu")
    config.update(optimizer="adam", steps=500, lr=0.01, batch=None, status="ok")
    return pd.DataFrame(
        [
            {**config, "devices": d, "runs": r, "steps_per_s": sps, "start": k}
            for d, r, sps in cases
            for k in range(2)
        ]
    )


def test_strong_and_weak_efficiency_closed_form() -> None:
    # strong: 1200 runs at 1e6 run-steps/s on one device, 1.5e6 on 2, 3.2e6 on 4
    # weak: 300 runs at 0.8e6 on one device, 600 runs at 1.2e6 on 2
    rows = _rows([(1, 1200, 1e6), (2, 1200, 1.5e6), (4, 1200, 3.2e6), (1, 300, 0.8e6)])
    rows = pd.concat([rows, _rows([(2, 600, 1.2e6), (4, 1200, 3.2e6)])])
    table = _scale_out.efficiencies(rows)
    got = {(r.scale, r.devices, r.runs): r.efficiency for r in table.itertuples()}
    # E = throughput(D) / (D * throughput(1)); weak: time(1)/time(D) = (300/0.8e6)/(600/1.2e6)
    assert got[("strong", 2, 1200)] == pytest.approx(1.5 / 2)
    assert got[("strong", 4, 1200)] == pytest.approx(3.2 / 4)
    assert got[("weak", 2, 600)] == pytest.approx((300 / 0.8e6) / (600 / 1.2e6))
    assert got[("weak", 4, 1200)] == pytest.approx((300 / 0.8e6) / (1200 / 3.2e6))
    assert len(got) == 4  # no weak pair for (2, 1200): 600 runs on one device were not run


def test_no_baseline_no_section() -> None:
    assert _scale_out.efficiencies(_rows([(2, 100, 1.0), (4, 100, 2.0)])).empty
    assert _scale_out.devices_table(pd.DataFrame()) is None


def test_process_efficiency_from_metadata() -> None:
    meta = [
        {"suite": "smoke", "status": "complete", "wall_s": 100.0},
        {"suite": "smoke", "status": "complete", "wall_s": 62.5, "processes": 2},
        {"suite": "smoke", "status": "interrupted", "wall_s": 1.0, "processes": 4},
    ]
    table = _scale_out.processes_table(meta)
    assert table is not None and [r[1:] for r in table.rows] == [
        ["1", "100", "100%"],
        ["2", "62.5", "80%"],
    ]


def test_suite_shards_and_weak_scale(tmp_path) -> None:
    from diffbench.harness import load_suite

    path = tmp_path / "s.toml"
    path.write_text(
        '[suite]\ndtypes = ["float64"]\n[[runs]]\nfunctions = ["sphere"]\ndims = [2]\n'
        'starts = 10\nshards = [1, 4]\nscale = "weak"\n'
    )
    cases = load_suite(path).cases(["cpu"], None)
    assert [(c.shards, c.starts) for c in cases] == [(1, 10), (4, 40)]
    assert cases[0].key() == cases[0].__class__(**{**cases[0].__dict__}).key()
    assert '"run"' in cases[0].key() and cases[0].key().endswith("null]")  # old keys unchanged


def test_report_section_has_table_and_figure() -> None:
    from diffbench.report._report import scale_out_sections
    from diffbench.results import Results

    runs = _rows([(1, 1200, 1e6), (2, 1200, 1.5e6)])
    (section,) = scale_out_sections(Results(runs=runs))
    assert section.key == "scale_out" and section.figure and section.figure[:4] == b"\x89PNG"
    assert [row[3:] for row in section.tables[0].rows] == [
        ["strong", "2", "1,200", "1.5e+06", "75%"]
    ]
    assert scale_out_sections(Results(runs=runs[runs["devices"] == 1])) == []
