"""symtrig's own bit-exact model of a lowered program with its per-node types (:mod:`symtrig.lower.node_types`;
chosen by :mod:`symtrig.tune.node_types`, which is handed :class:`ModelState` as its model).

Why a model of our own next to da4ml's interpreter: the precision search evaluates hundreds of candidate types
and must not trace a da4ml design for each; this model computes the same integers in vectorized numpy (a test
checks it against da4ml's interpreter and against Verilator bit for bit). It also knows *why* a row went wrong:
which outputs depend on a value that wrapped around or on a table that saturated.

Semantics (da4ml's, as its interpreter computes them): every value is an int64 code with a number of fraction bits.
Inputs are floored (TRN) to their type and wrapped (WRAP), as da4ml's ``predict`` feeds input ports. Sums,
constant multiplications and products are exact, then floored to the node's type and wrapped. A flat table
floors its argument minus its shift to its input type and clamps it (SAT), and returns the function of the grid
value floored and clamped to its output type, the function evaluated by numpy on the same float grid da4ml uses;
a periodic table wraps its turn instead of clamping it; a leading-one unit is its integer definition
(:class:`symtrig.lower.units.LeadingOneLog`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from symtrig.errors import SymtrigError
from symtrig.lower.fixed import FixedFormat
from symtrig.lower.node_types import leading_one_unit
from symtrig.lower.program import NodeType, Program, tabulate

#: Widest intermediate integer the model computes (int64 with a sign and one bit of slack).
_MAX_BITS = 62


@dataclass(frozen=True)
class ProgramRun:
    """Fixed-point outputs of a program on some rows, and how often each output depended on an overflow."""

    y: np.ndarray  # (rows, outputs) float64, the values the hardware outputs
    wrap_rate: np.ndarray  # per output: fraction of rows where a value it depends on wrapped around
    clip_rate: np.ndarray  # per output: ... where a table it depends on saturated (missed f by > 1 LSB)

    @property
    def overflow_rate(self) -> np.ndarray:
        """Per output: the larger of the two rates (a row counted in either is suspect)."""
        return np.maximum(self.wrap_rate, self.clip_rate)


@dataclass(frozen=True)
class Signal:
    """One node's value on every row: ``codes * 2**-fraction``, and which rows depend on an overflow."""

    codes: np.ndarray
    fraction: int
    wrapped: np.ndarray | None = None  # bool per row; None when no row wrapped
    clipped: np.ndarray | None = None  # bool per row; None when no table saturated

    @property
    def values(self) -> np.ndarray:
        return self.codes * 2.0**-self.fraction


def run_program(program: Program, types: Any, X: np.ndarray) -> ProgramRun:
    """The design's outputs on ``X`` (rows x inputs, standardized features), bit-exact to da4ml.

    ``types``: a :class:`~symtrig.tune.node_types.NodeTypes` or one :class:`NodeType` per node."""
    return ModelState(program, _node_types(program, types), _rows(program, X)).run()


class ModelState:
    """A program evaluated on fixed rows, kept so that changing a few node types re-evaluates only their
    downstream nodes (the precision search tries hundreds of such changes)."""

    def __init__(
        self, program: Program, types: Sequence[NodeType], X: np.ndarray, signals: list[Signal] | None = None
    ) -> None:
        self.program, self.types, self.X = program, tuple(types), X
        if signals is None:
            signals = []
            for index in range(len(program.nodes)):
                signals.append(evaluate_node(program, self.types, index, signals, X))
        self.signals = signals

    def update(self, types: Sequence[NodeType]) -> tuple[ModelState, set[int]]:
        """The state with ``types``, and the outputs whose values changed."""
        types = tuple(types)
        changed = [i for i, (old, new) in enumerate(zip(self.types, types, strict=True)) if old != new]
        signals = list(self.signals)
        for index in self.program.downstream(changed):
            signals[index] = evaluate_node(self.program, types, index, signals, self.X)
        outputs = {
            k
            for k, node in enumerate(self.program.outputs)
            if signals[node] is not self.signals[node] and not _same(signals[node], self.signals[node])
        }
        return ModelState(self.program, types, self.X, signals), outputs

    def run(self) -> ProgramRun:
        """Outputs in program order, with the rates of rows that depend on an overflow."""
        outs = [self.signals[k] for k in self.program.outputs]
        y = np.stack([s.values for s in outs], axis=1)
        return ProgramRun(y, _rates([s.wrapped for s in outs]), _rates([s.clipped for s in outs]))


def _same(a: Signal, b: Signal) -> bool:
    return a.fraction == b.fraction and np.array_equal(a.codes, b.codes)


def evaluate_node(
    program: Program, types: Sequence[NodeType], index: int, signals: Sequence[Signal], X: np.ndarray
) -> Signal:
    """Node ``index`` on the rows of ``X`` from its operands' signals (the precision search calls this on the
    nodes a candidate changes only)."""
    node, node_type = program.nodes[index], types[index]
    operands = [signals[o] for o in node.operands]
    fmt = node_type.fmt
    if node.kind == "input":
        codes = np.floor(X[:, node.index] * 2.0**fmt.fraction)
        return _wrap(codes, fmt, [], exact_float=True)
    if node.kind == "const":
        return Signal(np.full(len(X), _code(node_type.offset, fmt.fraction, node.label)), fmt.fraction)
    if node.kind == "mul":
        a, b = operands
        _check_bits(_span(a) + _span(b), node.label)
        return _wrap(_floor(a.codes * b.codes, a.fraction + b.fraction, fmt.fraction), fmt, operands)
    if node.kind == "add":
        return _wrap(_linear(node_type, operands, fmt.fraction, node.label), fmt, operands)
    if node_type.unit == "leading-one":
        return _leading_one(node.function, node_type, types[node.operands[0]].fmt, operands[0])
    return _table(node.function, node_type, operands[0], node.label)


def _linear(node_type: NodeType, operands: list[Signal], fraction: int, label: str) -> np.ndarray:
    """``floor(sum(c_j * a_j) + offset)`` at ``fraction`` bits, exactly: all terms aligned to the finest LSB."""
    scaled = [_dyadic(c) for c in node_type.coeffs]
    offset = _dyadic(node_type.offset)
    lsb = max([a.fraction + e for a, (_, e) in zip(operands, scaled, strict=True)] + [offset[1], fraction])
    _check_bits(abs(offset[0]).bit_length() + lsb - offset[1] + 1, label)
    total = np.full(len(operands[0].codes), offset[0] << (lsb - offset[1]), dtype=np.int64)
    for a, (c, e) in zip(operands, scaled, strict=True):
        shift = lsb - a.fraction - e
        _check_bits(_span(a) + abs(c).bit_length() + shift + len(operands).bit_length(), label)
        total += (a.codes * c) << shift
    return _floor(total, lsb, fraction)


def _table(function: str, node_type: NodeType, a: Signal, label: str) -> Signal:
    """The lookup: argument minus shift, floored and clamped to the input type (a periodic table's turn:
    floored and wrapped to [0, 1)), then the stored entry."""
    tin, out = node_type.table_input, node_type.fmt
    if tin is None:
        raise SymtrigError(f"{label}: a table node needs a table input type")
    shift = _code(node_type.shift, tin.fraction, label)
    lsb = max(a.fraction, tin.fraction)
    v = _floor((a.codes << (lsb - a.fraction)) - (shift << (lsb - tin.fraction)), lsb, tin.fraction)
    if node_type.unit == "periodic":
        v = v & tin.max_code  # the turn's integer bits are dropped: sin(2π(n + t)) = sin(2πt)
    index = np.clip(v, tin.min_code, tin.max_code)
    codes = table_codes(function, tin, node_type.shift, out)[index - tin.min_code]
    return _checked(function, codes, out, (v, tin.fraction, node_type.shift), a, clamped=index != v)


def _leading_one(function: str, node_type: NodeType, argument: FixedFormat, a: Signal) -> Signal:
    """The leading-one log unit (:class:`symtrig.lower.units.LeadingOneLog`) on the argument's own codes."""
    magnitude = np.abs(a.codes)
    codes = leading_one_unit(argument, node_type).evaluate(magnitude)
    return _checked(function, codes, node_type.fmt, (magnitude, a.fraction, 0.0), a)


def _checked(
    function: str,
    codes: np.ndarray,
    out: FixedFormat,
    looked_up: tuple[np.ndarray, int, float],
    a: Signal,
    clamped: np.ndarray | None = None,
) -> Signal:
    """A table's output signal, marking the rows whose argument was clamped or whose output saturated and
    missed the function by more than one LSB. ``looked_up``: the codes, fraction bits and shift of the value the
    function was evaluated at (its exact value is computed on the suspect rows only: this runs in the search)."""
    suspect = (codes == out.min_code) | (codes == out.max_code)
    if clamped is not None:
        suspect |= clamped
    clipped = a.clipped
    if suspect.any():
        rows = np.flatnonzero(suspect)
        at_codes, at_fraction, at_shift = looked_up
        with np.errstate(all="ignore"):
            at = at_codes[rows] * 2.0**-at_fraction + at_shift
            exact = np.floor(tabulate(function, at) * 2.0**out.fraction)
        missed = np.zeros(len(codes), dtype=bool)
        missed[rows] = ~(np.abs(exact - codes[rows]) <= 1)
        clipped = missed if clipped is None else clipped | missed
    return Signal(codes, out.fraction, a.wrapped, clipped if clipped is not None and clipped.any() else None)


@functools.lru_cache(maxsize=512)
def table_codes(function: str, tin: FixedFormat, shift: float, out: FixedFormat) -> np.ndarray:
    """Every entry of a table as output codes, indexed by input code minus ``tin.min_code``.

    The entries are ``function(v + shift)`` for every grid value ``v`` of the input type, floored and clamped
    to ``out`` (a ``-inf`` from ``logabs(0)`` becomes the type's minimum), exactly as da4ml fills its table.
    """
    grid = np.arange(tin.min_code, tin.max_code + 1, dtype=np.float64) * 2.0**-tin.fraction + shift
    scaled = np.floor(tabulate(function, grid) * 2.0**out.fraction)
    codes = np.clip(np.nan_to_num(scaled, nan=out.min_code), out.min_code, out.max_code).astype(np.int64)
    codes.flags.writeable = False
    return codes


def _wrap(codes: np.ndarray, fmt: FixedFormat, operands: list[Signal], exact_float: bool = False) -> Signal:
    """Two's-complement wrap of ``codes`` into ``fmt``, with the rows that wrapped marked."""
    outside = (codes < fmt.min_code) | (codes > fmt.max_code)
    if exact_float:  # input rows arrive as floats; wrap before the int64 conversion
        codes = np.mod(codes - fmt.min_code, 2.0**fmt.width) + fmt.min_code
    codes = codes.astype(np.int64)
    if outside.any():
        codes = ((codes - fmt.min_code) & ((1 << fmt.width) - 1)) + fmt.min_code
    wrapped = _any([outside if outside.any() else None, *(o.wrapped for o in operands)])
    return Signal(codes, fmt.fraction, wrapped, _any([o.clipped for o in operands]))


def _floor(codes: np.ndarray, fraction: int, target: int) -> np.ndarray:
    """Codes with ``fraction`` bits floored (TRN) to ``target`` bits; exact when ``target`` is finer."""
    return codes >> (fraction - target) if fraction >= target else codes << (target - fraction)


def _span(signal: Signal) -> int:
    """Bits of the largest magnitude code on these rows (sign included)."""
    return int(np.abs(signal.codes).max(initial=0)).bit_length() + 1


def _check_bits(bits: int, label: str) -> None:
    if bits > _MAX_BITS:
        raise SymtrigError(
            f"{label}: needs a {bits}-bit intermediate; narrower types or constants are needed"
        )


def _dyadic(value: float) -> tuple[int, int]:
    """``value = c * 2**-e`` with integer ``c`` (every float is; how wide ``c`` is gets checked where used)."""
    ratio = Fraction(value)
    return ratio.numerator, ratio.denominator.bit_length() - 1


def _code(value: float, fraction: int, label: str) -> int:
    """``value * 2**fraction``, which must be a whole number (the constant is on the type's grid)."""
    scaled = Fraction(value) * Fraction(2) ** fraction
    if scaled.denominator != 1:
        raise SymtrigError(f"{label}: constant {value} is finer than its type's {fraction} fraction bits")
    return scaled.numerator


def _any(masks: Sequence[np.ndarray | None]) -> np.ndarray | None:
    present = [m for m in masks if m is not None]
    if not present:
        return None
    return functools.reduce(np.logical_or, present) if len(present) > 1 else present[0]


def _rates(masks: Sequence[np.ndarray | None]) -> np.ndarray:
    return np.array([0.0 if m is None or m.size == 0 else float(m.mean()) for m in masks])


def _node_types(program: Program, types: Any) -> tuple[NodeType, ...]:
    node_types = tuple(getattr(types, "nodes", types))
    if len(node_types) != len(program.nodes):
        raise SymtrigError(f"{len(node_types)} node types for a program of {len(program.nodes)} nodes")
    return node_types


def _rows(program: Program, X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != program.n_inputs:
        raise SymtrigError(f"X must have shape (rows, {program.n_inputs}), got {X.shape}")
    if not np.isfinite(X).all():
        raise SymtrigError("X has non-finite values; the hardware has no such inputs")
    return X
