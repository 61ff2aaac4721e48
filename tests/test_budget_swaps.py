"""The budget rule when each class's choice fits alone but the set does not (``emit/budget.py``, the swap path).

The rule under test is the real one; the flow's cost is a stand-in whose figures are obvious from the expressions
(LUT = sympy's operation count, summed over the outputs; path = the same count), so each expected pick follows
from the rule's text: of the single moves to a class's next fitting row that make the set fit, the one giving
up the least validation AUC; if none does, the class with the longest path moves on.
"""

from __future__ import annotations

import pandas as pd
import sympy as sp

from symtrig.emit.budget import within_budget
from symtrig.emit.config import EmitConfig
from symtrig.emit.flows import Candidate
from symtrig.emit.selection import parse_row, spec
from symtrig.store.costs import CostReport

FEATURES = ("a", "b", "c")


class OpCountFlow:
    def prepare_budget(self, design, jets, config):
        pass

    def candidate(self, exprs, jets, config):
        operations = int(sum(sp.count_ops(e) for e in exprs))
        extra = {"critical_path_ns": float(operations)}
        return Candidate(CostReport(1, 5.0, 1, 0, operations, 0, 0, "op-count", extra=extra))


class AnyJets:
    def only(self, k):
        return self


def _board(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["expr_id", "class", "auc_val", "expression"])
    return frame.assign(family="poly", cmax=10, complexity=frame["expression"].str.len())


def _lut(frame: pd.DataFrame, *ids: str) -> int:
    rows = frame.set_index("expr_id").loc[list(ids)].reset_index()
    return int(sum(sp.count_ops(parse_row(r, "b", FEATURES)) for r in rows.itertuples()))


def _chosen(frame: pd.DataFrame, first: list[str], max_lut: int) -> list[str]:
    design = spec("poly_c10", frame.set_index("expr_id").loc[first].reset_index(), "b", FEATURES)
    config = EmitConfig(max_lut=max_lut)
    result = within_budget(design, frame, OpCountFlow(), AnyJets(), config, "b", FEATURES)
    assert result.name.startswith("poly_c10_")
    return list(result.rows["expr_id"])


def test_the_single_move_that_makes_the_set_fit_at_the_least_validation_auc_is_taken():
    frame = _board(
        [
            ("x1", "x", 0.90, "a*b*c + a"),
            ("x2", "x", 0.85, "a + b"),
            ("y1", "y", 0.80, "a*b + c"),
            ("y2", "y", 0.79, "b"),
        ]
    )
    budget = _lut(frame, "x1")
    assert _lut(frame, "y1") <= budget < _lut(frame, "x1", "y1")  # each fits alone, not together
    assert _lut(frame, "x2", "y1") <= budget and _lut(frame, "x1", "y2") <= budget  # both single moves fit
    assert _chosen(frame, ["x1", "y1"], budget) == ["x1", "y2"]  # y gives up 0.01, x would give up 0.05


def test_when_no_single_move_fits_the_class_with_the_longest_path_moves_on():
    frame = _board(
        [
            ("x1", "x", 0.90, "a*b*c + a*b + c"),
            ("x2", "x", 0.89, "a*b + c"),
            ("x3", "x", 0.60, "a"),
            ("y1", "y", 0.80, "a*b*c*a + b"),
            ("y2", "y", 0.70, "a + c"),
            ("y3", "y", 0.50, "c"),
        ]
    )
    budget = _lut(frame, "x1")
    assert _lut(frame, "y1") <= budget < _lut(frame, "x1", "y1")
    assert _lut(frame, "x2", "y1") > budget and _lut(frame, "x1", "y2") > budget  # no single move fits
    assert _lut(frame, "x1") > _lut(frame, "y1")  # x's choice is the longer path: x moves first, to x2
    # then from (x2, y1) both moves fit; x2 -> x3 gives up 0.29, y1 -> y2 gives up 0.10: y moves
    assert _lut(frame, "x3", "y1") <= budget and _lut(frame, "x2", "y2") <= budget
    assert _chosen(frame, ["x1", "y1"], budget) == ["x2", "y2"]
