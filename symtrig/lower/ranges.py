"""Value ranges for fixed point: how many integer bits a value needs, and forms that need fewer.

Why a module of its own: every fixed-point backend must give each value enough integer bits never to wrap, and
an expression's *form* can demand far more range than its value. A fitted ``s*A*(P + 318.99) - 32.6`` computes
``P + 318.99`` (10 integer bits) although the output stays below 8: in hls4ml's one-type-for-every-node designs
that one sum sets the width of everything, and in a per-node design it still costs a wide adder and product.
:func:`reduce_range` rewrites such forms into equal expressions whose intermediate values are smaller (the
large constant is multiplied out and merged with the constant outside), before any backend sees them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp

from symtrig import expr as ex
from symtrig.expr import logabs
from symtrig.expr.evaluate import node_values, peak

#: Integer bits above what the largest calibrated value needs: values up to twice the largest one seen on the
#: calibration jets still fit, so jets a little beyond the calibration set (a test split, new data) never wrap.
HEADROOM_BITS = 1
#: A table's argument range is its calibrated span widened by this fraction of the span on each side, so a jet
#: a little beyond the calibration set still reads the function, not a clamped edge (both backends' tables).
TABLE_RANGE_MARGIN = 0.05

#: A rewrite must save at least this factor in the largest intermediate magnitude (one integer bit) ...
_MIN_GAIN = 2.0
#: ... and may add at most this many operations (each rewrite multiplies one constant term out).
_MAX_EXTRA_OPS = 12


def signed_int_bits(max_abs: float) -> int:
    """Smallest ``I`` of ``ap_fixed<W,I>`` (sign bit included: :attr:`FixedFormat.ap_integer
    <symtrig.lower.fixed.FixedFormat.ap_integer>`) with ``max_abs < 2**(I-1)``; 1 for zero."""
    return max(1, math.floor(math.log2(max_abs)) + 2) if max_abs > 0 else 1


@dataclass(frozen=True)
class WidestValue:
    """The node whose calibrated magnitude sets a design's integer bits, for the record and the user."""

    magnitude: float
    node: str
    output: int

    def describe(self) -> str:
        text = self.node if len(self.node) <= 60 else self.node[:57] + "..."
        return f"{text} = {self.magnitude:.4g} (output {self.output})"


def widest_value(
    exprs: list[sp.Expr],
    X: np.ndarray,
    functions: Mapping[str, Callable[[np.ndarray], np.ndarray]] | None = None,
) -> WidestValue:
    """The largest ``|value|`` any node of any expression takes on the rows of ``X``, and where it is."""
    widest = WidestValue(0.0, "0", 0)
    for index, expr in enumerate(exprs):
        for node, values in node_values(expr, X, functions).items():
            magnitude = peak(values)
            if magnitude > widest.magnitude:
                widest = WidestValue(magnitude, str(node), index)
    return widest


def range_rewritten(expr: sp.Expr, X: np.ndarray) -> sp.Expr:
    """``expr`` in the equal form every backend lowers: log scales pulled out (:func:`pull_log_scales`), then
    intermediate magnitudes reduced on ``X`` (:func:`reduce_range`). One place, so both backends stay alike."""
    return reduce_range(pull_log_scales(expr), X)


def reduce_range(expr: sp.Expr, X: np.ndarray) -> sp.Expr:
    """An expression equal to ``expr`` whose largest intermediate magnitude on ``X`` is as small as found.

    Greedy: at every product that holds a sum with a constant term, multiply that constant term out
    (``s*A*(P + k)`` → ``s*A*P + expand(s*k*A)``), so sympy merges it with the constants around; a rewrite is
    kept when it halves the largest intermediate magnitude (one integer bit) and adds at most
    :data:`_MAX_EXTRA_OPS` operations, and the search repeats from the result.
    """
    best, best_peak = expr, ex.largest_magnitude(expr, X)
    budget = sp.count_ops(expr) + _MAX_EXTRA_OPS
    while math.isfinite(best_peak):
        scored = []
        for candidate in _constant_splits(best):
            if sp.count_ops(candidate) <= budget:
                scored.append((ex.largest_magnitude(candidate, X), sp.count_ops(candidate), candidate))
        if not scored:
            return best
        magnitude, _, candidate = min(scored, key=lambda item: (item[0], item[1]))
        if not magnitude * _MIN_GAIN <= best_peak:
            return best
        best, best_peak = candidate, magnitude
    return best


def pull_log_scales(expr: sp.Expr) -> sp.Expr:
    """``logabs(c*v)`` → ``logabs(v) + log|c|`` for every numeric ``c``: the same values, a better table.

    Why: a lookup table resolves its argument only down to its first step, and hls4ml's tables cannot step
    finer than 2^-15 of their index (``base_div = N/span`` must fit 15 bits). A fitted ``logabs(0.027*mass)``
    puts every jet with ``|mass| < 0.0011`` (standardized) below that step, where log still falls: 0.4 % of the
    sample's jets were clamped to a wrong table edge. On the argument's own scale (``logabs(mass)``) the span is
    set by the data and the clamped fraction drops about fivefold.
    """

    def pulled(node: sp.Expr) -> sp.Expr:
        (argument,) = node.args
        scale, rest = argument.as_coeff_Mul()
        if scale in (1, -1) or scale == 0 or not rest.free_symbols:
            return node
        return node.func(rest) + sp.log(sp.Abs(scale))

    return expr.replace(lambda node: isinstance(node, logabs), pulled)


def _constant_splits(expr: sp.Expr) -> list[sp.Expr]:
    """Every expression made from ``expr`` by multiplying out one constant term of a sum inside a product."""
    rewrites = []
    for node in sp.preorder_traversal(expr):
        if not node.is_Mul:
            continue
        for position, factor in enumerate(node.args):
            constant, rest = factor.as_coeff_Add() if factor.is_Add else (sp.S.Zero, factor)
            if constant == 0:
                continue
            others = sp.Mul(*(a for i, a in enumerate(node.args) if i != position))
            split = others * rest + sp.expand(others * constant, deep=False)
            rewrites.append(expr.xreplace({node: split}))
    return rewrites
