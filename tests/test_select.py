"""The one rule for "best": validation AUC within each family and c_max; the test split never chooses."""

from __future__ import annotations

import pandas as pd
import pytest

from symtrig.errors import SymtrigError
from symtrig.select import best_rows, best_sets, mark_best, pareto_mask, ranked


def _rows(*rows):
    columns = ["expr_id", "class", "family", "cmax", "complexity", "auc", "auc_val"]
    return pd.DataFrame([dict(zip(columns, r, strict=True)) for r in rows])


def test_the_best_row_has_the_highest_validation_auc_even_when_another_wins_on_test():
    frame = _rows(
        ("a", "t", "log", 40, 10, 0.95, 0.90),  # best on test
        ("b", "t", "log", 40, 12, 0.90, 0.93),  # best on validation: chosen
    )
    assert best_rows(frame)["expr_id"].tolist() == ["b"]
    assert mark_best(frame).tolist() == [False, True]


def test_ties_go_to_the_simpler_expression_then_to_the_smaller_id():
    frame = _rows(
        ("c", "t", "log", 40, 9, 0.9, 0.91),
        ("b", "t", "log", 40, 7, 0.9, 0.91),
        ("a", "t", "log", 40, 7, 0.9, 0.91),
    )
    assert ranked(frame)["expr_id"].tolist() == ["a", "b", "c"]


def test_one_best_per_class_within_each_family_and_cmax_across_seeds():
    frame = _rows(
        ("s0", "g", "trig", 40, 5, 0.8, 0.81),
        ("s1", "g", "trig", 40, 5, 0.8, 0.85),  # another seed's search in the same folder
        ("c20", "g", "trig", 20, 5, 0.8, 0.70),  # another c_max: its own group
    )
    assert sorted(best_rows(frame)["expr_id"]) == ["c20", "s1"]


def test_best_sets_hold_every_class_in_the_asked_order_or_are_left_out():
    frame = _rows(
        ("pq", "q", "poly", 40, 3, 0.7, 0.7),
        ("pg", "g", "poly", 40, 3, 0.7, 0.7),
        ("tg", "g", "trig", 40, 3, 0.7, 0.7),  # trig has no q expression: no set
    )
    sets = best_sets(frame, ["g", "q"])
    assert list(sets) == [("poly", 40)]
    assert sets[("poly", 40)]["expr_id"].tolist() == ["pg", "pq"]


def test_a_table_without_validation_aucs_cannot_choose():
    frame = _rows(("a", "t", "log", 40, 10, 0.95, float("nan")))
    with pytest.raises(SymtrigError, match="auc_val"):
        best_rows(frame)


def test_pareto_mask_keeps_the_staircase_of_strict_improvements():
    assert pareto_mask([3, 5, 7, 9], [0.5, 0.6, 0.55, 0.7], higher_is_better=True) == [
        True,
        True,
        False,
        True,
    ]
    assert pareto_mask([9, 3, 5], [0.1, 0.3, 0.3], higher_is_better=False) == [True, True, False]
