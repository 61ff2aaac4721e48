"""From engine candidates to a complexity-bounded Pareto front: the :class:`SymbolicDistiller` estimator.

Engines only propose expressions. This module owns everything that makes results comparable across engines:
it canonicalizes each candidate (gauss, log|x|), counts its complexity with symtrig's own PySR-like counter,
drops every candidate above ``c_max``, scores the rest on held-out rows and keeps the best loss for every
complexity. The estimator follows scikit-learn's conventions so it can be used outside the CLI too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sklearn.base import BaseEstimator, RegressorMixin

from symtrig import expr as ex
from symtrig.engines import get_engine
from symtrig.engines.base import Candidate, SearchSpec
from symtrig.errors import SymtrigError
from symtrig.families import Family, OpCosts, get_family, get_op_costs
from symtrig.metrics import mse

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


def best_per_complexity(members: list[FrontMember], X: np.ndarray, y: np.ndarray) -> list[FrontMember]:
    """Score every member on ``(X, y)`` and keep the lowest loss for each cost value, sorted by cost."""
    best: dict[int, FrontMember] = {}
    for member in members:
        scored = FrontMember(
            member.expr, member.complexity, member.cost, mse(y, ex.evaluate(member.expr, X)), member.engine
        )
        current = best.get(scored.cost)
        if np.isfinite(scored.loss) and (current is None or scored.loss < current.loss):
            best[scored.cost] = scored
    return [best[c] for c in sorted(best)]


def pareto_mask(costs: list[int], values: list[float], *, higher_is_better: bool = False) -> list[bool]:
    """True for members no simpler member beats: the staircase of strictly improving values."""
    order = np.argsort(costs, kind="stable")
    mask = [False] * len(costs)
    best = -np.inf if higher_is_better else np.inf
    for i in order:
        value = values[i]
        if (value > best) if higher_is_better else (value < best):
            mask[i] = True
            best = value
    return mask


class SymbolicDistiller(RegressorMixin, BaseEstimator):
    """Fit one closed-form expression per output column under a hard complexity bound.

    Parameters mirror ``symtrig fit``: the operator ``family``, the bound ``c_max`` (on the cost under
    ``op_costs``), the search ``engine`` with its wall-time ``budget`` (seconds per output) or deterministic
    ``generations``, the ``seed``, the number of rows the engine sees (``max_rows``; the engine's cost grows
    linearly with rows, the result hardly does) and engine threads.

    Fitted attributes: ``fronts_`` (per output, the best :class:`FrontMember` for every cost ≤ c_max),
    ``expressions_`` (per output, the front member with the lowest held-out loss), ``n_features_in_``,
    ``search_seconds_`` (per output).
    """

    def __init__(
        self,
        family: str = "trig",
        c_max: int = 40,
        engine: str = "operon",
        budget: float = 60.0,
        generations: int | None = None,
        seed: int = 0,
        max_rows: int = 10_000,
        op_costs: str = "unit",
        n_threads: int = 1,
        loss: str = "mse",
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

    def fit(
        self, X: np.ndarray, y: np.ndarray, X_val: np.ndarray | None = None, y_val: np.ndarray | None = None
    ):
        """Search each column of ``y``; choose on ``(X_val, y_val)`` (default: the rows the engine did not see)."""
        X = np.asarray(X, dtype=np.float64)
        Y = np.asarray(y, dtype=np.float64)
        Y = Y[:, None] if Y.ndim == 1 else Y
        family = get_family(self.family)
        costs = get_op_costs(self.op_costs)
        c_max = check_c_max(self.c_max)
        engine = get_engine(self.engine)
        search_rows, held_out = self._row_split(len(X))
        if X_val is None:
            X_val, Y_val = X[held_out], Y[held_out]
        else:
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
            candidates = engine.search(X[search_rows], Y[search_rows, k], spec)
            self.search_seconds_.append(time.perf_counter() - start)
            front = best_per_complexity(admissible(candidates, family, c_max, costs), X_val, Y_val[:, k])
            if not front:
                raise SymtrigError(f"the {self.engine} search returned no expression within c_max={c_max}")
            self.fronts_.append(front)
        self.expressions_ = [min(front, key=lambda m: m.loss).expr for front in self.fronts_]
        self.n_features_in_ = X.shape[1]
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
        if not hasattr(self, "expressions_"):
            raise SymtrigError("this SymbolicDistiller is not fitted yet; call fit first")
        X = np.asarray(X, dtype=np.float64)
        columns = [ex.evaluate(e, X) for e in self.expressions_]
        return columns[0] if len(columns) == 1 else np.column_stack(columns)
