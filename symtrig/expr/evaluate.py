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


_NODE_FUNCTIONS: dict[type, Callable[[np.ndarray], np.ndarray]] = {
    sympy.sin: np.sin,
    sympy.cos: np.cos,
    sympy.exp: np.exp,
    sympy.log: np.log,
    sympy.Abs: np.abs,
    gauss: lambda u: np.exp(-np.square(u)),
    logabs: lambda u: np.log(np.abs(u)),
}


def largest_magnitude(expr: sympy.Expr, X: np.ndarray) -> float:
    """The largest ``|value|`` any node of ``expr`` takes on the rows of ``X`` (``inf`` if one is not finite).

    Why: a fixed-point design needs integer bits for its largest *intermediate* value, not only for its output.
    ``0.001*exp(exp(2*x0))`` has small outputs but an inner value near 10^6 on ordinary jets, which no
    ``ap_fixed`` of at most 32 bits can hold next to the fraction bits its lookup tables need. One numpy pass
    over the tree, bottom-up, with shared subtrees evaluated once.
    """
    X = np.asarray(X, dtype=np.float64)
    largest = 0.0
    cache: dict[sympy.Basic, np.ndarray | float] = {}

    def values(node: sympy.Basic) -> np.ndarray | float:
        nonlocal largest
        if node in cache:
            return cache[node]
        if node.is_Number:
            result: np.ndarray | float = float(node)
        elif node.is_Symbol:
            index = variable_index(node)
            if index is None or index >= X.shape[1]:
                raise SymtrigError(f"symbol {node} is not one of the {X.shape[1]} feature columns")
            result = X[:, index]
        elif node.is_Add:
            result = sum((values(arg) for arg in node.args), 0.0)
        elif node.is_Mul:
            result = 1.0
            for arg in node.args:
                result = result * values(arg)
        elif node.is_Pow:
            result = np.power(values(node.base), float(node.exp))
        elif node.func in _NODE_FUNCTIONS:
            result = _NODE_FUNCTIONS[node.func](values(node.args[0]))
        else:
            raise SymtrigError(f"cannot bound the values of {node.func.__name__}(...)")
        magnitude = np.abs(result)
        peak = float(np.max(magnitude)) if np.size(magnitude) else 0.0
        largest = max(largest, peak if np.isfinite(peak) else np.inf)
        cache[node] = result
        return result

    with np.errstate(all="ignore"):
        values(expr)
    return largest
