"""Canonical forms: one spelling per model, so equal models count, print and lower the same.

Engines spell symtrig's operators in their own ways: pyoperon has no Gaussian and finds ``exp(c*x*x)``;
PySR's ``logabs`` arrives as ``log(Abs(u))``. :func:`canonicalize` rewrites these into single ``gauss`` and
``logabs`` nodes and folds constant subexpressions (``sqrt(2)``, ``exp(0.3)``, ``1.0*u``) into one Float,
which is what PySR's tree would hold. Every rewrite is an identity for real inputs (``log(u**2) = 2 log|u|``
holds for real ``u != 0``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import sympy

from symtrig.errors import SymtrigError
from symtrig.expr.functions import gauss, logabs, product


def _as_float(value: sympy.Expr) -> sympy.Expr:
    """A numeric subexpression as one Float (left alone if it is not a finite real)."""
    try:
        number = float(value.evalf(20))
    except (TypeError, ValueError):
        return value
    return sympy.Float(number) if math.isfinite(number) else value


def _monic(factor: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr]:
    """``(s, b)`` with ``factor == s*b`` and the first term of a sum ``b`` having coefficient 1."""
    if not factor.is_Add:
        return sympy.S.One, factor
    lead = factor.as_ordered_terms()[0].as_coeff_Mul()[0]
    if lead == 0:
        return sympy.S.One, factor
    return lead, sympy.expand(product(1 / lead, factor))


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Equal, or equal up to float round-off in the coefficients (operon's weights are float32)."""
    if a == b:
        return True
    difference = sympy.expand(a - b)
    if difference.free_symbols - (a.free_symbols | b.free_symbols):
        return False
    coefficients = [abs(float(c)) for c in difference.as_coefficients_dict().values() if c.is_number]
    size = max([abs(float(c)) for c in sympy.expand(a).as_coefficients_dict().values()] + [1.0])
    return len(coefficients) == len(difference.as_coefficients_dict()) and max(coefficients) <= 1e-12 * size


def _square_root_of(rest: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr] | None:
    """``(s, u)`` with ``rest == s*u**2`` when ``rest`` is visibly a square, else None.

    Visible squares are even integer powers (``x**2``, ``(x+1)**2``) and products of proportional sums,
    e.g. operon's ``(-0.6*x - 0.3)*(2*x + 1)`` = ``-1.2*(x + 0.5)**2``.
    """
    scale = sympy.S.One
    groups: list[list] = []  # [base, total exponent]
    for factor in rest.args if rest.is_Mul else (rest,):
        base, exponent = (factor.base, factor.exp) if factor.is_Pow else (factor, sympy.S.One)
        if not (exponent.is_Integer and exponent > 0):
            return None
        lead, monic = _monic(base)
        scale *= lead**exponent
        group = next((g for g in groups if _same(g[0], monic)), None)
        if group is None:
            groups.append([monic, int(exponent)])
        else:
            group[1] += int(exponent)
    if any(n % 2 for _, n in groups):
        return None
    return scale, sympy.Mul(*[sympy.Pow(b, n // 2) for b, n in groups])


def _gauss_form(argument: sympy.Expr) -> sympy.Expr | None:
    """``exp(argument)`` as ``K*gauss(s*u)`` when ``argument = b - a*u**2`` with a > 0; else None."""
    constant, term = argument.as_independent(*argument.free_symbols, as_Add=True)
    if term.is_Add:
        return None
    scale, rest = term.as_independent(*term.free_symbols, as_Add=False)
    square = _square_root_of(rest)
    if square is None or not scale.is_number:
        return None
    scale = scale * square[0]
    if not (scale.is_extended_real and scale.is_negative):
        return None
    slope = sympy.sqrt(-scale)
    if not slope.is_Rational:
        slope = _as_float(slope)
    result = gauss(product(slope, square[1]))
    return result if constant == 0 else product(_as_float(sympy.exp(constant)), result)


def _log_form(argument: sympy.Expr) -> sympy.Expr | None:
    """``log|u|`` spellings: ``log(Abs(u))`` and ``log(u**(2k))`` = ``2k*logabs(u)``."""
    if isinstance(argument, sympy.Abs):
        return logabs(argument.args[0])
    if argument.is_Pow and argument.exp.is_Integer and argument.exp % 2 == 0:
        return product(argument.exp, logabs(argument.base))
    return None


def _drop_unit_float(node: sympy.Expr) -> sympy.Expr:
    """``1.0*u`` → ``u`` and ``-1.0*u`` → ``-u``: PySR never stores a multiplication by one."""
    coeff, rest = node.as_coeff_Mul()
    if coeff.is_Float and abs(float(coeff)) == 1.0 and rest != 1:
        return rest if coeff > 0 else product(sympy.S.NegativeOne, rest)
    return node


def _rebuild(node: sympy.Basic, args: list[sympy.Basic]) -> sympy.Basic:
    if list(node.args) == args:
        return node
    return product(*args) if node.is_Mul else node.func(*args)


def _map_bottom_up(node: sympy.Basic, rule: Callable[[sympy.Basic], sympy.Basic]) -> sympy.Basic:
    """Apply ``rule`` to every node, children first, rebuilding products without distributing."""
    if not node.args:
        return rule(node)
    return rule(_rebuild(node, [_map_bottom_up(arg, rule) for arg in node.args]))


def _canonical_node(node: sympy.Basic) -> sympy.Basic:
    if isinstance(node, sympy.Expr) and node.is_number and not node.is_Number and node.args:
        return _as_float(node)
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
    previous, current = None, expr
    for _ in range(
        4
    ):  # a rewrite can expose another (a folded constant, a new square); stop at a fixed point
        if current == previous:
            break
        previous, current = current, _map_bottom_up(current, _canonical_node)
    return current


def round_constants(expr: sympy.Expr, digits: int) -> sympy.Expr:
    """Every Float rounded to ``digits`` significant digits (integers and rationals are left exact)."""
    if not isinstance(digits, int) or digits < 1:
        raise SymtrigError(f"digits must be a positive integer, got {digits!r}")

    def rounded(node: sympy.Basic) -> sympy.Basic:
        return sympy.Float(float(f"{float(node):.{digits}g}")) if node.is_Float else node

    return _map_bottom_up(expr, rounded)
