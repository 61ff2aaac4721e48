"""A lowered program: the expressions of one IP as one typed, hash-consed DAG of hardware operations.

Why a DAG of its own instead of sympy trees: a per-node fixed-point design gives every *operation* its own type
and builds each operation once. sympy's trees repeat shared subexpressions (``logabs(3.77*x3)`` in two outputs),
hide constant multiplications inside ``Mul`` and write ``x**3`` as one node, none of which says what hardware
computes. Here every node is one operation with one quantization point:

* ``input``: standardized feature column ``index`` (an IP input port);
* ``const``: a number (only when an expression *is* a number);
* ``add``: a linear combination ``sum(coeffs[j] * operands[j]) + offset`` of traced values. Sums, differences,
  constant multiplications (one term) and negations (one term, coefficient -1) are all this kind, because
  da4ml builds every one of them the same way: shift-and-add networks over constant digits;
* ``mul``: the product of two traced values (one multiplier); products of more factors and integer powers
  become balanced trees of these (``x**4 = (x*x)*(x*x)``, the square computed once);
* ``table``: a unary function (:data:`TABLE_FUNCTIONS`) as a lookup table, computed by the function unit
  :mod:`symtrig.lower.units` chooses (a sin or cos whose argument spans more than a period is built as
  ``sinturn``/``costurn`` of the argument in turns, ``u/2π``, which a one-period table computes).

Each node's fixed-point type (:class:`FixedFormat`, with its constants: :class:`NodeType`) is chosen by
:func:`symtrig.tune.node_types.choose_node_types`.

A constant factor of a sympy ``Mul`` becomes the coefficient of its term; a scaled sum used once is multiplied
into the enclosing sum (``c*(a + b) + d`` is one ``add``: one adder tree instead of two and a multiplier).
Identical operations anywhere in any expression are one node (hash-consing), so a shared subexpression is
computed once. Nodes are in topological order (operands first) and record their value range on the calibration
rows, from :func:`symtrig.expr.node_values`.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import sympy as sp

from symtrig.errors import SymtrigError
from symtrig.expr import NODE_FUNCTIONS, node_values, variable_index
from symtrig.lower.fixed import FixedFormat
from symtrig.lower.units import TURN_FUNCTIONS, TURNS, Unit, periodic_pays

NodeKind = Literal["input", "const", "add", "mul", "table"]

#: Functions an expression may call (the turn forms are built here, never written).
EXPRESSION_FUNCTIONS = ("sin", "cos", "exp", "gauss", "logabs")
#: Functions a table node may tabulate, with the float64 numpy form every model evaluates (the same callables
#: :func:`symtrig.expr.node_values` uses, so a table holds exactly the float values the expression has).
TABLE_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    **{name: NODE_FUNCTIONS[name] for name in EXPRESSION_FUNCTIONS},
    **TURN_FUNCTIONS,
}


def tabulate(function: str, u: np.ndarray) -> np.ndarray:
    """``function`` on ``u`` in float64 without warnings (``logabs(0) = -inf``; saturation handles it)."""
    with np.errstate(all="ignore"):
        return np.asarray(TABLE_FUNCTIONS[function](u), dtype=np.float64)


@dataclass(frozen=True)
class Node:
    """One operation. Which fields matter depends on ``kind`` (see the module docstring)."""

    kind: NodeKind
    operands: tuple[int, ...] = ()
    coeffs: tuple[float, ...] = ()  # add: one exact (unrounded) coefficient per operand
    offset: float = 0.0  # add: constant term; const: the value
    index: int = -1  # input: feature column
    function: str = ""  # table: key of TABLE_FUNCTIONS
    lo: float = 0.0  # smallest finite value on the calibration rows
    hi: float = 0.0  # largest finite value on the calibration rows
    label: str = ""  # sympy text of the (first) subexpression it computes, for messages

    @property
    def key(self) -> tuple:
        """What makes two nodes the same operation (range and label are consequences, not identity)."""
        return (self.kind, self.operands, self.coeffs, self.offset, self.index, self.function)


@dataclass(frozen=True)
class Program:
    """The DAG of one IP: ``nodes`` in topological order, ``outputs[k]`` the node of expression ``k``."""

    nodes: tuple[Node, ...]
    outputs: tuple[int, ...]
    exprs: tuple[sp.Expr, ...]
    n_inputs: int

    @functools.cached_property
    def consumers(self) -> tuple[tuple[int, ...], ...]:
        """For every node, the nodes that read it."""
        readers: list[list[int]] = [[] for _ in self.nodes]
        for index, node in enumerate(self.nodes):
            for operand in dict.fromkeys(node.operands):
                readers[operand].append(index)
        return tuple(tuple(r) for r in readers)

    @functools.cached_property
    def output_sets(self) -> tuple[frozenset[int], ...]:
        """For every node, the outputs whose value depends on it."""
        sets: list[set[int]] = [set() for _ in self.nodes]
        for k, node in enumerate(self.outputs):
            sets[node].add(k)
        for index in reversed(range(len(self.nodes))):
            for operand in self.nodes[index].operands:
                sets[operand] |= sets[index]
        return tuple(frozenset(s) for s in sets)

    def downstream(self, changed: Sequence[int]) -> list[int]:
        """``changed`` and every node that depends on them, in topological order."""
        dirty = set(changed)
        for index in range(min(dirty, default=len(self.nodes)), len(self.nodes)):
            if index not in dirty and any(o in dirty for o in self.nodes[index].operands):
                dirty.add(index)
        return sorted(dirty)

    def count(self, kind: NodeKind) -> int:
        return sum(node.kind == kind for node in self.nodes)


@dataclass(frozen=True)
class NodeType:
    """The type of one node and the constants it uses, as the model and the da4ml trace apply them."""

    fmt: FixedFormat  # the node's value after quantization (WRAP; a table's output: SAT)
    coeffs: tuple[float, ...] = ()  # add: the dyadic coefficients used, one per operand
    digits: tuple[int, ...] = ()  # add: the CSD digit budget of each coefficient
    offset: float = 0.0  # add: the dyadic constant term; const: the value
    table_input: FixedFormat | None = None  # table: type of ``argument - shift`` (SAT; periodic: WRAP;
    #     leading-one: the normalized mantissa that indexes its table)
    shift: float = 0.0  # table: the dyadic midpoint; the table holds ``f(v + shift)``
    unit: Unit = "flat"  # table: the function unit (:mod:`symtrig.lower.units`)


def build_program(exprs: Sequence[sp.Expr], X_calib: np.ndarray) -> Program:
    """The hash-consed DAG of ``exprs`` (over ``x0..x{n-1}``, standardized inputs), with calibrated ranges.

    ``X_calib`` (rows x features, standardized) fixes ``n_inputs`` and every node's range. Division, non-integer
    powers and functions outside :data:`TABLE_FUNCTIONS` are a :class:`SymtrigError` naming the subexpression.
    """
    X = np.asarray(X_calib, dtype=np.float64)
    if X.ndim != 2 or len(X) == 0:
        raise SymtrigError(f"X_calib must be a non-empty 2-D array (rows x features), got shape {X.shape}")
    if not exprs:
        raise SymtrigError("build_program needs at least one expression")
    for expr in exprs:
        _check_functions(expr)
    builder = _Builder(list(exprs), X)
    outputs = tuple(builder.node_of(expr) for expr in exprs)
    return Program(tuple(builder.nodes), outputs, tuple(exprs), X.shape[1])


class _Builder:
    """Turns sympy trees into hash-consed nodes, bottom-up, one calibrated value array per node."""

    def __init__(self, exprs: list[sp.Expr], X: np.ndarray) -> None:
        self.X = X
        self.nodes: list[Node] = []
        self.ids: dict[tuple, int] = {}
        self.values: list[np.ndarray] = []
        self.sympy_values: dict[sp.Basic, np.ndarray] = {}
        self.memo: dict[sp.Basic, int] = {}
        for expr in exprs:
            self.sympy_values.update(node_values(expr, X))
        #: how often each sum occurs anywhere: a scaled sum is multiplied into its parent only when used once
        self.uses = Counter(n for e in exprs for n in sp.preorder_traversal(e) if n.is_Add)

    def add(self, node: Node, values: np.ndarray) -> int:
        """The id of ``node``, created with the range of ``values`` unless an identical node exists."""
        if node.key in self.ids:
            return self.ids[node.key]
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            raise SymtrigError(f"{node.label}: no finite value on any calibration row")
        lo, hi = float(finite.min()), float(finite.max())
        self.nodes.append(replace(node, lo=lo, hi=hi))
        self.values.append(values)
        self.ids[node.key] = len(self.nodes) - 1
        return self.ids[node.key]

    def node_of(self, expr: sp.Expr) -> int:
        if expr not in self.memo:
            self.memo[expr] = self._convert(expr)
        return self.memo[expr]

    def _convert(self, expr: sp.Expr) -> int:
        label = _label(expr)
        if expr.is_Number:
            value = _number(expr, label)
            return self.add(Node("const", offset=value, label=label), np.full(len(self.X), value))
        if expr.is_Symbol:
            index = variable_index(expr)
            if index is None or index >= self.X.shape[1]:
                raise SymtrigError(f"{label}: not one of the {self.X.shape[1]} input columns x0..")
            return self.add(Node("input", index=index, label=label), self.X[:, index])
        if expr.is_Add or (expr.is_Mul and expr.as_coeff_Mul()[0] != 1):
            return self.linear(expr, label)
        if expr.is_Mul or expr.is_Pow:
            return self.product(self.factors(expr))
        if expr.is_Function and expr.func.__name__ in EXPRESSION_FUNCTIONS and len(expr.args) == 1:
            function, (argument,) = expr.func.__name__, expr.args
            values = self.sympy_values[argument]
            finite = values[np.isfinite(values)]
            if function in TURNS and finite.size and periodic_pays(float(finite.min()), float(finite.max())):
                operand = self.linear(argument, f"({_label(argument)})/2pi", 1 / (2 * math.pi))
                function = TURNS[function]
            else:
                operand = self.node_of(argument)
            node = Node("table", operands=(operand,), function=function, label=label)
            return self.add(node, self.sympy_values[expr])
        raise _unsupported(expr)

    def linear(self, expr: sp.Expr, label: str, scale: float = 1.0) -> int:
        """The ``add`` node of ``scale * expr`` for a sum or a scaled term (the operand itself when that is all
        it is)."""
        terms, offset = self.terms(expr, scale)
        merged: dict[int, float] = {}
        for operand, coeff in terms:
            merged[operand] = merged.get(operand, 0.0) + coeff
        merged = {o: c for o, c in sorted(merged.items()) if c != 0.0}
        if offset == 0.0 and list(merged.values()) == [1.0]:
            return next(iter(merged))
        if not merged:
            return self.add(Node("const", offset=offset, label=label), np.full(len(self.X), offset))
        node = Node("add", operands=tuple(merged), coeffs=tuple(merged.values()), offset=offset, label=label)
        values = self.sympy_values.get(expr) if scale == 1.0 else None
        if values is None:
            values = np.asarray(sum(c * self.values[o] for o, c in merged.items()) + offset)
        return self.add(node, values)

    def terms(self, expr: sp.Expr, scale: float) -> tuple[list[tuple[int, float]], float]:
        """``expr * scale`` as (operand, coefficient) terms and a constant; scaled sums used once are opened."""
        if expr.is_Number:
            return [], scale * _number(expr, _label(expr))
        if expr.is_Add:
            terms, offset = [], 0.0
            for arg in expr.args:
                more, constant = self.terms(arg, scale)
                terms += more
                offset += constant
            return terms, offset
        coeff, rest = expr.as_coeff_Mul()
        if coeff != 1:
            scale *= _number(coeff, _label(expr))
            if rest.is_Add and self.uses[rest] <= 1:
                return self.terms(rest, scale)
            return [(self.node_of(rest), scale)], 0.0
        return [(self.node_of(expr), scale)], 0.0

    def factors(self, expr: sp.Expr) -> list[int]:
        """The traced factors of a coefficient-free product or power, an integer power as repeated factors."""
        found = []
        for factor in sp.Mul.make_args(expr):
            base, exponent = factor.as_base_exp() if factor.is_Pow else (factor, sp.S.One)
            if not (exponent.is_Integer and exponent >= 1):
                what = "division" if exponent.is_negative else "a non-integer power"
                raise SymtrigError(
                    f"{_label(factor)}: {what} has no hardware form here (integer powers only)"
                )
            found += [self.node_of(base)] * int(exponent)
        return sorted(found)

    def product(self, factors: list[int]) -> int:
        """A balanced tree of two-operand products; equal pairs (``x*x`` in ``x**4``) are built once."""
        while len(factors) > 1:
            paired = [self.pair(factors[j], factors[j + 1]) for j in range(0, len(factors) - 1, 2)]
            factors = sorted(paired + factors[len(paired) * 2 :])
        return factors[0]

    def pair(self, a: int, b: int) -> int:
        label = f"({self.nodes[a].label})*({self.nodes[b].label})"
        node = Node("mul", operands=(min(a, b), max(a, b)), label=_clip(label))
        return self.add(node, self.values[a] * self.values[b])


def _check_functions(expr: sp.Expr) -> None:
    """Every function call must be a table function (checked before any value is computed)."""
    if not isinstance(expr, sp.Expr):
        raise SymtrigError(f"build_program needs sympy expressions, got {type(expr).__name__}")
    for node in sp.preorder_traversal(expr):
        if node.is_Function and getattr(node.func, "__name__", "") not in EXPRESSION_FUNCTIONS:
            raise _unsupported(node)


def _unsupported(node: sp.Basic) -> SymtrigError:
    name = getattr(node.func, "__name__", type(node).__name__)
    return SymtrigError(
        f"{_label(node)}: {name} has no hardware form (only + - * integer powers and {', '.join(EXPRESSION_FUNCTIONS)})"
    )


def _number(expr: sp.Expr, label: str) -> float:
    value = float(expr)
    if not math.isfinite(value):
        raise SymtrigError(f"{label}: the constant {value} is not finite")
    return value


def _label(expr: sp.Expr) -> str:
    return _clip(str(expr))


def _clip(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."
