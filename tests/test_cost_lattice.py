"""Logic depth of Lattice netlists (synth_ecp5 / synth_nexus cells in symtrig.cost.netlist) and their models.

A hand netlist pins the Lattice cell rules (a CCU2 chain continued through CIN, a PFUMX select as a routed
level, a DSP registered or bypassed, the FD1P3* clock pin ``CK``); one small da4ml design synthesized with
``synth_ecp5`` and ``synth_nexus`` must give da4ml's stage count with the carry chain and the DSP where da4ml put
them.
"""

from __future__ import annotations

import shutil

import pytest
from conftest import small_logic

from symtrig.cost.delays import DELAY_MODELS, ECP5_MODEL, NEXUS_MODEL, stage_delays
from symtrig.cost.yosys import PathDepth, path_depths, synthesize

needs_yosys = pytest.mark.skipif(shutil.which("yosys") is None, reason="needs yosys on PATH")


def _cell(kind: str, outputs: tuple[str, ...], params: dict | None = None, **pins: list) -> dict:
    return {
        "type": kind,
        "parameters": params or {},
        "port_directions": {pin: "output" if pin in outputs else "input" for pin in pins},
        "connections": pins,
    }


def _ff(kind: str, d: int, q: int) -> dict:
    if kind == "TRELLIS_FF":
        return _cell(kind, ("Q",), CLK=[2], LSR=["0"], DI=[d], Q=[q])
    return _cell(kind, ("Q",), CK=[2], SP=["1"], CD=["0"], D=[d], Q=[q])


def _ccu2(a: int, cin: list, s: int, cout: int) -> dict:
    pins = {
        "A0": [a],
        "B0": ["0"],
        "C0": ["0"],
        "D0": ["0"],
        "A1": ["0"],
        "B1": ["0"],
        "C1": ["0"],
        "D1": ["0"],
    }
    return _cell("CCU2C", ("S0", "S1", "COUT"), CIN=cin, S0=[s], S1=["x"], COUT=[cout], **pins)


def _netlist(cells: dict, nets: dict) -> dict:
    netnames = {name: {"hide_name": 0, "bits": bits} for name, bits in nets.items()}
    ports = {"clk": {"direction": "input", "bits": [2]}}
    return {"modules": {"top": {"ports": ports, "cells": cells, "netnames": netnames}}}


def _by_endpoint(depths: tuple[PathDepth, ...]) -> dict[str, PathDepth]:
    return {depth.endpoint: depth for depth in depths}


@pytest.mark.parametrize("ff", ["TRELLIS_FF", "FD1P3IX"])
def test_lattice_cells_give_carry_steps_mux_levels_and_dsp_crossings(ff):
    cells = {
        "r0": _ff(ff, 3, 10),
        "lut": _cell("LUT4", ("Z",), A=[10], B=["0"], C=["0"], D=["0"], Z=[11]),
        "c0": _ccu2(11, ["0"], 20, 21),
        "c1": _ccu2(10, [21], 22, 23),
        "c2": _ccu2(10, [23], 24, 25),
        "r1": _ff(ff, 24, 30),
        # a PFUMX whose select comes from a LUT: a routed level, like the LUT before it
        "sel": _cell("LUT4", ("Z",), A=[10], B=["0"], C=["0"], D=["0"], Z=[40]),
        "mux": _cell("PFUMX", ("Z",), ALUT=[10], BLUT=[10], C0=[40], Z=[41]),
        "r2": _ff(ff, 41, 42),
        # a bypassed multiplier is crossed; a registered one is a path boundary
        "mul": _cell("MULT18X18D", ("P0",), A0=[10], B0=[10], CLK0=[2], P0=[50]),
        "r3": _ff(ff, 50, 51),
        "regmul": _cell("MULT18X18D", ("P0",), {"REG_OUTPUT_CLK": "CLK0"}, A0=[11], CLK0=[2], P0=[60]),
        "r4": _ff(ff, 60, 61),
        "nexmul": _cell("MULT18X18", ("Z",), {"REGOUTPUT": "BYPASS"}, A=[10], B=[10], CLK=[2], Z=[70]),
        "r5": _ff(ff, 70, 71),
    }
    nets = {"stage0_inp": [10], "add": [30], "muxed": [42], "prod": [51], "regprod": [61], "nexprod": [71]}

    depth = _by_endpoint(path_depths(_netlist(cells, nets), "top"))

    assert depth["add"] == PathDepth("add", lut=1, carry=3, carry_chains=1)  # entered once, two CIN steps
    assert depth["muxed"] == PathDepth("muxed", lut=2)  # LUT, then the PFUMX through its select
    assert (depth["prod"].dsp, depth["nexprod"].dsp) == (1, 1)
    assert depth["regprod"] == PathDepth("regprod")  # the registered DSP launches the path


def test_lattice_models_are_registered_and_price_a_level_with_its_net():
    assert DELAY_MODELS["nexus"] is NEXUS_MODEL and DELAY_MODELS["ecp5"] is ECP5_MODEL
    assert ECP5_MODEL.delay(PathDepth("x", lut=1)) == pytest.approx(0.525 + 1.11 + 0.236 + 1.11)
    assert NEXUS_MODEL.delay(PathDepth("x")) == pytest.approx(0.307 + 0.42)


CUTOFF = 4  # three da4ml stages on the design below


@pytest.fixture(scope="module")
def design(tmp_path_factory):
    """Sin table, a 10x10-bit product and constant multiplications, written by da4ml as Verilog."""
    logic = small_logic()
    from da4ml.codegen import RTLModel
    from da4ml.trace import to_pipeline

    folder = tmp_path_factory.mktemp("da4ml")
    RTLModel(logic, "symt", str(folder), flavor="verilog", latency_cutoff=CUTOFF, print_latency=False).write()
    return folder / "src", len(to_pipeline(logic, CUTOFF, verbose=False).solutions)


@needs_yosys
@pytest.mark.parametrize("family", ["ecp5", "nexus"])
def test_lattice_synthesis_gives_da4ml_stages_with_the_carry_and_the_dsp_where_expected(design, family):
    src, stages = design

    report = synthesize(src, "symt", family=family)

    assert report.note.startswith(f"post-synthesis cell counts (Yosys synth_{family})")
    assert len(report.stages) == stages == 3
    assert min(report.lut, report.ff, report.carry, report.dsp, report.muxf) > 0
    # stage 0 holds the first sum (a carry chain), the table is in stage 1, the product ends at model_out
    assert report.stages[0].carry_chains >= 1 and report.stages[0].dsp == 0
    assert report.stages[1].muxf >= 1
    assert [depth.dsp for depth in report.stages] == [0, 0, 1]
    delays = stage_delays(report.stages, DELAY_MODELS[family])
    assert all(delay > DELAY_MODELS[family].register_ns for delay in delays)
