"""Canonical forms: one spelling per model, so equal models count, print and lower the same.

Engines spell symtrig's operators in their own ways: pyoperon has no Gaussian and finds ``exp(c*x*x)``;
PySR's ``logabs`` arrives as ``log(Abs(u))``. :func:`canonicalize` rewrites these into single ``gauss`` and
``logabs`` nodes and folds constant subexpressions (``sqrt(2)``, ``exp(0.3)``, ``1.0*u``) into one Float,
which is what PySR's tree would hold. Every rewrite is an identity for real inputs (``log(u**2) = 2 log|u|``
holds for real ``u != 0``).
"""

from __future__ import annotations

import math

import sympy
from sympy.core.parameters import distribute

from symtrig.errors import SymtrigError
from symtrig.expr.functions import gauss, logabs


def _as_float(value: sympy.Expr) -> sympy.Expr:
    """A numeric subexpression as one Float (left alone if it is not a finite real)."""
    try:
        number = float(value.evalf(20))
    except (TypeError, ValueError):
        return value
    return sympy.Float(number) if math.isfinite(number) else value


def _square_root_of(rest: sympy.Expr) -> sympy.Expr | None:
    """``u`` with ``u**2 == rest`` when ``rest`` is visibly a square (even integer powers), else None."""
    factors = rest.args if rest.is_Mul else (rest,)
    roots = []
    for factor in factors:
        if not (factor.is_Pow and factor.exp.is_Integer and factor.exp % 2 == 0 and factor.exp > 0):
            return None
        roots.append(sympy.Pow(factor.base, factor.exp // 2))
    return sympy.Mul(*roots)


def _gauss_form(argument: sympy.Expr) -> sympy.Expr | None:
    """``exp(argument)`` as ``K*gauss(s*u)`` when ``argument = b - a*u**2`` with a > 0; else None."""
    constant, term = argument.as_independent(*argument.free_symbols, as_Add=True)
    if term.is_Add:
        return None
    scale, rest = term.as_independent(*term.free_symbols, as_Add=False)
    if not scale.is_number or not (scale.is_extended_real and scale.is_negative):
        return None
    root = _square_root_of(rest)
    if root is None:
        return None
    slope = sympy.sqrt(-scale)
    if not slope.is_Rational:
        slope = _as_float(slope)
    result = gauss(sympy.Mul(slope, root))
    return result if constant == 0 else sympy.Mul(_as_float(sympy.exp(constant)), result)


def _log_form(argument: sympy.Expr) -> sympy.Expr | None:
    """``log|u|`` spellings: ``log(Abs(u))`` and ``log(u**(2k))`` = ``2k*logabs(u)``."""
    if isinstance(argument, sympy.Abs):
        return logabs(argument.args[0])
    if argument.is_Pow and argument.exp.is_Integer and argument.exp % 2 == 0:
        return sympy.Mul(argument.exp, logabs(argument.base))
    return None


def _drop_unit_float(node: sympy.Expr) -> sympy.Expr:
    """``1.0*u`` → ``u`` and ``-1.0*u`` → ``-u``: PySR never stores a multiplication by one."""
    coeff, rest = node.as_coeff_Mul()
    if coeff.is_Float and abs(float(coeff)) == 1.0 and rest != 1:
        return rest if coeff > 0 else sympy.Mul(sympy.S.NegativeOne, rest)
    return node


def _rewrite(node: sympy.Basic) -> sympy.Basic:
    if not node.args:
        return node
    if isinstance(node, sympy.Expr) and node.is_number and not node.is_Number:
        return _as_float(node)
    node = node.func(*[_rewrite(arg) for arg in node.args])
    if isinstance(node, sympy.exp):
        return _gauss_form(node.args[0]) or node
    if isinstance(node, sympy.log):
        return _log_form(node.args[0]) or node
    if node.is_Mul:
        return _drop_unit_float(node)
    return node


def canonicalize(expr: sympy.Expr) -> sympy.Expr:
    """The canonical form: ``exp(b - a*u**2)`` → ``exp(b)*gauss(sqrt(a)*u)``, log|u| → ``logabs(u)``,
    constant subexpressions folded into one Float. Values are unchanged for real inputs.
    """
    if not isinstance(expr, sympy.Expr):
        raise SymtrigError(f"canonicalize needs a sympy expression, got {type(expr).__name__}")
    with distribute(False):
        previous, current = None, expr
        for _ in range(4):  # a rewrite can expose another (exp(log(...)) etc.); stop at a fixed point
            if current == previous:
                break
            previous, current = current, _rewrite(current)
    return current


def round_constants(expr: sympy.Expr, digits: int) -> sympy.Expr:
    """Every Float rounded to ``digits`` significant digits (integers and rationals are left exact)."""
    if not isinstance(digits, int) or digits < 1:
        raise SymtrigError(f"digits must be a positive integer, got {digits!r}")
    floats = expr.atoms(sympy.Float)
    with distribute(False):
        return expr.xreplace({f: sympy.Float(float(f"{float(f):.{digits}g}")) for f in floats})
