"""Figures of merit of a tagger score, one function each, on top of scikit-learn's metrics.

A trigger physicist reads a tagger by its one-vs-rest ROC AUC and its background rejection at a fixed signal
efficiency; a distilled expression is also judged by its fidelity to the teacher it imitates.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata
from sklearn.metrics import r2_score, roc_curve


def finite_scores(score: np.ndarray) -> np.ndarray:
    """Non-finite scores (log of 0, overflow) rank as the least signal-like, instead of breaking the metric."""
    score = np.asarray(score, dtype=np.float64)
    if np.isfinite(score).all():
        return score
    finite = score[np.isfinite(score)]
    floor = finite.min() - 1.0 if finite.size else 0.0
    return np.where(np.isfinite(score), score, floor)


def one_vs_rest_auc(labels: np.ndarray, score: np.ndarray, positive: int) -> float:
    """ROC AUC of ``score`` for class ``positive`` against all other classes.

    Why not ``roc_auc_score``: the precision searches ask for thousands of AUCs per design, and scikit-learn's
    input validation took 70 % of a search. The AUC is the Mann-Whitney statistic (average ranks for ties), the
    same number as the trapezoid under the ROC curve (checked against ``roc_auc_score`` in the tests); ranks are
    half-integers, so the sums are exact and only the final division rounds. Undefined (one class only) is an
    error, as in scikit-learn.
    """
    signal = np.asarray(labels) == positive
    n_signal = int(signal.sum())
    n_background = signal.size - n_signal
    if n_signal == 0 or n_background == 0:
        raise ValueError("an AUC needs both signal and background rows")
    ranks = rankdata(finite_scores(score))
    return float((ranks[signal].sum() - n_signal * (n_signal + 1) / 2) / (n_signal * n_background))


def fidelity_r2(teacher_score: np.ndarray, student_score: np.ndarray) -> float:
    """R² of the distilled score against the teacher's score it was fitted to (1 = perfect imitation)."""
    return float(r2_score(teacher_score, finite_scores(student_score)))


def multiclass_accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of jets whose argmax over the per-class scores is their true class."""
    return float(np.mean(np.argmax(_finite_matrix(scores), axis=1) == np.asarray(labels)))


def _finite_matrix(scores: np.ndarray) -> np.ndarray:
    return np.column_stack([finite_scores(col) for col in np.asarray(scores, dtype=np.float64).T])


def background_rejection(
    labels: np.ndarray, score: np.ndarray, positive: int, signal_eff: float = 0.5
) -> float:
    """1 / (background mistag rate) at the given signal efficiency, the HEP way of reading a ROC curve."""
    fpr, tpr, _ = roc_curve(np.asarray(labels) == positive, finite_scores(score))
    mistag = float(np.interp(signal_eff, tpr, fpr))
    return float("inf") if mistag <= 0 else 1.0 / mistag


def mse(target: np.ndarray, prediction: np.ndarray) -> float:
    """Mean squared error; non-finite predictions make it infinite (such a candidate never wins)."""
    prediction = np.asarray(prediction, dtype=np.float64)
    if not np.isfinite(prediction).all():
        return float("inf")
    return float(np.mean((np.asarray(target, dtype=np.float64) - prediction) ** 2))


def order_lost(reference: np.ndarray, other: np.ndarray) -> float:
    """Fraction of the row pairs ``reference`` orders strictly that ``other`` ties or swaps.

    Why: an AUC only depends on how pairs of jets are ordered, so a fixed-point version of a score that ties or
    swaps more than a tolerance's worth of pairs cannot keep the AUC, whatever the labels. O(n²) in the rows
    (compare in chunks); pass a subsample of a few thousand rows.
    """
    ref = finite_scores(reference)
    oth = finite_scores(other)
    strict = lost = 0
    for start in range(0, len(ref), 512):
        ordered = ref[start : start + 512, None] < ref[None, :]
        strict += int(ordered.sum())
        lost += int((ordered & (oth[start : start + 512, None] >= oth[None, :])).sum())
    return lost / strict if strict else 0.0
