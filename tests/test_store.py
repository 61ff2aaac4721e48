"""The typed records stages hand each other: written and read back unchanged, and validated on the way in."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from symtrig.errors import SymtrigError
from symtrig.store import leaderboard, paths
from symtrig.store.costs import CostReport
from symtrig.store.designs import (
    DESIGN_COLUMNS,
    SCHEMA_VERSION,
    DesignOutput,
    DesignRecord,
    Tolerance,
    read_designs,
    scan_designs,
    write_design,
    write_designs_table,
)
from symtrig.store.runs import RunRecord, read_run, write_run
from symtrig.store.searches import SearchJob, SearchRecord, StoredMember, read_search, write_search

JOB = SearchJob(
    "t", "log", 40, 0, "operon", 40.0, None, 10_000, "unit", "teacher-logodds", "sha256:d", "sha256:t"
)
MEMBER = StoredMember("0.5*mass_mmdt - logabs(zlogz)", 6, 6, 0.3, 0.9, 0.91, 0.8, 30.0, "operon")


def _record(**changes) -> SearchRecord:
    fields = dict(
        search_id=JOB.search_id,
        key=JOB.key,
        job=JOB,
        auc_teacher=0.94,
        rejection50_teacher=60.0,
        front=(MEMBER,),
        inputs="standardized",
        versions={"symtrig": "0"},
        created="2026-12-01T00:00:00+00:00",
    )
    return SearchRecord(**{**fields, **changes})


def test_a_search_record_survives_the_round_trip(tmp_path):
    path = write_search(tmp_path, _record(n_threads=2, search_seconds=40.1))
    assert path == paths.search_file(tmp_path, JOB.search_id)
    assert read_search(path) == _record(n_threads=2, search_seconds=40.1)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.pop("front"),
        lambda d: d["front"][0].update(expression="__import__('os').system('true')"),
        lambda d: d["front"][0].update(auc="high"),
        lambda d: d["job"].update(seed=1),  # the key no longer matches the job
        lambda d: d["job"].update(unknown_setting=3),
    ],
)
def test_a_spoiled_search_record_is_not_read(tmp_path, spoil):
    path = write_search(tmp_path, _record())
    data = json.loads(path.read_text())
    spoil(data)
    path.write_text(json.dumps(data))
    assert read_search(path) is None


def test_a_run_record_round_trips_and_a_partial_one_is_a_one_line_error(tmp_path):
    run = RunRecord(
        command="fit",
        settings={"data": "sample", "seed": 3, "data_home": None},
        dataset={"label": "sample (simulated)", "fingerprint": "sha256:d"},
        teacher="expressions/teacher/teacher.skops",
        teacher_id="sha256:t",
        mean=(0.5, 1.5),
        scale=(2.0, 3.0),
        counts={"jobs": 20, "run": 20, "skipped": 0},
    )
    write_run(tmp_path / "run.json", run)
    assert read_run(tmp_path / "run.json") == run
    assert (run.data_source, run.seed, run.fingerprint) == ("sample", 3, "sha256:d")
    (tmp_path / "run.json").write_text('{"command": "fit", "settings": {"seed": 0}}')
    with pytest.raises(SymtrigError, match="not a complete run record"):
        read_run(tmp_path / "run.json")


def test_the_leaderboard_is_written_with_its_declared_types_and_read_back_equal(tmp_path):
    rows = [
        {column: _value(column, i) for column in leaderboard.COLUMNS if column not in ("pareto", "best")}
        for i in range(3)
    ]
    frame = leaderboard.build(rows)
    assert list(frame.columns[: len(leaderboard.COLUMNS)]) == list(leaderboard.COLUMNS)
    assert frame["best"].dtype == bool and frame["pareto"].dtype == bool
    path = leaderboard.write(frame, tmp_path / "leaderboard.csv")
    again = leaderboard.read(path)
    pd.testing.assert_frame_equal(again, frame)


def _value(column: str, i: int):
    kind = leaderboard.COLUMNS[column]
    if column == "class":
        return "g"
    if column == "expression":
        return f"{i + 1}*mass_mmdt"
    if column == "expr_id":
        return f"id{i}"
    return {"int64": i + 1, "float64": 0.5 + i / 10, "string": f"{column}{i}"}[kind]


def _design_record() -> DesignRecord:
    return DesignRecord(
        design="poly_c40",
        backend="hls4ml",
        outputs=(DesignOutput(0, "g", "g-id", "poly", "x", "x", 0.8, 0.7995, 0.0002, 0.0, 0.0),),
        precision="ap_fixed<12,5>",
        tolerance=Tolerance(0.001, True, 0.0, True),
        cost=CostReport(3, 15.0, 1, 7, 300, 200, 0, "estimate"),
        clock_ns=5.0,
        part="xcvu9p-flga2577-2-e",
        inputs="standardized",
        mean=(0.0,),
        scale=(1.0,),
        dataset={"label": "sample (simulated)", "fingerprint": "sha256:d"},
        settings={"max_latency": None},
    )


def test_a_design_record_round_trips_and_the_table_lists_each_design(tmp_path):
    record = _design_record()
    write_design(tmp_path / "poly_c40", record)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "design.json").write_text("{not json")
    with pytest.warns(UserWarning, match="broken/design.json not read"):
        assert read_designs(tmp_path) == [record]
    table = pd.read_csv(write_designs_table(tmp_path))
    assert list(table.columns) == list(DESIGN_COLUMNS) and table["design"].tolist() == ["poly_c40"]
    assert table.loc[0, "worst_auc_change"] == pytest.approx(0.0005)
    assert np.isnan(table.loc[0, "max_latency"])


def test_a_record_of_a_newer_layout_or_with_an_unknown_field_is_reported_by_name_not_skipped(tmp_path):
    record = _design_record()
    data = record.to_json()
    assert data["schema"] == SCHEMA_VERSION and data["cost"]["sources"] == ["estimate"]
    older = {k: v for k, v in data.items() if k != "schema"}  # written before the layout had a version
    newer = {**data, "schema": SCHEMA_VERSION + 1}
    extra = {**data, "cost": {**data["cost"], "routed_fmax_mhz": 250.0}}
    for name, content in (("older", older), ("newer", newer), ("extra", extra)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "design.json").write_text(json.dumps(content))
    scan = scan_designs(tmp_path)
    assert [r.design for r in scan.records] == ["poly_c40"]
    reasons = {p.path.parent.name: p.reason for p in scan.unreadable}
    assert set(reasons) == {"newer", "extra"}
    assert f"schema {SCHEMA_VERSION + 1}" in reasons["newer"] and "routed_fmax_mhz" in reasons["extra"]


def test_the_package_exports_its_api_and_version():
    import symtrig

    assert symtrig.__version__ and symtrig.__version__ != "0+unknown"
    for name in symtrig.__all__:
        assert getattr(symtrig, name) is not None, name


def test_a_cost_lists_every_source_behind_its_figures():
    routed = {"source": "nextpnr (post-route)", "fmax_mhz": 120.0}
    cost = CostReport(
        3, 15.0, 1, 2, 900, 300, 0, "yosys", {"delay_model": "UltraScale+", "place_and_route": routed}
    )
    assert cost.sources == ("yosys", "delay model: UltraScale+", "nextpnr (post-route)")
    assert CostReport(4, 20.0, 1, 2, 900, 300, 0, "estimate").sources == ("estimate",)
