"""Float64 evaluation of (trusted, already-parsed) sympy expressions over the feature columns.

numexpr in float64 is as fast as the search engines' own evaluators and multi-threaded (sr-engines.md §6),
so it is the default; numpy is the fallback when numexpr cannot take an expression (e.g. a huge integer
literal). ``gauss`` and ``logabs`` are expanded to ``exp(-u**2)`` and ``log(abs(u))`` only here, at the last
moment. Compiled functions are cached per expression (sympy expressions hash structurally).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import numpy as np
import sympy

from symtrig.errors import SymtrigError
from symtrig.expr.functions import gauss, logabs, variable_index

#: numpy forms of every unary function an expression may hold (:func:`node_values`, :func:`evaluate`'s fallback).
NODE_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin,
    "cos": np.cos,
    "exp": np.exp,
    "log": np.log,
    "Abs": np.abs,
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


def expanded(expr: sympy.Expr) -> sympy.Expr:
    """``gauss(u)`` and ``logabs(u)`` written as the ``exp(-u**2)`` and ``log(Abs(u))`` hardware computes."""
    return expr.replace(gauss, lambda u: sympy.exp(-(u**2))).replace(
        logabs, lambda u: sympy.log(sympy.Abs(u))
    )


@functools.lru_cache(maxsize=1024)
def _compiled(expr: sympy.Expr, backend: str) -> tuple[Callable[..., object], tuple[int, ...]]:
    """``expr`` compiled by lambdify for ``backend`` ('numexpr' or 'numpy'), with its column indices."""
    symbols = _columns(expr)
    if backend == "numexpr":
        function = sympy.lambdify(symbols, expanded(expr), modules="numexpr")
    else:
        function = sympy.lambdify(
            symbols, expr, modules=[{k: NODE_FUNCTIONS[k] for k in ("gauss", "logabs")}, "numpy"]
        )
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


def node_values(
    expr: sympy.Expr,
    X: np.ndarray,
    functions: Mapping[str, Callable[[np.ndarray], np.ndarray]] | None = None,
    quantize: Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict[sympy.Basic, np.ndarray]:
    """The float64 value of every node of ``expr`` (constants and inputs included) on the rows of ``X``.

    Why: a fixed-point design needs integer bits for the largest value any node takes, not only its output, and
    a per-node design needs each node's own range. One numpy pass over the tree, bottom-up; shared subtrees are
    evaluated once. ``functions`` adds or overrides unary functions by name (a lowered expression's table calls,
    say). ``quantize``, when given, is applied to every node's value as it is computed (inputs and constants
    included): the values of an ideal fixed-point design with exact functions. Every array has ``len(X)`` entries.
    """
    X = np.asarray(X, dtype=np.float64)
    table = {**NODE_FUNCTIONS, **(functions or {})}
    values: dict[sympy.Basic, np.ndarray] = {}

    def visit(node: sympy.Basic) -> np.ndarray:
        if node in values:
            return values[node]
        if node.is_Number:
            result = np.full(len(X), float(node))
        elif node.is_Symbol:
            index = variable_index(node)
            if index is None or index >= X.shape[1]:
                raise SymtrigError(f"symbol {node} is not one of the {X.shape[1]} feature columns")
            result = X[:, index]
        elif node.is_Add:
            result = np.sum([visit(arg) for arg in node.args], axis=0)
        elif node.is_Mul:
            result = np.prod([visit(arg) for arg in node.args], axis=0)
        elif node.is_Pow:
            result = np.power(visit(node.base), float(node.exp))
        elif getattr(node.func, "__name__", "") in table and len(node.args) == 1:
            result = table[node.func.__name__](visit(node.args[0]))
        else:
            raise SymtrigError(f"cannot evaluate the values of {getattr(node.func, '__name__', node)}(...)")
        result = np.asarray(result, dtype=np.float64)
        values[node] = result if quantize is None else quantize(result)
        return values[node]

    with np.errstate(all="ignore"):
        visit(expr)
    return values


def peak(values: np.ndarray) -> float:
    """The largest ``|value|`` of an array, ``inf`` if any value is not finite, 0 for no values."""
    if np.size(values) == 0:
        return 0.0
    largest = float(np.max(np.abs(values)))
    return largest if np.isfinite(largest) and np.isfinite(values).all() else np.inf


def largest_magnitude(expr: sympy.Expr, X: np.ndarray) -> float:
    """The largest ``|value|`` any node of ``expr`` takes on the rows of ``X`` (``inf`` if one is not finite).

    ``0.001*exp(exp(2*x0))`` has small outputs but an inner value near 10^6 on ordinary jets, which no
    ``ap_fixed`` of at most 32 bits can hold next to the fraction bits its lookup tables need. ``gauss(u)`` and
    ``logabs(u)`` count as the ``exp(-u**2)`` and ``log(|u|)`` hardware computes, so ``u**2`` counts.
    """
    hardware_form = expanded(expr)  # gauss(u) computes u**2 in hardware: its magnitude counts too
    return max((peak(v) for v in node_values(hardware_form, X).values()), default=0.0)
