"""The da4ml backend: symtrig's model, da4ml's interpreter and the written Verilog (Verilator) agree bit for bit.

One 5-output design covers every node kind and function unit: products and powers, shared subexpressions,
exp/gauss/cos tables with shifted windows, periodic sin/cos tables of arguments in turns, nested leading-one
logabs units (with rows where their argument is exactly 0), and rows far outside the calibration range (inputs
wrap, table arguments saturate or wrap by a whole number of turns).
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from symtrig import expr as ex
from symtrig.backends.da4ml.project import write_project
from symtrig.backends.da4ml.trace import trace_program
from symtrig.cost.delays import DEFAULT_MODEL
from symtrig.cost.op_timing import op_timing
from symtrig.cost.schedule import schedule
from symtrig.data import FEATURES
from symtrig.errors import SymtrigError
from symtrig.lower.fixed import FixedFormat
from symtrig.lower.program import build_program
from symtrig.tune.node_types import choose_node_types
from symtrig.verify import rtl
from symtrig.verify.program_model import ModelState, run_program

DESIGN = [
    "0.62*(0.17 - 0.0147*multiplicity)*(cos(3.85*mass_mmdt) + 6.36)*(8.03*multiplicity - 4.8*c1_b1_mmdt"
    " - cos(6.5*mass_mmdt) + 313.0) - 32.6",
    "0.99*(1.27*zlogz + (1.14 - 0.27*multiplicity)*(1.37 - 0.92*multiplicity)*(1.89*mass_mmdt"
    " - logabs(logabs(0.17*mass_mmdt))))",
    "15.3*(exp(-0.66*multiplicity + 1.16*c1_b1_mmdt - exp(-0.57*multiplicity)) - exp(-0.1*multiplicity)) + 6.88",
    "0.5*gauss(1.3*mass_mmdt - 0.4) - 0.2*multiplicity^3 + 0.3*multiplicity*zlogz*c1_b2_mmdt"
    " - 0.7*logabs(m2_b1_mmdt)",
    "sin(2.7*c1_b2_mmdt + 0.9*multiplicity)*logabs(m2_b1_mmdt) + cos(0.58*zlogz) - 1.5",
]


@pytest.fixture(scope="module")
def design(sample, calibration):
    X, labels = calibration
    program = build_program([ex.parse_expression(text) for text in DESIGN], X)
    types = choose_node_types(
        program, X, labels, model=ModelState, slice_size=len(sample.y_test), time_budget=5.0
    )
    return program, types, trace_program(program, types)


@pytest.fixture(scope="module")
def rows(sample):
    """12,000 rows: the 4,000 test jets, 6,000 calibration jets, 1,000 far outside the calibration range and
    1,000 with a logabs argument exactly 0."""
    rng = np.random.default_rng(0)
    test = sample.standardize(sample.X_test)
    calibration = sample.standardize(sample.X_train[:6000])
    wild = rng.normal(0, 8, size=(1000, test.shape[1]))
    zeros = sample.standardize(sample.X_val[:1000])
    zeros[:500, FEATURES.index("mass_mmdt")] = 0.0
    zeros[500:, FEATURES.index("m2_b1_mmdt")] = 0.0
    return np.vstack([test, calibration, wild, zeros])


def test_the_model_equals_the_da4ml_interpreter_bit_for_bit(design, rows):
    program, types, logic = design
    units = {t.unit for n, t in zip(program.nodes, types.nodes, strict=True) if n.kind == "table"}
    assert units == {"flat", "periodic", "leading-one"}  # every function unit is checked here
    model = run_program(program, types, rows)
    interpreter = rtl.interpreter_predict(logic, rows)
    assert interpreter.shape == model.y.shape == (12_000, 5)
    np.testing.assert_array_equal(model.y, interpreter)
    assert np.isfinite(model.y).all()
    assert model.wrap_rate.max() > 0 and model.clip_rate.max() > 0  # the edge rows really reach the edges
    assert not run_program(program, types, rows[:4000]).wrap_rate.any()  # test jets never wrap


def test_each_input_port_is_declared_once_with_its_node_type(design):
    program, types, logic = design
    kifs = np.asarray(logic.inp_kifs).reshape(3, -1)
    declared = {
        n.index: t.fmt.kif for n, t in zip(program.nodes, types.nodes, strict=True) if n.kind == "input"
    }
    for column in range(program.n_inputs):
        assert tuple(int(v) for v in kifs[:, column]) == declared.get(column, (0, 0, 0))
    assert logic.shape == (program.n_inputs, len(program.outputs))


def test_the_written_verilog_built_by_verilator_matches_the_interpreter_and_the_model(design, rows, tmp_path):
    program, types, logic = design
    # registers placed in ns by symtrig's scheduler, at a budget tight enough for several stages
    planned = schedule(logic, 2.5, op_timing(), DEFAULT_MODEL)
    project = write_project(
        logic, tmp_path / "sym_ip", name="sym_ip", pipeline=planned.pipeline, clock_ns=4.0
    )
    assert project.stages == planned.stages
    assert project.stages >= 2 and project.top == "sym_ip"
    assert "src/sym_ip.v" in project.files and "build_vivado_prj.tcl" in project.files
    verilator = rtl.verilator_predict(project, rows)
    np.testing.assert_array_equal(verilator, rtl.interpreter_predict(logic, rows))
    np.testing.assert_array_equal(verilator, run_program(program, types, rows).y)
    written = sorted(str(p.relative_to(project.folder)) for p in project.folder.rglob("*") if p.is_file())
    assert written == list(project.files)  # the build happened in a copy


def test_projects_of_every_flavor_are_written_whole_and_replaced_atomically(design, tmp_path):
    logic = design[2]
    folder = tmp_path / "ip"
    vhdl = write_project(
        logic,
        folder,
        name="ip",
        flavor="vhdl",
        pipeline=schedule(logic, 4.5, op_timing(), DEFAULT_MODEL).pipeline,
    )
    assert vhdl.stages >= 1 and "src/ip.vhd" in vhdl.files and not any(f.endswith(".v") for f in vhdl.files)
    hls = write_project(logic, folder, name="ip", flavor="hls")
    assert hls.stages == 0 and "src/ip.hh" in hls.files
    assert not (folder / "src" / "ip.vhd").exists()  # the folder was replaced, not merged
    comb = write_project(logic, folder, name="ip")
    assert comb.stages == 0 and "src/ip.v" in comb.files
    with pytest.raises(SymtrigError, match="identifier"):
        write_project(logic, folder, name="1 bad name")
    with pytest.raises(SymtrigError, match="flavor"):
        write_project(logic, folder, name="ip", flavor="systemc")
    assert (folder / "src" / "ip.v").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["ip"]  # no temporary folder left behind


def test_missing_build_tools_are_a_user_error(monkeypatch):
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda tool: None if tool == "g++" else real(tool))
    with pytest.raises(SymtrigError, match="g\\+\\+"):
        rtl.verilator_environment()


@pytest.mark.parametrize(
    ("signed", "target", "scale", "offset"),
    [
        (True, FixedFormat(True, 2, 3), 1.0, 0.0),  # signed into signed: both edges
        (True, FixedFormat(False, 2, 3), 3.0, 1.0),  # signed into unsigned: negatives to 0
        (True, FixedFormat(False, 6, 2), 1.0, 0.0),  # into a wider unsigned type: only the sign decides
        (True, FixedFormat(True, 4, 2), 3.0, 1.0),  # only a few codes out of range
        (True, FixedFormat(True, 6, 1), 1.0, 0.0),  # wider than the value: nothing to clamp
        (True, FixedFormat(True, 7, 4), 5.0, -3.0),  # one bit above the target's top (a one-bit OR)
        (False, FixedFormat(True, 2, 2), 1.0, 0.0),  # never negative: only the upper edge
        (False, FixedFormat(False, 3, 4), 3.0, 0.5),
    ],
)
def test_a_table_clamps_its_argument_by_its_bits_exactly_as_saturating_the_index_would(
    signed, target, scale, offset
):
    from da4ml.trace import FixedVariableArrayInput, comb_trace

    from symtrig.backends.da4ml.trace import clamped_lookup

    def entries(grid):  # a table with different first and last entries, so a wrong edge shows
        return np.sin(grid) + grid / 4

    out = FixedFormat(True, 3, 6)
    inputs = FixedVariableArrayInput((1,))
    value = (
        inputs.quantize(int(signed), 5, 4) * scale + offset
    )  # every code of [u]5.4, scaled: far past the target
    codes = np.arange(-32 * signed, 32, 1 / 16)
    looked_up = comb_trace(inputs, clamped_lookup(value, target, entries, out)).predict(codes[:, None])[:, 0]
    index = np.floor((codes * scale + offset) * 2.0**target.fraction)
    index = np.clip(index, target.min_code, target.max_code) * 2.0**-target.fraction
    expected = np.clip(np.floor(entries(index) * 2.0**out.fraction), out.min_code, out.max_code)
    np.testing.assert_array_equal(looked_up, expected * 2.0**-out.fraction)
