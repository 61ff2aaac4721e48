"""The space of per-node fixed-point types for a lowered program: every operation gets the bits it needs, no more.

One ``ap_fixed`` for a whole design (the hls4ml path) pays for its widest value and its most demanding table
everywhere; here each node of a :class:`~symtrig.lower.program.Program` has its own type. This module fixes
what calibration decides and maps the search's variables to types; which fraction bits and digits a design
gets is chosen by the tune stage (:mod:`symtrig.tune.node_types`) against the backend's bit-exact model.

* **Integer bits**: the node's calibrated range plus :data:`~symtrig.lower.ranges.HEADROOM_BITS`, so nothing
  wraps on the calibration jets. A node that is never negative (a square, an exp) is unsigned.
* **Tables** are computed by the function unit :func:`symtrig.lower.units.unit_of` picks from the argument's
  range. A flat table (the others are described there) clamps (SAT) ``argument - shift`` to an input type
  covering the calibrated argument range plus :data:`~symtrig.lower.ranges.TABLE_RANGE_MARGIN` around a dyadic
  ``shift`` and holds ``f(v + shift)``: [-5.75, 58.25] costs a 64-wide table, not a 128-wide one (each input bit
  doubles a table). The output type holds ``f`` over that window; ``logabs(0)`` saturates to its minimum.
* **Constants** get few nonzero signed (CSD) digits on a grid fine enough for their term (da4ml spends one
  adder per digit and needs constants on a finite binary grid).
* **Fraction bits** and digits are the search's variables (:data:`Settings`); :func:`materialize` turns a
  setting of them into node types.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from symtrig.errors import SymtrigError
from symtrig.lower.fixed import FixedFormat
from symtrig.lower.program import Node, NodeType, Program, tabulate
from symtrig.lower.ranges import HEADROOM_BITS, TABLE_RANGE_MARGIN
from symtrig.lower.units import LeadingOneLog, Unit, leading_one_log, unit_of

#: Widest table input of the da4ml path: 8192 entries.
MAX_TABLE_BITS = 13
#: Widest node: a product of two stays inside the int64 models (ours and da4ml's interpreter).
MAX_WIDTH = 28
#: Narrowest node (sign bit and one more).
MIN_WIDTH = 2
#: Constants start with :data:`FULL_DIGITS` digits (a uniform search lowers them from there).
FULL_DIGITS = 24
#: A coefficient's grid is this many bits finer than the LSB its term can move in the node's output.
COEFF_GUARD_BITS = 2


def csd_round(value: float, digits: int, fraction: int) -> float:
    """``value`` on the grid ``2**-fraction`` with at most ``digits`` nonzero signed binary digits (at most
    ``digits - 1`` adders in da4ml): greedily the power of two nearest the remainder, with its sign."""
    rest, result = round(value * 2.0**fraction), 0
    for _ in range(digits):
        if rest == 0:
            break
        low = 1 << (abs(rest).bit_length() - 1)
        power = low if abs(rest) - low < 2 * low - abs(rest) else 2 * low
        step = power if rest > 0 else -power
        result, rest = result + step, rest - step
    return math.ldexp(result, -fraction)


def csd_digits(value: float) -> int:
    """Nonzero digits of the canonical signed-digit form of a dyadic ``value``."""
    n = abs(int(value * 2.0 ** max(0, -math.frexp(value)[1] + 60)))
    return bin((n ^ (3 * n)) >> 1).count("1")


def integer_bits(max_abs: float) -> int:
    """A node's :attr:`FixedFormat.integer <symtrig.lower.fixed.FixedFormat.integer>` (sign excluded): bits with
    ``max_abs < 2**bits``, plus headroom; negative for small values: unlike
    :func:`symtrig.lower.ranges.signed_int_bits` (one type for a design, >= 1 bit) a node below 1/8 pays none."""
    return (math.frexp(max_abs)[1] if max_abs > 0 else 0) + HEADROOM_BITS


@dataclass(frozen=True)
class Plan:
    """What calibration fixes before any fraction bit is chosen: per node its sign and integer bits, per table
    its input integer bits, shift and the argument window its output type must hold."""

    signed: tuple[bool, ...]
    integer: tuple[int, ...]
    tables: dict[int, TableWindow]


def plan_types(program: Program) -> Plan:
    """Signs, integer bits and table geometry from the calibrated ranges of ``program``'s nodes."""
    nonneg: list[bool] = []  # provably never negative (then unsigned, if no calibrated value is negative)
    for node in program.nodes:
        ops = all(nonneg[o] for o in node.operands)
        square = node.kind == "mul" and len(set(node.operands)) == 1
        positive = node.offset >= 0 and min(node.coeffs, default=1) > 0
        arithmetic = node.kind in ("const", "add", "mul") and ops and positive
        nonneg.append(square or arithmetic or node.function in ("exp", "gauss"))
    signed = tuple(n.lo < 0 or not ok for n, ok in zip(program.nodes, nonneg, strict=True))
    integer = tuple(integer_bits(max(abs(n.lo), abs(n.hi))) for n in program.nodes)
    for node, bits in zip(program.nodes, integer, strict=True):
        _check_integer(bits, node.label)
    tables = {}
    for index, node in enumerate(program.nodes):
        if node.kind == "table":
            argument = program.nodes[node.operands[0]]
            unit = unit_of(node.function, argument.lo, argument.hi)
            if unit == "flat":
                tables[index] = _table_window(node.function, argument.lo, argument.hi, node.label)
            else:  # the input is the wrapped turn (periodic) or the normalized mantissa (leading-one)
                tables[index] = TableWindow(0, 0.0, argument.lo, argument.hi, MIN_UNIT_INPUT_BITS, unit)
    return Plan(signed, integer, tables)


#: Where a function is below the finest output LSB any node can have (2**-(MAX_WIDTH+1)): a table's window
#: ends there, since a clamped argument then returns the same entry (exp(-353) and exp(-21) are both 0).
_VISIBLE = {
    "exp": (-(MAX_WIDTH + 1) * math.log(2), math.inf),
    "gauss": (-math.sqrt((MAX_WIDTH + 1) * math.log(2)), math.sqrt((MAX_WIDTH + 1) * math.log(2))),
}


class TableWindow(NamedTuple):
    """Where a table's argument lives: input integer ``bits`` around ``shift`` (on a grid of
    ``2**-min_fraction``, the fewest input fraction bits), and the window ``lo, hi`` its output type holds; a
    ``periodic`` or ``leading-one`` unit's input has no integer bits (a turn in [0, 1), a mantissa in [1/2, 1))."""

    bits: int
    shift: float
    lo: float
    hi: float
    min_fraction: int
    unit: Unit = "flat"


#: The fewest bits of a periodic table's turn or a leading-one unit's mantissa (a quarter-turn grid).
MIN_UNIT_INPUT_BITS = 2


def _table_window(function: str, lo: float, hi: float, label: str) -> TableWindow:
    """The narrowest signed input type that holds ``[lo, hi]`` around a dyadic shift, coarsest shift first.

    [-5.75, 58.25] fits 5 integer bits around 26.25 (a 64-wide table) where no shift needs 6 (128 wide). The
    output type holds the function over the calibrated range plus
    :data:`~symtrig.lower.ranges.TABLE_RANGE_MARGIN` (within the window).
    """
    low, high = _VISIBLE.get(function, (-math.inf, math.inf))
    lo, hi = min(max(lo, low), high), max(min(hi, high), low)
    margin = TABLE_RANGE_MARGIN * (hi - lo)
    for bits in range(math.ceil(math.log2(max(hi - lo, 2.0**-8) / 2)), 64):
        for grid in range(bits - 3, bits - MAX_TABLE_BITS, -1):
            fits = -(2.0**bits) <= lo and hi <= 2.0**bits
            shift = 0.0 if fits else round((lo + hi) / 2 / 2.0**grid) * 2.0**grid
            if -(2.0**bits) <= lo - shift and hi - shift <= 2.0**bits:
                window = max(lo - margin, shift - 2.0**bits), min(hi + margin, shift + 2.0**bits)
                return TableWindow(bits, shift, *window, max(4 - bits, -grid))
    raise SymtrigError(f"{label}: the table argument range [{lo}, {hi}] has no fixed-point window")


def _check_integer(bits: int, label: str) -> None:
    if bits > MAX_WIDTH - MIN_WIDTH:
        raise SymtrigError(f"{label}: its values need {bits} integer bits; a node holds at most {MAX_WIDTH}")


def fraction_bounds(signed: bool, integer: int) -> tuple[int, int]:
    return MIN_WIDTH - int(signed) - integer, MAX_WIDTH - int(signed) - integer


def table_input_bounds(window: TableWindow) -> tuple[int, int]:
    """Fraction bits of a table input: at least 32 entries (and the shift on the grid), at most
    :data:`MAX_TABLE_BITS` bits (a periodic or leading-one unit's unsigned input: all of them fraction)."""
    if window.unit != "flat":
        return window.min_fraction, MAX_TABLE_BITS
    return window.min_fraction, MAX_TABLE_BITS - 1 - window.bits


#: The search's variables: ``("fraction", node, -1)`` (every node), ``("table input", node, -1)`` (tables) and
#: ``("digits", node, term)`` (every coefficient of a linear combination) -> bits or digits.
Settings = dict[tuple[str, int, int], int]


def uniform_settings(
    program: Program, plan: Plan, fraction: int | Sequence[int], digits: int = FULL_DIGITS
) -> Settings:
    """Every node at ``fraction`` bits (one width, or one per node; within its bounds), every coefficient at
    ``digits`` digits."""
    widths = [fraction] * len(program.nodes) if isinstance(fraction, int) else list(fraction)
    settings: Settings = {}
    for index, node in enumerate(program.nodes):
        settings["fraction", index, -1] = widths[index]
        if node.kind == "table":
            settings["table input", index, -1] = int(
                np.clip(widths[index], *table_input_bounds(plan.tables[index]))
            )
        for term in range(len(node.operands) if node.kind == "add" else 0):
            settings["digits", index, term] = digits
    return settings


def materialize(program: Program, plan: Plan, settings: Settings) -> tuple[NodeType, ...]:
    """The node types that ``settings`` describe (constants rounded, table output types from their range).

    A node that only tables read keeps no more fraction bits than the finest of their inputs: flooring it
    first changes nothing (the shift is on that grid), so the extra bits would be wires to nowhere.
    """
    types: list[NodeType] = []
    for index, node in enumerate(program.nodes):
        fraction = settings["fraction", index, -1]
        readers = [r for r in program.consumers[index] if program.nodes[r].kind == "table"]
        flooring = [r for r in readers if plan.tables[r].unit != "leading-one"]  # which reads every bit
        if flooring and len(flooring) == len(program.consumers[index]) and index not in program.outputs:
            fraction = min(fraction, max(settings["table input", r, -1] for r in flooring))
        if node.kind == "table":
            argument = types[node.operands[0]].fmt
            window, tfrac = plan.tables[index], settings["table input", index, -1]
            types.append(_table_type(node, window, tfrac, fraction, argument))
            continue
        fmt = _bounded(plan.signed[index], plan.integer[index], fraction)
        offset = round(node.offset * 2.0**fmt.fraction) * 2.0**-fmt.fraction
        if node.kind != "add":
            types.append(NodeType(fmt, offset=offset if node.kind == "const" else 0.0))
            continue
        digits = tuple(settings["digits", index, term] for term in range(len(node.operands)))
        grids = [fmt.fraction + types[o].fmt.integer + COEFF_GUARD_BITS for o in node.operands]
        coeffs = tuple(
            csd_round(c, d, _grid(c, g)) for c, d, g in zip(node.coeffs, digits, grids, strict=True)
        )
        types.append(NodeType(fmt, coeffs=coeffs, digits=digits, offset=offset))
    return tuple(types)


def _table_type(
    node: Node, window: TableWindow, tfrac: int, fraction: int, argument: FixedFormat
) -> NodeType:
    """A table's input type and its output type, which holds the function over the window (an exactly
    representable edge such as cos(0) = 1 is allowed to saturate by one LSB rather than cost an integer bit).

    A periodic table's window is the whole period; a leading-one unit's output holds ``log`` of every ``|u|``
    its argument's type can carry (from its LSB to ``2**(width - fraction)``), so the unit never saturates, and
    its mantissa has at most as many bits as ``|u|``."""
    if window.unit == "leading-one":
        tin = FixedFormat(False, 0, min(tfrac, argument.width))
        low, high = -argument.fraction * math.log(2), (argument.width - argument.fraction) * math.log(2)
    elif window.unit == "periodic":
        tin = FixedFormat(False, 0, tfrac)
        low, high = table_range(node.function, tin, 0.0, 0.0, 1.0)
    else:
        tin = FixedFormat(True, window.bits, tfrac)
        low, high = table_range(node.function, tin, window.shift, window.lo, window.hi)
    signed, peak = low < 0, max(-low, high)
    integer = math.ceil(math.log2(peak)) if peak > 0 else 0
    _check_integer(integer, node.label)
    return NodeType(
        _bounded(signed, integer, fraction), table_input=tin, shift=window.shift, unit=window.unit
    )


def leading_one_unit(argument: FixedFormat, node_type: NodeType) -> LeadingOneLog:
    """The integer definition of a leading-one table of ``argument`` at ``node_type`` (model and trace)."""
    if node_type.table_input is None:
        raise SymtrigError("a leading-one table needs its mantissa type")
    out = node_type.fmt
    return _leading_one(argument.width, argument.fraction, node_type.table_input.fraction, out)


@functools.lru_cache(maxsize=1024)
def _leading_one(width: int, fraction: int, mantissa: int, out: FixedFormat) -> LeadingOneLog:
    return leading_one_log(width, fraction, mantissa, (out.fraction, out.min_code, out.max_code))


def _bounded(signed: bool, integer: int, fraction: int) -> FixedFormat:
    return FixedFormat(signed, integer, int(np.clip(fraction, *fraction_bounds(signed, integer))))


def _grid(value: float, fraction: int) -> int:
    """``fraction``, or fewer bits so the rounded value has at most 24 significant bits: da4ml's constant
    matrices are float32 (``cmvm`` casts them), and a wider constant would be changed silently."""
    return min(fraction, 24 - math.frexp(value)[1]) if value else fraction


@functools.lru_cache(maxsize=4096)
def table_range(function: str, tin: FixedFormat, shift: float, lo: float, hi: float) -> tuple[float, float]:
    """Smallest and largest finite ``function`` value over the input grid points inside ``[lo, hi]``."""
    step = 2.0**-tin.fraction
    grid = np.arange(math.ceil((lo - shift) / step), math.floor((hi - shift) / step) + 1) * step + shift
    values = tabulate(function, grid)
    values = values[np.isfinite(values)]
    return (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
