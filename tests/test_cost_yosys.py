"""The direct-RTL cost path: Yosys counts and stage depth (symtrig.cost.yosys), the delay model and the timing
rule (symtrig.cost.timing: schedule in ns, synthesize once). Hand-written netlists pin the depth rules; one small
da4ml design runs through Yosys."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import adder_chain, small_logic

from symtrig.cost.delays import DEFAULT_MODEL, DelayModel, stage_delays
from symtrig.cost.op_timing import from_json
from symtrig.cost.timing import da4ml_synthesizer, time_pipeline
from symtrig.cost.yosys import PathDepth, PathWeights, YosysReport, path_depths, synthesize
from symtrig.errors import SymtrigError

needs_yosys = pytest.mark.skipif(shutil.which("yosys") is None, reason="needs yosys on PATH")
ZERO32 = "0" * 32


# ------------------------------------------------------------------------------------------ hand netlists


def _cell(kind: str, outputs: tuple[str, ...] = ("O",), params: dict | None = None, **pins: list) -> dict:
    return {
        "type": kind,
        "parameters": params or {},
        "port_directions": {pin: "output" if pin in outputs else "input" for pin in pins},
        "connections": pins,
    }


def _ff(d: int, q: int) -> dict:
    return _cell("FDRE", ("Q",), C=[4], CE=["1"], R=["0"], D=[d], Q=[q])


def _carry4(ci: list, s: list, o: list, co: list) -> dict:
    return _cell("CARRY4", ("O", "CO"), CI=ci, CYINIT=["0"], DI=["0"] * 4, S=s, O=o, CO=co)


def _module(cells: dict, ports: dict, nets: dict, hidden: dict | None = None) -> dict:
    netnames = {name: {"hide_name": 0, "bits": bits} for name, bits in nets.items()}
    netnames.update({name: {"hide_name": 1, "bits": bits} for name, bits in (hidden or {}).items()})
    ports = {name: {"direction": d, "bits": bits} for name, (d, bits) in ports.items()}
    return {"modules": {"top": {"ports": ports, "cells": cells, "netnames": netnames}}}


def _by_endpoint(depths: tuple[PathDepth, ...]) -> dict[str, PathDepth]:
    return {depth.endpoint: depth for depth in depths}


def test_depth_counts_luts_carry_segments_muxf_and_dsp_per_endpoint():
    cells = {
        "lut": _cell("LUT2", I0=[2], I1=[3], O=[10]),
        "c1": _carry4(["0"], [10, "0", "0", "0"], [11, 12, 13, 14], [15, 16, 17, 18]),
        "c2": _carry4([18], ["0"] * 4, [19, 21, 22, 23], [24, 25, 26, 27]),
        "r": _ff(19, 30),
        "mux": _cell("MUXF7", I0=[30], I1=[2], S=["0"], O=[31]),
        "l6": _cell("LUT6", I0=[31], I1=["0"], I2=["0"], I3=["0"], I4=["0"], I5=["0"], O=[20]),
        "q2": _ff(2, 32),
        "dsp": _cell(
            "DSP48E2", ("P",), dict.fromkeys(("AREG", "BREG", "MREG", "PREG"), ZERO32), A=[30], P=[40]
        ),
        "pr": _ff(40, 41),
        "dsp_reg": _cell("DSP48E2", ("P",), {"PREG": "1"}, A=[2], CLK=[4], P=[42]),
        "l1": _cell("LUT1", I0=[42], O=[43]),
        "after": _ff(43, 44),
    }
    ports = {"a": ("input", [2, 3]), "clk": ("input", [4]), "y": ("output", [20])}
    nets = {"a": [2, 3], "clk": [4], "y": [20], "r": [30], "sub.r_alias": [30], "q2": [32], "pr": [41]}
    netlist = _module(cells, ports, nets | {"dsp_p": [42], "after_dsp": [44]}, hidden={"$abc$1": [30]})

    got = _by_endpoint(path_depths(netlist, "top"))

    # LUT -> CARRY4 -> CARRY4 through CI: one chain entered, two 4-bit segments
    assert got["r"] == PathDepth("r", lut=1, carry=2, carry_chains=1)
    assert got["y"] == PathDepth("y", lut=1, muxf=1)  # starts at register r, not before it
    assert got["q2"] == PathDepth("q2")  # port straight into a register
    assert got["pr"] == PathDepth("pr", dsp=1)  # combinational DSP48E2 crossed
    assert got["after_dsp"] == PathDepth("after_dsp", lut=1)  # a DSP with PREG=1 is a start point
    assert got["dsp_p"] == PathDepth("dsp_p")  # ... and an endpoint of the port feeding it
    assert set(got) == {"r", "y", "q2", "pr", "dsp_p", "after_dsp"}


def test_path_weights_choose_the_critical_chain_and_a_routed_mux_select_is_a_lut_level():
    cells = {
        "r": _ff(2, 10),
        "a": _cell("LUT1", I0=[2], O=[12]),
        "b": _cell("LUT1", I0=[12], O=[13]),
        "c": _cell("LUT1", I0=[13], O=[14]),
        "mux": _cell("MUXF7", I0=[10], I1=["0"], S=[14], O=[11]),
        "out": _cell("LUT1", I0=[11], O=[20]),
    }
    netlist = _module(cells, {"x": ("input", [2]), "y": ("output", [20])}, {"x": [2], "y": [20], "r": [10]})

    by_cells = _by_endpoint(path_depths(netlist, "top"))["y"]
    by_muxf = _by_endpoint(path_depths(netlist, "top", PathWeights(lut=0.1, muxf=10.0)))["y"]

    assert (by_cells.lut, by_cells.muxf) == (5, 0)  # x -> 3 LUTs -> MUXF7 select (routed) -> LUT
    assert (by_muxf.lut, by_muxf.muxf) == (1, 1)  # r -> MUXF7 data input -> LUT


def test_srl_input_counts_at_its_first_register_and_stages_follow_da4ml_names():
    srl_address = {"A0": ["1"], "A1": ["0"], "A2": ["0"], "A3": ["0"]}  # depth 2: two packed registers
    cells = {
        "s0": _ff(2, 10),
        "la": _cell("LUT1", I0=[10], O=[11]),
        "s1": _ff(11, 12),
        "lb": _cell("LUT1", I0=[12], O=[13]),
        "s2": _ff(13, 14),
        "lc": _cell("LUT1", I0=[12], O=[15]),
        "ld": _cell("LUT1", I0=[15], O=[16]),
        "srl": _cell("SRL16E", ("Q",), CLK=[4], CE=["1"], D=[16], Q=[17], **srl_address),
        "cy": _carry4(["0"], [14, "0", "0", "0"], [18, 19, 21, 22], [23, 24, 25, 26]),
        "so": _ff(18, 50),
    }
    ports = {"model_inp": ("input", [2]), "clk": ("input", [4]), "model_out": ("output", [50, 17])}
    nets = {
        "model_inp": [2],
        "stage0_inp": [10],
        "stage1_inp": [12],
        "stage2_inp": [14],
        "model_out": [50, 17],
    }
    netlist = _module(cells, ports, nets)
    paths = path_depths(netlist, "top")

    from symtrig.cost.netlist import pipeline_stages

    stages = pipeline_stages(paths)

    # the SRL's two LUTs are stage 1 logic (they feed the copy of stage2_inp that the SRL carries to model_out)
    assert stages == (
        PathDepth("stage1_inp", lut=1),
        PathDepth("stage2_inp", lut=2),
        PathDepth("model_out", carry=1, carry_chains=1),
    )
    assert [p.endpoint for p in paths] == ["stage0_inp", "stage1_inp", "stage2_inp", "model_out"]


def test_missing_module_is_a_user_error():
    with pytest.raises(SymtrigError, match="not in the netlist"):
        path_depths({"modules": {}}, "top")


# ------------------------------------------------------------------------------------------ delay model


def test_stage_delay_adds_every_level_once_with_the_register():
    model = DelayModel(
        lut_ns=1, muxf_ns=10, carry_entry_ns=100, carry_step_ns=1000, dsp_ns=10000, register_ns=0.5, label="t"
    )
    depth = PathDepth("s", lut=2, muxf=1, carry=3, carry_chains=1, dsp=1)

    assert stage_delays([depth, PathDepth("empty")], model) == [12112.5, 0.5]
    assert DEFAULT_MODEL.path_weights() == PathWeights(
        DEFAULT_MODEL.lut_ns,
        DEFAULT_MODEL.muxf_ns,
        DEFAULT_MODEL.carry_entry_ns,
        DEFAULT_MODEL.carry_step_ns,
        DEFAULT_MODEL.dsp_ns,
    )


def _report(stages: list[int]) -> YosysReport:
    """A synthesized-design stand-in whose stage i has ``stages[i]`` LUT levels."""
    names = [f"stage{i + 1}_inp" for i in range(len(stages) - 1)] + ["model_out"]
    depths = tuple(PathDepth(name, lut=lut) for name, lut in zip(names, stages, strict=True))
    counts = dict.fromkeys(("lut", "inv", "muxf", "ff", "srl", "dsp", "carry", "bram", "lutram", "cells"), 0)
    return YosysReport(
        "symt", "xcup", **counts, stages=depths, paths=depths, yosys_version="x", wall_seconds=0.0
    )


LUT_ONLY = DelayModel(
    lut_ns=1.0,
    muxf_ns=0,
    carry_entry_ns=0,
    carry_step_ns=0,
    dsp_ns=0,
    register_ns=0.5,
    label="LUT levels only",
)
#: An operation model in which every adder is one LUT level (1 ns under LUT_ONLY): tests/test_schedule.py's chain
ONE_LUT_ADDERS = from_json(
    {
        "family": "test",
        "yosys": "0",
        "adder": [{"bits": 64, "lut": 1, "muxf": 0, "carry": 0, "carry_chains": 0, "dsp": 0}],
        "table": [{"bits": 64, "lut": 1, "muxf": 0, "carry": 0, "carry_chains": 0, "dsp": 0}],
        "product": [{"wide": 64, "narrow": 64, "lut": 1, "muxf": 0, "carry": 0, "carry_chains": 0, "dsp": 0}],
    }
)


def _netlist_says(extra_levels: dict[int, int], calls: list[int]):
    """A synthesizer stand-in: each stage as the operation model priced it, plus ``extra_levels[stages]`` LUT
    levels in its first stage (logic the operation model underprices)."""

    def run(planned):
        calls.append(planned.stages)
        levels = [round(d - 0.5) for d in planned.stage_delays_ns]
        levels[0] += extra_levels.get(planned.stages, 0)
        report = _report(levels)
        return dataclasses.replace(report, critical_path=PathDepth("one stage", lut=sum(levels)))

    return run


def test_time_pipeline_synthesizes_once_when_the_netlist_agrees_with_the_schedule():
    pytest.importorskip("da4ml")
    calls: list[int] = []
    timed = time_pipeline(
        adder_chain(7),
        4.0,
        _netlist_says({}, calls),
        model=LUT_ONLY,
        timing=ONE_LUT_ADDERS,
        clock_uncertainty=0,
    )
    # 7 one-ns adders, 3.5 ns of logic per 4 ns stage: 3 stages (no 3-stage cut has under 3 adders in one)
    assert calls == [3] and timed.syntheses == 1
    assert (timed.stages, timed.cycles, timed.fits, timed.lower_bound) == (3, 3, True, 2)
    assert timed.critical_path_ns == 7.5
    assert timed.stage_delays_ns == (3.5, 3.5, 1.5) == timed.estimated_stage_delays_ns
    assert "no place and route" in timed.note


def test_time_pipeline_reschedules_when_the_netlist_shows_a_stage_over_budget():
    pytest.importorskip("da4ml")
    calls: list[int] = []
    timed = time_pipeline(
        adder_chain(7),
        4.0,
        _netlist_says({3: 2}, calls),
        model=LUT_ONLY,
        timing=ONE_LUT_ADDERS,
        clock_uncertainty=0,
    )
    assert calls[0] == 3 and len(calls) == timed.syntheses >= 2
    assert timed.fits and timed.stages == calls[-1] > 3
    assert max(timed.stage_delays_ns) <= 4.0


def test_time_pipeline_gives_the_fastest_when_nothing_fits_and_rejects_bad_settings():
    pytest.importorskip("da4ml")
    calls: list[int] = []
    always_late = {n: 9 for n in range(1, 20)}
    timed = time_pipeline(
        adder_chain(4), 4.0, _netlist_says(always_late, calls), model=LUT_ONLY, timing=ONE_LUT_ADDERS
    )
    assert not timed.fits and timed.syntheses == len(calls) >= 2
    assert timed.max_delay_ns == max(timed.stage_delays_ns) > timed.budget_ns
    with pytest.raises(SymtrigError, match="clock_ns"):
        time_pipeline(adder_chain(2), 0.0, _netlist_says({}, []), timing=ONE_LUT_ADDERS)


# ------------------------------------------------------------------------------------------ real da4ml + Yosys


@pytest.fixture(scope="module")
def logic():
    return small_logic()


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@needs_yosys
def test_synthesize_counts_cells_and_measures_every_da4ml_stage(logic, tmp_path):
    from da4ml.codegen import RTLModel
    from da4ml.trace import to_pipeline

    RTLModel(
        logic, "tiny", str(tmp_path / "prj"), flavor="verilog", latency_cutoff=4, print_latency=False
    ).write()
    src = tmp_path / "prj" / "src"
    before = _snapshot(src)

    report = synthesize(src, "tiny", workdir=tmp_path / "work")

    assert _snapshot(src) == before  # the project is never written to
    assert (tmp_path / "work" / "synth.log").is_file()
    assert (report.source, re.fullmatch(r"\d+\.\d+\S*", report.yosys_version) is not None) == ("yosys", True)
    assert "no place and route" in report.note
    assert len(report.stages) == len(to_pipeline(logic, 4, verbose=False).solutions) == 3
    # the product is one combinational DSP48E2 in one stage; the 8-bit table is a LUT6 widened by 2 MUXF levels
    assert report.dsp == 1
    assert [s.dsp for s in report.stages].count(1) == 1
    assert max(s.muxf for s in report.stages) == 2
    assert min(report.lut, report.ff, report.carry) > 0 and report.bram == report.lutram == 0
    # stat -json and the netlist are separate Yosys outputs: their cell counts must agree
    cells = json.loads((tmp_path / "work" / "netlist.json").read_text())["modules"]["tiny"]["cells"]
    by_type = Counter(cell["type"] for cell in cells.values())
    assert dict(report.cells_by_type) == dict(by_type)
    assert report.lut == sum(n for kind, n in by_type.items() if re.fullmatch(r"LUT[1-6]", kind))


@needs_yosys
def test_time_pipeline_with_real_yosys_measures_the_design_it_scheduled(logic):
    slow = time_pipeline(logic, 50.0, da4ml_synthesizer("tiny"))
    fast = time_pipeline(logic, 1.5, da4ml_synthesizer("tiny"))

    assert (slow.stages, slow.cycles, slow.fits, slow.syntheses, slow.lower_bound) == (1, 1, True, 1, 1)
    assert slow.stage_delays_ns == tuple(stage_delays(slow.report.stages))
    assert slow.report.dsp == 1 and slow.max_delay_ns <= slow.budget_ns == 45.0
    # the one-stage critical path is the same chain whether measured on the 1-stage or the pipelined netlist
    assert fast.critical_path_ns == pytest.approx(slow.critical_path_ns, rel=0.15)
    assert slow.critical_path_ns == pytest.approx(slow.max_delay_ns)
    assert fast.stages >= fast.lower_bound == math.ceil(fast.critical_path_ns / fast.budget_ns) > 1


@needs_yosys
def test_yosys_failure_is_one_line_with_its_error(tmp_path):
    (tmp_path / "broken.v").write_text("module top(input a; endmodule\n")

    with pytest.raises(SymtrigError, match=r"^yosys failed: .*ERROR") as caught:
        synthesize(tmp_path, "top")
    assert "\n" not in str(caught.value)


def test_missing_yosys_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(SymtrigError, match="yosys is not on PATH") as caught:
        synthesize(tmp_path, "top")
    assert "\n" not in str(caught.value)
