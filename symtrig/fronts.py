"""From engine candidates to a complexity-bounded Pareto front: the rules that make results comparable.

Engines only propose expressions. This module owns what makes results comparable across engines: it
canonicalizes each candidate (gauss, log|x|), counts its complexity with symtrig's own PySR-like counter, drops
every candidate above ``c_max`` or outside the family, scores the rest on held-out rows and keeps the best loss
for every complexity that a fixed-point design can hold. The estimator that runs these steps per output is
:class:`symtrig.distill.SymbolicDistiller`; ``symtrig import-pysr`` applies the same rules to imported fronts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import sympy as sp
from sklearn.ensemble import RandomForestRegressor
from sympy.core.parameters import distribute

from symtrig import expr as ex
from symtrig.engines.base import Candidate, SearchSpec, SREngine
from symtrig.errors import SymtrigError
from symtrig.families import Family, OpCosts
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
