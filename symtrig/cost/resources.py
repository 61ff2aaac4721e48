"""LUT, FF and DSP of a da4ml design from its operations alone: the front's resource model (no synthesis).

Why a model: costing every member of a Pareto front (hundreds of expressions) with Yosys would take hours; the
scheduler already prices each operation's delay, and the resources follow from the same operations:

- **adders** (sums, constant shift-and-add networks, negations, saturation muxes): LUTs per result bit;
- **tables**: what a synthesizer maps a truth table to depends on its contents, not only its size (a smooth
  function's high output bits are constant over long runs). Each output bit is cut into ``leaf_inputs``-input
  cofactors (one LUT each, identical ones shared, constant ones free) joined by a reduced decision diagram over
  the remaining input bits (two 2:1 multiplexers per LUT): :func:`table_lut_units`;
- **products**: one DSP each up to the DSP's operand widths (Yosys maps every product of these designs to DSPs);
- **registers**: every value a pipeline stage hands to the next, at its width.

The two LUT coefficients are fitted per family by ``benchmarks/calibrate_resources.py`` on built designs (Yosys
cell counts); the figures are labelled ``model``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from symtrig.cost.op_timing import op_kind, width_of

#: Operation kinds (:func:`symtrig.cost.op_timing.op_kind`) that cost LUTs per result bit: sums and differences,
#: constant additions, negations, and the one-LUT-per-bit operations (relu, saturation multiplexer, bit ops).
_PER_BIT_KINDS = frozenset({"adder", "lut"})


@dataclass(frozen=True)
class ResourceModel:
    """LUTs per adder result bit and per table LUT unit on one family, and where those figures come from."""

    family: str
    leaf_inputs: int  # LUT inputs of the family (LUT6 on UltraScale+, LUT4 on Lattice)
    lut_per_adder_bit: float
    lut_per_table_unit: float
    dsp_widths: tuple[int, int]  # the widest product one DSP takes (wide, narrow)
    calibration: str


#: Fitted by ``python benchmarks/calibrate_resources.py seed1/hdl_out seed2/hdl_out`` on the 16 da4ml designs of
#: two default fits (the c40 and the 10 ns budget design of each family; Yosys 0.23 synth_xilinx, xcvu9p), after
#: flat tables were clamped by their bits: every design within -8 %..+8 % of Yosys's LUTs; on the third fit's
#: eight designs (not fitted) see ``docs/front.md``.
ULTRASCALE_PLUS = ResourceModel(
    "xcup",
    leaf_inputs=6,
    lut_per_adder_bit=0.824,
    lut_per_table_unit=0.376,
    dsp_widths=(27, 18),
    calibration="least squares on 16 da4ml designs (Yosys synth_xilinx, xcvu9p), 2 default fits",
)
#: Lattice LUT4 families: the structural counts with unit coefficients (not yet fitted against synthesis).
LATTICE_NEXUS = ResourceModel("nexus", 4, 1.0, 1.0, (18, 18), "uncalibrated: structural LUT4 counts")
LATTICE_ECP5 = ResourceModel("ecp5", 4, 1.0, 1.0, (18, 18), "uncalibrated: structural LUT4 counts")
RESOURCE_MODELS = {m.family: m for m in (ULTRASCALE_PLUS, LATTICE_NEXUS, LATTICE_ECP5)}


@dataclass(frozen=True)
class Resources:
    """Modelled resources of one design: what the front records for every expression."""

    lut: int
    ff: int
    dsp: int
    adder_bits: int
    table_units: float
    model: ResourceModel


def design_resources(logic: Any, stages: list[Any], model: ResourceModel) -> Resources:
    """Resources of the da4ml ``logic`` (a ``CombLogic``), pipelined into ``stages`` (da4ml ``CombLogic`` each)."""
    widths = [width_of(op.qint) for op in logic.ops]
    kinds = [op_kind(op) for op in logic.ops]
    adder_bits = sum(w for kind, w in zip(kinds, widths, strict=True) if kind in _PER_BIT_KINDS)
    units = sum(
        table_lut_units(logic.lookup_tables[op.data].table, widths[op.id0], model.leaf_inputs)
        for op, kind in zip(logic.ops, kinds, strict=True)
        if kind == "table"
    )
    dsp = sum(
        _dsps(widths[op.id0], widths[op.id1], model.dsp_widths)
        for op, kind in zip(logic.ops, kinds, strict=True)
        if kind == "product"
    )
    lut = round(adder_bits * model.lut_per_adder_bit + units * model.lut_per_table_unit)
    return Resources(lut, register_bits(stages), dsp, adder_bits, units, model)


def register_bits(stages: list[Any]) -> int:
    """Bits registered between and after the stages: every value a stage hands on, at its width."""
    return sum(sum(width_of(stage.ops[i].qint) for i in stage.out_idxs if i >= 0) for stage in stages)


def table_lut_units(table: np.ndarray, bits_in: int, leaf_inputs: int = 6) -> float:
    """LUTs a synthesizer needs for a table over ``bits_in`` input bits: leaf LUTs plus half the multiplexers.

    Per output bit: the table is cut into ``2**leaf_inputs``-entry cofactors; constant ones need no LUT and equal
    ones share one. The cofactors are joined by a decision diagram over the upper input bits, reduced (a node
    whose two children are equal is its child; equal nodes at one level are one), and two of its 2:1
    multiplexers fit one LUT. A random table costs about ``2**(bits_in - leaf_inputs)`` LUTs per output bit; a
    smooth function far fewer, as synthesis finds.
    """
    codes = np.asarray(table, dtype=np.int64)
    size = 1 << max(bits_in, 0)
    codes = np.resize(codes, size) - codes.min()
    leaves = muxes = 0
    for bit in range(int(codes.max()).bit_length()):
        column = ((codes >> bit) & 1).astype(np.uint8)
        if bits_in <= leaf_inputs:
            leaves += int(column.min() != column.max())
            continue
        leaf_count, mux_count = _diagram(column.reshape(-1, 1 << leaf_inputs))
        leaves, muxes = leaves + leaf_count, muxes + mux_count
    return leaves + muxes / 2


def _diagram(cofactors: np.ndarray) -> tuple[int, int]:
    """Distinct non-constant cofactors, and the nodes of the reduced diagram that selects among them."""
    names: dict[bytes, int] = {}
    level: list[tuple[str, int, int]] = []
    for row in cofactors:
        if row.min() == row.max():
            level.append(("const", 0, int(row[0])))
        else:
            level.append(("leaf", 0, names.setdefault(row.tobytes(), len(names))))
    muxes = depth = 0
    while len(level) > 1:
        depth += 1  # a node's name holds its level: a child passed up unchanged never meets a namesake
        nodes: dict[tuple[Any, Any], tuple[str, int, int]] = {}
        level = [
            low if low == high else nodes.setdefault((low, high), ("mux", depth, len(nodes)))
            for low, high in zip(level[0::2], level[1::2], strict=True)
        ]
        muxes += len(nodes)
    return len(names), muxes


def _dsps(a: int, b: int, dsp_widths: tuple[int, int]) -> int:
    wide, narrow = max(a, b), min(a, b)
    return -(-wide // dsp_widths[0]) * -(-narrow // dsp_widths[1])
