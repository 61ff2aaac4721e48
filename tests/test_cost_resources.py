"""The front's resource model: table LUTs from the table's contents, DSPs per product, registers per stage."""

import numpy as np
from conftest import adder_chain, small_logic

from symtrig.cost.delays import ULTRASCALE_PLUS_MODEL as XCUP_DELAYS
from symtrig.cost.op_timing import op_timing
from symtrig.cost.resources import ULTRASCALE_PLUS, design_resources, register_bits, table_lut_units
from symtrig.cost.schedule import schedule


def test_a_constant_table_costs_nothing_and_a_six_input_bit_one_lut():
    assert table_lut_units(np.full(256, 5), 8) == 0
    assert table_lut_units(np.arange(64) % 2, 6) == 1


def test_a_random_bit_costs_a_lut_per_cofactor_and_the_multiplexers_that_join_them():
    bits = np.random.default_rng(0).integers(0, 2, 1 << 9)
    # 8 distinct 64-entry cofactors (a random one repeats with probability ~2^-64) and 4 + 2 + 1 multiplexers
    assert table_lut_units(bits, 9) == 8 + 7 / 2


def test_equal_cofactors_share_a_lut_and_a_smooth_table_costs_far_less_than_a_random_one():
    repeated = np.tile(np.random.default_rng(1).integers(0, 2, 64), 8)
    assert table_lut_units(repeated, 9) == 1  # one shared leaf; every multiplexer's children are equal
    x = np.linspace(-np.pi, np.pi, 1 << 10)
    smooth = np.round(np.sin(x) * 127).astype(int)
    noise = np.random.default_rng(2).integers(-127, 128, 1 << 10)
    ramp = (
        np.arange(1 << 10) // 4
    )  # its low bits repeat in every cofactor, its high bits are constant in each
    assert table_lut_units(ramp, 10) < 0.1 * table_lut_units(smooth, 10) < table_lut_units(noise, 10)
    assert table_lut_units(smooth, 10) < table_lut_units(noise, 10)


def test_a_design_gets_one_dsp_per_product_and_registers_for_every_value_a_stage_hands_on():
    logic = small_logic()
    planned = schedule(logic, 1.0, op_timing("xcup"), XCUP_DELAYS)  # a tight budget: several stages
    resources = design_resources(logic, list(planned.pipeline.solutions), ULTRASCALE_PLUS)
    assert resources.dsp == sum(op.opcode == 7 for op in logic.ops) == 1
    assert resources.table_units > 0 and resources.adder_bits > 0 and resources.lut > 0
    one_stage = schedule(logic, 100.0, op_timing("xcup"), XCUP_DELAYS)
    assert planned.stages > one_stage.stages == 1
    assert register_bits(list(planned.pipeline.solutions)) > register_bits(list(one_stage.pipeline.solutions))


def test_adder_luts_grow_with_the_adders_and_a_chain_needs_no_table_or_dsp():
    def resources(length):
        logic = adder_chain(length)
        planned = schedule(logic, 100.0, op_timing("xcup"), XCUP_DELAYS)
        return design_resources(logic, list(planned.pipeline.solutions), ULTRASCALE_PLUS)

    short, long = resources(2), resources(6)
    assert short.table_units == long.table_units == 0 and short.dsp == long.dsp == 0
    assert long.adder_bits >= 6 * 6 > short.adder_bits and long.lut > short.lut


def test_the_hardware_op_costs_preset_is_the_rtl_delay_model_in_adder_units():
    from symtrig.cost.delays import DEFAULT_MODEL
    from symtrig.cost.op_weights import hardware_op_weights
    from symtrig.families import HARDWARE

    derived = hardware_op_weights(op_timing("xcup"), DEFAULT_MODEL)
    assert {op: HARDWARE[op] for op in derived} == derived
    assert derived["mul"] > derived["add"] and derived["exp"] > derived["add"]
    # the units, not bare tables: a leading-one log (abs, shifter, mantissa table, subtraction) is the slowest,
    # a periodic sin (its wrap is wires) no slower than a table clamped by its bits
    assert derived["logabs"] == derived["log"] > derived["exp"] >= derived["sin"] == derived["cos"]
