"""The dataflow graph the cost model schedules: parsed C++ statements with exact ap_fixed types.

Why a graph of its own (rather than the :class:`~symtrig.backends.hls4ml.cpp.Expr` trees): it mirrors what Vivado HLS
builds from the C++ before scheduling. Identical (op, operands, attr) map to one node (HLS/LLVM CSE,
commutative operands sorted); constants are folded and trimmed to their significant bits; ``a + (-b)`` and
``c*u +- c*v`` are rewritten as LLVM's InstCombine does; every node carries the type ap_fixed arithmetic gives
it (``*`` adds W and F; ``+``/``-`` take max(I)+1, max(F); casts set the type). :func:`load_design` reads
what the graph needs from a written project through :mod:`symtrig.backends.hls4ml.cpp`, the emulator's reader.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from symtrig.backends.hls4ml.cpp import Expr, LutDef, parse_expr, read_project
from symtrig.errors import SymtrigError
from symtrig.lower.fixed import FixedFormat

#: Entries of a user LUT whose size the project does not state (hls4ml's LUTFunction default).
DEFAULT_LUT_ENTRIES = 1024


@dataclass(frozen=True)
class Node:
    """One operation of the dataflow graph; ``args`` are node ids, ``attr`` is op-specific and hashable."""

    op: str
    args: tuple[int, ...]
    attr: tuple
    type: FixedFormat


class Graph:
    """Hash-consed DAG: identical (op, args, attr) map to one node, as HLS common-subexpression elimination."""

    def __init__(self, result: FixedFormat, inp: FixedFormat) -> None:
        self.nodes: list[Node] = []
        self.index: dict[tuple, int] = {}
        self.result = result
        self.input = inp

    def add(self, op: str, args: tuple[int, ...], attr: tuple, typ: FixedFormat) -> int:
        if op in ("add", "mul"):
            args = tuple(sorted(args))
        key = (op, args, attr)
        if key not in self.index:
            self.index[key] = len(self.nodes)
            self.nodes.append(Node(op, args, attr, typ))
        return self.index[key]

    # constants are (V, f): value V * 2^-f with V odd or 0, so their type has only significant bits
    def const(self, value: int, frac: int) -> int:
        while value and value % 2 == 0:
            value //= 2
            frac -= 1
        if value == 0:
            frac = 0
        width = value.bit_length() if value >= 0 else (-value - 1).bit_length() + 1
        return self.add("const", (), (value, frac), FixedFormat.ap_with_fraction(max(width, 1), frac))

    def quantize(self, x: float, typ: FixedFormat) -> int:
        """ap_fixed construction from a double: truncate toward -inf, wrap to W bits (AP_TRN, AP_WRAP)."""
        if not math.isfinite(x):
            raise SymtrigError(f"constant {x} in the generated C++ is not finite")
        raw = math.floor(x * 2.0**typ.fraction)
        half = 1 << (typ.width - 1)
        raw = (raw + half) % (1 << typ.width) - half
        return self.const(raw, typ.fraction)

    def is_const(self, nid: int) -> bool:
        return self.nodes[nid].op == "const"


def _sum_type(a: FixedFormat, b: FixedFormat) -> FixedFormat:
    f = max(a.fraction, b.fraction)
    return FixedFormat.ap_with_fraction(max(a.ap_integer, b.ap_integer) + 1 + f, f)


class GraphBuilder:
    """Adds parsed statements to a :class:`Graph`; ``luts`` maps each user LUT name to its ROM value type."""

    def __init__(
        self, graph: Graph, luts: dict[str, FixedFormat], lut_sizes: dict[str, int] | None = None
    ) -> None:
        self.g = graph
        self.luts = luts
        self.lut_sizes = lut_sizes or {}

    def statement(self, text: str) -> int:
        """The node of ``y[i] = text;``: the expression converted to ``result_t``."""
        return self.cast(self.build(parse_expr(text)), self.g.result)

    def build(self, e: Expr) -> int:
        """Operands first, left to right, so node ids follow the order HLS meets them in the C++."""
        if e.op == "input":
            return self.g.add("input", (), e.attr, self.g.input)
        if e.op == "number":
            return self.g.quantize(e.attr[0], self.g.result)
        if e.op == "const":
            return self.g.quantize(e.attr[1], self.type_of(e.attr[0]))
        args = [self.build(a) for a in e.args]
        if e.op == "cast":
            return self.cast(args[0], self.type_of(e.attr[0]))
        if e.op == "neg":
            return self.negate(args[0])
        if e.op == "call":
            return self.call(e.attr[0], e.attr[1], args)
        return self.binary(e.op, *args)

    def call(self, name: str, targs: tuple[str, ...], args: list[int]) -> int:
        base = name.split("::")[-1]
        if name in self.luts:
            arg = self.cast(args[0], self.g.result)
            entries = self.lut_sizes.get(name, DEFAULT_LUT_ENTRIES)
            return self.g.add("lut", (arg,), (name, entries), self.luts[name])
        if name.startswith("nnet::") and base in ("sin_lut", "cos_lut"):
            arg = self.cast(args[0], self.g.result)
            return self.g.add("builtin", (arg,), (base,), self.g.result)
        if name.startswith("hls::") and len(targs) == 2:
            typ = FixedFormat.ap_fixed(int(targs[0]), int(targs[1]))
            if base == "recip":
                one = self.g.quantize(1.0, typ)
                return self.cast(self.binary("div", one, self.cast(args[0], typ)), typ)
            casted = tuple(self.cast(a, typ) for a in args)
            return self.g.add("math", casted, (base,), typ)
        raise SymtrigError(f"generated C++ calls {name!r}, which is neither a LUT in parameters.h nor hls::")

    def type_of(self, name: str) -> FixedFormat:
        return self.g.input if name == "input_t" else self.g.result

    # -- graph builders with the constant folding HLS does --------------------------------------------------
    def cast(self, nid: int, typ: FixedFormat) -> int:
        node = self.g.nodes[nid]
        if node.op == "const":
            value, frac = node.attr
            return self.g.quantize(value * 2.0**-frac, typ)
        if node.type == typ:
            return nid
        return self.g.add("cast", (nid,), (typ.width, typ.fraction), typ)

    def negate(self, nid: int) -> int:
        node = self.g.nodes[nid]
        if node.op == "const":
            value, frac = node.attr
            return self.g.const(-value, frac)
        if node.op == "mul" and any(self.g.is_const(a) for a in node.args):
            c, other = sorted(node.args, key=lambda a: not self.g.is_const(a))
            return self.binary("mul", self.negate(c), other)
        return self.g.add(
            "neg", (nid,), (), FixedFormat.ap_with_fraction(node.type.width + 1, node.type.fraction)
        )

    def negated_product(self, nid: int) -> int | None:
        """``(-c) * y`` -> ``c * y`` (None if ``nid`` is not a product with a negative constant)."""
        node = self.g.nodes[nid]
        if node.op != "mul":
            return None
        for c, other in (node.args, node.args[::-1]):
            cnode = self.g.nodes[c]
            if cnode.op == "const" and cnode.attr[0] < 0:
                return self.binary("mul", self.g.const(-cnode.attr[0], cnode.attr[1]), other)
        return None

    def canonical_sum(self, op: str, a: int, b: int) -> int | None:
        """LLVM InstCombine rewrites HLS inherits: ``a + (-b) -> a - b`` and ``c*u +- c*v -> c*(u +- v)``.

        The factorization is what the ``ama_addmuladd``/``submuladd`` DSP patterns of the calibration reports
        show; it needs u and v on the same binary point so the raw integers line up.
        """
        flip = "sub" if op == "add" else "add"
        nb = self.g.nodes[b]
        if nb.op == "neg":
            return self.binary(flip, a, nb.args[0])
        positive_b = self.negated_product(b)
        if positive_b is not None:
            return self.binary(flip, a, positive_b)
        if op == "add" and (positive_a := self.negated_product(a)) is not None:
            return self.binary("sub", b, positive_a)
        na = self.g.nodes[a]
        if na.op == "mul" and nb.op == "mul":
            for common in set(na.args) & set(nb.args):
                u = na.args[1] if na.args[0] == common else na.args[0]
                v = nb.args[1] if nb.args[0] == common else nb.args[0]
                if self.g.nodes[u].type.fraction == self.g.nodes[v].type.fraction and self.g.is_const(common):
                    return self.binary("mul", common, self.binary(op, u, v))
        return None

    def binary(self, op: str, a: int, b: int) -> int:
        na, nb = self.g.nodes[a], self.g.nodes[b]
        if na.op == "const" and nb.op == "const" and op != "div":
            (va, fa), (vb, fb) = na.attr, nb.attr
            f = max(fa, fb)
            if op == "mul":
                return self.g.const(va * vb, fa + fb)
            sa, sb = va << (f - fa), vb << (f - fb)
            return self.g.const(sa + sb if op == "add" else sa - sb, f)
        if op in ("add", "sub"):
            rewritten = self.canonical_sum(op, a, b)
            if rewritten is not None:
                return rewritten
        if op == "mul":
            for c in (a, b):
                if self.g.nodes[c].op == "const" and self.g.nodes[c].attr[0] == 0:
                    return c
            return self.g.add(
                "mul",
                (a, b),
                (),
                FixedFormat.ap_with_fraction(
                    na.type.width + nb.type.width, na.type.fraction + nb.type.fraction
                ),
            )
        if op == "div":
            # ap_fixed operator/: quotient keeps W1 + F2 + 1 bits, I1 + F2 + 1 integer bits (ap_fixed_base.h)
            w = na.type.width + max(nb.type.fraction, 0) + 1
            return self.g.add("div", (a, b), (), FixedFormat.ap_with_fraction(w, na.type.fraction))
        return self.g.add(op, (a, b), (), _sum_type(na.type, nb.type))


# ---------------------------------------------------------------------------------------------- the design
@dataclass(frozen=True)
class Design:
    """What the model needs from a project: statements, LUT value types, types and clock."""

    outputs: Sequence[str]  # right-hand sides of ``y[i] = ...;`` in output order
    lut_names: Mapping[str, FixedFormat]
    result: FixedFormat
    input: FixedFormat
    n_inputs: int
    clock_period: float
    uncertainty: float
    lut_sizes: Mapping[str, int] = field(default_factory=dict)  # entries per user LUT (default 1024)

    def graph(self) -> tuple[Graph, list[int]]:
        """The hash-consed graph of all statements and the node of each output."""
        g = Graph(self.result, self.input)
        builder = GraphBuilder(g, dict(self.lut_names), dict(self.lut_sizes))
        return g, [builder.statement(text) for text in self.outputs]


_LUT_FUNCS = {
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "exp": "exp",
    "log": "log",
    "sqrt": "sqrt",
    "tanh": "tanh",
    "sinh": "sinh",
    "cosh": "cosh",
    "asin": "arcsin",
    "acos": "arccos",
    "atan": "arctan",
    "abs": "abs",
    "fabs": "abs",
}


def lut_value_type(spec: LutDef, result: FixedFormat) -> FixedFormat:
    """Bits of a lookup table's entries: HLS trims the ROM to the value range (sin/cos: 11 bits at F=10).

    An unknown function, an empty table or a range that is not two plain numbers keeps the full result type.
    """
    try:
        size, lo, hi = spec.table_size, float(spec.range_start), float(spec.range_end)
    except ValueError:
        return result
    if spec.math_func not in _LUT_FUNCS or size < 1 or not hi > lo:
        return result
    grid = lo + (hi - lo) / size * np.arange(size)
    with np.errstate(all="ignore"):
        values = getattr(np, _LUT_FUNCS[spec.math_func])(grid)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return result
    top = (1 << (result.width - 1)) - 1
    codes = np.clip(np.floor(values * 2.0**result.fraction), -top - 1, top).astype(np.int64)
    width = max(int(codes.max()).bit_length(), int(-codes.min() - 1).bit_length()) + 1
    return FixedFormat.ap_with_fraction(min(width, result.width), result.fraction)


def load_design(
    project_dir: Path,
    precision: str | None,
    clock_period: float | None,
    uncertainty: float | None,
    project_name: str | None = None,
) -> Design:
    """Read a written project (``firmware/<project_name>.cpp``; None: the name its ``project.tcl`` gives); the
    other arguments override its ``defines.h`` / ``project.tcl`` when not None."""
    project = read_project(project_dir, project_name)
    result = FixedFormat.parse_lenient(precision or project.types.get("result_t", "ap_fixed<16,6>"))
    inp = FixedFormat.parse_lenient(precision or project.types.get("input_t", "ap_fixed<16,6>"))
    period = clock_period if clock_period is not None else float(project.clock_period or 5)
    if uncertainty is None:
        unc_text = project.clock_uncertainty or "12.5%"
        uncertainty = float(unc_text.rstrip("%")) / (100.0 if unc_text.endswith("%") else period)
    luts = {spec.name: lut_value_type(spec, result) for spec in project.luts}
    if not project.outputs:
        raise SymtrigError(f"{project_dir}: no 'y[i] = ...;' lines in the generated C++")
    n_inputs = project.n_inputs if project.n_inputs is not None else 16
    sizes = {spec.name: int(spec.table_size) for spec in project.luts}
    return Design(project.outputs, luts, result, inp, n_inputs, period, uncertainty, sizes)
