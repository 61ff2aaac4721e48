"""Function units (symtrig.lower.units): which unit a table gets, how far each is from the math function, and that
symtrig's model of every unit equals da4ml's interpreter on random arguments and ranges.

Stated error per unit (checked below over every input code, or random arguments):
* flat and periodic tables: the floor of the function at the quantized argument (0 to 1 output LSB below it);
* leading-one log|u|: within 1 output LSB of ``floor(log|u| * 2**F)`` for every nonzero ``|u|`` code when its
  mantissa has 2 more bits than the output's fraction; ``|u| = 0`` saturates to the output's minimum.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import sympy as sp

from symtrig.backends.da4ml.trace import trace_program
from symtrig.expr import logabs, variable
from symtrig.lower.node_types import leading_one_unit, materialize, plan_types, uniform_settings
from symtrig.lower.program import build_program
from symtrig.lower.units import LeadingOneLog, leading_one_log, leading_one_pays, periodic_pays, unit_of
from symtrig.verify import rtl
from symtrig.verify.program_model import ModelState, run_program


def test_the_unit_rules():
    assert unit_of("sinturn", 0, 1) == "periodic" and unit_of("exp", -30, 3) == "flat"
    assert periodic_pays(-3, 3) and not periodic_pays(-1.5, 1.5)  # a 6-wide flat window is 8 wide > 2π
    assert leading_one_pays(-0.5, 10) and leading_one_pays(0.1, 10)  # reaches zero / within 1/64 of its span
    assert not leading_one_pays(58, 122) and unit_of("logabs", 58, 122) == "flat"


@pytest.mark.parametrize("skip", [0, 1, 2])
@pytest.mark.parametrize(
    ("width", "fraction", "out_fraction"), [(12, 8, 6), (16, 12, 9), (9, 2, 4), (20, 10, 3)]
)
def test_leading_one_log_is_within_one_lsb_of_the_exact_floor_on_every_code(
    width, fraction, out_fraction, skip
):
    """With or without the shifter's smallest levels (``skip``: the table then takes the leading zeros they
    leave as index bits)."""
    peak = (width - fraction) * math.log(2)
    integer = max(1, math.ceil(math.log2(max(peak, fraction * math.log(2)) + 1)))
    out_min, out_max = -(1 << (integer + out_fraction)), (1 << (integer + out_fraction)) - 1
    unit = LeadingOneLog(width, fraction, out_fraction + 2, out_fraction, out_min, out_max, skip=skip)
    assert len(unit.shifts) == math.ceil(math.log2(width)) - skip
    codes = np.arange(1 << width)
    result = unit.evaluate(codes)
    with np.errstate(divide="ignore"):
        exact = np.floor(np.log(codes * 2.0**-fraction) * 2.0**out_fraction)
    assert result[0] == out_min  # log(0) saturates to the minimum
    assert np.abs(result[1:] - exact[1:]).max() <= 1
    small = codes[
        1:64
    ]  # every small |u| is resolved: distinct codes give distinct logs while log moves > 1 LSB
    assert len(np.unique(result[small])) >= len(np.unique(exact[small])) - 1


def _program_and_types(expr, X, fraction):
    program = build_program([expr], X)
    plan = plan_types(program)
    return program, materialize(program, plan, uniform_settings(program, plan, fraction))


@pytest.mark.parametrize("seed", range(4))
def test_a_periodic_table_is_the_floor_of_sin_at_the_quantized_turn_over_many_periods(seed):
    rng = np.random.default_rng(seed)
    scale, offset = rng.uniform(5, 60), rng.uniform(-20, 20)  # 2-20 periods
    X = rng.uniform(-1, 1, size=(3000, 1))
    program, types = _program_and_types(sp.sin(scale * variable(0) + offset), X, int(rng.integers(5, 11)))
    table = types[-1]
    assert table.unit == "periodic"
    assert table.table_input.width <= 12  # one period, not the argument's span
    operand = program.nodes[-1].operands[0]
    turn = types[operand]  # the argument in turns, u / 2π
    y = run_program(program, types, X).y[:, 0]
    t = ModelState(program, types, X).signals[operand].values
    t_codes = (
        np.floor(t * 2.0**table.table_input.fraction) % 2**table.table_input.fraction
    )  # the turn in [0, 1)
    expected = np.floor(
        np.sin(2 * np.pi * t_codes * 2.0**-table.table_input.fraction) * 2.0**table.fmt.fraction
    )
    expected = np.clip(expected, table.fmt.min_code, table.fmt.max_code) * 2.0**-table.fmt.fraction
    np.testing.assert_array_equal(y, expected)
    assert turn.fmt.integer >= 1  # the turn spans several periods: its integer bits are wrapped, not clamped


@pytest.mark.parametrize("seed", range(6))
def test_every_unit_equals_the_da4ml_interpreter_on_random_arguments_and_ranges(seed):
    rng = np.random.default_rng(100 + seed)
    X = rng.normal(size=(2000, 2)) * rng.uniform(0.2, 4, size=2)
    a, b, c = rng.uniform(-6, 6, size=3)
    exprs = [
        logabs(a * variable(0) + b * variable(1)) + sp.sin(c * variable(0) + b),
        sp.cos(a * variable(1) - c) * logabs(variable(0) + c) + sp.exp(-abs(b) * variable(1) ** 2 / 8),
    ]
    program = build_program(exprs, X)
    plan = plan_types(program)
    types = materialize(program, plan, uniform_settings(program, plan, int(rng.integers(4, 13))))
    assert {t.unit for n, t in zip(program.nodes, types, strict=True) if n.kind == "table"} >= {"leading-one"}
    rows = np.vstack([X, rng.normal(size=(500, 2)) * 10, np.zeros((10, 2))])  # far outside, and exact zeros
    model = run_program(program, types, rows).y
    np.testing.assert_array_equal(model, rtl.interpreter_predict(trace_program(program, types), rows))


def test_a_wide_mantissa_gets_a_bipartite_table_within_half_an_lsb_of_one_table_and_equal_to_da4ml():
    one = LeadingOneLog(20, 14, 13, 12, -(1 << 16), (1 << 16) - 1)
    chosen = leading_one_log(20, 14, 13, (12, -(1 << 16), (1 << 16) - 1))
    assert chosen.split is not None and sum(chosen.split) == 12
    assert sum(len(t) for t in chosen.parts) <= len(one.table) / 4  # a quarter of the entries or fewer
    codes = np.arange(1 << 20)
    assert np.abs(chosen.evaluate(codes) - one.evaluate(codes)).max() <= 1  # half an LSB before the floor
    rng = np.random.default_rng(7)
    X = rng.normal(size=(3000, 1))
    program, types = _program_and_types(logabs(variable(0)), X, 12)
    assert leading_one_unit(types[0].fmt, types[-1]).split is not None
    rows = np.vstack([X, np.zeros((5, 1)), rng.normal(size=(500, 1)) * 1e-3])
    model = run_program(program, types, rows).y
    np.testing.assert_array_equal(model, rtl.interpreter_predict(trace_program(program, types), rows))


def test_a_narrow_mantissa_leaves_out_the_shifters_smallest_levels_while_its_table_stays_small():
    chosen = leading_one_log(16, 12, 4, (6, -(1 << 10), (1 << 10) - 1))
    assert chosen.skip == 2 and chosen.shifts == (8, 4) and chosen.index_bits == 7  # 4 + 3 leading zeros
    assert leading_one_log(17, 12, 9, (8, -(1 << 12), (1 << 12) - 1)).skip == 0  # 9 bits: no room
    codes = np.arange(1, 1 << 16)
    exact = np.floor(np.log(codes * 2.0**-12) * 2.0**6)
    full = LeadingOneLog(16, 12, 4, 6, -(1 << 10), (1 << 10) - 1)
    # every index still holds 4 significant bits, most hold more: never further from log than the full unit
    assert np.abs(chosen.evaluate(codes) - exact).max() <= np.abs(full.evaluate(codes) - exact).max()
    with pytest.raises(ValueError, match="keeps at least one"):
        LeadingOneLog(16, 12, 4, 6, -(1 << 10), (1 << 10) - 1, skip=4)


@pytest.mark.parametrize("skip", [1, 2])
def test_a_unit_without_its_smallest_levels_equals_the_da4ml_interpreter(skip, monkeypatch):
    """The trace of a unit that skips levels builds the same codes as its integer definition (forced here on
    a design whose own choice may differ), zeros and far-out arguments included."""
    import symtrig.lower.node_types as node_types

    chosen = node_types._leading_one.__wrapped__

    def forced(width, fraction, mantissa, out):
        unit = chosen(width, fraction, mantissa, out)
        return dataclasses.replace(unit, skip=skip) if unit.split is None and skip < unit.levels else unit

    monkeypatch.setattr(node_types, "_leading_one", forced)
    rng = np.random.default_rng(11 + skip)
    X = rng.normal(size=(3000, 2))
    program, types = _program_and_types(logabs(1.7 * variable(0) - 0.3 * variable(1)), X, 6)
    assert leading_one_unit(types[program.nodes[-1].operands[0]].fmt, types[-1]).skip == skip
    rows = np.vstack([X, np.zeros((5, 2)), rng.normal(size=(500, 2)) * 1e-3, rng.normal(size=(200, 2)) * 20])
    model = run_program(program, types, rows).y
    np.testing.assert_array_equal(model, rtl.interpreter_predict(trace_program(program, types), rows))
