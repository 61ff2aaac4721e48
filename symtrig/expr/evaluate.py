"""Float64 evaluation of (trusted, already-parsed) sympy expressions over the feature columns.

numexpr in float64 is as fast as the search engines' own evaluators and multi-threaded (sr-engines.md §6),
so it is the default; numpy is the fallback when numexpr cannot take an expression (e.g. a huge integer
literal). ``gauss`` and ``logabs`` are expanded to ``exp(-u**2)`` and ``log(abs(u))`` only here, at the last
moment. Compiled functions are cached per expression (sympy expressions hash structurally).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import sympy

from symtrig.errors import SymtrigError
from symtrig.expr.functions import gauss, logabs, variable_index

_NUMPY_FUNCTIONS = {
    "gauss": lambda u: np.exp(-np.square(u)),
    "logabs": lambda u: np.log(np.abs(u)),
}


def _columns(expr: sympy.Expr) -> tuple[sympy.Symbol, ...]:
    symbols = sorted(
        expr.free_symbols, key=lambda s: (variable_index(s) is None, variable_index(s) or 0, str(s))
    )
    strangers = [str(s) for s in symbols if variable_index(s) is None]
    if strangers:
        raise SymtrigError(
            f"expression has symbols that are not feature columns x<i>: {', '.join(strangers)}"
        )
    return tuple(symbols)


def _expanded(expr: sympy.Expr) -> sympy.Expr:
    return expr.replace(gauss, lambda u: sympy.exp(-(u**2))).replace(
        logabs, lambda u: sympy.log(sympy.Abs(u))
    )


@functools.lru_cache(maxsize=1024)
def _compiled(expr: sympy.Expr, backend: str) -> tuple[Callable[..., object], tuple[int, ...]]:
    """``expr`` compiled by lambdify for ``backend`` ('numexpr' or 'numpy'), with its column indices."""
    symbols = _columns(expr)
    if backend == "numexpr":
        function = sympy.lambdify(symbols, _expanded(expr), modules="numexpr")
    else:
        function = sympy.lambdify(symbols, expr, modules=[_NUMPY_FUNCTIONS, "numpy"])
    return function, tuple(variable_index(s) or 0 for s in symbols)


def evaluate(expr: sympy.Expr, X: np.ndarray) -> np.ndarray:
    """``expr`` on every row of ``X`` (columns x0, x1, ...) as a float64 vector of length ``len(X)``.

    Domain errors give ``nan``/``inf`` rather than exceptions (e.g. ``logabs(0) = -inf``).
    """
    if not isinstance(expr, sympy.Expr):
        raise SymtrigError(f"evaluate needs a sympy expression, got {type(expr).__name__}")
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise SymtrigError(f"X must be a 2-D array (rows x features), got shape {X.shape}")
    fast, indices = _compiled(expr, "numexpr")
    if indices and max(indices) >= X.shape[1]:
        raise SymtrigError(f"expression uses x{max(indices)} but X has only {X.shape[1]} columns")
    columns = [np.ascontiguousarray(X[:, i]) for i in indices]
    with np.errstate(all="ignore"):
        try:
            values = fast(*columns)
        except Exception:  # numexpr rejects some literals/forms numpy handles; same math either way
            values = _compiled(expr, "numpy")[0](*columns)
        result = np.asarray(values, dtype=np.float64)
    return np.array(np.broadcast_to(result, (X.shape[0],)), dtype=np.float64)
