"""Specification of ``symtrig report``: a real (tiny) fit and emit-hls, then the report; what it shows, how it
joins designs to expressions, and how it refuses inconsistent inputs without writing anything."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from dataclasses import replace

import numpy as np
import pytest
import sympy
from conftest import make_jet_frame
from PIL import Image

from symtrig import expr as ex
from symtrig import report
from symtrig.cli import main
from symtrig.data import CLASSES, FEATURES
from symtrig.errors import SymtrigError
from symtrig.report import markdown, plots, style
from symtrig.select import best_rows
from symtrig.store import leaderboard
from symtrig.store.costs import CostReport
from symtrig.store.designs import read_design, write_design

TINY_FIT = [
    "--generations",
    "4",
    "--budget",
    "30",
    "--max-rows",
    "400",
    "--cmax",
    "12",
    "--families",
    "poly,trig",
]
FIGURES = ("auc_vs_complexity", "auc_vs_latency", "auc_vs_lut", "auc_vs_dsp", "roc")


@pytest.fixture(scope="module")
def jets_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("jets") / "jets.parquet"
    make_jet_frame(per_class=120, seed=11).to_parquet(path)
    return path


@pytest.fixture(scope="module")
def board(tmp_path_factory, jets_file):
    """A real `symtrig fit` leaderboard (with run.json, searches and the teacher beside it)."""
    out = tmp_path_factory.mktemp("fit") / "expressions"
    assert main(["fit", "--data", str(jets_file), "--out", str(out), *TINY_FIT]) == 0
    return out / "leaderboard.csv"


@pytest.fixture(scope="module")
def hdl(tmp_path_factory, board):
    """Real emit-hls designs (hls4ml: poly_c12, trig_c12, and poly_c12 at ap_fixed<6,3>, which misses the AUC
    tolerance), plus records the report must tell apart. The da4ml one is a TEST FIXTURE: the real poly_c12
    record with invented Yosys figures (no da4ml flow in this tree yet): same expressions, its own cost."""
    folder = tmp_path_factory.mktemp("designs") / "hdl"
    assert main(["emit-hls", "--leaderboard", str(board), "--out", str(folder)]) == 0
    narrow = folder.parent / "narrow"
    args = ["--family", "poly", "--precision", "ap_fixed<6,3>", "--out", str(narrow)]
    assert main(["emit-hls", "--leaderboard", str(board), *args]) == 0
    poly = read_design(folder / "poly_c12" / "design.json")
    write_design(
        folder / "poly_c12_w6",
        replace(read_design(narrow / "poly_c12" / "design.json"), design="poly_c12_w6"),
    )
    yosys = CostReport(
        latency_cycles=3, latency_ns=15.0, interval=1, dsp=0, lut=911, ff=420, bram=0, source="yosys"
    )
    write_design(
        folder / "poly_c12_da4ml", replace(poly, design="poly_c12_da4ml", backend="da4ml", cost=yosys)
    )
    other_jets = {**poly.dataset, "fingerprint": "sha256:00000000other000"}
    write_design(folder / "other_jets", replace(poly, design="other_jets", dataset=other_jets))
    foreign = tuple(replace(o, expr_id=f"{o.expr_id}-elsewhere") for o in poly.outputs)
    write_design(folder / "foreign", replace(poly, design="foreign", outputs=foreign))
    (folder / "broken").mkdir()
    (folder / "broken" / "design.json").write_text("{not json")
    return folder


@pytest.fixture(scope="module")
def made(tmp_path_factory, board, hdl):
    """The report through the CLI; returns its folder and what the command printed."""
    out = tmp_path_factory.mktemp("made") / "report"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["report", "--leaderboard", str(board), "--hdl-out", str(hdl), "--out", str(out)])
    assert code == 0
    return out, printed.getvalue()


@pytest.fixture(scope="module")
def inputs(board, hdl):
    return report.load_inputs(board, hdl)


def summary_section(folder, title: str) -> str:
    text = (folder / "summary.md").read_text()
    return text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def table_rows(section: str, first_cell: str) -> list[list[str]]:
    """The cells of every table row of ``section`` whose first cell is ``first_cell`` (escaped pipes kept)."""
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.replace("\\|", "\0").strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_cell:
            rows.append([c.replace("\0", "\\|") for c in cells])
    return rows


def test_every_figure_is_a_150_dpi_png_and_a_pdf_and_the_command_lists_every_file(made):
    folder, printed = made
    expected = {f"{stem}.{ext}" for stem in FIGURES for ext in ("png", "pdf")} | {"summary.md"}
    assert {p.name for p in folder.iterdir()} == expected  # no temporaries left behind
    assert {line.strip() for line in printed.splitlines()[1:]} == {str(folder / name) for name in expected}
    for stem in FIGURES:
        with Image.open(folder / f"{stem}.png") as image:
            assert image.format == "PNG" and min(image.info["dpi"]) >= 149.9
            assert np.asarray(image.convert("L"), dtype=float).std() > 5  # not blank
        assert (folder / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
        assert f"]({stem}.png)" in (folder / "summary.md").read_text()


def test_the_best_expressions_shown_are_exactly_those_select_chooses(made, board):
    folder, _ = made
    section = summary_section(folder, "Best expression")
    chosen = best_rows(leaderboard.read(board))
    shown = set()
    for block in section.split("### ")[1:]:
        family, cmax = block.split("\n", 1)[0].split(", c_max ")
        for name in CLASSES:
            for cells in table_rows(block, name):
                shown.add((family, int(cmax), name, cells[7].strip("`").replace("\\|", "|")))
    wanted = {
        (r["family"], int(r["cmax"]), r["class"], markdown.display_expression(r["expression"]))
        for r in chosen.to_dict("records")
    }
    assert shown == wanted and len(shown) == len(chosen)


def test_each_best_expressions_latex_is_in_the_summary_next_to_its_text(made, board):
    summary = (made[0] / "summary.md").read_text()
    for row in best_rows(leaderboard.read(board)).to_dict("records"):
        assert f"$$y_{{{row['class']}}} = {markdown.latex_expression(row['expression'])}$$" in summary


LATEX_CASES = (
    "0.6187608666081992*(0.17401163637763103 - 0.014656302573018223*multiplicity)*(-(-cos(3.846740094015011"
    "*mass_mmdt) - 6.358167225163877)*(8.030690446954504*multiplicity - 4.796696872081482*c1_b1_mmdt"
    " + 3.536158637430034*c1_b2_mmdt - cos(6.499975457762479*mass_mmdt) - 6.143020040278567)"
    " + 318.9914538086573) - 32.61348017388415",
    "1.5*gauss(0.731*mass_mmdt - 0.2) - 2.0e-5*logabs(c1_b0_mmdt + 0.35)*zlogz**2",
    "exp(-0.123456*n2_b1_mmdt)*sin(d2_b1_mmdt)**3 - 7.25",
)


@pytest.mark.parametrize("text", LATEX_CASES)
def test_the_latex_form_parses_back_to_the_values_of_the_text_form(text):
    from sympy.parsing.latex import parse_latex

    pytest.importorskip("lark", reason="sympy's LaTeX parser (lark backend) is not installed")
    latex = markdown.latex_expression(text)
    names = [f"x_{{{chr(ord('a') + i)}}}" for i in range(len(FEATURES))]  # the parser reads x_{a}, not x_{15}
    for name, symbol in zip(FEATURES, names, strict=True):
        latex = latex.replace(r"\mathrm{" + name.replace("_", r"\_") + "}", symbol)
    parsed = parse_latex(latex, backend="lark").subs(sympy.Symbol("e"), sympy.E)
    symbols = [sympy.Symbol(n) for n in names]
    X = np.random.default_rng(0).normal(size=(200, len(FEATURES)))
    from_latex = sympy.lambdify(symbols, parsed, "numpy")(*X.T)
    from_text = ex.evaluate(ex.parse_expression(markdown.display_expression(text)), X)
    assert np.allclose(from_latex, from_text, rtol=1e-9, atol=1e-12)


def test_designs_of_other_jets_or_expressions_are_not_used_and_are_counted(made, inputs):
    assert inputs.designs.other_jets == ("other_jets",) and inputs.designs.other_expressions == ("foreign",)
    (broken,) = inputs.designs.unreadable
    assert broken.path.parent.name == "broken" and broken.reason
    used = sorted(d.design for d in inputs.designs.used)
    assert used == ["poly_c12", "poly_c12_da4ml", "poly_c12_w6", "trig_c12"]
    assert set(report.hardware_points(inputs)["design"]) == set(used)
    section = summary_section(made[0], "Designs")
    assert "1 design(s) were made on other jets and are not used: `other_jets`" in section
    assert "1 design(s) compute expressions this leaderboard does not hold" in section
    assert "`broken`: its design.json could not be read (" in section
    assert sorted(row[0].strip("`") for d in used for row in table_rows(section, f"`{d}`")) == used


def test_a_design_that_misses_the_tolerance_is_marked(made, hdl):
    record = read_design(hdl / "poly_c12_w6" / "design.json")
    assert not record.tolerance.meets  # ap_fixed<6,3> really loses AUC
    section = summary_section(made[0], "Designs")
    (row,) = table_rows(section, "`poly_c12_w6`")
    assert row[-1].startswith("**NO**") and f"class {record.tolerance.failing_class}" in row[-1]
    assert "**Warning: 1 design(s) miss the AUC tolerance: `poly_c12_w6`.**" in section
    for name in ("poly_c12", "trig_c12"):
        assert table_rows(section, f"`{name}`")[0][-1].startswith("yes")


def test_hardware_points_join_designs_to_expressions_by_expr_id(made, inputs, hdl):
    points = report.hardware_points(inputs)
    frame = inputs.frame.set_index("expr_id")
    shared = [o.expr_id for o in read_design(hdl / "poly_c12" / "design.json").outputs]
    for expr_id in shared:  # the same expression, built twice: both designs keep their own figures
        rows = points[points["expr_id"] == expr_id].set_index("design")
        assert set(rows.index) == {"poly_c12", "poly_c12_da4ml", "poly_c12_w6"}
        assert rows.loc["poly_c12_da4ml", "lut"] == 911 and rows.loc["poly_c12_da4ml", "source"] == "yosys"
        assert rows.loc["poly_c12", "source"] == "estimate"
        assert (rows["complexity"] == frame.loc[expr_id, "complexity"]).all()
        assert (rows["class"] == frame.loc[expr_id, "class"]).all()
    best = summary_section(made[0], "Best expression")
    poly_block = best.split("### poly, c_max 12", 1)[1].split("### ", 1)[0]
    for name in CLASSES:
        (row,) = table_rows(poly_block, name)
        assert row[-1] == "`poly_c12`, `poly_c12_da4ml`, `poly_c12_w6`"


def test_hardware_figures_name_their_source_and_tell_the_backends_apart(inputs, made):
    points = report.hardware_points(inputs)
    hardware = [f for f in report.figures(inputs, points) if f.kind in plots.HARDWARE_AXES]
    assert [f.stem for f in hardware] == ["auc_vs_latency", "auc_vs_lut", "auc_vs_dsp"]
    assert all("(estimate, yosys)" in f.caption for f in hardware)
    hls, da = report.series_style("poly", "hls4ml"), report.series_style("poly", "da4ml")
    assert (hls.color, hls.marker) == (da.color, da.marker)  # same family ...
    assert hls.filled != da.filled and hls.line != da.line  # ... other backend
    (row,) = table_rows(summary_section(made[0], "Designs"), "`poly_c12_da4ml`")
    assert row[1] == "da4ml" and row[10] == "yosys"
    assert "*yosys*: Yosys post-synthesis cell counts for the part's family" in summary_section(
        made[0], "Designs"
    )


def test_roc_curves_are_the_fits_expressions_and_teacher_on_its_test_split(inputs, board):
    best = report.best_expressions(inputs.frame)
    evaluation = report.load_evaluation(inputs)
    curves = report.roc_curves(inputs, best, evaluation)
    assert list(curves) == list(CLASSES)
    card = json.loads((board.parent / "teacher" / "teacher.json").read_text())
    for name, per_class in curves.items():
        assert [c.family for c in per_class] == [None, "poly", "trig"]
        assert per_class[0].auc == card["auc"][name]
        for curve in per_class:  # the area under the evaluated curve is the AUC fit stored for the test split
            assert np.trapezoid(curve.signal_eff, curve.mistag) == pytest.approx(curve.auc, abs=1e-9)
            assert curve.n_background == int((evaluation.data.y_test != CLASSES.index(name)).sum())


def test_without_designs_the_report_plots_complexity_and_roc_only(board, tmp_path):
    plain = report.load_inputs(board, tmp_path / "no_designs_here")
    assert not plain.has_hardware
    points = report.hardware_points(plain)
    assert [f.kind for f in report.figures(plain, points)] == ["complexity", "roc"]
    text = report.summary_markdown(plain, report.best_expressions(plain.frame), points, ())
    assert "no `symtrig emit-hls` design of these expressions was found" in text


def test_a_report_without_designs_draws_no_hardware_figure_and_removes_stale_ones(made, board, tmp_path):
    out = tmp_path / "report"
    shutil.copytree(made[0], out)  # an earlier report of the same folder, made with designs
    result = report.make_report(board, out, hdl_out=tmp_path / "no_designs_here")
    assert not result.has_hardware
    kept = {"auc_vs_complexity.png", "auc_vs_complexity.pdf", "roc.png", "roc.pdf", "summary.md"}
    assert {p.name for p in out.iterdir()} == kept and {p.name for p in result.files} == kept
    assert "auc_vs_latency" not in (out / "summary.md").read_text()


def test_simulated_jets_are_labelled_simulation(inputs):
    assert style.status_text(inputs) == ""  # a user file does not say where its jets came from
    dataset = {**inputs.run.dataset, "label": "sample (simulated)"}
    simulated = replace(inputs, run=replace(inputs.run, dataset=dataset))
    assert style.status_text(simulated) == "Simulation"


def test_pipes_in_cells_are_escaped(made):
    header, rule = [
        line for line in summary_section(made[0], "Designs").splitlines() if line.startswith("|")
    ][:2]
    assert "worst \\|AUC change\\|" in header
    assert header.replace("\\|", "").count("|") == rule.count("|")


def test_pareto_front_keeps_only_non_dominated_points_in_cost_order():
    assert report.pareto_front([4, 1, 2, 2, 3, 5], [0.80, 0.50, 0.60, 0.70, 0.65, 0.80]).tolist() == [1, 3, 0]


def _error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("symtrig: error:") and "\n" not in err and "Traceback" not in err
    return err


def test_a_leaderboard_whose_run_record_describes_other_jets_is_refused_before_writing(
    board, tmp_path, capsys
):
    folder = tmp_path / "expressions"
    shutil.copytree(board.parent, folder)
    run = json.loads((folder / "run.json").read_text())
    run["dataset"]["fingerprint"] = "sha256:0000000000000000"
    (folder / "run.json").write_text(json.dumps(run))
    assert main(["report", "--leaderboard", str(folder / "leaderboard.csv")]) == 2
    assert "sha256:0000000000000000" in _error_line(capsys)
    assert not (folder / "report").exists()


def test_data_that_is_not_the_fits_jets_is_refused_before_writing(board, tmp_path, capsys):
    other = tmp_path / "other.parquet"
    make_jet_frame(per_class=120, seed=12).to_parquet(other)
    out = tmp_path / "rep"
    assert main(["report", "--leaderboard", str(board), "--data", str(other), "--out", str(out)]) == 2
    assert "fingerprint" in _error_line(capsys)
    assert not out.exists()


def test_an_unknown_cost_source_is_refused_before_writing(board, hdl, tmp_path):
    folder = tmp_path / "hdl"
    shutil.copytree(hdl / "poly_c12", folder / "poly_c12")
    record = read_design(folder / "poly_c12" / "design.json")
    write_design(folder / "poly_c12", replace(record, cost=replace(record.cost, source="guess")))
    with pytest.raises(SymtrigError, match="design poly_c12: unknown cost source 'guess'"):
        report.make_report(board, tmp_path / "rep", hdl_out=folder)
    assert not (tmp_path / "rep").exists()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d, board: None, "no such leaderboard"),
        (
            lambda d, board: (d / "leaderboard.csv").write_text("this,is\nnot,a leaderboard\n"),
            "missing column",
        ),
        (lambda d, board: shutil.copy(board, d / "leaderboard.csv"), "run.json"),
    ],
    ids=["missing", "malformed", "no-run-record"],
)
def test_bad_inputs_exit_2_with_one_line(setup, message, board, tmp_path, capsys):
    setup(tmp_path, board)
    assert main(["report", "--leaderboard", str(tmp_path / "leaderboard.csv")]) == 2
    assert message in _error_line(capsys)
    assert not (tmp_path / "report").exists()


def test_each_design_row_shows_that_designs_own_cost_and_fixed_point_aucs(made, inputs):
    section = summary_section(made[0], "Designs")
    for record in inputs.designs.used:
        (row,) = table_rows(section, f"`{record.design}`")
        cost = record.cost
        assert row[4:10] == [str(cost.latency_cycles), f"{cost.latency_ns:.1f}", str(cost.dsp), str(cost.lut),
                             str(cost.ff), str(cost.bram)]  # fmt: skip
        assert row[12] == f"{np.mean([o.auc_fixed for o in record.outputs]):.4f}"
        assert row[13] == f"{record.worst_auc_change:.5f}"
