"""The figures of merit: the rank AUC the precision searches use is scikit-learn's ROC AUC."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from symtrig.lower.tolerance import AucReference, calibration_slices
from symtrig.metrics import one_vs_rest_auc


@pytest.mark.parametrize("decimals", [0, 1, 3, 8])
def test_rank_auc_equals_the_area_under_scikit_learns_roc_curve_with_and_without_ties(decimals):
    rng = np.random.default_rng(decimals)
    labels = rng.integers(0, 5, 3000)
    score = np.round(rng.normal(size=3000) + 0.4 * (labels == 2), decimals)
    assert one_vs_rest_auc(labels, score, 2) == pytest.approx(roc_auc_score(labels == 2, score), abs=1e-12)


def test_non_finite_scores_rank_lowest_and_one_class_only_is_an_error():
    labels = np.array([1, 0, 1, 0])
    assert one_vs_rest_auc(labels, np.array([2.0, 1.0, -np.inf, 0.5]), 1) == 0.5
    with pytest.raises(ValueError, match="both signal and background"):
        one_vs_rest_auc(np.ones(4), np.arange(4.0), 1)


def test_the_reference_scores_a_candidate_as_twice_its_worst_change_over_all_rows_and_slices():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, (2000, 2)).astype(bool)
    y_float = rng.normal(size=(2000, 2)) + labels
    y_fixed = np.round(y_float, 1)
    slices = calibration_slices(2000, 500)
    score, per_class = AucReference.of(y_float, labels, slices).score(y_fixed)
    direct = [
        [
            abs(roc_auc_score(labels[r, k], y_fixed[r, k]) - roc_auc_score(labels[r, k], y_float[r, k]))
            for k in (0, 1)
        ]
        for r in slices
    ]
    assert per_class == pytest.approx(np.max(direct, axis=0), abs=1e-12)
    assert score == pytest.approx(2 * np.max(direct), abs=1e-12)
