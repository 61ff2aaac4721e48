"""ap_fixed semantics on exact integer code arrays: the arithmetic the hls4ml emulator is built from.

Why a module of its own: these rules (two's-complement wrap, TRN conversions from double, ``hls_math.h``'s
saturating functions on glibc values, ``nnet::lookup_table``'s integer index arithmetic) are properties of
the ap_types and of hls4ml's headers, not of the C++ the emulator walks; keeping them apart keeps each piece
small enough to check against its header. Every value is an integer code ``V`` meaning ``V * 2**-F``; codes
live on int64 when they provably fit and on Python-int object arrays otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from symtrig.backends.hls4ml.cpp import LutDef, const_value
from symtrig.errors import SymtrigError
from symtrig.lower.fixed import FixedFormat
from symtrig.lower.tables import handover_of

INT64_SAFE = 1 << 62  # magnitudes below this survive one more addition or doubling on int64


def max_abs(v: np.ndarray) -> int:
    if v.size == 0:
        return 0
    return int(max(abs(int(v.max())), abs(int(v.min()))))


def as_object(v: np.ndarray) -> np.ndarray:
    return v if v.dtype == object else v.astype(object)


def shift_left(v: np.ndarray, k: int, bound: int | None = None) -> np.ndarray:
    """``v * 2**k``, on int64 when it provably fits (``bound`` >= max|v|, measured when not given)."""
    if k == 0:
        return v
    if v.dtype != object and (
        (bound is not None and bound << k < INT64_SAFE) or max_abs(v) << k < INT64_SAFE
    ):
        return v << k
    return as_object(v) * (1 << k)


def floor_shift(v: np.ndarray, k: int) -> np.ndarray:
    """floor(v / 2**k) for k >= 0, exact for int64 and object arrays."""
    return v if k <= 0 else v >> k


def wrap(v: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Two's-complement wrap to ``width`` bits; returns (int64 values, mask of rows that wrapped).

    On int64 it is a shift up and an arithmetic shift back (numpy's shifts wrap modulo 2**64, which agrees
    with two's complement in every low bit), a tenth of the time of the modulo used for Python integers.
    """
    if v.dtype == np.int64 and width < 64:
        k = np.int64(64 - width)
        wrapped = (v << k) >> k
        return wrapped, wrapped != v
    half = 1 << (width - 1)
    out_of_range = (v < -half) | (v >= half)
    wrapped = ((v + half) % (1 << width)) - half
    return wrapped.astype(np.int64), np.asarray(out_of_range, dtype=bool)


def sat_floor(values: np.ndarray, t: FixedFormat) -> np.ndarray:
    """The stub's ``sat_cast``: NaN -> 0, clamp to [min, max] of ``t``, then floor to ``t``'s grid."""
    hi = (2.0 ** (t.ap_integer - 1)) - 2.0 ** (-t.fraction)
    lo = -(2.0 ** (t.ap_integer - 1))
    vals = np.where(np.isnan(values), 0.0, values)
    vals = np.clip(vals, lo, hi)
    return np.floor(vals * 2.0**t.fraction).astype(np.int64)


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


def math_on_codes(name: str, codes: np.ndarray, t: FixedFormat) -> np.ndarray:
    """``hls::name`` (stub semantics) on result_t codes, computed once per distinct code."""
    if name not in MATH_FUNCS:
        raise SymtrigError(f"hls::{name} is not supported by the emulator")
    uniq, inverse = np.unique(codes, return_inverse=True)
    values = MATH_FUNCS[name](uniq.astype(np.float64) * 2.0 ** (-t.fraction))
    return sat_floor(values, t)[inverse.reshape(codes.shape)]


def double_to_fixed(values: np.ndarray, t: FixedFormat) -> tuple[np.ndarray, np.ndarray]:
    """double -> ap_fixed (TRN, WRAP) as in ``ap_fixed(double)``; returns (codes, wrapped mask)."""
    scaled = np.floor(np.asarray(values, dtype=np.float64) * 2.0**t.fraction)
    largest = np.abs(scaled).max(initial=0.0)  # NaN or inf when any value is not finite
    if not np.isfinite(largest):
        raise SymtrigError("inputs contain NaN or infinity; clean them before fixed-point emulation")
    if largest < 2.0**62:
        return wrap(scaled.astype(np.int64), t.width)
    return wrap(np.array([int(s) for s in scaled.ravel()], dtype=object).reshape(scaled.shape), t.width)


# --------------------------------------------------------------------------------------------------- LUTs
class Lut:
    """``nnet::lookup_table<T, N, func>`` rebuilt exactly from its constructor (see nnet_types.h)."""

    def __init__(self, spec: LutDef, t: FixedFormat) -> None:
        self.spec, self.t = spec, t
        n, f = spec.table_size, t.fraction
        start = int(double_to_fixed(np.array([const_value(spec.range_start)]), t)[0][0])
        end = int(double_to_fixed(np.array([const_value(spec.range_end)]), t)[0][0])
        span = int(wrap(np.array([end - start], dtype=object), t.width)[0][0])  # T(to - from)
        quotient = 0 if span == 0 else trunc_div(n << f, span)  # ap_uint<16>(N) / T(span): 0 frac bits
        self.base_div = int(wrap(np.array([quotient], dtype=object), 16)[0][0])  # ap_fixed<20,16>
        step = int(wrap(np.array([trunc_div(end - start, n)], dtype=object), t.width)[0][0])
        nums, _ = wrap(np.array([start + i * step for i in range(n)], dtype=object), t.width)
        self.start = start
        self.table = math_on_codes(spec.math_func, nums, t)
        self.handover = handover_of(spec.name)  # the side whose clamp is by design (a chained table's)

    def __call__(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Table values for result_t argument codes, plus the mask of *harmful* clips.

        An argument outside the table gets the edge entry. That is harmless where the function has flattened
        out at the fixed-point resolution (exp(-20) and exp(-15) are both 0 at 16 fraction bits), so a clip
        counts only when the edge entry misses the function's value at the true argument by more than one LSB;
        and never on the side where a chained table hands the argument over to its partner
        (:func:`symtrig.lower.tables.chained_log`).
        """
        index = ((codes.astype(np.int64) - self.start) * self.base_div) >> self.t.fraction
        low, high = index < 0, index > self.spec.table_size - 1
        outside = (low & (self.handover != "below")) | (high & (self.handover != "above"))
        served = self.table[np.clip(index, 0, self.spec.table_size - 1)]
        if outside.any():
            exact = math_on_codes(self.spec.math_func, codes[outside], self.t)
            outside[outside] = np.abs(exact - served[outside]) > 1
        return served, outside


def trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q
