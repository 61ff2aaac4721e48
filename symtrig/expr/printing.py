"""Text for expressions that :func:`~symtrig.expr.parser.parse_expression` reads back to the same values.

A :class:`~sympy.printing.str.StrPrinter` subclass: floats are printed repr-exact (Python's shortest
round-trip form, 17 significant digits at most) unless ``digits`` asks for fewer, symbolic constants such
as ``pi`` or ``E`` are printed as floats (the parser knows no constant names), and variables are printed as
``x0..x15`` or as the feature names of :data:`symtrig.data.FEATURES`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, TypeAlias

import sympy
from sympy.printing.str import StrPrinter

from symtrig.data import FEATURES
from symtrig.errors import SymtrigError
from symtrig.expr.functions import variable_index

#: How variables are printed: ``x0..``, the jet feature names, or the given names of columns x0, x1, ...
Names: TypeAlias = Literal["features", "x"] | Sequence[str]


class SymtrigPrinter(StrPrinter):
    """sympy's str printer with parseable floats and optional feature names."""

    def __init__(self, names: Names = "x", digits: int | None = None) -> None:
        super().__init__()
        if isinstance(names, str) and names not in ("features", "x"):
            raise SymtrigError(f"names must be 'features', 'x' or the feature names, got {names!r}")
        if digits is not None and (not isinstance(digits, int) or digits < 1):
            raise SymtrigError(f"digits must be a positive integer or None, got {digits!r}")
        self.names = names
        self.digits = digits

    def _float_text(self, value: float) -> str:
        if not math.isfinite(value):
            raise SymtrigError(f"cannot print the non-finite constant {value}")
        return repr(value) if self.digits is None else format(value, f".{self.digits}g")

    def _print_Float(self, expr: sympy.Float) -> str:
        return self._float_text(float(expr))

    def _print_NumberSymbol(self, expr: sympy.NumberSymbol) -> str:
        return self._float_text(float(expr))

    _print_Exp1 = _print_Pi = _print_EulerGamma = _print_GoldenRatio = _print_Catalan = _print_NumberSymbol

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        index = variable_index(expr)
        features = FEATURES if self.names == "features" else () if self.names == "x" else tuple(self.names)
        if index is not None and index < len(features):
            return features[index]
        return expr.name


_UNPRINTABLE = (sympy.zoo, sympy.oo, -sympy.oo, sympy.nan, sympy.I)


def to_text(expr: sympy.Expr, names: Names = "x", digits: int | None = None) -> str:
    """``expr`` as parseable text over ``x0..x15`` (``names='x'``), the jet feature names (``'features'``) or
    the given feature names (a sequence: the columns x0, x1, ... of a table of one's own).

    ``digits`` rounds floats to that many significant digits for display; the default keeps them exact.
    """
    if not isinstance(expr, sympy.Expr):
        raise SymtrigError(f"to_text needs a sympy expression, got {type(expr).__name__}")
    if expr.has(*_UNPRINTABLE):
        raise SymtrigError(f"cannot print an undefined or complex expression: {expr}")
    return SymtrigPrinter(names=names, digits=digits).doprint(expr)
