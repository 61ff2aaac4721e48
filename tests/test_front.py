"""Specification of ``symtrig front`` and of choosing by a latency/LUT budget: every expression costed once."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import quick_fit

import symtrig
from symtrig.cli import main
from symtrig.select import ranked
from symtrig.store.designs import read_designs


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    return quick_fit(tmp_path_factory.mktemp("front"), "poly,exp", seed=5)


@pytest.fixture(scope="module")
def front_dir(fitted, tmp_path_factory):
    out = tmp_path_factory.mktemp("hdl")
    board = str(fitted / "leaderboard.csv")
    assert main(["front", "--leaderboard", board, "--backend", "da4ml", "--out", str(out)]) == 0
    return out


def test_every_leaderboard_row_is_costed_once_with_its_source_and_the_run_is_recorded(fitted, front_dir):
    board = pd.read_csv(fitted / "leaderboard.csv")
    front = pd.read_csv(front_dir / "front.csv")
    assert sorted(front["expr_id"]) == sorted(board["expr_id"])
    assert (front["cost_source"] == "model").all() and (front["backend"] == "da4ml").all()
    assert (front["latency_ns"] == front["latency_cycles"] * front["clock_ns"]).all()
    assert (front["latency_cycles"] >= 1).all() and (front["lut"] >= 0).all()
    # the bit-exact model of each one-output design keeps its test AUC close to float (tolerance 0.001 on
    # calibration jets; the test split is another draw)
    joined = front.merge(board[["expr_id", "auc"]], on="expr_id", suffixes=("", "_board"))
    assert ((joined["auc_fixed"] - joined["auc_board"]).abs() < 0.01).all()
    (record,) = json.loads((front_dir / "front.json").read_text())["runs"]
    assert (
        record["rows"] == len(board)
        and record["settings"]["backend"] == "da4ml"
        and "da4ml" in record["versions"]
    )


def test_a_front_of_another_backend_is_added_beside_and_a_rerun_replaces_its_own_rows(
    fitted, front_dir, tmp_path
):
    out = tmp_path / "hdl"
    out.mkdir()
    for name in ("front.csv", "front.json"):
        (out / name).write_bytes((front_dir / name).read_bytes())
    board = str(fitted / "leaderboard.csv")
    for _ in range(2):
        assert (
            main(
                [
                    "front",
                    "--leaderboard",
                    board,
                    "--backend",
                    "hls4ml",
                    "--family",
                    "poly",
                    "--out",
                    str(out),
                ]
            )
            == 0
        )
    front = pd.read_csv(out / "front.csv")
    poly = (pd.read_csv(fitted / "leaderboard.csv")["family"] == "poly").sum()
    assert (front["backend"] == "hls4ml").sum() == poly
    hls = front[front["backend"] == "hls4ml"]
    assert (hls["cost_source"] == "estimate").all() and hls["precision"].str.startswith("ap_fixed<").all()
    assert (front["backend"] == "da4ml").sum() == len(pd.read_csv(front_dir / "front.csv"))
    runs = json.loads((out / "front.json").read_text())["runs"]
    assert sorted(r["settings"]["backend"] for r in runs) == ["da4ml", "hls4ml"]  # a record per set of rows


def test_the_python_api_returns_the_same_figures_without_writing_in_one_process_or_two(fitted, front_dir):
    api = symtrig.front(leaderboard=str(fitted / "leaderboard.csv"), backend="da4ml", family="poly", jobs=2)
    written = pd.read_csv(front_dir / "front.csv").set_index("expr_id")
    assert len(api) and set(api["family"]) == {"poly"}
    board = pd.read_csv(fitted / "leaderboard.csv")
    assert list(api["expr_id"]) == list(
        board.loc[board["family"] == "poly", "expr_id"]
    )  # the leaderboard's order
    for column in ("latency_cycles", "lut", "dsp"):
        assert list(api[column]) == list(written.loc[api["expr_id"], column])


def test_a_latency_budget_in_ns_takes_per_class_the_best_validation_auc_among_rows_costed_within_it(
    fitted, front_dir, tmp_path
):
    front = pd.read_csv(front_dir / "front.csv")
    poly = front[front["family"] == "poly"]
    budget = sorted(set(poly["latency_ns"]))[0]  # the fastest designs: some classes lose their best row
    board = str(fitted / "leaderboard.csv")
    args = ["emit-hls", "--leaderboard", board, "--family", "poly", "--backend", "da4ml"]
    assert main([*args, "--max-latency-ns", f"{budget:g}", "--out", str(tmp_path)]) == 0
    (record,) = read_designs(tmp_path)
    assert record.design == f"poly_c12_max{budget:g}ns_da4ml"
    leaderboard = pd.read_csv(board).set_index("expr_id")
    for output in record.outputs:
        rows = poly[poly["class"] == output.class_name]
        fitting = rows[rows["latency_ns"] <= budget]["expr_id"]
        assert output.expr_id == ranked(leaderboard.loc[fitting].reset_index()).iloc[0]["expr_id"]
    assert record.cost.latency_ns <= budget  # measured on the built design (Yosys + schedule), not predicted


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--max-lut", "1"], "fits --max-lut 1"),
        (["--max-latency-ns", "0"], "--max-latency-ns takes a number > 0"),
        (["--max-lut", "100", "--select", "pareto"], "works with --select best"),
    ],
)
def test_a_budget_nothing_fits_or_a_bad_budget_is_a_one_line_error(fitted, tmp_path, capsys, flags, message):
    board = str(fitted / "leaderboard.csv")
    args = ["emit-hls", "--leaderboard", board, "--family", "exp", "--backend", "da4ml", *flags]
    assert main([*args, "--out", str(tmp_path / "hdl")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "hdl").exists()


def test_the_report_shows_the_front_and_the_best_auc_within_each_latency_budget(fitted, front_dir, tmp_path):
    board = fitted / "leaderboard.csv"
    out = tmp_path / "report"
    assert main(["report", "--leaderboard", str(board), "--hdl-out", str(front_dir), "--out", str(out)]) == 0
    for stem in ("front_auc_vs_latency", "front_auc_vs_lut", "front_rejection_vs_latency"):
        assert (out / f"{stem}.png").stat().st_size > 0 and (out / f"{stem}.pdf").exists()
    summary = (out / "summary.md").read_text()
    front = pd.read_csv(front_dir / "front.csv")
    for budget in (5, 10, 20):
        fitting = front[front["latency_ns"] <= budget]
        if fitting.empty:
            continue
        cells = []
        for name in sorted(set(front["class"])):
            rows = fitting[fitting["class"] == name]
            best = ranked(rows).iloc[0] if len(rows) else None
            cells.append("–" if best is None else f"{best['auc_fixed'] / best['auc_teacher']:.3f}")
        assert f"| da4ml (5 ns clock) | ≤ {budget} ns | {' | '.join(cells)} |" in summary
    # without a front there is no front figure and no section
    empty = tmp_path / "no_front"
    empty.mkdir()
    assert main(["report", "--leaderboard", str(board), "--hdl-out", str(empty), "--out", str(out)]) == 0
    assert (
        not (out / "front_auc_vs_latency.png").exists()
        and "whole front" not in (out / "summary.md").read_text()
    )


def test_an_hls4ml_front_row_costs_its_expression_as_emit_hls_builds_it_alone(fitted, tmp_path):
    """The row's precision, cycles, resources and fixed-point AUC are those of the one-output design emit-hls
    builds for that expression (same precision search, same estimate, same emulator)."""
    board = str(fitted / "leaderboard.csv")
    out = tmp_path / "hdl"
    common = ["--leaderboard", board, "--backend", "hls4ml", "--out", str(out)]
    assert main(["front", *common, "--family", "exp"]) == 0
    front = pd.read_csv(out / "front.csv")
    row = front.sort_values("complexity").iloc[len(front) // 2]  # a mid-front expression with tables
    assert main(["emit-hls", *common, "--select", row["expr_id"]]) == 0
    (record_path,) = out.glob("*/design.json")
    record = json.loads(record_path.read_text())
    cost = record["cost"]
    assert record["precision"] == row["precision"]
    assert (cost["latency_cycles"], cost["lut"], cost["dsp"], cost["bram"]) == (
        row["latency_cycles"],
        row["lut"],
        row["dsp"],
        row["bram"],
    )
    assert record["outputs"][0]["auc_fixed"] == pytest.approx(row["auc_fixed"], abs=1e-12)
