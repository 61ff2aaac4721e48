"""How deep every operation of a da4ml design is in the target's logic, so registers can be placed in ns.

Why per operation: da4ml's own latency units (an adder 1, a table ``max(bits_in - 6, 1)``, a product its operand
width) misprice our operations relative to each other, so a cutoff in those units that is small enough for the
slowest table cuts every sum into its own stage (an exp design got 21 stages where its logic needs 5). Here each
operation gets the *structure* it synthesizes to — LUT levels, MUXF levels, carry segments, DSP crossings,
the same :class:`~symtrig.cost.yosys.PathDepth` the netlist measure reports — read from a table that
``benchmarks/characterize_ops.py`` regenerates by synthesizing each operation alone with Yosys for the target
family. A :class:`~symtrig.cost.delays.DelayModel` prices that structure in ns, so the schedule and the netlist
measure of the written design speak the same units. A model: structure of operations synthesized alone; logic
merged across operations by the synthesizer is not seen (it can only make the real chain shorter).

da4ml's opcodes (``da4ml.types.Op``): -1 input copy, 0/1 add/sub (``v0 ± v1·2^s``), ±2 relu, ±3 quantize
(a negated one subtracts), 4 constant add, 5 constant, ±6 MSB multiplexer (saturation), 7 product,
8 table lookup, ±9/10 bit operations.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

from symtrig.cost.yosys import PathDepth
from symtrig.errors import SymtrigError

#: Target families with a characterization table (``op_timing_<family>.json`` beside this module).
FAMILIES = ("xcup", "nexus", "ecp5")
_NOTHING = PathDepth("op")
_ONE_LUT = PathDepth("op", lut=1)


@dataclass(frozen=True)
class OpTiming:
    """The characterized structure of each operation class on one target family.

    ``adder``: (output bits, depth) rows; ``table``: (input bits, depth); ``product``: ((wide, narrow) operand
    bits, depth); a size between rows takes the next larger row, a size past the last row extrapolates the
    last row's carry (adders) or LUT levels (tables: each further input bit past the MUXF tree is half a LUT6 level).
    """

    family: str
    yosys_version: str
    adder: tuple[tuple[int, PathDepth], ...]
    table: tuple[tuple[int, PathDepth], ...]
    product: tuple[tuple[tuple[int, int], PathDepth], ...]

    def depth(self, op: Any, operand_widths: tuple[int, ...], width: int) -> PathDepth:
        """The structure of ``op`` (a da4ml ``Op``) whose result is ``width`` bits wide."""
        kind = op_kind(op)
        if kind == "wire":
            return _NOTHING
        if kind == "adder":
            return self.adder_depth(width)
        if kind == "lut":
            return _ONE_LUT
        if kind == "product":
            return self.product_depth(*operand_widths[:2])
        return self.table_depth(operand_widths[0])

    def adder_depth(self, width: int) -> PathDepth:
        size, depth = _next_row(self.adder, width)
        if width <= size:
            return depth
        extra = math.ceil((width - size) / 4)
        return PathDepth("op", depth.lut, depth.muxf, depth.carry + extra, depth.carry_chains, depth.dsp)

    def table_depth(self, bits: int) -> PathDepth:
        size, depth = _next_row(self.table, bits)
        if bits <= size:
            return depth
        extra = math.ceil((bits - size) / 2)
        return PathDepth("op", depth.lut + extra, depth.muxf, depth.carry, depth.carry_chains, depth.dsp)

    def product_depth(self, a: int, b: int) -> PathDepth:
        wide, narrow = max(a, b), min(a, b)
        fitting = [d for (w, n), d in self.product if w >= wide and n >= narrow]
        if fitting:
            return fitting[0]
        return self.product[-1][1]


def op_kind(op: Any) -> str:
    """What a da4ml ``Op`` is in hardware: ``wire`` (copies, constants, requantization by shifting), ``adder``
    (every negation is a subtraction from zero), ``lut`` (one LUT per result bit: relu, saturation multiplexer,
    bit operations), ``product`` or ``table``. The one classification the timing and the resource model share."""
    code = op.opcode
    if code in (-1, 3, 5) or (code in (0, 1) and op.id1 < 0):
        return "wire"
    if code in (0, 1, 4, -3, -2, -6):
        return "adder"
    if code in (2, 6, -9, 9, 10):
        return "lut"
    if code == 7:
        return "product"
    if code == 8:
        return "table"
    raise SymtrigError(f"no timing for da4ml opcode {code}")


def _next_row(rows: tuple[tuple[int, PathDepth], ...], size: int) -> tuple[int, PathDepth]:
    return next(((s, d) for s, d in rows if s >= size), rows[-1])


def width_of(qint: Any) -> int:
    """Bits of a da4ml ``QInterval`` (sign + integer + fraction, da4ml's own ``minimal_kif``), 0 for zero."""
    from da4ml.types import minimal_kif

    return int(sum(minimal_kif(qint)))


@functools.cache
def op_timing(family: str = "xcup") -> OpTiming:
    """The committed characterization of ``family`` (regenerate: ``python benchmarks/characterize_ops.py``)."""
    if family not in FAMILIES:
        raise SymtrigError(f"no operation timing for family {family!r}; characterized: {', '.join(FAMILIES)}")
    text = resources.files("symtrig.cost").joinpath(f"op_timing_{family}.json").read_text()
    return from_json(json.loads(text))


def from_json(data: dict[str, Any]) -> OpTiming:
    """An :class:`OpTiming` from the table's JSON form (what the characterization script writes)."""

    def depth(row: dict[str, int]) -> PathDepth:
        return PathDepth("op", row["lut"], row["muxf"], row["carry"], row["carry_chains"], row["dsp"])

    return OpTiming(
        family=data["family"],
        yosys_version=data["yosys"],
        adder=tuple((int(r["bits"]), depth(r)) for r in data["adder"]),
        table=tuple((int(r["bits"]), depth(r)) for r in data["table"]),
        product=tuple(((int(r["wide"]), int(r["narrow"])), depth(r)) for r in data["product"]),
    )
