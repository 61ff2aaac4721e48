"""symtrig's own sympy functions and variables.

``gauss(u) = exp(-u**2)`` and ``logabs(u) = log|u|`` are kept as single sympy nodes so the complexity counter,
the printers and the HLS lowering see one operator (one LUT) instead of the 3–6 nodes of their expansions.
Both are even in ``u``, so a leading minus sign is dropped on construction (``gauss(-x) -> gauss(x)``), which
makes equal models print equally.

Variables are plain ``sympy.Symbol('x<i>')`` without assumptions, the default every engine adapter gets from
``sympy.Symbol``; code that must find a column looks at the name, never at assumptions.
"""

from __future__ import annotations

import re

import sympy
from sympy.core.parameters import distribute

_VARIABLE_NAME = re.compile(r"x(\d+)\Z")


def product(*factors: sympy.Expr) -> sympy.Expr:
    """``Mul(*factors)`` without sympy distributing a number over a sum.

    sympy turns ``2.5*(x0 + x1)`` into ``2.5*x0 + 2.5*x1`` (7 nodes → 7, but ``0.3*(a + b + c)`` 7 → 11),
    changing the complexity of what an engine or a user wrote. Only the Mul is built this way: sympy's
    functions must evaluate with distribution on (``Abs`` can loop forever without it).
    """
    with distribute(False):
        return sympy.Mul(*factors)


def _even(cls: type[sympy.Function], u: sympy.Expr) -> sympy.Expr | None:
    """``f(-u) -> f(u)`` for an even ``f``, unless negating cannot remove the sign (no endless flipping)."""
    if u.could_extract_minus_sign():
        flipped = -u
        if not flipped.could_extract_minus_sign():
            return cls(flipped)
    return None


class gauss(sympy.Function):  # lower-case, like sympy's own functions
    """The Gaussian ``exp(-u**2)`` as one node."""

    nargs = 1

    @classmethod
    def eval(cls, u: sympy.Expr) -> sympy.Expr | None:
        if u.is_zero:
            return sympy.S.One
        if u.is_Float:
            return sympy.exp(-(u**2))
        return _even(cls, u)

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        u = self.args[0]
        return -2 * u * gauss(u)

    def _eval_rewrite_as_exp(self, u: sympy.Expr, **kwargs: object) -> sympy.Expr:
        return sympy.exp(-(u**2))

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        return sympy.exp(-(self.args[0] ** 2))._eval_evalf(prec)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return self.args[0].is_real


class logabs(sympy.Function):
    """``log|u|`` as one node (PySR's and pyoperon's protected logarithm)."""

    nargs = 1

    @classmethod
    def eval(cls, u: sympy.Expr) -> sympy.Expr | None:
        if u is sympy.S.One or u is sympy.S.NegativeOne:
            return sympy.S.Zero
        if u.is_Float and not u.is_zero:
            return sympy.log(abs(u))
        return _even(cls, u)

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return 1 / self.args[0]

    def _eval_rewrite_as_log(self, u: sympy.Expr, **kwargs: object) -> sympy.Expr:
        return sympy.log(sympy.Abs(u))

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        return sympy.log(sympy.Abs(self.args[0]))._eval_evalf(prec)

    def _eval_is_real(self) -> bool | None:
        u = self.args[0]
        return True if (u.is_real and u.is_nonzero) else None


#: Name → sympy function class, for symtrig's own functions (PySR ``extra_sympy_mappings`` uses this).
SYMTRIG_FUNCTIONS: dict[str, type[sympy.Function]] = {"gauss": gauss, "logabs": logabs}


def variable(index: int) -> sympy.Symbol:
    """The symbol of feature column ``index`` (``x<index>``)."""
    return sympy.Symbol(f"x{int(index)}")


def variable_index(symbol: sympy.Basic) -> int | None:
    """Column index of a symbol named ``x<i>``; None for any other symbol."""
    match = _VARIABLE_NAME.match(getattr(symbol, "name", ""))
    return int(match.group(1)) if match else None
