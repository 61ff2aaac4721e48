"""From engine candidates to a complexity-bounded Pareto front: the :class:`SymbolicDistiller` estimator.

Engines only propose expressions. This module owns everything that makes results comparable across engines:
it canonicalizes each candidate (gauss, log|x|), counts its complexity with symtrig's own PySR-like counter,
drops every candidate above ``c_max``, scores the rest on held-out rows and keeps the best loss for every
complexity. The estimator follows scikit-learn's conventions so it can be used outside the CLI too.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import sympy as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import RandomForestRegressor
from sympy.core.parameters import distribute

from symtrig import expr as ex
from symtrig.engines import get_engine
from symtrig.engines.base import Candidate, SearchSpec, SREngine
from symtrig.errors import SymtrigError
from symtrig.families import Family, OpCosts, get_family, get_op_costs
from symtrig.metrics import mse, order_lost
from symtrig.refit import refit_constants

#: Rows the feature-ranking forest sees (see :func:`select_features`).
SELECTION_ROWS = 3000

#: No value inside a kept expression may exceed this magnitude on the held-out rows (see
#: :func:`best_per_complexity`): 2^15 needs 17 signed integer bits, which leaves an ``ap_fixed<32, 17>`` the
#: 15 fraction bits its lookup tables and AUC need. Larger values come from runaway forms like exp of exp,
#: which an engine happily proposes (float64 holds them) but no fixed-point design of at most 32 bits can.
FIXED_POINT_MAGNITUDE = 2.0**15

#: ... nor may its ranking of the held-out rows depend on differences below this resolution: every node
#: computed on a 2^-16 grid (an ideal fixed-point design with exact functions) may tie or swap at most
#: :data:`MAX_ORDER_LOST` of the row pairs the float expression orders. A fitted
#: ``-3.4*exp(0.16*mass*(...+exp(-7.8*mass)))`` ranked its most signal-like jets by exp values below 1e-7; in
#: 32-bit fixed point they all tied and q's AUC moved by 0.0035, whatever the table size.
FIXED_POINT_FRACTION_BITS = 16
#: Half the AUC tolerance emit-hls holds designs to (a lost pair moves an AUC by at most one pair's weight).
MAX_ORDER_LOST = 0.0005
#: Held-out rows the resolution check compares (pairs grow with the square).
RESOLUTION_ROWS = 1000

#: Wall-time seconds per search unless told otherwise: 20 searches x (40 s + selection, refit, scoring) stay under
#: 20 minutes on 2 cores (``symtrig fit``'s default and the estimator's).
DEFAULT_BUDGET = 40.0

#: Above this many nodes an expression is no longer "a handful of closed-form expressions" for an FPGA.
C_MAX_LIMIT = 200


@dataclass(frozen=True)
class FrontMember:
    """The best expression found for one complexity value."""

    expr: sp.Expr
    complexity: int  # PySR-like node count, every node 1
    cost: int  # the same tree under the chosen operator costs (== complexity for unit costs)
    loss: float  # mean squared error to the target on the held-out rows
    engine: str


def check_c_max(c_max: int) -> int:
    """c_max must be a node count an expression can have and an FPGA can afford."""
    if isinstance(c_max, bool) or not isinstance(c_max, int | np.integer) or not 1 <= c_max <= C_MAX_LIMIT:
        raise SymtrigError(f"c_max must be an integer between 1 and {C_MAX_LIMIT}, got {c_max!r}")
    return int(c_max)


def select_features(X: np.ndarray, y: np.ndarray, k: int | None, seed: int) -> np.ndarray:
    """Indices (ascending) of the ``k`` columns a shallow random forest finds most useful for ``y``.

    The published recipe's ``select_k_features=6`` (PySR ranks columns the same way: 100 trees of depth 3).
    A 40-node expression uses only a handful of features anyway; a search over 6 columns instead of 16 spends
    its generations on shapes rather than on picking variables, and each generation is cheaper. The forest
    sees at most :data:`SELECTION_ROWS` rows and 50 trees: on the sample its 6 columns shared 4 (3 for g)
    with those of a 10k-row, 100-tree forest, at a fifth of the time (about 2 s instead of 10-17 s on the
    busy 2-core machine); the columns beyond the top 4 are correlated jet substructure variables.
    """
    if k is None or k >= X.shape[1]:
        return np.arange(X.shape[1])
    rows = np.random.default_rng(seed).permutation(len(X))[:SELECTION_ROWS]
    forest = RandomForestRegressor(n_estimators=50, max_depth=3, random_state=seed, n_jobs=1)
    forest.fit(X[rows], y[rows])
    return np.sort(np.argsort(-forest.feature_importances_, kind="stable")[:k])


def search_columns(
    engine: SREngine, X: np.ndarray, y: np.ndarray, spec: SearchSpec, columns: np.ndarray
) -> list[Candidate]:
    """Search on ``X[:, columns]`` and rename the candidates' variables back to the full column order."""
    candidates = engine.search(X[:, columns], y, spec)
    rename = {ex.variable(i): ex.variable(int(c)) for i, c in enumerate(columns)}
    with distribute(False):  # renaming rebuilds products; a number must not spread over a sum
        return [replace(c, expr=c.expr.xreplace(rename)) for c in candidates]


def admissible(candidates: list[Candidate], family: Family, c_max: int, costs: OpCosts) -> list[FrontMember]:
    """Canonicalize, recount and bound the candidates; drop duplicates and anything outside the family."""
    seen: set[str] = set()
    kept: list[FrontMember] = []
    for candidate in candidates:
        expr = ex.canonicalize(candidate.expr)
        if expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not _fits_family(expr, family):
            continue
        cost = ex.complexity(expr, costs)
        key = sp.srepr(expr)
        if cost > c_max or key in seen:
            continue
        seen.add(key)
        kept.append(FrontMember(expr, ex.complexity(expr), cost, float("nan"), candidate.engine))
    return kept


def _fits_family(expr: sp.Expr, family: Family) -> bool:
    """Engines may propose operators outside the family (e.g. a division); such candidates are dropped."""
    try:
        ex.check_family(expr, family)
    except SymtrigError:
        return False
    return True


def best_per_complexity(
    members: list[FrontMember], X: np.ndarray, y: np.ndarray, max_magnitude: float = FIXED_POINT_MAGNITUDE
) -> list[FrontMember]:
    """Score every member on ``(X, y)`` and keep the lowest loss for each cost value, sorted by cost.

    Only members a fixed-point design can hold are kept (:func:`holds_in_fixed_point`): the front must hold
    expressions the HLS stage can quantize, and a float-only winner would hide the best one that can be.
    """
    scored = []
    for member in members:
        if ex.largest_magnitude(member.expr, X) > max_magnitude:
            continue
        loss = mse(y, ex.evaluate(member.expr, X))
        if np.isfinite(loss):
            scored.append(FrontMember(member.expr, member.complexity, member.cost, loss, member.engine))
    best: dict[int, FrontMember] = {}
    for member in sorted(scored, key=lambda m: (m.cost, m.loss)):
        if member.cost not in best and holds_in_fixed_point(member.expr, X):
            best[member.cost] = member
    return [best[c] for c in sorted(best)]


def holds_in_fixed_point(expr: sp.Expr, X: np.ndarray) -> bool:
    """Whether ``expr``'s ranking of (up to :data:`RESOLUTION_ROWS` of) the rows survives a 2^-16 grid."""
    rows = X[:RESOLUTION_ROWS]
    step = 2.0**-FIXED_POINT_FRACTION_BITS

    def on_grid(values: np.ndarray) -> np.ndarray:
        return np.where(np.isfinite(values), np.floor(values / step) * step, values)

    exact = ex.evaluate(expr, rows)
    fixed = ex.node_values(ex.expanded(expr), rows, quantize=on_grid)[ex.expanded(expr)]
    return order_lost(exact, fixed) <= MAX_ORDER_LOST


def refit_front(
    front: list[FrontMember], X: np.ndarray, y: np.ndarray, c_max: int, costs: OpCosts
) -> list[FrontMember]:
    """Each front member with its constants refitted on all of ``(X, y)`` (the engine saw a subsample and
    ran a few mini-batch steps); members whose refit did not lower the loss are left out, so the caller can
    rescore the union and keep whichever version wins on held-out rows."""
    refitted = []
    for member in front:
        result = refit_constants(member.expr, X, y)
        if not result.improved:
            continue
        expr = ex.canonicalize(result.expr)
        cost = ex.complexity(expr, costs)
        if cost <= c_max:
            refitted.append(FrontMember(expr, ex.complexity(expr), cost, float("nan"), member.engine))
    return refitted


class SymbolicDistiller(RegressorMixin, BaseEstimator):
    """Fit one closed-form expression per output column under a hard complexity bound.

    Parameters mirror ``symtrig fit``: the operator ``family``, the bound ``c_max`` (on the cost under
    ``op_costs``), the search ``engine`` with its wall-time ``budget`` (seconds per output) or deterministic
    ``generations``, the ``seed``, the number of rows the engine sees (``max_rows``; the engine's cost grows
    linearly with rows, the result hardly does) and engine threads. With ``refit`` the constants of every
    front member are refitted on all training rows (:mod:`symtrig.refit`) and the better version is kept.
    With ``select_features`` the engine sees only that many columns, ranked by :func:`select_features`.

    Fitted attributes: ``fronts_`` (per output, the best :class:`FrontMember` for every cost ≤ c_max),
    ``expressions_`` (per output, the front member with the lowest held-out loss, over ``x0, x1, ...``),
    ``n_features_in_``, ``feature_names_in_`` (when ``X`` is a DataFrame with string column names, as in
    scikit-learn), ``output_names_`` (``y``'s column or Series names, else ``y0, y1, ...``) and
    ``search_seconds_`` (per output). Like PySR's ``PySRRegressor``, a fitted distiller shows its fronts as
    :attr:`equations_` and its expressions through :meth:`sympy` and :meth:`latex`; hand it to
    :func:`symtrig.emit.emit_design` to build an FPGA design from it.
    """

    def __init__(
        self,
        family: str = "trig",
        c_max: int = 40,
        engine: str = "operon",
        budget: float = DEFAULT_BUDGET,
        generations: int | None = None,
        seed: int = 0,
        max_rows: int = 10_000,
        op_costs: str = "unit",
        n_threads: int = 1,
        loss: str = "mse",
        refit: bool = True,
        select_features: int | None = 6,
    ) -> None:
        self.family = family
        self.c_max = c_max
        self.engine = engine
        self.budget = budget
        self.generations = generations
        self.seed = seed
        self.max_rows = max_rows
        self.op_costs = op_costs
        self.n_threads = n_threads
        self.loss = loss
        self.refit = refit
        self.select_features = select_features

    def fit(
        self, X: np.ndarray, y: np.ndarray, X_val: np.ndarray | None = None, y_val: np.ndarray | None = None
    ):
        """Search each column of ``y``; choose on ``(X_val, y_val)`` (default: the rows the engine did not see).

        ``X`` and ``y`` may be arrays or pandas objects; a DataFrame's column names become the names the
        expressions are shown with (checked first: they must be readable in expression text).
        """
        feature_names = _string_columns(X)
        if feature_names is not None:
            ex.check_feature_names(feature_names)
        X = np.asarray(X, dtype=np.float64)
        Y = np.asarray(y, dtype=np.float64)
        Y = Y[:, None] if Y.ndim == 1 else Y
        output_names = _output_names(y, Y.shape[1])
        family = get_family(self.family)
        costs = get_op_costs(self.op_costs)
        c_max = check_c_max(self.c_max)
        engine = get_engine(self.engine)
        if self.select_features is not None and not int(self.select_features) >= 1:
            raise SymtrigError(
                f"select_features must be at least 1 (or None for all), got {self.select_features}"
            )
        search_rows, held_out = self._row_split(len(X))
        if X_val is None:
            X_val, Y_val = X[held_out], Y[held_out]
        else:
            X_val = np.asarray(X_val, dtype=np.float64)
            Y_val = np.asarray(y_val, dtype=np.float64)
            Y_val = Y_val[:, None] if Y_val.ndim == 1 else Y_val
        self.fronts_, self.search_seconds_ = [], []
        for k in range(Y.shape[1]):
            spec = SearchSpec(
                family=family,
                c_max=c_max,
                budget_s=float(self.budget),
                seed=int(self.seed),
                n_threads=int(self.n_threads),
                generations=self.generations,
                op_costs=costs.as_dict(),
                loss=self.loss,
            )
            start = time.perf_counter()
            columns = select_features(X[search_rows], Y[search_rows, k], self.select_features, int(self.seed))
            candidates = search_columns(engine, X[search_rows], Y[search_rows, k], spec, columns)
            self.search_seconds_.append(time.perf_counter() - start)
            front = best_per_complexity(admissible(candidates, family, c_max, costs), X_val, Y_val[:, k])
            if self.refit:
                front = best_per_complexity(
                    [*front, *refit_front(front, X, Y[:, k], c_max, costs)], X_val, Y_val[:, k]
                )
            if not front:
                raise SymtrigError(f"the {self.engine} search returned no expression within c_max={c_max}")
            self.fronts_.append(front)
        self.expressions_ = [min(front, key=lambda m: m.loss).expr for front in self.fronts_]
        self.n_features_in_ = X.shape[1]
        self.output_names_ = output_names
        if feature_names is not None:
            self.feature_names_in_ = np.asarray(feature_names, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_  # a refit on a plain array forgets the names, as in scikit-learn
        return self

    def _row_split(self, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
        """A seeded subsample of at most ``max_rows`` rows for the engine; the rest is held out."""
        rng = np.random.default_rng(self.seed)
        order = rng.permutation(n_rows)
        n_search = min(int(self.max_rows), n_rows if n_rows < 50 else int(0.8 * n_rows))
        held_out = order[n_search:] if n_rows - n_search > 0 else order[:n_search]
        return np.sort(order[:n_search]), np.sort(held_out)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Evaluate the chosen expressions; shape ``(n,)`` for one output, else ``(n, outputs)``."""
        self._check_fitted()
        X = self._columns_in_fit_order(X)
        columns = [ex.evaluate(e, X) for e in self.expressions_]
        return columns[0] if len(columns) == 1 else np.column_stack(columns)

    # ------------------------------------------------------------------ the fronts as PySR users know them
    @property
    def equations_(self) -> pd.DataFrame | list[pd.DataFrame]:
        """Each output's front as PySR's ``equations_`` table: one DataFrame for one output, else a list.

        Columns: ``complexity`` (unit node count), ``cost`` (under ``op_costs``; the bound ``c_max`` applies to
        it), ``loss`` (held-out MSE), ``score`` (PySR's: the drop of log loss per unit of cost from the
        previous row), ``equation`` (text in feature names that :func:`symtrig.parse_expression` reads back
        exactly), ``sympy_format`` (the expression over feature-name symbols), ``engine`` and ``chosen`` (the
        row :meth:`predict` uses).
        """
        self._check_fitted()
        tables = [self._front_table(k) for k in range(len(self.fronts_))]
        return tables[0] if len(tables) == 1 else tables

    def sympy(self, index: int | Sequence[int] | None = None) -> sp.Expr | list[sp.Expr]:
        """The chosen expression (or row ``index`` of :attr:`equations_`) over feature-name symbols; a list
        for several outputs (``index`` then has one row per output)."""
        exprs = [self._named(e) for e in self._pick(index)]
        return exprs[0] if len(exprs) == 1 else exprs

    def latex(self, index: int | Sequence[int] | None = None, precision: int = 3) -> str | list[str]:
        """The chosen expression (or row ``index``) as LaTeX, constants to ``precision`` significant digits."""
        names = self._feature_names()
        texts = [ex.to_latex(e, names=names, digits=precision) for e in self._pick(index)]
        return texts[0] if len(texts) == 1 else texts

    def _check_fitted(self) -> None:
        if not hasattr(self, "expressions_"):
            raise SymtrigError("this SymbolicDistiller is not fitted yet; call fit first")

    def _feature_names(self) -> tuple[str, ...]:
        names = getattr(self, "feature_names_in_", None)
        return () if names is None else tuple(str(n) for n in names)

    def _named(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` with ``x<i>`` replaced by a symbol named after column i (when the columns had names)."""
        names = self._feature_names()
        return expr.xreplace({ex.variable(i): sp.Symbol(name) for i, name in enumerate(names)})

    def _pick(self, index: int | Sequence[int] | None) -> list[sp.Expr]:
        """The expressions of the chosen rows, or of the rows ``index`` names (one per output)."""
        self._check_fitted()
        if index is None:
            return list(self.expressions_)
        rows = [index] if isinstance(index, int | np.integer) else list(index)
        if len(rows) != len(self.fronts_):
            raise SymtrigError(f"index needs one row per output ({len(self.fronts_)}), got {len(rows)}")
        for row, front in zip(rows, self.fronts_, strict=True):
            if not 0 <= int(row) < len(front):
                raise SymtrigError(f"index {row} is outside the front's {len(front)} rows")
        return [front[int(row)].expr for row, front in zip(rows, self.fronts_, strict=True)]

    def _front_table(self, k: int) -> pd.DataFrame:
        front, names = self.fronts_[k], self._feature_names()
        losses = np.array([max(m.loss, np.finfo(float).tiny) for m in front])
        costs = np.array([m.cost for m in front], dtype=float)
        score = np.zeros(len(front))
        score[1:] = -np.diff(np.log(losses)) / np.diff(costs)
        return pd.DataFrame(
            {
                "complexity": [m.complexity for m in front],
                "cost": [m.cost for m in front],
                "loss": [m.loss for m in front],
                "score": score,
                "equation": [ex.to_text(m.expr, names=names or "x") for m in front],
                "sympy_format": [self._named(m.expr) for m in front],
                "engine": [m.engine for m in front],
                "chosen": [m.expr == self.expressions_[k] for m in front],
            }
        )

    def _columns_in_fit_order(self, X: Any) -> np.ndarray:
        """``X`` as floats; a DataFrame's columns are taken by the names seen in fit (in that order)."""
        names = self._feature_names()
        if names and _string_columns(X) is not None:
            missing = [n for n in names if n not in X.columns]
            if missing:
                raise SymtrigError(
                    f"X lacks the column(s) {', '.join(missing[:5])} this distiller was fitted on"
                )
            X = X[list(names)]
        return np.asarray(X, dtype=np.float64)


def _string_columns(table: Any) -> list[str] | None:
    """A DataFrame's column names when they are all strings (scikit-learn's rule for ``feature_names_in_``)."""
    columns = getattr(table, "columns", None)
    if columns is None or not all(isinstance(c, str) for c in columns):
        return None
    return list(columns)


def _output_names(y: Any, n_outputs: int) -> tuple[str, ...]:
    """``y``'s column names (a DataFrame) or name (a Series), else ``y0, y1, ...``."""
    names = _string_columns(y)
    if names is None and isinstance(getattr(y, "name", None), str) and n_outputs == 1:
        names = [y.name]
    return tuple(names) if names is not None else tuple(f"y{k}" for k in range(n_outputs))
