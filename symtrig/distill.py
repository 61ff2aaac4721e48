"""The :class:`SymbolicDistiller` estimator: one complexity-bounded Pareto front per output, scikit-learn style.

For each output column it ranks features, runs a search engine, and builds the front by the rules of
:mod:`symtrig.fronts` (canonical forms, symtrig's complexity count, ``c_max``, held-out loss, fixed-point
range and resolution). The estimator follows scikit-learn's conventions so it can be used outside the CLI too.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import sympy as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted, validate_data

from symtrig import expr as ex
from symtrig.engines import get_engine
from symtrig.engines.base import SearchSpec
from symtrig.errors import SymtrigError
from symtrig.families import get_family, get_op_costs
from symtrig.fronts import (
    admissible,
    best_per_complexity,
    check_c_max,
    refit_front,
    search_columns,
    select_features,
)

#: Wall-time seconds per search unless told otherwise: 20 searches x (40 s + selection, refit, scoring) stay under
#: 20 minutes on 2 cores (``symtrig fit``'s default and the estimator's).
DEFAULT_BUDGET = 40.0


class SymbolicDistiller(RegressorMixin, BaseEstimator):
    """Fit one closed-form expression per output column under a hard complexity bound.

    Parameters mirror ``symtrig fit``: the operator ``family``, the bound ``c_max`` (on the cost under
    ``op_costs``), the search ``engine`` with its wall-time ``budget`` (seconds per output) or deterministic
    ``generations``, the ``seed``, the number of rows the engine sees (``max_rows``; the engine's cost grows
    linearly with rows, the result hardly does) and engine threads. With ``refit`` the constants of every
    front member are refitted on all training rows (:mod:`symtrig.refit`) and the better version is kept.
    With ``select_features`` the engine sees only that many columns, ranked by
    :func:`symtrig.fronts.select_features`.

    Fitted attributes: ``fronts_`` (per output, the best :class:`~symtrig.fronts.FrontMember` for every cost
    ≤ c_max), ``expressions_`` (per output, the front member with the lowest held-out loss, over ``x0, x1,
    ...``), ``n_features_in_``, ``feature_names_in_`` (when ``X`` is a DataFrame with string column names, as in
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
        expressions are shown with (checked first: they must be readable in expression text). scikit-learn's
        ``validate_data`` checks the shapes and values (a ``ValueError`` for empty, NaN or infinite input) and
        records ``n_features_in_`` and ``feature_names_in_`` as every scikit-learn estimator does.
        """
        feature_names = _string_columns(X)
        if feature_names is not None:
            ex.check_feature_names(feature_names)
        X, Y = validate_data(
            self, X, y, multi_output=True, y_numeric=True, dtype=np.float64, ensure_min_samples=2
        )  # a search needs two rows (the engines' own rule), said as scikit-learn says it
        Y = np.asarray(Y, dtype=np.float64)
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
        self.output_names_ = output_names
        return self

    def _row_split(self, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
        """A seeded subsample of at most ``max_rows`` rows for the engine; the rest is held out."""
        rng = np.random.default_rng(self.seed)
        order = rng.permutation(n_rows)
        n_search = min(int(self.max_rows), n_rows if n_rows < 50 else int(0.8 * n_rows))
        held_out = order[n_search:] if n_rows - n_search > 0 else order[:n_search]
        return np.sort(order[:n_search]), np.sort(held_out)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Evaluate the chosen expressions; shape ``(n,)`` for one output, else ``(n, outputs)``.

        A DataFrame's columns are taken by the names seen in fit, in any order; then scikit-learn's
        ``validate_data`` checks the column count and names and refuses NaN or infinite values."""
        self._check_fitted()
        X = validate_data(self, self._columns_in_fit_order(X), reset=False, dtype=np.float64)
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

    def __sklearn_tags__(self) -> Tags:
        """One expression per column of ``y``: a 2-D ``y`` is several outputs (scikit-learn's multi-output)."""
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _check_fitted(self) -> None:
        """scikit-learn's ``NotFittedError`` (a ``ValueError`` and ``AttributeError``) before ``fit``."""
        check_is_fitted(self, "expressions_")

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

    def _columns_in_fit_order(self, X: Any) -> Any:
        """A DataFrame with the columns seen in fit, in that order (any other ``X`` as it is): predicting takes
        columns by name, where scikit-learn's own check would refuse another order."""
        names = self._feature_names()
        if names and _string_columns(X) is not None:
            missing = [n for n in names if n not in X.columns]
            if missing:
                raise SymtrigError(
                    f"X lacks the column(s) {', '.join(missing[:5])} this distiller was fitted on"
                )
            X = X[list(names)]
        return X


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
