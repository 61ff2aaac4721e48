"""A lowered program with its node types as a da4ml combinational design (``comb_trace``).

Every rule here is one of the sharp edges of da4ml 0.6.0 (docs/rtl-path.md), and every node is
traced so that :mod:`symtrig.verify.program_model` computes the same integers:

* inputs: ``FixedVariableArrayInput`` quantized once to the input node's type (WRAP: raw inputs accept nothing
  else); that quantize sets the IP's input port;
* every node is quantized to its type right after it is computed (an unquantized product or table grows or,
  for a table, silently returns its *argument*);
* linear combinations are constant-matrix products ``vec @ M`` (da4ml's CMVM: balanced adder trees with
  shared digits) plus their constant terms; the constants are dyadic, CSD-rounded and float32-exact (``cmvm``
  casts the matrix to float32), never raw floats (``x*1.22`` is *wrong* in da4ml, not just imprecise);
* a table clamps ``argument - shift`` (SAT, TRN) to its input type, tabulates ``f(v + shift)`` with
  ``.apply`` and clamps the result to its output type (SAT, so ``logabs(0)`` is the type's minimum, never NaN);
  ufuncs are applied to one-element slices, never scalars;
* the outputs are concatenated in program order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from symtrig.errors import SymtrigError
from symtrig.lower.fixed import FixedFormat
from symtrig.lower.node_types import leading_one_unit
from symtrig.lower.program import Node, NodeType, Program, tabulate
from symtrig.lower.units import LeadingOneLog
from symtrig.tune.node_types import NodeTypes


def trace_program(program: Program, types: NodeTypes | Sequence[NodeType]) -> Any:
    """The da4ml ``CombLogic`` of ``program`` at ``types`` (inputs: standardized features, in column order).

    Nodes are traced level by level (a node's level: one more than its deepest operand's), and all linear
    combinations of one level form one constant matrix: da4ml's CMVM then shares the digits of constants that
    multiply the same operand in different sums (``0.18*x14`` and ``3.77*x14``). Measured on the four sample
    designs: 2-7 % lower da4ml cost than one matrix per sum, latency within one unit, outputs identical.
    """
    from da4ml.trace import FixedVariableArrayInput, comb_trace

    node_types = tuple(types.nodes if isinstance(types, NodeTypes) else types)
    if len(node_types) != len(program.nodes):
        raise SymtrigError(f"{len(node_types)} node types for a program of {len(program.nodes)} nodes")
    inputs = FixedVariableArrayInput((program.n_inputs,))
    levels: list[int] = []
    for node in program.nodes:
        levels.append(1 + max((levels[o] for o in node.operands), default=-1))
    values: list[Any] = [None] * len(program.nodes)
    for level in range(max(levels) + 1):
        members = [i for i, at in enumerate(levels) if at == level]
        for index in members:
            if program.nodes[index].kind != "add":
                values[index] = _trace_node(program.nodes[index], node_types, index, values, inputs)
        sums = [i for i in members if program.nodes[i].kind == "add"]
        for index, total in zip(sums, _linear(program, node_types, sums, values), strict=True):
            offset = node_types[index].offset
            values[index] = _quantize(
                total + np.float64(offset) if offset else total, node_types[index].fmt.kif
            )
    return comb_trace(inputs, np.concatenate([values[k] for k in program.outputs]))


def _quantize(value: Any, kif: tuple[int, int, int]) -> Any:
    from da4ml.trace.ops import quantize

    return quantize(value, *kif)


def _trace_node(node: Node, types: Sequence[NodeType], index: int, values: list[Any], inputs: Any) -> Any:
    """Node ``index``: an input, constant, product or table (sums are traced together, :func:`_linear`)."""
    node_type = types[index]
    if node.kind == "input":
        return _quantize(inputs[node.index : node.index + 1], node_type.fmt.kif)
    if node.kind == "const":
        return _constant(node_type.offset, inputs)
    if node.kind == "mul":
        a, b = (values[o] for o in node.operands)
        return _quantize(a * b, node_type.fmt.kif)
    (operand,) = node.operands
    if node_type.unit == "leading-one":
        return _leading_one(node_type, values[operand], types[operand].fmt)
    return _table(node, node_type, values[operand])


def _linear(program: Program, types: Sequence[NodeType], sums: list[int], values: list[Any]) -> list[Any]:
    """The linear combinations ``sums`` (without their constant terms) as one constant-matrix product."""
    if not sums:
        return []
    operands = sorted({o for i in sums for o in program.nodes[i].operands})
    matrix = np.zeros((len(operands), len(sums)))
    for column, index in enumerate(sums):
        for operand, coeff in zip(program.nodes[index].operands, types[index].coeffs, strict=True):
            matrix[operands.index(operand), column] = coeff
    if not np.array_equal(matrix.astype(np.float32), matrix):
        raise SymtrigError("a coefficient is not exact in float32, which da4ml's constant matrices use")
    totals = np.concatenate([values[o] for o in operands]) @ matrix
    return [totals[column : column + 1] for column in range(len(sums))]


def _table(node: Node, node_type: NodeType, argument: Any) -> Any:
    """Clamp ``argument - shift`` to the table's input type (periodic: wrap it), look up ``f(v + shift)``, clamp
    to the output."""
    from da4ml.trace.ops import quantize

    tin, shift = node_type.table_input, node_type.shift
    if tin is None:
        raise SymtrigError(f"{node.label}: a table node needs a table input type")
    shifted = argument + np.float64(-shift) if shift else argument
    function = node.function

    def entries(grid: np.ndarray) -> np.ndarray:
        return tabulate(function, grid + shift)

    if node_type.unit == "periodic":
        return quantize(
            quantize(shifted, *tin.kif, "WRAP", "TRN").apply(entries), *node_type.fmt.kif, "SAT", "TRN"
        )
    return clamped_lookup(shifted, tin, entries, node_type.fmt)


def clamped_lookup(
    value: Any, index: FixedFormat, entries: Callable[[np.ndarray], np.ndarray], out: FixedFormat
) -> Any:
    """``entries`` at ``value`` floored and clamped into ``index`` (SAT), the result clamped into ``out``.

    Why not da4ml's SAT in front of the table: it clamps by comparison, ``max(v, low)`` then ``min(v, high)``,
    two subtractions across the full width, each followed by a multiplexer, all in series before the table.
    Here the table is indexed by ``value``'s own low bits (wires), and whether ``value`` is out of range is read
    from its bits at the same time: it is inside ``index`` when its bits from ``index``'s top integer bit up to
    its own are all equal to its sign (one OR, or AND, of those few bits). Out of range, the table's first or
    last entry replaces the looked-up one: a multiplexer after the table, on the output's few bits. The same
    value on every input as clamping the index.
    """
    from da4ml.trace.ops import quantize

    k, i, f = index.kif
    vk, vi, _ = value._vars[0].kif
    if vi <= i and vk <= k:  # nothing to clamp: da4ml's SAT is a plain requantization here
        return quantize(quantize(value, k, i, f, "SAT", "TRN").apply(entries), *out.kif, "SAT", "TRN")
    floored = quantize(value, vk, vi, f, "WRAP", "TRN")  # wires
    looked_up = quantize(
        quantize(floored, k, i, f, "WRAP", "TRN").apply(entries), *out.kif, "SAT", "TRN"
    )._vars[0]

    def entry(at: float) -> float:  # the clamped output of the table's entry at ``at``
        code = np.floor(float(entries(np.array([at]))[0]) * 2.0**out.fraction)
        return float(np.clip(code, out.min_code, out.max_code)) * 2.0**-out.fraction

    last, first = entry(2.0**i - 2.0**-f), entry(-(2.0**i) * k)
    if vi <= i:  # only a negative value into an unsigned index is out of range: the sign selects the first
        return _scalar(floored._vars[0].msb_mux(first, looked_up), value)
    top = quantize(floored, 0, vi, -i)._vars[0]  # bits 2**i .. 2**(vi-1)
    upper = top.unary_bit_op("any").msb_mux(last, looked_up)
    if not vk:  # never negative: only the upper edge
        return _scalar(upper, value)
    lower = top.unary_bit_op("all").msb_mux(looked_up, first) if k else first
    return _scalar(floored._vars[0].msb_mux(lower, upper), value)


def _leading_one(node_type: NodeType, argument: Any, fmt: FixedFormat) -> Any:
    """The leading-one log unit (:class:`symtrig.lower.units.LeadingOneLog`): ``|u|``, a binary-search shifter
    of multiplexers (a level shifts when none of its top bits is set: one OR, a LUT level), one table of the
    mantissa and one of the shift count, subtracted; the result is inside the output type by construction."""
    from da4ml.trace.ops import quantize

    unit = leading_one_unit(fmt, node_type)
    integer, lsb = unit.width - unit.fraction, 2.0 ** -(unit.out_fraction + unit.guard)
    u = argument._vars[0]
    # |u| as 2 relu(u) - u: da4ml's own abs is a multiplexer whose result is stored negated, which
    # makes every bit slice of the shifter a subtraction; this is one subtraction, and every later slice wires
    x = quantize(_scalar(u.relu() * 2.0 - u, argument), 0, integer, unit.fraction)
    kept = None  # N: the sum of the levels that did not shift, one bit each
    for s in unit.shifts:
        # after this level only the bits that later shifts (s - 2**skip in all) can still bring into the
        # table's index bits matter: the shifter narrows level by level (the same result, fewer multiplexers)
        fraction = min(unit.fraction, unit.index_bits + s - (1 << unit.skip) - integer)
        top = quantize(x, 0, integer, s - integer)._vars[0]
        moved = quantize(x * 2.0**s, 0, integer, fraction)._vars[0]
        x = quantize(x, 0, integer, fraction)
        if s > 1:  # any top bit set (one OR, a LUT): keep x
            top_set = top.unary_bit_op("any")
            x_next = top_set.msb_mux(x._vars[0], moved)
        else:  # one bit, its own value (a multiplexer on the one-bit slice picked the wrong input in da4ml
            # 0.6.0's interpreter, so the sign of top - 1 selects)
            top_set = top * 2.0 ** (1 - integer)
            x_next = (top - 2.0 ** (integer - 1)).msb_mux(moved, x._vars[0])
        x = _scalar(x_next, argument)
        kept = top_set * s if kept is None else kept + top_set * s
    total = _mantissa_log(unit, x, integer, lsb)
    exponent = unit.exponent
    if kept is not None:
        count = _scalar(kept, argument).apply(lambda grid: exponent[np.round(grid).astype(np.int64)] * lsb)
        total = total - quantize(count, 0, _integer_bits(exponent, lsb), unit.out_fraction + unit.guard)
    return quantize(total, *node_type.fmt.kif, "WRAP", "TRN")  # in range by construction (see the unit)


def _mantissa_log(unit: LeadingOneLog, x: Any, integer: int, lsb: float) -> Any:
    """``log m`` of the normalized ``x`` (``integer`` integer bits): one table of its top ``M`` bits, or the two
    tables of a bipartite split — (leading bit, high, middle) and (leading bit, high, low), the second indexed
    by the high bits with the low bits placed right below them — added."""
    from da4ml.trace.ops import quantize

    def table_of(variable: Any, table: np.ndarray, step: float) -> Any:
        looked_up = variable.apply(lambda grid: table[np.round(grid / step).astype(np.int64)] * lsb)
        signed = bool(table.min() < 0)
        return quantize(looked_up, int(signed), _integer_bits(table, lsb), unit.out_fraction + unit.guard)

    lsb_exp = integer - unit.index_bits  # the table index's LSB is 2**lsb_exp
    if unit.split is None:
        return table_of(quantize(x, 0, integer, -lsb_exp), unit.table, 2.0**lsb_exp)
    _, middle, low = unit.split
    initial, offset = unit.parts
    leading = quantize(x, 0, integer, -(lsb_exp + low))
    upper = quantize(x, 0, integer, -(lsb_exp + middle + low))
    rest = quantize(x, 0, lsb_exp + low, -lsb_exp)  # the low bits alone (the bits above wrap away: wires)
    joined = upper + rest * 2.0**middle  # (leading bit, high, low) as one index
    return table_of(leading, initial, 2.0 ** (lsb_exp + low)) + table_of(
        joined, offset, 2.0 ** (lsb_exp + middle)
    )


def _integer_bits(table: np.ndarray, lsb: float) -> int:
    """Integer bits (sign excluded) that hold every entry of ``table`` (codes of ``lsb``)."""
    peak = float(np.abs(table).max()) * lsb
    return max(0, int(np.ceil(np.log2(peak + lsb))))


def _scalar(variable: Any, like: Any) -> Any:
    """A one-element da4ml array of ``variable``, like ``like`` (constants, and the multiplexers and ``relu``
    that exist on scalars only)."""
    from da4ml.trace import FixedVariableArray

    return FixedVariableArray(np.array([variable]), like.solver_options, hwconf=like.hwconf)


def _constant(value: float, inputs: Any) -> Any:
    """A one-element array holding a constant (an expression that is a number)."""
    from da4ml.trace.fixed_variable import FixedVariable

    return _scalar(FixedVariable.from_const(value, inputs.hwconf, 1), inputs)
