"""Lower sympy expressions over standardized inputs to what hls4ml's symbolic backend should print.

Input: the pipeline's expressions over ``x0..x15`` = standardized features ``z = (x - mean) / scale``.
Output (:class:`Lowered`): expressions in hls4ml's variable names in which every transcendental call is a
user lookup table (``nnet::lookup_table``), plus the table specs and the calibration ranges they came from.

Design choices (measured, see ``tests/test_hls_lower.py`` and the report of the emit-hls stage):

* **Standardization.** ``fold_standardization=True`` substitutes ``z_i = (x_i - mean_i)/scale_i`` so the IP takes
  raw jet features; ``False`` keeps the expression in ``z`` and the caller standardizes upstream (the IP input is
  ``z``). hls4ml uses one ``ap_fixed`` for inputs, constants and outputs, so raw features (mass_mmdt ~ 0–300,
  multiplicity ~ 20–150) need ≥ 10 integer bits and the folded constants ``1/scale_i`` (~0.01) lose most of their
  digits at 8–10 fraction bits. The default is therefore ``False``; see :func:`lower` for the measurement.
* **Dynamic range.** Each expression is first rewritten by :func:`symtrig.lower.ranges.reduce_range` into an
  equal form with smaller intermediate values (a large constant inside a product is multiplied out), because
  one wide intermediate sets the integer bits of hls4ml's single type; :attr:`Lowered.fitted` and
  :attr:`Lowered.reduced` record both forms.
* **Integer powers** are printed by hls4ml as products (``(x*x*x)``); nothing to do.
* **LUTs.** sin, cos, exp → a table of that function; ``gauss(u) = exp(-u²)`` → an *exp* table of ``-u*u``
  (portable: Vivado has ``hls::exp`` but no ``hls::gauss``); ``logabs(u)`` → a *log* table of ``|u|``
  (printed ``hls::fabs``). Each table's range is calibrated on the calibration rows' actual argument values and
  rounded out to a power-of-two span on a grid of its own step, because hls4ml's ``base_div = N / span`` is an
  integer quotient and only power-of-two spans index exactly. Call sites with the same function and range
  share one table.
* **Common subexpressions.** hls4ml prints one ``y[i] = …;`` statement per output and cannot emit shared
  temporaries; Vivado HLS merges identical subexpressions itself, the emulator and the cost model hash-cons
  them. :attr:`Lowered.cse` records what ``sympy.cse`` finds, for reporting.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import sympy as sp

from symtrig import expr as ex
from symtrig.errors import SymtrigError
from symtrig.lower.ranges import TABLE_RANGE_MARGIN, range_rewritten, signed_int_bits
from symtrig.lower.tolerance import CLIP_SHARE, MAX_CALIBRATION_CLIP_RATE

N_FEATURES = 16
#: hls4ml's ``base_div`` is stored in ap_fixed<20,16>: table_size / span must stay below 2**15.
_MAX_BASE_DIV = 2**15 - 1


#: A log table chained to a second one (:func:`chained_log`): the suffix of each part's name says on which side
#: it hands the argument over to the other, so its clamp there is by design (the emulator reads the side from the
#: name: a C++ project carries nothing else).
HANDOVER_SUFFIXES = {"above": "_fine", "below": "_coarse"}


def handover_of(name: str) -> str | None:
    """The side (``"above"``/``"below"``) on which table ``name`` hands over to its chained partner, if any."""
    return next((side for side, suffix in HANDOVER_SUFFIXES.items() if name.endswith(suffix)), None)


@dataclass(frozen=True)
class LutSpec:
    """One ``nnet::lookup_table``: ``name(u)`` ≈ ``math_func(u)`` sampled on [range_start, range_end)."""

    name: str
    math_func: str
    range_start: float
    range_end: float
    table_size: int

    @property
    def handover(self) -> str | None:
        return handover_of(self.name)

    def float_function(self) -> Callable[[np.ndarray], np.ndarray]:
        """The exact function this table stands for: its math function, or for a chained part that function
        of the argument held at the handover point (the two parts then sum to it exactly)."""
        numpy_of = {"exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos}
        f = numpy_of[self.math_func]
        if self.handover == "above":
            edge = self.range_end - self.step  # the fine part's last entry: the coarse part's start
            return lambda u: f(np.minimum(u, edge))
        if self.handover == "below":
            edge = self.range_start
            return lambda u: f(np.maximum(u, edge))
        return f

    @property
    def step(self) -> float:
        return (self.range_end - self.range_start) / self.table_size

    def to_hls4ml(self):
        """The ``hls4ml.utils.symbolic_utils.LUTFunction`` for this table."""
        from hls4ml.utils.symbolic_utils import LUTFunction

        return LUTFunction(self.name, self.math_func, self.range_start, self.range_end, self.table_size)

    def required_frac_bits(self) -> int:
        """Fraction bits needed so that start and step are exact in ``result_t`` (else the table degenerates)."""
        return max(0, -math.floor(math.log2(self.step)))

    @property
    def magnitude(self) -> float:
        """Largest value hls4ml stores in ``result_t`` for this table: either range end, or the span itself,
        from which ``base_div = N / span`` is computed (a span that wraps makes every index garbage)."""
        return max(abs(self.range_start), abs(self.range_end), self.range_end - self.range_start)

    def required_int_bits(self) -> int:
        """Integer bits (signed) needed to hold both range ends and the span."""
        return signed_int_bits(self.magnitude)


@dataclass
class Lowered:
    """Expressions ready for ``convert_from_symbolic_expression`` plus everything needed to reproduce them."""

    exprs: list[sp.Expr]  # over x0..x{n-1} (hls4ml's names), LUT calls as undefined sympy Functions
    luts: list[LutSpec]
    arg_ranges: dict[str, tuple[float, float]]  # LUT name -> observed (min, max) of its arguments
    fold_standardization: bool
    mean: np.ndarray
    scale: np.ndarray
    n_inputs: int = N_FEATURES
    cse: list[tuple[sp.Symbol, sp.Expr]] = field(default_factory=list)
    #: The expressions as fitted and as lowered (after :func:`~symtrig.lower.ranges.reduce_range`), over
    #: standardized x0..x{n-1}: equal in value, the second with smaller intermediate magnitudes.
    fitted: list[sp.Expr] = field(default_factory=list)
    reduced: list[sp.Expr] = field(default_factory=list)

    def ip_inputs(self, X_raw: np.ndarray) -> np.ndarray:
        """The rows the IP (and ``predict``/the emulator) takes: raw features if folded, else standardized."""
        X_raw = np.asarray(X_raw, dtype=np.float64)
        if self.fold_standardization:
            return np.ascontiguousarray(X_raw)
        return np.ascontiguousarray((X_raw - self.mean) / self.scale)

    def table_frac_bits(self, at_least: int = 0) -> int:
        """Fraction bits every table's start and step need to be exact, and at least ``at_least``."""
        return max([at_least, *(spec.required_frac_bits() for spec in self.luts)])

    def float_functions(self) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
        """numpy functions for the table calls: each LUT name evaluates its math function exactly."""
        return {spec.name: spec.float_function() for spec in self.luts}

    def value_range(self) -> float:
        """Largest |value| among LUT range ends and spans (for integer-bit choice)."""
        return max([spec.magnitude for spec in self.luts], default=0.0)


#: Argument domains worth tabulating: exp(-16) < 2**-23 is 0 at every supported precision and exp(16) saturates.
DOMAINS = {"exp": (-16.0, 16.0), "gauss": (-16.0, 0.0), "log": (0.0, math.inf)}


def calibrated_range(
    values: np.ndarray, table_size: int, *, domain: tuple[float, float] = (-math.inf, math.inf)
) -> tuple[float, float]:
    """A power-of-two span [start, start+span) covering ``values`` (plus a margin) clipped to ``domain``.

    The start lies on the table's step grid, so start and step are exact in any ``result_t`` with enough
    fraction bits. A domain starting at 0 (log tables) starts one step above 0, so no sample is log(0).
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise SymtrigError("a LUT argument is not finite on any calibration row; check the expression")
    lo, hi = float(finite.min()), float(finite.max())
    margin = TABLE_RANGE_MARGIN * max(hi - lo, 1e-3)
    lo, hi = max(lo - margin, domain[0]), min(hi + margin, domain[1])
    lo, hi = min(lo, domain[1]), max(hi, domain[0])
    span = 2.0 ** math.ceil(math.log2(max(hi - lo, table_size / _MAX_BASE_DIV)))
    while True:
        step = span / table_size
        start = math.floor(lo / step) * step
        if domain[0] == 0.0:
            start = max(start, step)
        if start + span > hi or (hi == domain[1] and start + span >= hi):  # a capped end may sit on the edge
            return start, start + span
        span *= 2


#: A chained log table's coarse part starts at ``2**-CHAIN_RATIO_BITS`` of the one table's span (or less far, where
#: hls4ml's ``base_div`` caps the fine part's density), and its fine part covers everything below at the same
#: number of entries: up to 128x the one table's reach towards ``|u| = 0``, for a coarse step of up to 1/8 of the
#: argument at the handover at 1024 entries (the precision search doubles the entries while the AUC rule fails).
#: Measured on the sample's three default fits (docs/function-units.md): at 5 bits one log design still clamped
#: 0.10 % of test jets; at 7 none above 0.05 %; 9 chose the same tables (``base_div`` caps them).
CHAIN_RATIO_BITS = 7


def chained_log(start: float, end: float, size: int) -> tuple[LutSpec, LutSpec] | None:
    """``log`` over ``[start, end)`` (a power-of-two span starting one step above 0) as two tables of ``size``
    entries whose sum, minus ``log(edge)``, is ``log u`` for every ``u`` they cover: a coarse one over
    ``[edge, edge + span)`` and a fine one over ``[edge/size, edge/size + edge)``, whose last entry is exactly
    ``edge``. Below ``edge`` the coarse table clamps to ``log(edge)`` and the fine one reads ``log u``; above
    it the fine one clamps to ``log(edge)`` and the coarse one reads ``log u`` (hls4ml's ``lookup_table`` clamps its
    index at both ends). Returned as name suffixes (:data:`HANDOVER_SUFFIXES`) for the builder to prefix; None
    when hls4ml's ``base_div`` (below 2**15) leaves no room for a finer part.

    Why two clamped tables and an add: hls4ml's symbolic backend prints arithmetic and lookups only, and its one
    branching form does not compile for a scaled argument (docs/function-units.md); a uniform table's reach
    towards 0 costs entries linearly (32768 entries: 160-430 BRAM18 on the sample's fits).
    """
    span = end - start
    bits = min(CHAIN_RATIO_BITS, math.floor(math.log2(span * _MAX_BASE_DIV / size)))
    if bits < 1 or size < 2**bits:
        return None
    edge = span * 2.0**-bits
    fine = LutSpec(HANDOVER_SUFFIXES["above"], "log", edge / size, edge / size + edge, size)
    coarse = LutSpec(HANDOVER_SUFFIXES["below"], "log", edge, edge + span, size)
    return fine, coarse


_LUT_FUNCS = {"sin": "sin", "cos": "cos", "exp": "exp", "gauss": "exp", "logabs": "log"}


def _lut_argument(call: sp.Expr) -> tuple[str, sp.Expr]:
    """(math_func, argument fed to the table) for one transcendental call."""
    (u,) = call.args
    name = call.func.__name__
    if name == "gauss":
        return "exp", -(u**2)
    if name == "logabs":
        return "log", sp.Abs(u)
    return _LUT_FUNCS[name], u


def _check_supported(expr: sp.Expr, symbols: set[sp.Symbol]) -> None:
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Symbol) and node not in symbols:
            raise SymtrigError(f"expression uses {node}; only x0..x{len(symbols) - 1} are inputs")
        if isinstance(node, sp.Function) and node.func.__name__ not in _LUT_FUNCS:
            raise SymtrigError(
                f"function {node.func.__name__} has no HLS lowering (supported: {sorted(_LUT_FUNCS)})"
            )
        if isinstance(node, sp.Pow) and not node.exp.is_Integer:
            raise SymtrigError(f"non-integer power {node} has no HLS lowering; use integer powers only")


def lower(
    exprs: Sequence[sp.Expr],
    *,
    mean: np.ndarray,
    scale: np.ndarray,
    X_calib_raw: np.ndarray,
    lut_size: int = 1024,
    fold_standardization: bool = False,
    max_fraction: int | None = None,
) -> Lowered:
    """Lower ``exprs`` (over standardized x0..x15) to hls4ml-ready expressions with calibrated LUTs.

    ``X_calib_raw`` (raw features, rows x 16) calibrates the LUT ranges; use the training rows. ``lut_size`` is
    the number of entries of every table (1024 fits one BRAM18 at ≤ 18 bits and gives ~4e-3 median error for
    exp on an 8-wide range). ``fold_standardization=False`` (default) keeps standardized IP inputs; measured on
    the pipeline's expressions the folded variant loses AUC at every precision up to <24,12> because the
    folded coefficients 1/scale are quantized coarsely and raw features need ≥ 10 integer bits.
    ``max_fraction``: the fraction bits of a given ``ap_fixed`` (None: the precision is chosen afterwards); a log
    table is chained (:func:`chained_log`) only where its fine part's start and step fit them.
    """
    mean = np.asarray(mean, dtype=np.float64).ravel()
    scale = np.asarray(scale, dtype=np.float64).ravel()
    X_calib_raw = np.asarray(X_calib_raw, dtype=np.float64)
    n = mean.size
    if scale.size != n or X_calib_raw.ndim != 2 or X_calib_raw.shape[1] != n:
        raise SymtrigError(f"mean, scale and calibration rows must all have {n} features")
    if np.any(scale <= 0) or not np.all(np.isfinite(scale)):
        raise SymtrigError("standardization scale must be finite and positive")
    if lut_size < 2 or lut_size > 65535:
        raise SymtrigError("lut_size must be between 2 and 65535 (hls4ml indexes tables with ap_uint<16>)")
    symbols = sp.symbols(f"x0:{n}")
    exprs = [sp.sympify(e) for e in exprs]  # sympy objects from the pipeline, never user text
    for e in exprs:
        _check_supported(e, set(symbols))
    fitted = list(exprs)
    exprs = [range_rewritten(e, (X_calib_raw - mean) / scale) for e in exprs]
    reduced = list(exprs)
    if fold_standardization:
        subs = {s: (s - float(m)) / float(c) for s, m, c in zip(symbols, mean, scale, strict=True)}
        exprs = [e.xreplace(subs) for e in exprs]
        X_ip = X_calib_raw
    else:
        X_ip = (X_calib_raw - mean) / scale
    builder = _LutBuilder(symbols, X_ip, lut_size, max_fraction)
    lowered = [builder.replace(e) for e in exprs]
    return Lowered(
        exprs=lowered,
        luts=list(builder.specs.values()),
        arg_ranges=builder.observed,
        fold_standardization=fold_standardization,
        mean=mean,
        scale=scale,
        n_inputs=n,
        cse=sp.cse(lowered)[0],
        fitted=fitted,
        reduced=reduced,
    )


def _letters(index: int) -> str:
    """``a``, ``b``, ..., ``z``, ``ba``, ...: a digit-free table suffix.

    hls4ml 1.3.0 prints an integer power by rewriting every ``<letters><digits>`` in its base to an array index
    (``_symbol_to_array``), so ``exp_lut0(x[0])**2`` came out as ``exp_lut[0](x[0])*...`` and did not compile.
    """
    text = ""
    while True:
        text = chr(ord("a") + index % 26) + text
        index //= 26
        if index == 0:
            return text


class _LutBuilder:
    """Replaces transcendental calls bottom-up by LUT calls, calibrating each table on the data."""

    def __init__(
        self, symbols: Sequence[sp.Symbol], X_ip: np.ndarray, table_size: int, max_fraction: int | None
    ) -> None:
        self.symbols, self.X, self.table_size, self.max_fraction = symbols, X_ip, table_size, max_fraction
        self.specs: dict[tuple[str, str | None, float, float], LutSpec] = {}
        self.observed: dict[str, tuple[float, float]] = {}

    def replace(self, expr: sp.Expr) -> sp.Expr:
        if not expr.args:
            return expr
        if isinstance(expr, sp.Function) and expr.func.__name__ in _LUT_FUNCS:
            inner = self.replace(expr.args[0])
            math_func, arg_float = _lut_argument(expr)
            # evaluate=False: sympy would pull signs out of odd functions (sin(-u) -> -sin(u)) and lose the call
            _, arg_lut = _lut_argument(expr.func(inner, evaluate=False))
            domain = DOMAINS.get(expr.func.__name__, DOMAINS.get(math_func, (-math.inf, math.inf)))
            values = ex.node_values(arg_float, self.X)[arg_float]
            start, end = calibrated_range(values, self.table_size, domain=domain)
            chain = self._chain(math_func, values, start, end)
            if chain:
                fine, coarse = (self._spec(part, values) for part in chain)
                edge = sp.Float(math.log(coarse.range_start), 17)
                return sp.Function(fine.name)(arg_lut) + sp.Function(coarse.name)(arg_lut) - edge
            return sp.Function(self._spec(LutSpec("", math_func, start, end, self.table_size), values).name)(
                arg_lut
            )
        return expr.func(*[self.replace(a) for a in expr.args])

    def _chain(
        self, math_func: str, values: np.ndarray, start: float, end: float
    ) -> tuple[LutSpec, LutSpec] | None:
        """The chained parts of a log over ``[start, end)`` (:func:`chained_log`) where one table would clamp
        more calibration rows than the da4ml search lets its tables clamp, and the given type (if any) holds the
        fine part's grid; None: one table."""
        if math_func != "log" or np.mean(values < start) <= MAX_CALIBRATION_CLIP_RATE * CLIP_SHARE:
            return None
        chain = chained_log(start, end, self.table_size)
        if chain and self.max_fraction is not None and chain[0].required_frac_bits() > self.max_fraction:
            return None
        return chain

    def _spec(self, spec: LutSpec, values: np.ndarray) -> LutSpec:
        """The registered table like ``spec`` (a call with the same function, part and range shares it; a new
        one is named here), with ``values`` added to its observed argument range."""
        key = (spec.math_func, spec.handover, spec.range_start, spec.range_end)
        if key not in self.specs:
            name = f"{spec.math_func}_lut_{_letters(len(self.specs))}{spec.name}"
            self.specs[key] = replace(spec, name=name)
        registered = self.specs[key]
        finite = values[np.isfinite(values)]
        lo, hi = self.observed.get(registered.name, (math.inf, -math.inf))
        self.observed[registered.name] = (min(lo, float(finite.min())), max(hi, float(finite.max())))
        return registered
