"""PySR-style complexity computed on the sympy expression, whatever engine produced it.

The count is taken on the binary tree PySR would build for the expression, with every node costing 1 (or
its :class:`~symtrig.families.OpCosts` weight). sympy's n-ary canonical forms are mapped as follows:

* any subexpression without variables (``2.5``, ``sqrt(2)``, ``exp(3)``) is **one constant**; numeric terms of
  an Add, and numeric factors of a Mul, merge into one constant;
* ``Add`` of k terms: k−1 ``add``/``sub`` nodes. A term with a negative coefficient is a subtraction and its
  sign is free: ``x0 - x1`` = 3, ``x0 - 2.5*x1`` = 5. If no term is positive, the first term whose constant
  can carry the sign (``-2.5*u`` or ``-3``) leads; if none can (all are ``-u``), the leader is negated as
  ``-1*u`` (one ``mul`` and one ``const``): ``-x0 - x1`` = 5, like PySR's ``(-1*x0) - x1`` or ``(0 - x0) - x1``;
* ``Mul`` of k factors (counting multiplicity): k−1 ``mul`` nodes. A lone ``-u`` is ``-1*u`` = 2 + |u|.
  Integer powers ``u**n`` (n ≥ 2) are n copies of ``u`` (poly has no power operator: ``x**3`` costs like
  ``x*x*x`` = 5). Factors with negative exponents form a denominator: ``a/b`` = 1 ``div`` + |a| + |b|,
  ``1/x`` = 3 (only integer exponents are split this way);
* ``u**(1/2)`` is one ``sqrt`` node; any other non-integer power is one ``pow`` node with its exponent:
  ``x**-0.5`` = 3;
* functions: one node (``sin cos exp gauss log logabs abs``) + their argument, so ``gauss(u)`` = 1 + |u|.

:func:`op_counts` is the single walker; :func:`complexity` weighs it and the query helpers read its keys.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import sympy

from symtrig.errors import SymtrigError
from symtrig.expr.functions import gauss, logabs
from symtrig.families import LEAF_OPS, get_op_costs

if TYPE_CHECKING:
    from pathlib import Path

    from symtrig.families import OpCosts

#: sympy function class → symtrig op name.
FUNCTION_OPS: dict[type, str] = {
    sympy.sin: "sin",
    sympy.cos: "cos",
    sympy.exp: "exp",
    gauss: "gauss",
    sympy.log: "log",
    logabs: "logabs",
    sympy.Abs: "abs",
}


def _function_op(expr: sympy.Basic) -> str:
    op = FUNCTION_OPS.get(type(expr))
    if op is None:
        raise SymtrigError(
            f"operator {type(expr).__name__} is not supported; symtrig knows {', '.join(FUNCTION_OPS.values())}"
        )
    return op


def _scaled(counts: Counter[str], k: int) -> Counter[str]:
    return Counter({op: n * k for op, n in counts.items()})


def _chain(parts: list[tuple[Counter[str], int]], joiner: str) -> Counter[str]:
    """Counts of ``n`` copies of each part joined by ``joiner`` nodes (one fewer joiner than copies)."""
    total: Counter[str] = Counter()
    copies = 0
    for counts, n in parts:
        total += _scaled(counts, n)
        copies += n
    if copies > 1:
        total[joiner] += copies - 1
    return total


def _product(factors: list[sympy.Expr]) -> Counter[str]:
    """A product (with denominators) as PySR multiplications and at most one division."""
    numeric = [f for f in factors if not f.free_symbols]
    numerator: list[tuple[Counter[str], int]] = [(Counter(const=1), 1)] if numeric else []
    denominator: list[tuple[Counter[str], int]] = []
    for f in factors:
        if not f.free_symbols:
            continue
        base, exponent = (f.base, f.exp) if f.is_Pow else (f, sympy.S.One)
        if exponent.is_Integer:
            side = numerator if exponent > 0 else denominator
            side.append((op_counts(base), abs(int(exponent))))
        else:
            numerator.append((_power(base, exponent), 1))
    if not denominator:
        return _chain(numerator, "mul")
    top = _chain(numerator, "mul") if numerator else Counter(const=1)
    return top + _chain(denominator, "mul") + Counter(div=1)


def _power(base: sympy.Expr, exponent: sympy.Expr) -> Counter[str]:
    """A non-integer, non-negative (or symbolic) power: ``sqrt`` for 1/2, else a ``pow`` node."""
    if exponent == sympy.S.Half:
        return op_counts(base) + Counter(sqrt=1)
    return op_counts(base) + op_counts(exponent) + Counter(pow=1)


def _signed_term(term: sympy.Expr) -> tuple[bool, Counter[str], bool]:
    """(is negative, counts without the sign, whether the sign can ride on a constant for free)."""
    coeff, rest = term.as_coeff_Mul()
    if not term.free_symbols:
        return bool(term.is_extended_negative), Counter(const=1), True
    if coeff.is_negative:
        if float(coeff) == -1.0:  # -1 and -1.0 (sympy's Float(-1.0) != -1)
            return True, op_counts(rest), False
        return True, op_counts(term), True
    return False, op_counts(term), False


def _sum(terms: tuple[sympy.Expr, ...]) -> Counter[str]:
    numeric = [t for t in terms if not t.free_symbols]
    symbolic = [t for t in terms if t.free_symbols]
    merged = [sympy.Add(*numeric)] if numeric else []
    signed = [_signed_term(t) for t in merged + symbolic]
    leader = next((i for i, (neg, _, _) in enumerate(signed) if not neg), None)
    if leader is None:
        leader = next((i for i, (_, _, free) in enumerate(signed) if free), None)
    total: Counter[str] = Counter()
    if leader is None:  # every term is -u: negate the first as -1*u
        leader = 0
        total.update(mul=1, const=1)
    for i, (negative, counts, _) in enumerate(signed):
        total += counts
        if i != leader:
            total["sub" if negative else "add"] += 1
    return total


def op_counts(expr: sympy.Basic) -> Counter[str]:
    """How many nodes of each op (and ``var``/``const`` leaves) PySR's tree of ``expr`` has."""
    if not isinstance(expr, sympy.Expr):
        raise SymtrigError(f"not a scalar expression: {type(expr).__name__}")
    if not expr.free_symbols:
        return Counter(const=1)
    if expr.is_Symbol:
        return Counter(var=1)
    if expr.is_Add:
        return _sum(expr.args)
    if expr.is_Mul:
        return _product(list(expr.args))
    if expr.is_Pow:
        return _product([expr])
    if isinstance(expr, sympy.Function) and len(expr.args) == 1:
        return op_counts(expr.args[0]) + Counter({_function_op(expr): 1})
    raise SymtrigError(f"cannot count complexity of {type(expr).__name__} nodes")


def complexity(expr: sympy.Basic, costs: OpCosts | str | Path | None = None) -> int:
    """PySR-style complexity: the (weighted) node count of ``expr``'s binary tree; see the module notes."""
    weights = get_op_costs(costs)
    return sum(weights[op] * n for op, n in op_counts(expr).items())


def operators_used(expr: sympy.Basic) -> set[str]:
    """Every op name (leaves excluded) in PySR's tree of ``expr``, e.g. ``{'add', 'mul', 'sin'}``."""
    return {op for op, n in op_counts(expr).items() if n and op not in LEAF_OPS}
