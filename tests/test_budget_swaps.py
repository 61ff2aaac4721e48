"""The budget rule when each class's choice fits alone but the set does not (``emit/budget.py``, the swap path).

The rule under test is the real one; the flow's cost is a stand-in whose figures are obvious from the expressions
(LUT = sympy's operation count, summed over the outputs; path = the same count), so each expected pick follows
from the rule's text: of the single moves to a class's next fitting row that make the set fit, the one giving
up the least validation AUC; if none does, the class with the longest path moves on.
"""

from __future__ import annotations

import math

import pandas as pd
import sympy as sp

from symtrig.emit.budget import build_within_budget, within_budget
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


def _design(frame: pd.DataFrame, first: list[str]):
    """The design of the rows ``first`` (the budget rule starts from the family's c10 design)."""
    return spec("poly_c10", frame.set_index("expr_id").loc[first].reset_index(), "b", FEATURES)


def _chosen(frame: pd.DataFrame, first: list[str], max_lut: int) -> list[str]:
    design = _design(frame, first)
    config = EmitConfig(max_lut=max_lut)
    result = within_budget(design, frame, OpCountFlow(), AnyJets(), config, "b", FEATURES).spec()
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


class Built:
    """What the rebuild rule reads of a built design: its name, its measured cost and the schedules it tried."""

    def __init__(self, name, cost, details=None):
        self.design, self.cost, self.details = name, cost, details or {}


def _measured_over_the_model(frame: pd.DataFrame, first: list[str], max_lut: int, extra_lut: int):
    """The rebuild rule on a stand-in build whose measured LUT is the model's plus ``extra_lut``."""
    design = _design(frame, first)
    config = EmitConfig(max_lut=max_lut)
    choice = within_budget(design, frame, OpCountFlow(), AnyJets(), config, "b", FEATURES)
    builds, warnings = [], []

    def build(chosen):
        builds.append(list(chosen.rows["expr_id"]))
        lut = OpCountFlow().candidate(chosen.exprs, None, None).cost.lut + extra_lut
        return Built(chosen.name, CostReport(1, 5.0, 1, 0, lut, 0, 0, "op-count")), ["a warning"]

    record, lines = build_within_budget(choice, OpCountFlow(), AnyJets(), config, build, warnings.append)
    return builds, warnings, record, lines


def test_a_design_that_measures_over_its_budget_is_built_again_with_its_slowest_class_moved_on():
    frame = _board(
        [
            ("x1", "x", 0.90, "a*b*c + a"),
            ("x2", "x", 0.85, "a + b"),
            ("y1", "y", 0.80, "a + c"),
            ("y2", "y", 0.79, "b"),
        ]
    )
    budget = _lut(frame, "x1", "y1")  # the chosen set fits the model exactly, and measures one LUT over
    assert _lut(frame, "x1") > _lut(frame, "y1")  # x's choice is the longer path: x moves on
    builds, warnings, record, lines = _measured_over_the_model(frame, ["x1", "y1"], budget, extra_lut=1)
    assert builds == [["x1", "y1"], ["x2", "y1"]]
    assert record.cost.lut == _lut(frame, "x2", "y1") + 1 <= budget
    assert len(warnings) == 1 and "class x moves from x1 to x2 (validation AUC -0.0500)" in warnings[0]
    assert lines == ["a warning"]  # the last build's own warnings are handed back, not the replaced one's


def test_when_no_rebuild_fits_the_first_choice_is_built_again():
    frame = _board([("x1", "x", 0.90, "a*b*c + a"), ("x2", "x", 0.85, "a*b + c"), ("y1", "y", 0.80, "a + c")])
    budget = _lut(frame, "x1", "y1")
    builds, warnings, record, _ = _measured_over_the_model(frame, ["x1", "y1"], budget, extra_lut=10)
    assert builds == [["x1", "y1"], ["x2", "y1"], ["x1", "y1"]]  # x moved, still over, moved back
    assert "no rebuild fits" in warnings[-1] and record.cost.lut > budget


def test_rebuilds_stop_when_no_class_can_move_on_and_the_last_build_is_kept():
    frame = _board([("x1", "x", 0.90, "a*b*c + a"), ("y1", "y", 0.80, "a + c")])
    budget = _lut(frame, "x1", "y1")
    builds, warnings, record, _ = _measured_over_the_model(frame, ["x1", "y1"], budget, extra_lut=1)
    assert builds == [["x1", "y1"]] and warnings == []
    assert record.cost.lut > budget  # still over: emit-hls warns about it from the record


class ClockedFlow:
    """A model whose path is 2.5 ns per operation, staged at 90 % of the clock, as the da4ml flow stages."""

    def prepare_budget(self, design, jets, config):
        pass

    def candidate(self, exprs, jets, config):
        path = 2.5 * int(sum(sp.count_ops(e) for e in exprs))
        cycles = max(1, math.ceil(path / (0.9 * config.clock)))
        extra = {"critical_path_ns": path}
        return Candidate(CostReport(cycles, cycles * config.clock, 1, 0, 0, 0, 0, "model", extra=extra))


def test_a_measured_miss_chooses_again_with_the_model_held_to_the_margin_it_was_short_by():
    frame = _board(
        [
            ("x1", "x", 0.90, "a*b*c"),
            ("x2", "x", 0.85, "a"),
            ("y1", "y", 0.80, "a + c"),
            ("y2", "y", 0.79, "b"),
        ]
    )
    design = _design(frame, ["x1", "y1"])
    config = EmitConfig(max_latency_ns=10)  # 2 cycles at 5 ns; the model puts (x1, y1) at 7.5 ns: 2 stages
    choice = within_budget(design, frame, ClockedFlow(), AnyJets(), config, "b", FEATURES)
    builds, warnings = [], []

    def build(chosen):  # the netlist says the model is 1.3x short: (x1, y1) measures 9.75 ns, 3 stages
        builds.append(list(chosen.rows["expr_id"]))
        model = ClockedFlow().candidate(chosen.exprs, None, config).cost
        stage = model.extra["critical_path_ns"] / model.latency_cycles  # the model's schedule, synthesized
        tried = [
            {"stages": model.latency_cycles, "estimated_worst_ns": stage, "measured_worst_ns": 1.3 * stage}
        ]
        cycles = math.ceil(1.3 * model.extra["critical_path_ns"] / 4.5)  # rescheduled until it fits
        cost = CostReport(cycles, 5.0 * cycles, 1, 0, 0, 0, 0, "yosys", extra={"stage_budget_ns": 4.5})
        return Built(chosen.name, cost, {"schedule_tries": tried}), []

    record, _ = build_within_budget(choice, ClockedFlow(), AnyJets(), config, build, warnings.append)
    # held to the margin both single moves fit; y's gives up 0.01 of validation AUC, x's 0.05 (x has the
    # longer path: the fallback would have moved x)
    assert builds == [["x1", "y1"], ["x1", "y2"]]
    assert record.cost.latency_ns <= 10
    assert "class y moves from y1 to y2 (validation AUC -0.0100)" in warnings[0]
