"""Questions the pipeline asks about an expression: which operators, which features, which family."""

from __future__ import annotations

import sympy

from symtrig.errors import SymtrigError
from symtrig.expr.complexity import operators_used
from symtrig.expr.functions import variable_index
from symtrig.families import ARITHMETIC, Family, get_family


def functions_used(expr: sympy.Expr) -> set[str]:
    """Op names beyond ``+ - *``: ``sin cos exp gauss log logabs abs sqrt div pow``."""
    return operators_used(expr) - set(ARITHMETIC)


def features_used(expr: sympy.Expr) -> list[int]:
    """Sorted column indices of the ``x<i>`` variables in ``expr``; other symbols are an error."""
    indices = []
    for symbol in expr.free_symbols:
        index = variable_index(symbol)
        if index is None:
            raise SymtrigError(f"symbol {symbol} is not a feature column x<i>")
        indices.append(index)
    return sorted(indices)


def check_family(expr: sympy.Expr, family: Family | str) -> None:
    """Raise a SymtrigError naming every operator of ``expr`` outside ``family``."""
    family = family if isinstance(family, Family) else get_family(family)
    outside = sorted(operators_used(expr) - family.operators)
    if outside:
        raise SymtrigError(
            f"expression uses {', '.join(outside)}, outside the {family.name} family "
            f"({', '.join(sorted(family.operators))})"
        )
