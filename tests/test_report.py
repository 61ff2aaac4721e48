"""Specification of ``symtrig report``: figures and summary from a real (tiny) fit, honest labels, clean errors."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import make_jet_frame
from PIL import Image

from symtrig import report
from symtrig.cli import main
from symtrig.data import CLASSES
from symtrig.errors import SymtrigError

TINY_FIT = [
    "--generations",
    "3",
    "--budget",
    "30",
    "--max-rows",
    "400",
    "--cmax",
    "10",
    "--families",
    "poly,trig",
]


@pytest.fixture(scope="module")
def jets_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("jets") / "jets.parquet"
    make_jet_frame(per_class=80, seed=11).to_parquet(path)
    return path


@pytest.fixture(scope="module")
def fit_dir(tmp_path_factory, jets_file):
    """A real `symtrig fit` output folder (leaderboard, run.json, searches, teacher)."""
    out = tmp_path_factory.mktemp("fit") / "expressions"
    assert main(["fit", "--data", str(jets_file), "--out", str(out), *TINY_FIT]) == 0
    return out


@pytest.fixture(scope="module")
def plain_report(fit_dir):
    """The report of the fit as it is (no `emit-hls` columns)."""
    assert main(["report", "--leaderboard", str(fit_dir / "leaderboard.csv")]) == 0
    return fit_dir / "report"


def add_fixture_hls_columns(folder, sources: list[str]) -> None:
    """TEST FIXTURE ONLY: invented, plausible emit-hls columns (not measured) so the hardware plots can be
    exercised before `emit-hls` lands. Shaped like emit-hls output: each family's best set is one 5-output
    design sharing one cost; every other expression is its own design. Latency grows with complexity."""
    path = folder / "leaderboard.csv"
    frame = pd.read_csv(path)
    frame["design"] = np.where(
        frame["best"], frame["family"] + "_c" + frame["cmax"].astype(str), "expr_" + frame["expr_id"]
    )
    size = frame.groupby("design")["complexity"].transform("sum").to_numpy()
    products = frame.groupby("design")["expression"].transform(lambda e: e.str.count(r"\*").sum())
    frame["precision"] = "ap_fixed<16,6>"
    frame["auc_fixed"] = frame["auc"] - 0.002 * frame["complexity"] / frame["complexity"].max()
    frame["auc_fixed_drop"] = frame["auc"] - frame["auc_fixed"]
    frame["overflow_rate"] = 0.0
    frame["lut_clip_rate"] = 0.0
    frame["latency_cycles"] = 1 + size // 6
    frame["latency_ns"] = 5.0 * frame["latency_cycles"]
    frame["dsp"] = products
    frame["lut"] = 35 * size
    frame["ff"] = 28 * size
    frame["bram"] = frame.groupby("design")["expression"].transform(lambda e: e.str.count("sin|cos").sum())
    codes = frame["design"].astype("category").cat.codes
    frame["cost_source"] = [sources[code % len(sources)] for code in codes]
    frame.to_csv(path, index=False)


def shown_rejection(value: float) -> str:
    """How the summary writes a rejection: one decimal, or in words when no background jet is left."""
    return "∞ (no background left)" if np.isinf(value) else f"{value:.1f}"


def png_ok(path) -> tuple[int, int]:
    """A decodable PNG with real content; returns its size."""
    with Image.open(path) as image:
        assert image.format == "PNG"
        image.load()
        pixels = np.asarray(image.convert("L"), dtype=float)
    assert pixels.std() > 5, f"{path.name} is blank"
    return image.size


def test_report_without_hardware_plots_complexity_and_says_emit_hls_is_missing(plain_report, fit_dir):
    names = sorted(p.name for p in plain_report.iterdir())
    assert names == ["auc_vs_complexity.png", "roc.png", "summary.md"]  # no temp files, no hardware plots
    for name in ("auc_vs_complexity.png", "roc.png"):
        width, height = png_ok(plain_report / name)
        assert 1000 <= width <= 2500 and 600 <= height <= 1500
    summary = (plain_report / "summary.md").read_text()
    run = json.loads((fit_dir / "run.json").read_text())
    assert run["dataset"]["label"] in summary.splitlines()[0]
    assert run["dataset"]["fingerprint"] in summary
    assert "`symtrig emit-hls` has not been run" in summary
    assert "](auc_vs_complexity.png)" in summary and "](roc.png)" in summary
    for family in ("poly", "trig"):
        assert f"### {family}" in summary
    board = pd.read_csv(fit_dir / "leaderboard.csv")
    teacher = json.loads((fit_dir / "teacher" / "teacher.json").read_text())
    assert f"{teacher['auc']['t']:.4f}" in summary
    best_t = board[board["best"] & (board["class"] == "t") & (board["family"] == "poly")].iloc[0]
    assert (
        f"| t | `{report.display_expression(best_t['expression'])}` | {int(best_t['complexity'])} |"
        in summary
    )
    row = next(
        line
        for line in summary.splitlines()
        if line.startswith(f"| t | `{report.display_expression(best_t['expression'])}`")
    )
    assert f"| {shown_rejection(best_t['rejection50'])} |" in row  # background rejection at εS = 50 %
    teacher_row = next(line for line in summary.splitlines() if line.startswith("| t (top quark) vs rest |"))
    assert (
        f"| {shown_rejection(best_t['rejection50_teacher'])} |" in teacher_row
        and "1/εB at εS = 50 %" in summary
    )


def test_report_with_hardware_columns_plots_them_and_labels_estimate_and_synthesis(fit_dir, tmp_path):
    folder = tmp_path / "expressions"
    shutil.copytree(fit_dir, folder, ignore=shutil.ignore_patterns("report"))
    add_fixture_hls_columns(folder, ["estimate", "csynth"])
    out = tmp_path / "rep"
    assert main(["report", "--leaderboard", str(folder / "leaderboard.csv"), "--out", str(out)]) == 0
    for name in (
        "auc_vs_latency.png",
        "auc_vs_dsp.png",
        "auc_vs_lut.png",
        "auc_vs_complexity.png",
        "roc.png",
    ):
        png_ok(out / name)
    summary = (out / "summary.md").read_text()
    hardware_line = next(line for line in summary.splitlines() if line.startswith("- Hardware figures:"))
    assert "**estimate and synthesis**" in hardware_line and "csynth" in hardware_line
    assert "emit-hls` has not been run" not in summary
    assert "fixed-point AUC" in summary and "`ap_fixed<16,6>`" in summary
    assert "Test AUC vs latency [ns] (estimate and synthesis)" in summary  # the caption says it too
    assert "](auc_vs_dsp.png)" in summary and "](auc_vs_lut.png)" in summary
    board = pd.read_csv(folder / "leaderboard.csv")
    poly = board[board["design"] == "poly_c10"].iloc[0]
    assert (  # a 5-output IP's cost is stated once for the set, with its source, not repeated per class
        f"HLS design `poly_c10`, one IP with 5 outputs: {poly['latency_ns']:.1f} ns, "
        f"{poly['latency_cycles']} cycles, {poly['dsp']} DSP, {poly['lut']} LUT"
    ) in summary


def test_estimates_are_never_called_synthesis(fit_dir, tmp_path):
    folder = tmp_path / "expressions"
    shutil.copytree(fit_dir, folder, ignore=shutil.ignore_patterns("report"))
    add_fixture_hls_columns(folder, ["estimate"])
    inputs = report.load_inputs(folder / "leaderboard.csv")
    captions = report.figure_captions(inputs)
    assert list(captions) == ["auc_vs_complexity.png", "auc_vs_latency.png", "auc_vs_dsp.png", "auc_vs_lut.png",
                              "roc.png"]  # fmt: skip
    assert all(inputs.dataset_label in caption for caption in captions.values())
    assert "(estimate)" in captions["auc_vs_latency.png"] and "(estimate)" in captions["auc_vs_lut.png"]
    summary = report.summary_markdown(inputs, report.best_expressions(inputs.frame), captions)
    assert "synthesis" not in summary.replace("not synthesized", "")
    assert "**estimate**" in summary and "| estimate |" not in summary  # best sets are one design each


def test_roc_curves_are_the_leaderboards_expressions_on_the_fit_test_split(fit_dir):
    inputs = report.load_inputs(fit_dir / "leaderboard.csv")
    best = report.best_expressions(inputs.frame)
    data, teacher = report.load_evaluation(inputs)
    curves = report.roc_curves(inputs, best, data, teacher)
    assert list(curves) == list(CLASSES)
    for per_class in curves.values():
        assert [c.label.split(" ")[0] for c in per_class] == ["teacher", "poly", "trig"]
        for curve in per_class:  # the area under the evaluated curve is the AUC the leaderboard/card stored
            assert np.trapezoid(curve.signal_eff, curve.mistag) == pytest.approx(curve.auc, abs=1e-9)
            assert np.all(np.diff(curve.signal_eff) >= 0) and curve.mistag[-1] == 1.0


def test_pareto_front_keeps_only_non_dominated_points_in_cost_order():
    cost = [4, 1, 2, 2, 3, 5]
    auc = [0.80, 0.50, 0.60, 0.70, 0.65, 0.80]
    assert report.pareto_front(cost, auc).tolist() == [1, 3, 0]


def test_best_expressions_pick_the_setting_with_the_best_validation_auc_not_test_auc():
    rows = []
    for cmax, auc_val, auc in ((10, 0.90, 0.95), (20, 0.92, 0.80)):
        for name in CLASSES:
            rows.append(
                {"family": "poly", "cmax": cmax, "class": name, "best": True, "auc_val": auc_val, "auc": auc}
            )
    chosen = report.best_expressions(pd.DataFrame(rows))
    assert chosen["cmax"].tolist() == [20] * 5 and chosen["class"].tolist() == list(CLASSES)


def _error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("symtrig: error:") and "\n" not in err and "Traceback" not in err
    return err


def test_missing_leaderboard_exits_2(tmp_path, capsys):
    assert main(["report", "--leaderboard", str(tmp_path / "nope.csv")]) == 2
    assert "no such leaderboard" in _error_line(capsys)


def test_malformed_leaderboard_exits_2(tmp_path, capsys):
    (tmp_path / "leaderboard.csv").write_text("this,is\nnot,a leaderboard\n")
    assert main(["report", "--leaderboard", str(tmp_path / "leaderboard.csv")]) == 2
    assert "missing column" in _error_line(capsys)


def test_missing_run_record_exits_2(fit_dir, tmp_path, capsys):
    shutil.copy(fit_dir / "leaderboard.csv", tmp_path / "leaderboard.csv")
    assert main(["report", "--leaderboard", str(tmp_path / "leaderboard.csv")]) == 2
    assert "run.json" in _error_line(capsys)


def test_run_record_of_other_jets_exits_2(fit_dir, tmp_path, capsys):
    folder = tmp_path / "expressions"
    shutil.copytree(fit_dir, folder, ignore=shutil.ignore_patterns("report"))
    run = json.loads((folder / "run.json").read_text())
    run["dataset"]["fingerprint"] = "sha256:0000000000000000"
    (folder / "run.json").write_text(json.dumps(run))
    assert main(["report", "--leaderboard", str(folder / "leaderboard.csv")]) == 2
    assert "sha256:0000000000000000" in _error_line(capsys)
    assert not (folder / "report").exists()


def test_data_that_is_not_the_fits_jets_exits_2_before_writing(fit_dir, tmp_path, capsys):
    other = tmp_path / "other.parquet"
    make_jet_frame(per_class=80, seed=12).to_parquet(other)
    out = tmp_path / "rep"
    args = [
        "report",
        "--leaderboard",
        str(fit_dir / "leaderboard.csv"),
        "--data",
        str(other),
        "--out",
        str(out),
    ]
    assert main(args) == 2
    assert "fingerprint" in _error_line(capsys)
    assert not out.exists()


def test_unknown_cost_source_is_a_user_error(fit_dir, tmp_path):
    folder = tmp_path / "expressions"
    shutil.copytree(fit_dir, folder, ignore=shutil.ignore_patterns("report"))
    add_fixture_hls_columns(folder, ["guess"])
    with pytest.raises(SymtrigError, match="unknown cost_source 'guess'"):
        report.make_report(folder / "leaderboard.csv")


def _design_record(name: str, fingerprint: str, latency_cycles: int) -> dict:
    """TEST FIXTURE ONLY: the fields of an emit-hls ``design.json`` the designs table reads (invented values)."""
    outputs = [
        {"class": c, "family": "poly", "auc_fixed": 0.80 + k / 100, "auc_float": 0.80 + k / 100 + 0.0004}
        for k, c in enumerate(CLASSES)
    ]
    cost = {"latency_cycles": latency_cycles, "latency_ns": 5.0 * latency_cycles, "clock_ns": 5.0, "dsp": 7,
            "lut": 300, "ff": 200, "bram": 0, "source": "estimate"}  # fmt: skip
    return {"design": name, "outputs": outputs, "cost": cost, "precision": "ap_fixed<12,5>",
            "settings": {"max_latency": None}, "dataset": {"label": "x", "fingerprint": fingerprint}}  # fmt: skip


def test_the_designs_section_lists_designs_of_these_jets_and_counts_the_others(fit_dir, tmp_path):
    inputs = report.load_inputs(fit_dir / "leaderboard.csv")
    hdl = tmp_path / "hdl"
    for name, fingerprint, cycles in (("mine", inputs.fingerprint, 3), ("other", "sha256:other", 9)):
        (hdl / name).mkdir(parents=True)
        (hdl / name / "design.json").write_text(json.dumps(_design_record(name, fingerprint, cycles)))
    (hdl / "broken").mkdir()
    (hdl / "broken" / "design.json").write_text("{not json")
    from symtrig.hls.designs import read_designs

    designs = read_designs(hdl)
    assert designs["design"].tolist() == ["mine", "other"]  # the unreadable record is left out
    summary = report.summary_markdown(inputs, report.best_expressions(inputs.frame), {}, designs)
    section = summary.split("## HLS designs", 1)[1]
    assert "| mine | poly | `ap_fixed<12,5>` | 3 | 15.0 | 7 | 300 | 200 | 0 | estimate | – |" in section
    assert "| other |" not in section and "1 design(s) in the folder were made on other jets" in section
    assert "| 0.00040 |" in section  # worst |fixed - float| AUC over the outputs
    header, rule = [line for line in section.splitlines() if line.startswith("|")][:2]
    unescaped = header.replace("\\|", "")  # a pipe inside a cell must be escaped, or it splits the cell
    assert unescaped.count("|") == rule.count("|")
