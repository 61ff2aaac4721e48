"""Bit-exact numpy emulator of the fixed-point C++ that hls4ml's symbolic backend generates.

Why work from the generated C++ rather than from the sympy expressions: the C++ text *is* what g++ and Vivado
compile, so the emulator cannot drift from hls4ml's printer (how sympy orders a ``Mul`` with a denominator,
where it puts unary minus, how it prints rationals). The text is read by :mod:`symtrig.backends.hls4ml.cpp` (shared with the
cost model); of its grammar the emulator accepts ``x[i]``, ``result_t(c)``, ``+ - * /``, ``(result_t)`` casts,
``hls::f<W, I>(…)`` and ``lut(…)``, and rejects anything else loudly when it is constructed.

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
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from symtrig.backends.hls4ml.cpp import Expr, LutDef, parse_expr, parse_lut_defs, read_project
from symtrig.errors import SymtrigError
from symtrig.lower.fixed import FixedFormat
from symtrig.verify.ap_fixed import (
    INT64_SAFE,
    Lut,
    as_object,
    double_to_fixed,
    floor_shift,
    math_on_codes,
    max_abs,
    sat_floor,
    shift_left,
    wrap,
)

__all__ = [
    "EmulationResult",
    "Emulator",
    "FixedFormat",
    "LutDef",
    "double_to_fixed",
    "emulator_for",
    "math_on_codes",
    "parse_lut_defs",
]


# ---------------------------------------------------------------------------------------------- fixed point
@dataclass
class Fx:
    """An exact fixed-point array: value = v * 2**-frac, plus the ids of the events upstream of it.

    An event (a wrap-around, a harmful table clamp, a division by zero) is stored once, as a row mask, by the
    emulator run, and only when it happened on some row; most nodes carry none, so no per-node mask is combined
    (that bookkeeping was a third of the emulator's time).
    """

    v: np.ndarray
    frac: int
    events: frozenset[int] = frozenset()
    bound: int = -1  # an upper bound of |v| known without looking at the data; -1: unknown

    def limit(self) -> int:
        """An upper bound of ``|v|``: the tracked one, or the data's own when none is tracked."""
        return self.bound if self.bound >= 0 else max_abs(self.v)


# ------------------------------------------------------------------------------------------------ emulator
@dataclass
class EmulationResult:
    """Outputs and per-output event statistics of one emulator run."""

    y: np.ndarray  # (n_rows, n_outputs) float64, exactly what predict() returns
    codes: np.ndarray  # (n_rows, n_outputs) int64 result_t codes
    overflow_rate: np.ndarray  # per output: fraction of rows with a wrap-around anywhere upstream
    lut_clip_rate: np.ndarray  # per output: fraction of rows where a LUT clamp misses the function by > 1 LSB
    div_by_zero: np.ndarray  # per output: number of rows that divided by a quantized zero
    extras: dict = field(default_factory=dict)


class Emulator:
    """Evaluate the generated ``y[i] = …;`` statements bit-exactly on many rows at once."""

    def __init__(
        self,
        outputs: Sequence[str],
        luts: Sequence[LutDef],
        precision: FixedFormat | str,
        *,
        n_inputs: int = 16,
        type_name: str = "result_t",
    ) -> None:
        self.t = precision if isinstance(precision, FixedFormat) else FixedFormat.parse(precision)
        self.n_inputs = n_inputs
        self.trees = [parse_expr(text, (type_name,)) for text in outputs]
        for tree in self.trees:
            _check_supported(tree)
        self.luts = {spec.name: Lut(spec, self.t) for spec in luts}

    @classmethod
    def from_project(cls, project_dir: Path, project_name: str | None = None) -> Emulator:
        """Read ``firmware/<name>.cpp``, ``parameters.h``, ``defines.h`` (name: given, else project.tcl's)."""
        project = read_project(project_dir, project_name, require=("parameters.h", "defines.h"))
        result_type, input_type = project.types.get("result_t", ""), project.types.get("input_t", "")
        if not result_type.startswith("ap_fixed<") or input_type != result_type:
            raise SymtrigError(
                f"{project_dir}/firmware/defines.h: expected one ap_fixed type for input_t and result_t"
            )
        if project.n_inputs is None:
            raise SymtrigError(f"{project_dir}/firmware/{project.name}.cpp declares no input_t x[N]")
        return cls(project.outputs, project.luts, result_type, n_inputs=project.n_inputs)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """The float64 outputs ``predict()`` would return for ``X`` (rows x n_inputs)."""
        return self.run(X).y

    def run(self, X: np.ndarray) -> EmulationResult:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise SymtrigError(f"expected inputs of shape (rows, {self.n_inputs}), got {X.shape}")
        n = X.shape[0]
        self._rows = n
        self._cache: dict[Expr, Fx] = {}
        self._events: list[tuple[str, np.ndarray]] = []
        # every input column converted at once, as contiguous rows (a column of X is a strided view)
        self._input_codes, self._input_wrapped = double_to_fixed(np.ascontiguousarray(X.T), self.t)
        results = [self._cast(self._eval(tree)) for tree in self.trees]
        codes = np.stack([r.v for r in results], axis=1) if results else np.zeros((n, 0), np.int64)
        denom = max(n, 1)
        return EmulationResult(
            y=codes.astype(np.float64) * 2.0 ** (-self.t.fraction),
            codes=codes,
            overflow_rate=np.array([self._rows_with("overflow", r).sum() / denom for r in results]),
            lut_clip_rate=np.array([self._rows_with("clip", r).sum() / denom for r in results]),
            div_by_zero=np.array([int(self._rows_with("div0", r).sum()) for r in results]),
        )

    # -- evaluation -------------------------------------------------------------------------------------
    def _eval(self, node: Expr) -> Fx:
        cached = self._cache.get(node)
        if cached is None:
            cached = getattr(self, f"_op_{node.op}")(node)
            self._cache[node] = cached
        return cached

    def _event(self, kind: str, mask: np.ndarray) -> frozenset[int]:
        """Record ``mask`` as an event of ``kind`` if it happened on any row; its id, or nothing."""
        if not mask.any():
            return frozenset()
        self._events.append((kind, mask))
        return frozenset({len(self._events) - 1})

    def _rows_with(self, kind: str, result: Fx) -> np.ndarray:
        """Rows on which an event of ``kind`` happened upstream of ``result``."""
        rows = np.zeros(self._rows, dtype=bool)
        for event in result.events:
            event_kind, mask = self._events[event]
            if event_kind == kind:
                rows |= mask
        return rows

    def _cast(self, a: Fx) -> Fx:
        """Conversion to result_t: TRN to F fraction bits, then WRAP to W bits.

        When the tracked bound shows the value cannot leave W bits, the wrap (and its check) is skipped.
        """
        drop = a.frac - self.t.fraction
        v = floor_shift(a.v, drop)
        bound = (a.limit() >> drop) + 1 if drop > 0 else a.limit() << -drop
        v = shift_left(v, -drop, a.limit()) if drop < 0 else v
        top = 1 << (self.t.width - 1)
        if bound < top:
            return Fx(v if v.dtype == np.int64 else v.astype(np.int64), self.t.fraction, a.events, bound)
        wrapped, ovf = wrap(v, self.t.width)
        return Fx(wrapped, self.t.fraction, a.events | self._event("overflow", ovf), top)

    def _op_input(self, node: Expr) -> Fx:
        index = node.attr[0]
        overflow = self._event("overflow", self._input_wrapped[index])
        return Fx(self._input_codes[index], self.t.fraction, overflow, 1 << (self.t.width - 1))

    def _op_const(self, node: Expr) -> Fx:
        """One conversion, broadcast to every row (a constant is the same code on each)."""
        code, ovf = double_to_fixed(np.array([node.attr[1]]), self.t)
        rows = self._rows
        overflow = self._event("overflow", np.full(rows, ovf[0]))
        return Fx(np.full(rows, code[0]), self.t.fraction, overflow, abs(int(code[0])))

    def _op_cast(self, node: Expr) -> Fx:
        return self._cast(self._eval(node.args[0]))

    @staticmethod
    def _merge(
        a: Fx, b: Fx, v: np.ndarray, frac: int, bound: int, events: frozenset[int] = frozenset()
    ) -> Fx:
        return Fx(v, frac, a.events | b.events | events, bound)

    def _aligned(self, a: Fx, b: Fx) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Both operands on the finer binary point, as int64 when their sum provably fits, and that bound."""
        frac = max(a.frac, b.frac)
        va = shift_left(a.v, frac - a.frac, a.limit())
        vb = shift_left(b.v, frac - b.frac, b.limit())
        bound = (a.limit() << (frac - a.frac)) + (b.limit() << (frac - b.frac))
        if bound >= INT64_SAFE and va.dtype != object and vb.dtype != object:
            bound = max_abs(va) + max_abs(vb)  # the tracked bound is loose: measure
        if va.dtype == object or vb.dtype == object or bound >= INT64_SAFE:
            va, vb = as_object(va), as_object(vb)
        return va, vb, frac, bound

    def _op_add(self, node: Expr) -> Fx:
        return self._add_sub(node, operator.add)

    def _op_sub(self, node: Expr) -> Fx:
        return self._add_sub(node, operator.sub)

    def _add_sub(self, node: Expr, op: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Fx:
        """Exact: both operands on the finer binary point (ap_fixed's result type grows to hold the sum)."""
        fa, fb = (self._eval(arg) for arg in node.args)
        va, vb, frac, bound = self._aligned(fa, fb)
        return self._merge(fa, fb, op(va, vb), frac, bound)

    def _op_neg(self, node: Expr) -> Fx:
        fa = self._eval(node.args[0])
        return Fx(-fa.v, fa.frac, fa.events, fa.bound)

    def _op_mul(self, node: Expr) -> Fx:
        fa, fb = (self._eval(arg) for arg in node.args)
        va, vb = fa.v, fb.v
        bound = fa.limit() * fb.limit()
        if bound >= INT64_SAFE and va.dtype != object and vb.dtype != object:
            bound = max_abs(va) * max_abs(vb)  # the tracked bound is loose: measure
        if va.dtype == object or vb.dtype == object or bound >= INT64_SAFE:
            va, vb = as_object(va), as_object(vb)
        return self._merge(fa, fb, va * vb, fa.frac + fb.frac, bound)

    def _op_div(self, node: Expr) -> Fx:
        fa, fb = (self._eval(arg) for arg in node.args)
        num = shift_left(fa.v, max(fb.frac, 0))
        den = fb.v
        zero = den == 0
        if num.dtype == object or den.dtype == object:
            num, den = as_object(num), as_object(den)
        safe = np.where(zero, 1, den)
        quotient = np.abs(num) // np.abs(safe)
        negative = (num < 0) != (safe < 0)
        quotient = np.where(negative, -quotient, quotient)
        quotient = np.where(zero, 0, quotient)
        if quotient.dtype == object and max_abs(quotient) < INT64_SAFE:
            quotient = quotient.astype(np.int64)
        return self._merge(fa, fb, quotient, fa.frac, -1, self._event("div0", zero))

    def _op_call(self, node: Expr) -> Fx:
        name = node.attr[0]  # hls::f<W, I>: the template arguments repeat result_t's widths
        if name.startswith("hls::"):
            return self._hls(name[len("hls::") :], *node.args)
        return self._lut(name, *node.args)

    def _hls(self, name: str, *args: Expr) -> Fx:
        if len(args) != 1:
            return self._hls_binary(name, *args)
        fa = self._cast(self._eval(args[0]))  # the <W, I> signature converts its argument to result_t
        if name == "fabs":
            hi = (1 << (self.t.width - 1)) - 1
            codes = np.minimum(np.abs(fa.v), hi)
        else:
            codes = math_on_codes(name, fa.v, self.t)
        return Fx(codes, self.t.fraction, fa.events, 1 << (self.t.width - 1))

    def _hls_binary(self, name: str, *args: Expr) -> Fx:
        if name != "pow" or len(args) != 2:
            raise SymtrigError(f"hls::{name} with {len(args)} arguments is not supported by the emulator")
        fa, fb = (self._cast(self._eval(arg)) for arg in args)
        scale = 2.0 ** (-self.t.fraction)
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
        codes = sat_floor(values, self.t)[inverse.reshape(-1)]
        return self._merge(fa, fb, codes, self.t.fraction, 1 << (self.t.width - 1))

    def _lut(self, name: str, a: Expr) -> Fx:
        if name not in self.luts:
            raise SymtrigError(f"expression calls {name}(…), which is neither a declared LUT nor supported")
        fa = self._cast(self._eval(a))  # operator()(T n): implicit conversion to result_t
        values, clipped = self.luts[name](fa.v)
        return Fx(values, self.t.fraction, fa.events | self._event("clip", clipped), 1 << (self.t.width - 1))


_EMULATED_OPS = frozenset({"input", "const", "cast", "neg", "add", "sub", "mul", "div", "call"})


def _check_supported(node: Expr) -> None:
    """Reject, before any data is seen, what the parser reads but the emulator does not model.

    Bare literals (their C++ type is not ``result_t``), other namespaces (``nnet::sin_lut``) and LUT calls
    with several arguments; unknown ``hls::`` functions and undeclared LUTs are reported when evaluated.
    """
    stack = [node]
    while stack:
        n = stack.pop()
        if n.op not in _EMULATED_OPS:
            raise SymtrigError(f"the emulator cannot handle {n.op} {n.attr[0]!r} in the generated C++")
        if n.op == "call":
            name = n.attr[0]
            if "::" in name and not name.startswith("hls::"):
                raise SymtrigError(f"the emulator cannot handle the call {name!r} in the generated C++")
            if "::" not in name and len(n.args) != 1:
                raise SymtrigError(f"{name}(…) is called with {len(n.args)} arguments; a LUT takes one")
        stack.extend(n.args)


def emulator_for(lowered, fixed: FixedFormat | str) -> Emulator:
    """An emulator of the project :func:`~symtrig.backends.hls4ml.project.write_project` would write at
    ``fixed``, without compiling (the C++ is printed once per lowered design)."""
    from symtrig.backends.hls4ml.project import check_precision, printed_cpp

    fixed = fixed if isinstance(fixed, FixedFormat) else FixedFormat.parse(fixed)
    check_precision(lowered, fixed)
    project = printed_cpp(lowered)
    return Emulator(project.outputs, project.luts, fixed, n_inputs=lowered.n_inputs)
