"""Bit-exact numpy emulator of the fixed-point C++ that hls4ml's symbolic backend generates.

Why work from the generated C++ rather than from the sympy expressions: the C++ text *is* what g++ and Vivado
compile, so the emulator cannot drift from hls4ml's printer (how sympy orders a ``Mul`` with a denominator,
where it puts unary minus, how it prints rationals). The grammar the printer emits is tiny (``x[i]``,
``result_t(c)``, ``+ - * /``, casts, ``hls::f<W, I>(…)``, ``lut(…)``), so a 100-line recursive-descent parser
covers it and anything else is rejected loudly.

Semantics reproduced (ap_types of hls4ml 1.3.0 plus ``symtrig/hls/include``):

* every value is an exact integer ``V`` times ``2**-F``; ``+ - *`` are exact (ap_fixed grows its type), so they
  run on int64 when the data's actual magnitudes allow it and on Python-int object arrays otherwise;
* conversions to ``result_t`` (inputs, ``(result_t)`` casts, constants, LUT arguments, the final ``y[i] =``)
  truncate toward minus infinity (TRN) and wrap (WRAP); each wrap is recorded as an overflow;
* ``a / b`` keeps ``a``'s fraction bits: ``trunc0((a.V << F_b) / b.V)``; ``b.V == 0`` gives 0 (our guard);
* ``hls::f`` follows ``hls_math.h``: double in, NaN -> 0, saturate, TRN; transcendental values come from Python's
  ``math`` module, i.e. the same glibc routines the compiled model calls;
* ``nnet::lookup_table`` is rebuilt exactly: integer ``base_div``, truncated ``step``, floor index, clamp.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from symtrig.errors import SymtrigError

_INT64_SAFE = 1 << 62


@dataclass(frozen=True)
class FixedType:
    """A signed ``ap_fixed<width, integer>`` with hls4ml's default TRN / WRAP modes."""

    width: int
    integer: int

    @property
    def frac(self) -> int:
        return self.width - self.integer

    @classmethod
    def parse(cls, text: str) -> FixedType:
        match = re.fullmatch(r"\s*ap_fixed\s*<\s*(\d+)\s*,\s*(-?\d+)\s*>\s*", text)
        if not match:
            raise SymtrigError(f"precision {text!r} is not of the form ap_fixed<W,I> (e.g. ap_fixed<18,8>)")
        width, integer = int(match[1]), int(match[2])
        if not 2 <= width <= 52 or not 1 <= integer <= width:
            raise SymtrigError(f"precision {text!r}: need 2 <= W <= 52 and 1 <= I <= W")
        return cls(width, integer)

    def __str__(self) -> str:
        return f"ap_fixed<{self.width},{self.integer}>"


@dataclass(frozen=True)
class LutDef:
    """One ``nnet::lookup_table<result_t, size, ns::math_func> name(range_start, range_end);``."""

    name: str
    math_func: str
    range_start: str  # the literal text, converted to result_t as the C++ constructor does
    range_end: str
    table_size: int


# ---------------------------------------------------------------------------------------------- fixed point
@dataclass
class Fx:
    """An exact fixed-point array: value = v * 2**-frac, plus the masks of events upstream of it."""

    v: np.ndarray
    frac: int
    overflow: np.ndarray
    clip: np.ndarray
    div0: np.ndarray


def _maxabs(v: np.ndarray) -> int:
    if v.size == 0:
        return 0
    return int(max(abs(int(v.max())), abs(int(v.min()))))


def _as_object(v: np.ndarray) -> np.ndarray:
    return v if v.dtype == object else v.astype(object)


def _shift_left(v: np.ndarray, k: int) -> np.ndarray:
    if k == 0:
        return v
    if v.dtype != object and _maxabs(v) << k < _INT64_SAFE:
        return v << k
    return _as_object(v) * (1 << k)


def _floor_shift(v: np.ndarray, k: int) -> np.ndarray:
    """floor(v / 2**k) for k >= 0, exact for int64 and object arrays."""
    return v if k <= 0 else v >> k


def _wrap(v: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Two's-complement wrap to ``width`` bits; returns (int64 values, mask of rows that wrapped)."""
    half = 1 << (width - 1)
    out_of_range = (v < -half) | (v >= half)
    wrapped = ((v + half) % (1 << width)) - half
    return wrapped.astype(np.int64), np.asarray(out_of_range, dtype=bool)


def _sat_floor(values: np.ndarray, t: FixedType) -> np.ndarray:
    """The stub's ``sat_cast``: NaN -> 0, clamp to [min, max] of ``t``, then floor to ``t``'s grid."""
    hi = (2.0 ** (t.integer - 1)) - 2.0 ** (-t.frac)
    lo = -(2.0 ** (t.integer - 1))
    vals = np.where(np.isnan(values), 0.0, values)
    vals = np.clip(vals, lo, hi)
    return np.floor(vals * 2.0**t.frac).astype(np.int64)


def _glibc_unary(func: Callable[[float], float]) -> Callable[[np.ndarray], np.ndarray]:
    """Apply a Python ``math`` function (glibc, as in the compiled C++) elementwise; errors -> NaN/inf."""

    def apply(values: np.ndarray) -> np.ndarray:
        out = np.empty(values.shape, dtype=np.float64)
        for i, val in enumerate(values.tolist()):
            try:
                out[i] = func(val)
            except ValueError:
                out[i] = math.nan
            except OverflowError:
                out[i] = math.inf
        return out

    return apply


def _safe_log(v: float) -> float:
    return -math.inf if v == 0.0 else math.log(v)


def _safe_recip(v: float) -> float:
    return math.copysign(math.inf, v) if v == 0.0 else 1.0 / v


MATH_FUNCS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "exp": _glibc_unary(math.exp),
    "log": _glibc_unary(_safe_log),
    "sqrt": _glibc_unary(math.sqrt),
    "recip": _glibc_unary(_safe_recip),
    "fabs": np.abs,
    "sin": _glibc_unary(math.sin),
    "cos": _glibc_unary(math.cos),
    "tan": _glibc_unary(math.tan),
    "tanh": _glibc_unary(math.tanh),
    "gauss": _glibc_unary(lambda v: math.exp(-v * v)),
}


def math_on_codes(name: str, codes: np.ndarray, t: FixedType) -> np.ndarray:
    """``hls::name`` (stub semantics) on result_t codes, computed once per distinct code."""
    if name not in MATH_FUNCS:
        raise SymtrigError(f"hls::{name} is not supported by the emulator")
    uniq, inverse = np.unique(codes, return_inverse=True)
    values = MATH_FUNCS[name](uniq.astype(np.float64) * 2.0 ** (-t.frac))
    return _sat_floor(values, t)[inverse.reshape(codes.shape)]


def double_to_fixed(values: np.ndarray, t: FixedType) -> tuple[np.ndarray, np.ndarray]:
    """double -> ap_fixed (TRN, WRAP) as in ``ap_fixed(double)``; returns (codes, wrapped mask)."""
    scaled = np.floor(np.asarray(values, dtype=np.float64) * 2.0**t.frac)
    if not np.all(np.isfinite(scaled)):
        raise SymtrigError("inputs contain NaN or infinity; clean them before fixed-point emulation")
    if np.abs(scaled).max(initial=0.0) < 2.0**62:
        return _wrap(scaled.astype(np.int64), t.width)
    return _wrap(np.array([int(s) for s in scaled.ravel()], dtype=object).reshape(scaled.shape), t.width)


# --------------------------------------------------------------------------------------------------- LUTs
class Lut:
    """``nnet::lookup_table<T, N, func>`` rebuilt exactly from its constructor (see nnet_types.h)."""

    def __init__(self, spec: LutDef, t: FixedType) -> None:
        self.spec, self.t = spec, t
        n, f = spec.table_size, t.frac
        start = int(double_to_fixed(np.array([_const_value(spec.range_start)]), t)[0][0])
        end = int(double_to_fixed(np.array([_const_value(spec.range_end)]), t)[0][0])
        span = int(_wrap(np.array([end - start], dtype=object), t.width)[0][0])  # T(to - from)
        quotient = 0 if span == 0 else _trunc_div(n << f, span)  # ap_uint<16>(N) / T(span): 0 frac bits
        self.base_div = int(_wrap(np.array([quotient], dtype=object), 16)[0][0])  # ap_fixed<20,16>
        step = int(_wrap(np.array([_trunc_div(end - start, n)], dtype=object), t.width)[0][0])
        nums, _ = _wrap(np.array([start + i * step for i in range(n)], dtype=object), t.width)
        self.start = start
        self.table = math_on_codes(spec.math_func, nums, t)

    def __call__(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Table values for result_t argument codes, plus the mask of arguments outside the table."""
        index = ((codes.astype(np.int64) - self.start) * self.base_div) >> self.t.frac
        clipped = (index < 0) | (index > self.spec.table_size - 1)
        return self.table[np.clip(index, 0, self.spec.table_size - 1)], clipped


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


# ------------------------------------------------------------------------------------------------- parser
_TOKEN = re.compile(
    r"\s*(?:(\d+\.\d*(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)|([A-Za-z_]\w*(?:::[A-Za-z_]\w*)*)|(.))"
)


def _tokenize(text: str) -> list[str]:
    tokens = []
    for number, name, punct in _TOKEN.findall(text):
        tokens.append(number or name or punct)
    return [t for t in tokens if t.strip()]


def _const_value(text: str) -> float:
    """Value of a C++ double constant expression such as ``-1.0/3.0`` (numbers, unary minus, ``/``, ``*``)."""
    return _ConstParser(_tokenize(text)).parse()


class _ConstParser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens, self.pos = tokens, 0

    def parse(self) -> float:
        value = self._term()
        if self.pos != len(self.tokens):
            raise SymtrigError(f"unsupported constant expression {' '.join(self.tokens)!r}")
        return value

    def _term(self) -> float:
        value = self._unary()
        while self.pos < len(self.tokens) and self.tokens[self.pos] in "*/":
            op = self.tokens[self.pos]
            self.pos += 1
            rhs = self._unary()
            value = value * rhs if op == "*" else value / rhs
        return value

    def _unary(self) -> float:
        tok = self.tokens[self.pos]
        self.pos += 1
        if tok == "-":
            return -self._unary()
        if tok == "(":
            value = self._term()
            self.pos += 1
            return value
        return float(tok)


class _ExprParser:
    """Recursive descent over the printer's C++ subset; produces nested tuples (hashable, for sharing)."""

    def __init__(self, text: str, type_name: str) -> None:
        self.tokens, self.pos, self.type_name = _tokenize(text), 0, type_name

    def parse(self) -> tuple:
        node = self._sum()
        if self.pos != len(self.tokens):
            raise SymtrigError(f"emulator cannot parse {' '.join(self.tokens[self.pos :])!r}")
        return node

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> str:
        tok = self._peek()
        if tok is None or (expected is not None and tok != expected):
            raise SymtrigError(f"emulator expected {expected!r}, got {tok!r} in {' '.join(self.tokens)!r}")
        self.pos += 1
        return tok

    def _sum(self) -> tuple:
        node = self._product()
        while self._peek() in ("+", "-"):
            op = "add" if self._take() == "+" else "sub"
            node = (op, node, self._product())
        return node

    def _product(self) -> tuple:
        node = self._unary()
        while self._peek() in ("*", "/"):
            op = "mul" if self._take() == "*" else "div"
            node = (op, node, self._unary())
        return node

    def _unary(self) -> tuple:
        if self._peek() == "-":
            self._take()
            return ("neg", self._unary())
        if self._peek() == "+":
            self._take()
            return self._unary()
        return self._primary()

    def _primary(self) -> tuple:
        tok = self._take()
        if tok == "(":
            if self._peek() == self.type_name and self.tokens[self.pos + 1] == ")":
                self._take()
                self._take(")")
                return ("cast", self._unary())
            node = self._sum()
            self._take(")")
            return node
        if tok == "x":
            self._take("[")
            index = int(self._take())
            self._take("]")
            return ("in", index)
        if tok == self.type_name:
            return ("const", _const_value(self._balanced()))
        if tok.startswith("hls::"):
            if self._peek() == "<":
                while self._take() != ">":
                    pass
            return ("hls", tok[len("hls::") :], *self._args())
        if re.fullmatch(r"[A-Za-z_]\w*", tok):
            (arg,) = self._args()
            return ("lut", tok, arg)
        raise SymtrigError(f"emulator cannot handle token {tok!r} in {' '.join(self.tokens)!r}")

    def _balanced(self) -> str:
        """The raw text inside the next parenthesised group."""
        self._take("(")
        depth, parts = 1, []
        while True:
            tok = self._take()
            depth += tok == "("
            depth -= tok == ")"
            if depth == 0:
                return " ".join(parts)
            parts.append(tok)

    def _args(self) -> list[tuple]:
        self._take("(")
        args = [self._sum()]
        while self._peek() == ",":
            self._take()
            args.append(self._sum())
        self._take(")")
        return args


# ------------------------------------------------------------------------------------------------ emulator
@dataclass
class EmulationResult:
    """Outputs and per-output event statistics of one emulator run."""

    y: np.ndarray  # (n_rows, n_outputs) float64, exactly what predict() returns
    codes: np.ndarray  # (n_rows, n_outputs) int64 result_t codes
    overflow_rate: np.ndarray  # per output: fraction of rows with a wrap-around anywhere upstream
    lut_clip_rate: np.ndarray  # per output: fraction of rows with a LUT argument outside its table
    div_by_zero: np.ndarray  # per output: number of rows that divided by a quantized zero
    extras: dict = field(default_factory=dict)


class Emulator:
    """Evaluate the generated ``y[i] = …;`` statements bit-exactly on many rows at once."""

    def __init__(
        self,
        outputs: Sequence[str],
        luts: Sequence[LutDef],
        precision: FixedType | str,
        *,
        n_inputs: int = 16,
        type_name: str = "result_t",
    ) -> None:
        self.t = precision if isinstance(precision, FixedType) else FixedType.parse(precision)
        self.n_inputs = n_inputs
        self.trees = [_ExprParser(text, type_name).parse() for text in outputs]
        self.luts = {spec.name: Lut(spec, self.t) for spec in luts}

    @classmethod
    def from_project(cls, project_dir: Path, project_name: str = "myproject") -> Emulator:
        """Read ``firmware/{project}.cpp``, ``parameters.h`` and ``defines.h`` of a written hls4ml project."""
        firmware = Path(project_dir) / "firmware"
        try:
            cpp = (firmware / f"{project_name}.cpp").read_text()
            params = (firmware / "parameters.h").read_text()
            defines = (firmware / "defines.h").read_text()
        except OSError as exc:
            raise SymtrigError(f"{project_dir} is not a written hls4ml project: {exc}") from exc
        result_type = re.search(r"typedef\s+(ap_fixed<[^>]*>)\s+result_t;", defines)
        input_type = re.search(r"typedef\s+(ap_fixed<[^>]*>)\s+input_t;", defines)
        if not result_type or not input_type or input_type[1] != result_type[1]:
            raise SymtrigError(f"{firmware}/defines.h: expected one ap_fixed type for input_t and result_t")
        outputs = [
            text
            for _, text in sorted(
                re.findall(r"^\s*y\[(\d+)\]\s*=\s*(.*);\s*$", cpp, re.M), key=lambda m: int(m[0])
            )
        ]
        n_inputs = int(re.search(r"input_t\s+x\[(\d+)\]", cpp)[1])
        return cls(outputs, parse_lut_defs(params), result_type[1], n_inputs=n_inputs)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """The float64 outputs ``predict()`` would return for ``X`` (rows x n_inputs)."""
        return self.run(X).y

    def run(self, X: np.ndarray) -> EmulationResult:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise SymtrigError(f"expected inputs of shape (rows, {self.n_inputs}), got {X.shape}")
        n = X.shape[0]
        self._rows = n
        self._cache: dict[tuple, Fx] = {}
        self._inputs = X
        results = [self._cast(self._eval(tree)) for tree in self.trees]
        codes = np.stack([r.v for r in results], axis=1) if results else np.zeros((n, 0), np.int64)
        denom = max(n, 1)
        return EmulationResult(
            y=codes.astype(np.float64) * 2.0 ** (-self.t.frac),
            codes=codes,
            overflow_rate=np.array([r.overflow.sum() / denom for r in results]),
            lut_clip_rate=np.array([r.clip.sum() / denom for r in results]),
            div_by_zero=np.array([int(r.div0.sum()) for r in results]),
        )

    # -- evaluation -------------------------------------------------------------------------------------
    def _eval(self, node: tuple) -> Fx:
        cached = self._cache.get(node)
        if cached is None:
            cached = getattr(self, f"_op_{node[0]}")(*node[1:])
            self._cache[node] = cached
        return cached

    def _false(self) -> np.ndarray:
        return np.zeros(self._rows, dtype=bool)

    def _cast(self, a: Fx) -> Fx:
        """Conversion to result_t: TRN to F fraction bits, then WRAP to W bits."""
        v = _floor_shift(a.v, a.frac - self.t.frac)
        v = _shift_left(v, self.t.frac - a.frac) if a.frac < self.t.frac else v
        wrapped, ovf = _wrap(v, self.t.width)
        return Fx(wrapped, self.t.frac, a.overflow | ovf, a.clip, a.div0)

    def _op_in(self, index: int) -> Fx:
        codes, ovf = double_to_fixed(self._inputs[:, index], self.t)
        return Fx(codes, self.t.frac, ovf, self._false(), self._false())

    def _op_const(self, value: float) -> Fx:
        codes, ovf = double_to_fixed(np.full(self._rows, value), self.t)
        return Fx(codes, self.t.frac, ovf, self._false(), self._false())

    def _op_cast(self, a: tuple) -> Fx:
        return self._cast(self._eval(a))

    @staticmethod
    def _merge(a: Fx, b: Fx, v: np.ndarray, frac: int, div0: np.ndarray | None = None) -> Fx:
        return Fx(
            v, frac, a.overflow | b.overflow, a.clip | b.clip, a.div0 | b.div0 if div0 is None else div0
        )

    def _aligned(self, a: Fx, b: Fx) -> tuple[np.ndarray, np.ndarray, int]:
        frac = max(a.frac, b.frac)
        va, vb = _shift_left(a.v, frac - a.frac), _shift_left(b.v, frac - b.frac)
        if va.dtype == object or vb.dtype == object or _maxabs(va) + _maxabs(vb) >= _INT64_SAFE:
            va, vb = _as_object(va), _as_object(vb)
        return va, vb, frac

    def _op_add(self, a: tuple, b: tuple) -> Fx:
        fa, fb = self._eval(a), self._eval(b)
        va, vb, frac = self._aligned(fa, fb)
        return self._merge(fa, fb, va + vb, frac)

    def _op_sub(self, a: tuple, b: tuple) -> Fx:
        fa, fb = self._eval(a), self._eval(b)
        va, vb, frac = self._aligned(fa, fb)
        return self._merge(fa, fb, va - vb, frac)

    def _op_neg(self, a: tuple) -> Fx:
        fa = self._eval(a)
        return Fx(-fa.v, fa.frac, fa.overflow, fa.clip, fa.div0)

    def _op_mul(self, a: tuple, b: tuple) -> Fx:
        fa, fb = self._eval(a), self._eval(b)
        va, vb = fa.v, fb.v
        if va.dtype == object or vb.dtype == object or _maxabs(va) * _maxabs(vb) >= _INT64_SAFE:
            va, vb = _as_object(va), _as_object(vb)
        return self._merge(fa, fb, va * vb, fa.frac + fb.frac)

    def _op_div(self, a: tuple, b: tuple) -> Fx:
        fa, fb = self._eval(a), self._eval(b)
        num = _shift_left(fa.v, max(fb.frac, 0))
        den = fb.v
        zero = den == 0
        if num.dtype == object or den.dtype == object:
            num, den = _as_object(num), _as_object(den)
        safe = np.where(zero, 1, den)
        quotient = np.abs(num) // np.abs(safe)
        negative = (num < 0) != (safe < 0)
        quotient = np.where(negative, -quotient, quotient)
        quotient = np.where(zero, 0, quotient)
        if quotient.dtype == object and _maxabs(quotient) < _INT64_SAFE:
            quotient = quotient.astype(np.int64)
        return self._merge(fa, fb, quotient, fa.frac, fa.div0 | fb.div0 | zero)

    def _op_hls(self, name: str, *args: tuple) -> Fx:
        if len(args) != 1:
            return self._hls_binary(name, *args)
        fa = self._cast(self._eval(args[0]))  # the <W, I> signature converts its argument to result_t
        if name == "fabs":
            hi = (1 << (self.t.width - 1)) - 1
            codes = np.minimum(np.abs(fa.v), hi)
        else:
            codes = math_on_codes(name, fa.v, self.t)
        return Fx(codes, self.t.frac, fa.overflow, fa.clip, fa.div0)

    def _hls_binary(self, name: str, *args: tuple) -> Fx:
        if name != "pow" or len(args) != 2:
            raise SymtrigError(f"hls::{name} with {len(args)} arguments is not supported by the emulator")
        fa, fb = (self._cast(self._eval(arg)) for arg in args)
        scale = 2.0 ** (-self.t.frac)
        pairs = np.stack([fa.v, fb.v], axis=1)
        uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
        values = np.empty(len(uniq))
        for i, (base, expo) in enumerate(uniq.tolist()):
            try:
                values[i] = math.pow(base * scale, expo * scale)
            except ValueError:
                values[i] = math.nan
            except (OverflowError, ZeroDivisionError):
                values[i] = math.inf
        codes = _sat_floor(values, self.t)[inverse.reshape(-1)]
        return self._merge(fa, fb, codes, self.t.frac)

    def _op_lut(self, name: str, a: tuple) -> Fx:
        if name not in self.luts:
            raise SymtrigError(f"expression calls {name}(…), which is neither a declared LUT nor supported")
        fa = self._cast(self._eval(a))  # operator()(T n): implicit conversion to result_t
        values, clipped = self.luts[name](fa.v)
        return Fx(values, self.t.frac, fa.overflow, fa.clip | clipped, fa.div0)


_LUT_LINE = re.compile(
    r"nnet::lookup_table<\s*\w+\s*,\s*(\d+)\s*,\s*(?:hls|nnet)::(\w+)\s*>\s*(\w+)\s*\(([^,]+),([^)]+)\)\s*;"
)


def parse_lut_defs(parameters_h: str) -> list[LutDef]:
    """The ``nnet::lookup_table`` declarations of a generated ``parameters.h``."""
    return [
        LutDef(
            name=name, math_func=func, range_start=start.strip(), range_end=end.strip(), table_size=int(size)
        )
        for size, func, name, start, end in _LUT_LINE.findall(parameters_h)
    ]
