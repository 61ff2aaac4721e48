"""Text for expressions that :func:`~symtrig.expr.parser.parse_expression` reads back to the same values.

A :class:`~sympy.printing.str.StrPrinter` subclass: floats are printed repr-exact (Python's shortest
round-trip form, 17 significant digits at most) unless ``digits`` asks for fewer, symbolic constants such
as ``pi`` or ``E`` are printed as floats (the parser knows no constant names), and variables are printed as
``x0..x15`` or as the feature names of :data:`symtrig.data.FEATURES`. :class:`FeatureLatexPrinter` is the
LaTeX counterpart, for slides and papers (the report's summary, ``SymbolicDistiller.latex``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, TypeAlias

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from symtrig.data import FEATURES
from symtrig.errors import SymtrigError
from symtrig.expr.canonical import round_constants
from symtrig.expr.functions import variable, variable_index

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


class FeatureLatexPrinter(LatexPrinter):
    """sympy's LaTeX printer with feature names, products as ``\\cdot`` and symtrig's own functions written
    out: gauss(u) as e^{-u^2}, logabs(u) as log|u|.

    Every function call is wrapped in (invisible) braces: without them a machine reader such as sympy's own
    LaTeX parser may take ``\\cos{(u)} - c`` for ``\\cos(u - c)``, and a formula pasted into a fit script must
    mean what the slide shows.
    """

    def __init__(self, features: Sequence[str] = FEATURES) -> None:
        names = {variable(i): r"\mathrm{" + name.replace("_", r"\_") + "}" for i, name in enumerate(features)}
        super().__init__({"symbol_names": names, "mul_symbol": "dot"})

    def _print_Function(self, expr: sympy.Expr, exp: str | None = None) -> str:
        return "{" + super()._print_Function(expr, exp) + "}"

    def _print_gauss(self, expr: sympy.Expr) -> str:
        return r"{e^{- \left(" + self._print(expr.args[0]) + r"\right)^{2}}}"

    def _print_logabs(self, expr: sympy.Expr) -> str:
        return r"{\log{\left|" + self._print(expr.args[0]) + r"\right|}}"


def to_latex(expr: sympy.Expr, names: Sequence[str] = FEATURES, digits: int | None = None) -> str:
    """``expr`` as LaTeX with ``names`` for the columns x0, x1, ... (default: the jet features), constants
    rounded to ``digits`` significant digits when given (for slides; the text form keeps them exact)."""
    if not isinstance(expr, sympy.Expr):
        raise SymtrigError(f"to_latex needs a sympy expression, got {type(expr).__name__}")
    if digits is not None:
        expr = round_constants(expr, digits)
    return FeatureLatexPrinter(names).doprint(expr)
