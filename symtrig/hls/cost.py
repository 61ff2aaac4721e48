"""Analytical latency/resource estimate of a written hls4ml symbolic-expression project.

Why: nobody on this project has Vivado/Vitis HLS, yet users choose between expressions by their FPGA cost.
This model reads the C++ that hls4ml's printer wrote (``firmware/myproject.cpp``: the ``y[i] = ...;`` lines,
``parameters.h``: the ``nnet::lookup_table`` objects, ``defines.h``: the ap_fixed types, ``project.tcl``: clock)
and mimics what Vivado HLS 2020.1 does with it in a ``#pragma HLS PIPELINE`` function:

1. exact ap_fixed type propagation (``*`` adds W and F; ``+``/``-`` take max(I)+1, max(F); casts set the type),
   constants trimmed to their significant bits, then a backward "demanded integer bits" pass: every value
   finally meets a WRAP cast to ``result_t``, so only its low ``F + I_demanded`` bits are ever built;
2. hash-consing of identical subexpressions (HLS/LLVM CSE; commutative operands sorted);
3. ASAP scheduling with operator chaining inside the clock budget ``T * (1 - uncertainty)``; LUT ROM reads,
   hls_math cores, dividers and >64-bit-operand multipliers are registered (whole cycles);
4. resources summed over nodes: DSP48E2 tiling by operand widths, LUT per add/sub ~ W, one BRAM18 per
   lookup call, FF = ``ff_scale`` x (bits crossing each pipeline register) + fixed I/O registers.

It is an estimate: quote it as about +-30 % for resources and +-1 cycle for latency (see
``benchmarks/bench_cost_model.py`` for the calibration against public csynth reports). Nothing here evaluates
text: the C++ is read by a small tokenizer and recursive-descent parser of the printer's grammar.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from symtrig.errors import SymtrigError

__all__ = [
    "DEFAULT_PARAMS",
    "CostParams",
    "CostReport",
    "estimate_project",
    "estimate_source",
    "parse_precision",
]


@dataclass(frozen=True)
class CostReport:
    """Latency and resources of one design; ``source`` is 'estimate', 'csynth' or 'vsynth'."""

    latency_cycles: int
    latency_ns: float
    interval: int
    dsp: int
    lut: int
    ff: int
    bram: int
    source: str


@dataclass(frozen=True)
class CostParams:
    """Every number of the model, with where it comes from.

    Sources: [R16] / [R14] = public Vivado HLS 2020.1 csynth reports of the authors' five jet expressions with
    user sin/cos LUTs, xcvu9p-flga2577-2-e, 5 ns (github.com/hftsoi/symbolic_regression,
    ``log_24feb23/hls-feb24-sincos-userlut-{16,14},6/myproject_prj/solution1/syn/report/myproject_csynth.rpt``);
    [CFG] = hftsoi/hls4sr-configs ``configs/xcvu9p-flga2577-2-e/*/config.json`` (per-operator cycles measured
    by ``hls4ml.utils.symbolic_utils.generate_operator_complexity``); [SCHED] = public ``verbose.sched.rpt``
    operator delays; [FIT] = fitted on [R16]+[R14] (benchmarks/bench_cost_model.py: d_mul as the midpoint of
    the latency-exact interval, ff_scale by least squares; leave-one-out FF error 1 %); [ASSUMED] = a guess
    that the calibration did not constrain.
    """

    # --- timing (ns) ---
    d_add: float = 1.3  # W-bit add/sub incl. routing; [SCHED] AddSub 1.24-1.39 ns
    # 1-DSP multiply. [SCHED] says 3.34 ns (V7 Mul core); [FIT]: latency is exact on [R16]+[R14] for 2.0..3.05 ns
    d_mul: float = 2.525
    d_mul_per_extra_dsp: float = 0.4  # cascaded partial products of wide multiplies [ASSUMED]
    d_lut_mul: float = 1.5  # small product built from LUTs (both operands <= lut_mul_max_bits) [ASSUMED]
    d_mac_add: float = 0.3  # post-adder fused into the DSP48E2 (mac_muladd in [R16]) [ASSUMED]
    d_lut_index: float = 1.3  # (x - start) * base_div and clamp before the ROM address register [ASSUMED]
    # --- multipliers ---
    lut_mul_max_bits: int = 10  # [R16]/[R14]: 9x9, 10x10 products are in LUTs, 14x9 uses a DSP
    lut_mul_coef: float = 0.6  # LUT ~ 0.6*a*b + 2 ([R14]: 7x7 -> 33, 9x9 -> 49, 10x10 -> 62)
    lut_per_wide_dsp: int = 10  # LUT to sum partial products per DSP of a multi-DSP multiply ([R16]: 20..43)
    # an operand wider than this makes a 2-cycle multiplier instance ([R16] mul_18s_69s_85_2_1)
    reg_mul_operand_bits: int = 64
    reg_mul_cycles: int = 2
    reg_mul_lut: int = 178  # [R16] myproject_mul_18s_69s_85_2_1: 4 DSP, 361 FF, 178 LUT
    reg_mul_ff: int = 361
    # --- adders ---
    lut_add_extra: int = 7  # [R16]: 16-bit add 23 LUT, 36-bit 43, 76-bit 76..80 -> ~ W + 7
    mac_max_bits: int = 48  # DSP48E2 accumulator width
    # --- user LUT (nnet::lookup_table::operator()) ---
    lut_call_cycles: int = 1  # [R16]/[R14] operator_1/operator_s instances: latency 1
    lut_call_bram: int = 1  # one BRAM18 per call (<= 1024 x 18 b) when operator() is not inlined [R16]
    lut_call_lut_base: int = 101  # [R16] 117 LUT at W=16, [R14] 115 at W=14 -> 101 + W
    lut_call_ff: int = 2
    # --- hls4ml built-in nnet::sin_lut/cos_lut (per call) ---
    builtin_cycles: int = 3  # sin_lut_ap_fixed_16_6_5_3_0_s_csynth.rpt (same repo)
    builtin_dsp: int = 1
    builtin_bram: int = 2
    builtin_lut: int = 1400
    builtin_ff: int = 724
    # --- hls_math cores: cycles at <16,6> [CFG]; resources are rough placeholders (not measured) ---
    math_cycles: dict[str, int] = field(
        default_factory=lambda: {
            "exp": 3,
            "log": 4,
            "sqrt": 6,
            "sin": 8,
            "cos": 8,
            "cosh": 8,
            "sinh": 9,
            "pow": 14,
            "tan": 48,
            "tanh": 51,
            "fabs": 0,
            "abs": 0,
        }
    )
    # Per-call (LUT, DSP, FF) of hls::sin/cos (CORDIC generic_sincos) at <16,6>: the public "nonlut" build of the
    # same five expressions (85,922 LUT, 118 DSP, 14,896 FF, 19 sin/cos calls) minus the published userlut build's
    # arithmetic (4699 - 19*117 LUT, 72 DSP, 3411 FF), divided by 19. Scaled linearly with W.
    math_resources_16: dict[str, tuple[int, int, int]] = field(
        default_factory=lambda: {"sin": (4392, 2, 604), "cos": (4392, 2, 604)}
    )
    # other hls_math cores: rough placeholders (LUT per bit, DSP, FF per bit), NOT calibrated
    math_lut_per_bit: int = 60
    math_dsp: int = 2
    # --- divider (ap_fixed operator/ and hls::recip) ---
    # [CFG] '/' takes 29 (16,6), 17 (10,6), 31 (18,8) cycles == quotient width + 2 in all three
    div_extra_cycles: int = 2
    # --- flip-flops and fixed overheads ---
    ff_scale: float = 0.701  # FF per pipeline-register bit; <1 as HLS shares and SRL-maps delay regs [FIT]
    ff_control_per_stage: int = 2  # ap_enable_reg_pp0_iter* and start regs per stage [R16]
    lut_io_mux: int = 36  # [R16]/[R14] "Multiplexer" section (ap_vld input mux)
    io_cycles: int = 0  # extra cycles for I/O registers (none for io_parallel ap_vld) [R16]

    def with_updates(self, **changes: object) -> CostParams:
        """A copy with some parameters changed (used by the calibration fit)."""
        return replace(self, **changes)


DEFAULT_PARAMS = CostParams()

# ----------------------------------------------------------------------------------------------------------
# ap_fixed types


@dataclass(frozen=True)
class FixType:
    """A signed fixed-point format: ``w`` total bits, ``f`` fractional bits (I = w - f may be <= 0)."""

    w: int
    f: int

    @property
    def i(self) -> int:
        return self.w - self.f


_PRECISION_RE = re.compile(r"^\s*ap_(u?)fixed\s*<\s*(\d+)\s*,\s*(-?\d+)\s*(?:,[^>]*)?>\s*$")


def parse_precision(text: str) -> FixType:
    """``'ap_fixed<16,6>'`` -> FixType(16, 10); raises SymtrigError on anything else."""
    match = _PRECISION_RE.match(text)
    if not match:
        raise SymtrigError(f"precision {text!r} is not of the form ap_fixed<W,I>")
    width, integer = int(match.group(2)), int(match.group(3))
    if width < 1:
        raise SymtrigError(f"precision {text!r} must have at least 1 bit")
    return FixType(width, width - integer)


# ----------------------------------------------------------------------------------------------------------
# tokenizer and parser of hls4ml's printed expressions

_TOKEN_RE = re.compile(
    r"\s*(?:(?P<num>\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)"
    r"|(?P<name>[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*)|(?P<op>[-+*/()\[\]<>,]))"
)
_TYPE_NAMES = frozenset({"result_t", "input_t", "model_default_t"})


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if not match or match.end() == pos:
            raise SymtrigError(f"cannot read the generated C++ near {text[pos : pos + 30]!r}")
        tokens.append(match.group(match.lastgroup))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


@dataclass(frozen=True)
class Node:
    """One operation of the dataflow graph; ``args`` are node ids, ``attr`` is op-specific and hashable."""

    op: str
    args: tuple[int, ...]
    attr: tuple
    type: FixType


class _Graph:
    """Hash-consed DAG: identical (op, args, attr) map to one node, as HLS common-subexpression elimination."""

    def __init__(self, result: FixType, inp: FixType) -> None:
        self.nodes: list[Node] = []
        self.index: dict[tuple, int] = {}
        self.result = result
        self.input = inp

    def add(self, op: str, args: tuple[int, ...], attr: tuple, typ: FixType) -> int:
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
        return self.add("const", (), (value, frac), FixType(max(width, 1), frac))

    def quantize(self, x: float, typ: FixType) -> int:
        """ap_fixed construction from a double: truncate toward -inf, wrap to W bits (AP_TRN, AP_WRAP)."""
        if not math.isfinite(x):
            raise SymtrigError(f"constant {x} in the generated C++ is not finite")
        raw = math.floor(x * 2.0**typ.f)
        half = 1 << (typ.w - 1)
        raw = (raw + half) % (1 << typ.w) - half
        return self.const(raw, typ.f)

    def is_const(self, nid: int) -> bool:
        return self.nodes[nid].op == "const"


def _sum_type(a: FixType, b: FixType) -> FixType:
    f = max(a.f, b.f)
    return FixType(max(a.i, b.i) + 1 + f, f)


class _Parser:
    """Recursive descent over ``expr := term (('+'|'-') term)*``, ``term := unary (('*'|'/') unary)*``."""

    def __init__(self, tokens: list[str], graph: _Graph, luts: dict[str, FixType]) -> None:
        self.toks = tokens
        self.pos = 0
        self.g = graph
        self.luts = luts

    def peek(self, k: int = 0) -> str | None:
        return self.toks[self.pos + k] if self.pos + k < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise SymtrigError(f"generated C++: expected {expected or 'a token'}, got {tok!r}")
        self.pos += 1
        return tok

    def parse(self) -> int:
        nid = self.expr()
        if self.peek() is not None:
            raise SymtrigError(f"generated C++: unexpected {self.peek()!r}")
        return nid

    def expr(self) -> int:
        nid = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            rhs = self.term()
            nid = self.binary("add" if op == "+" else "sub", nid, rhs)
        return nid

    def term(self) -> int:
        nid = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()
            rhs = self.unary()
            nid = self.binary("mul" if op == "*" else "div", nid, rhs)
        return nid

    def unary(self) -> int:
        if self.peek() == "-":
            self.take()
            return self.negate(self.unary())
        if self.peek() == "+":
            self.take()
            return self.unary()
        return self.primary()

    def primary(self) -> int:
        tok = self.take()
        if tok == "(":
            if self.peek() in _TYPE_NAMES and self.peek(1) == ")":
                tname = self.take()
                self.take(")")
                return self.cast(self.unary(), self.type_of(tname))
            nid = self.expr()
            self.take(")")
            return nid
        if tok[0].isdigit() or tok[0] == ".":
            return self.g.quantize(float(tok), self.g.result)
        if tok in _TYPE_NAMES:
            self.take("(")
            value = self.const_expr()
            self.take(")")
            return self.g.quantize(value, self.type_of(tok))
        if tok == "x" and self.peek() == "[":
            self.take("[")
            index = int(self.take())
            self.take("]")
            return self.g.add("input", (), (index,), self.g.input)
        return self.call(tok)

    def const_expr(self) -> float:
        """The argument of ``result_t(...)``: a literal, possibly negated, or a quotient like ``1.0/3.0``."""
        sign = 1.0
        while self.peek() in ("-", "+"):
            sign = -sign if self.take() == "-" else sign
        value = float(self.take())
        while self.peek() in ("/", "*"):
            op = self.take()
            rhs = float(self.take())
            value = value / rhs if op == "/" else value * rhs
        return sign * value

    def template_args(self) -> list[str]:
        args: list[str] = []
        if self.peek() == "<":
            self.take("<")
            while self.peek() != ">":
                tok = self.take()
                if tok != ",":
                    args.append(tok)
            self.take(">")
        return args

    def call(self, name: str) -> int:
        targs = self.template_args()
        self.take("(")
        args = [self.expr()]
        while self.peek() == ",":
            self.take(",")
            args.append(self.expr())
        self.take(")")
        base = name.split("::")[-1]
        if name in self.luts:
            arg = self.cast(args[0], self.g.result)
            return self.g.add("lut", (arg,), (name,), self.luts[name])
        if name.startswith("nnet::") and base in ("sin_lut", "cos_lut"):
            arg = self.cast(args[0], self.g.result)
            return self.g.add("builtin", (arg,), (base,), self.g.result)
        if name.startswith("hls::") and len(targs) == 2:
            typ = FixType(int(targs[0]), int(targs[0]) - int(targs[1]))
            if base == "recip":
                one = self.g.quantize(1.0, typ)
                return self.cast(self.binary("div", one, self.cast(args[0], typ)), typ)
            casted = tuple(self.cast(a, typ) for a in args)
            return self.g.add("math", casted, (base,), typ)
        raise SymtrigError(f"generated C++ calls {name!r}, which is neither a LUT in parameters.h nor hls::")

    def type_of(self, name: str) -> FixType:
        return self.g.input if name == "input_t" else self.g.result

    # -- graph builders with the constant folding HLS does --------------------------------------------------
    def cast(self, nid: int, typ: FixType) -> int:
        node = self.g.nodes[nid]
        if node.op == "const":
            value, frac = node.attr
            return self.g.quantize(value * 2.0**-frac, typ)
        if node.type == typ:
            return nid
        return self.g.add("cast", (nid,), (typ.w, typ.f), typ)

    def negate(self, nid: int) -> int:
        node = self.g.nodes[nid]
        if node.op == "const":
            value, frac = node.attr
            return self.g.const(-value, frac)
        if node.op == "mul" and any(self.g.is_const(a) for a in node.args):
            c, other = sorted(node.args, key=lambda a: not self.g.is_const(a))
            return self.binary("mul", self.negate(c), other)
        return self.g.add("neg", (nid,), (), FixType(node.type.w + 1, node.type.f))

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
                if self.g.nodes[u].type.f == self.g.nodes[v].type.f and self.g.is_const(common):
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
            return self.g.add("mul", (a, b), (), FixType(na.type.w + nb.type.w, na.type.f + nb.type.f))
        if op == "div":
            # ap_fixed operator/: quotient keeps W1 + F2 + 1 bits, I1 + F2 + 1 integer bits (ap_fixed_base.h)
            w = na.type.w + max(nb.type.f, 0) + 1
            return self.g.add("div", (a, b), (), FixType(w, na.type.f))
        return self.g.add(op, (a, b), (), _sum_type(na.type, nb.type))


# ----------------------------------------------------------------------------------------------------------
# reading a written project

_Y_LINE_RE = re.compile(r"^\s*y\[(\d+)\]\s*=\s*(.+?);\s*(?://.*)?$")
_LUT_RE = re.compile(r"^\s*nnet::lookup_table<(.*)>\s+(\w+)\s*\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)", re.M)
_TYPEDEF_RE = re.compile(r"typedef\s+(ap_u?fixed<[^>]*>)\s+(\w+)\s*;")
_NSYM_RE = re.compile(r"input_t\s+x\s*\[\s*(\w+)\s*\]")


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise SymtrigError(
            f"cannot read {path}: {exc.strerror or exc} (is this a written hls4ml project?)"
        ) from exc


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


def _lut_value_type(spec: str, start: str, end: str, result: FixType) -> FixType:
    """Bits of a lookup table's entries: HLS trims the ROM to the value range (sin/cos: 11 bits at F=10).

    ``spec`` is the template argument list ``result_t, N, nnet::sin`` (or ``hls::exp<16,6>``); an unknown
    function or size keeps the full result type.
    """
    import numpy as np

    parts = [p.strip() for p in spec.split(",", 2)]
    func = parts[2].split("::")[-1].split("<")[0] if len(parts) == 3 else ""
    try:
        size, lo, hi = int(parts[1]), float(start), float(end)
    except (ValueError, IndexError):
        return result
    if func not in _LUT_FUNCS or size < 1 or not hi > lo:
        return result
    grid = lo + (hi - lo) / size * np.arange(size)
    with np.errstate(all="ignore"):
        values = getattr(np, _LUT_FUNCS[func])(grid)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return result
    top = (1 << (result.w - 1)) - 1
    codes = np.clip(np.floor(values * 2.0**result.f), -top - 1, top).astype(np.int64)
    width = max(int(codes.max()).bit_length(), int(-codes.min() - 1).bit_length()) + 1
    return FixType(min(width, result.w), result.f)


def _tcl_value(tcl: str, name: str) -> str | None:
    match = re.search(rf'^\s*set\s+{name}\s+"?([^"\s]+)"?', tcl, re.M)
    return match.group(1) if match else None


@dataclass(frozen=True)
class _Design:
    outputs: list[tuple[int, str]]
    lut_names: dict[str, FixType]
    result: FixType
    input: FixType
    n_inputs: int
    clock_period: float
    uncertainty: float


def _load_project(
    project_dir: Path, precision: str | None, clock_period: float | None, uncertainty: float | None
) -> _Design:
    firmware = project_dir / "firmware"
    cpp = _read(firmware / "myproject.cpp") if (firmware / "myproject.cpp").exists() else None
    if cpp is None:
        candidates = sorted(p for p in firmware.glob("*.cpp")) if firmware.is_dir() else []
        if not candidates:
            raise SymtrigError(f"{project_dir} has no firmware/*.cpp; write the hls4ml project first")
        cpp = _read(candidates[0])
    params_h = _read(firmware / "parameters.h") if (firmware / "parameters.h").exists() else ""
    defines = _read(firmware / "defines.h") if (firmware / "defines.h").exists() else ""
    tcl = _read(project_dir / "project.tcl") if (project_dir / "project.tcl").exists() else ""
    types = {name: spec for spec, name in _TYPEDEF_RE.findall(defines)}
    result = parse_precision(precision or types.get("result_t", "ap_fixed<16,6>"))
    inp = parse_precision(precision or types.get("input_t", "ap_fixed<16,6>"))
    period = clock_period if clock_period is not None else float(_tcl_value(tcl, "clock_period") or 5)
    if uncertainty is None:
        unc_text = _tcl_value(tcl, "clock_uncertainty") or "12.5%"
        uncertainty = float(unc_text.rstrip("%")) / (100.0 if unc_text.endswith("%") else period)
    luts = {name: _lut_value_type(spec, lo, hi, result) for spec, name, lo, hi in _LUT_RE.findall(params_h)}
    outputs = [(int(m.group(1)), m.group(2)) for line in cpp.splitlines() if (m := _Y_LINE_RE.match(line))]
    if not outputs:
        raise SymtrigError(f"{project_dir}: no 'y[i] = ...;' lines in the generated C++")
    nsym = _NSYM_RE.search(cpp)
    n_inputs = int(nsym.group(1)) if nsym and nsym.group(1).isdigit() else 16
    return _Design(outputs, luts, result, inp, n_inputs, period, uncertainty)


# ----------------------------------------------------------------------------------------------------------
# the model


def _demanded_int_bits(g: _Graph, outputs: list[int]) -> list[float]:
    """Integer bits of each node that any consumer can observe (WRAP casts discard the rest)."""
    dem = [-math.inf] * len(g.nodes)
    for nid in outputs:
        dem[nid] = max(dem[nid], g.result.i)
    for nid in range(len(g.nodes) - 1, -1, -1):
        node = g.nodes[nid]
        for pos, arg in enumerate(node.args):
            if node.op in ("add", "sub", "neg"):
                need = dem[nid]
            elif node.op == "mul":
                need = dem[nid] + g.nodes[node.args[1 - pos]].type.f
            elif node.op == "div":
                need = math.inf
            else:  # cast, lut, builtin, math: a WRAP conversion to the node's own type
                need = node.type.i
            dem[arg] = max(dem[arg], need)
    return dem


def _eff_width(node: Node, dem: float) -> int:
    if node.op == "const" or not math.isfinite(dem):  # constants; dead nodes (-inf); divider operands (+inf)
        return node.type.w
    return max(1, int(node.type.f + min(node.type.i, dem)))


def _dsp_count(a: int, b: int) -> int:
    """DSP48E2 (27x18 signed) tiles of an a x b multiply, matched to the widths HLS reported in [R16]/[R14]."""
    n, w = sorted((a, b))
    if n <= 18:
        return 1 + max(0, math.ceil((w - 27) / 17))
    if n <= 27:
        return 1 + max(0, math.ceil((w - 18) / 17))
    return math.ceil(n / 26) * (1 + max(0, math.ceil((w - 27) / 17)))


@dataclass
class _Op:
    """Per-node implementation decision: combinational delay or registered cycles, and resources."""

    delay: float = 0.0
    cycles: int = 0
    pre_delay: float = 0.0
    dsp: int = 0
    lut: int = 0
    ff: int = 0
    bram: int = 0


def _is_pow2_const(node: Node) -> bool:
    return node.op == "const" and node.attr[0] != 0 and (abs(node.attr[0]) & (abs(node.attr[0]) - 1)) == 0


def _mul_op(g: _Graph, node: Node, widths: list[int], p: CostParams) -> _Op:
    a, b = node.args
    if _is_pow2_const(g.nodes[a]) or _is_pow2_const(g.nodes[b]):
        return _Op()  # a shift: wiring only
    wa, wb = widths[a], widths[b]
    if max(wa, wb) <= p.lut_mul_max_bits:
        return _Op(delay=p.d_lut_mul, lut=round(p.lut_mul_coef * wa * wb + 2))
    dsp = _dsp_count(wa, wb)
    if max(wa, wb) > p.reg_mul_operand_bits:
        return _Op(cycles=p.reg_mul_cycles, dsp=dsp, lut=p.reg_mul_lut, ff=p.reg_mul_ff)
    extra = dsp - 1
    return _Op(
        delay=p.d_mul + p.d_mul_per_extra_dsp * extra, dsp=dsp, lut=p.lut_per_wide_dsp * dsp if extra else 0
    )


def _math_op(func: str, width: int, cycles: int, p: CostParams) -> _Op:
    """An hls_math core: measured per-call figures where the calibration data has them, else placeholders."""
    if func in p.math_resources_16:
        lut, dsp, ff = p.math_resources_16[func]
        scale = width / 16.0
        return _Op(
            cycles=cycles, dsp=max(1, round(dsp * scale)), lut=round(lut * scale), ff=round(ff * scale)
        )
    return _Op(cycles=cycles, dsp=p.math_dsp, lut=p.math_lut_per_bit * width, ff=p.math_lut_per_bit * width)


def _plan(g: _Graph, widths: list[int], uses: list[int], p: CostParams) -> list[_Op]:
    """Decide how each node is built; post-adders of single-DSP multiplies are fused into the DSP."""
    ops: list[_Op] = []
    fused: set[int] = set()
    for nid, node in enumerate(g.nodes):
        if node.op in ("input", "const", "cast"):
            ops.append(_Op())
        elif node.op == "mul":
            ops.append(_mul_op(g, node, widths, p))
        elif node.op in ("add", "sub", "neg"):
            mac = [
                a
                for a in node.args
                if g.nodes[a].op == "mul"
                and a not in fused
                and uses[a] == 1
                and ops[a].dsp == 1
                and ops[a].cycles == 0
                and widths[nid] <= p.mac_max_bits
            ]
            if mac and node.op != "neg":
                fused.add(mac[0])
                ops.append(_Op(delay=p.d_mac_add))
            else:
                ops.append(_Op(delay=p.d_add, lut=widths[nid] + p.lut_add_extra))
        elif node.op == "lut":
            w = g.result.w
            ops.append(
                _Op(
                    cycles=p.lut_call_cycles,
                    pre_delay=p.d_lut_index,
                    lut=p.lut_call_lut_base + w,
                    ff=p.lut_call_ff,
                    bram=p.lut_call_bram,
                )
            )
        elif node.op == "builtin":
            ops.append(
                _Op(
                    cycles=p.builtin_cycles,
                    pre_delay=p.d_lut_index,
                    dsp=p.builtin_dsp,
                    lut=p.builtin_lut,
                    ff=p.builtin_ff,
                    bram=p.builtin_bram,
                )
            )
        elif node.op == "math":
            cycles = p.math_cycles.get(node.attr[0], max(p.math_cycles.values()))
            if cycles == 0:
                ops.append(_Op(delay=p.d_add, lut=node.type.w + p.lut_add_extra))
            else:
                ops.append(_math_op(node.attr[0], node.type.w, cycles, p))
        elif node.op == "div":
            q = node.type.w
            den = widths[node.args[1]]
            ops.append(_Op(cycles=q + p.div_extra_cycles, lut=q * (den + 2), ff=q * (den + 2)))
        else:  # pragma: no cover - the parser creates no other ops
            raise AssertionError(node.op)
    return ops


def _schedule(g: _Graph, ops: list[_Op], budget: float) -> list[tuple[int, float] | None]:
    """ASAP with chaining: (cycle, ns into the cycle) when each value is ready; None for constants."""
    ready: list[tuple[int, float] | None] = []
    for nid, node in enumerate(g.nodes):
        if node.op == "const":
            ready.append(None)
            continue
        if node.op == "input":
            ready.append((0, 0.0))
            continue
        starts = [r for r in (ready[a] for a in node.args) if r is not None]
        cyc, off = max(starts) if starts else (0, 0.0)
        op = ops[nid]
        if op.cycles:
            if off + op.pre_delay > budget:
                cyc += 1
            ready.append((cyc + op.cycles, 0.0))
        elif off + op.delay > budget:
            ready.append((cyc + 1, op.delay))
        else:
            ready.append((cyc, off + op.delay))
    return ready


def _issue_cycle(node: Node, op: _Op, ready_self: tuple[int, float]) -> int:
    """The cycle in which a node consumes its operands (registered ops read them ``cycles`` before ready)."""
    return ready_self[0] - op.cycles if op.cycles else ready_self[0]


def _estimate_graph(
    g: _Graph, outputs: list[int], n_inputs: int, period: float, uncertainty: float, p: CostParams
) -> CostReport:
    dem = _demanded_int_bits(g, outputs)
    widths = [_eff_width(node, d) for node, d in zip(g.nodes, dem, strict=True)]
    live = _live_nodes(g, outputs)
    uses = [0] * len(g.nodes)
    for nid in live:
        for a in g.nodes[nid].args:
            uses[a] += 1
    ops = _plan(g, widths, uses, p)
    for nid in range(len(g.nodes)):
        if nid not in live:
            ops[nid] = _Op()
    budget = period * (1.0 - uncertainty)
    ready = _schedule(g, ops, budget)
    out_cycles = [ready[o][0] if ready[o] is not None else 0 for o in outputs]
    latency = max(out_cycles, default=0) + p.io_cycles
    # pipeline registers: each value is held from the cycle it is ready until its last consumer issues
    last_use = [-1] * len(g.nodes)
    for nid in live:
        node = g.nodes[nid]
        if ready[nid] is None:
            continue
        issue = _issue_cycle(node, ops[nid], ready[nid])
        for a in node.args:
            last_use[a] = max(last_use[a], issue)
    for o in outputs:
        last_use[o] = max(last_use[o], latency)
    reg_bits = 0
    for nid in live:
        if ready[nid] is not None and last_use[nid] > ready[nid][0]:
            bits = g.result.w if nid in outputs else widths[nid]
            reg_bits += bits * (last_use[nid] - ready[nid][0])
    ff = p.ff_scale * reg_bits + n_inputs * g.input.w + p.ff_control_per_stage * (latency + 1)
    ff += sum(ops[n].ff for n in live)
    lut = sum(ops[n].lut for n in live) + p.lut_io_mux
    return CostReport(
        latency_cycles=int(latency),
        latency_ns=float(latency * period),
        interval=1,
        dsp=int(sum(ops[n].dsp for n in live)),
        lut=round(lut),
        ff=round(ff),
        bram=int(sum(ops[n].bram for n in live)),
        source="estimate",
    )


def _live_nodes(g: _Graph, outputs: list[int]) -> set[int]:
    live: set[int] = set()
    stack = list(outputs)
    while stack:
        nid = stack.pop()
        if nid not in live:
            live.add(nid)
            stack.extend(g.nodes[nid].args)
    return live


def _build_graph(design: _Design) -> tuple[_Graph, list[int]]:
    g = _Graph(design.result, design.input)
    outputs = []
    for _, text in sorted(design.outputs):
        parser = _Parser(_tokenize(text), g, design.lut_names)
        nid = parser.parse()
        outputs.append(parser.cast(nid, design.result))
    return g, outputs


def estimate_source(
    expr_lines: list[str],
    *,
    lut_names: list[str] = (),
    precision: str = "ap_fixed<16,6>",
    clock_period: float = 5.0,
    uncertainty: float = 0.125,
    n_inputs: int = 16,
    params: CostParams = DEFAULT_PARAMS,
) -> CostReport:
    """Estimate from the right-hand sides of hls4ml's ``y[i] = ...;`` lines (C++ text, in output order)."""
    typ = parse_precision(precision)
    design = _Design(
        list(enumerate(expr_lines)),
        {n: typ for n in lut_names},
        typ,
        typ,
        n_inputs,
        float(clock_period),
        float(uncertainty),
    )
    g, outputs = _build_graph(design)
    return _estimate_graph(g, outputs, design.n_inputs, design.clock_period, design.uncertainty, params)


def estimate_project(
    project_dir: str | Path,
    *,
    precision: str | None = None,
    clock_period: float | None = None,
    uncertainty: float | None = None,
    params: CostParams = DEFAULT_PARAMS,
) -> CostReport:
    """Estimate a written hls4ml SymbolicExpression project folder (after ``ModelGraph.write()``).

    ``precision``, ``clock_period`` and ``uncertainty`` (a fraction of the period) override what the project's
    ``defines.h`` / ``project.tcl`` say (``hls::f<W,I>`` calls keep the widths printed in the C++); the part only matters through the DSP48E2/BRAM18 assumptions, which
    hold for UltraScale(+) parts.
    """
    root = Path(project_dir)
    if not root.is_dir():
        raise SymtrigError(f"{root} is not a folder; pass the hls4ml project folder")
    design = _load_project(root, precision, clock_period, uncertainty)
    if design.clock_period <= 0 or not 0 <= design.uncertainty < 1:
        raise SymtrigError("clock period must be > 0 and uncertainty in [0, 1)")
    g, outputs = _build_graph(design)
    return _estimate_graph(g, outputs, design.n_inputs, design.clock_period, design.uncertainty, params)
