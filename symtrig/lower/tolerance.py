"""The one rule that decides whether a fixed-point design is close enough to float: its AUC change.

Every precision search (hls4ml's single type, da4ml's per-node types) asks the same question of a candidate:
does any class's one-vs-rest AUC move by more than the tolerance?

Where the AUC change is measured: on all calibration jets *and* on every slice of them as large as the set the
design will be judged on (``slice_size``, the test split). The change has two parts. A systematic one,
mostly from the lookup tables' resolution (a log table clamps |u| below its first step; a sin table over a
64-wide span steps by 1/16), which all calibration jets measure well; and sampling noise, which on 4k jets is
about twice what it is on 16k. Measured on the sample (``benchmarks/bench_precision.py``): a log design at 1024 table
entries changed AUC by 0.0007 on 16k calibration jets, by up to 0.00096 on their 4k slices and by 0.0012 on
the 4k test jets; at 2048 entries by 0.0003, 0.00045 and 0.0006. So the rule is: the change on all
calibration jets, and on every test-sized slice of them, within *half* the tolerance. The test split is one more
test-sized draw: the four slices show how far such a draw strays, and the factor two is the margin that keeps
it inside the tolerance. (An earlier rule allowed the whole tolerance on each slice; a poly design at
``ap_fixed<11,5>`` then met it on every slice and changed t's test AUC by 0.0014.) With ``slice_size=None`` it is
simply the change on all jets within the tolerance.
"""

from __future__ import annotations

import numpy as np

from symtrig.metrics import one_vs_rest_auc


def signal_of(labels: np.ndarray, k: int) -> np.ndarray:
    """The rows that are signal for output ``k``: ``labels`` is either a boolean matrix (rows x outputs: a row
    may be signal for several outputs, e.g. a teacher's top scores) or output indices (``k``; -1 background)."""
    labels = np.asarray(labels)
    return labels[:, k].astype(bool) if labels.ndim == 2 else labels == k


def per_class_auc(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """One-vs-rest AUC of column k against its signal rows (:func:`signal_of`)."""
    return np.array(
        [one_vs_rest_auc(signal_of(labels, k), scores[:, k], True) for k in range(scores.shape[1])]
    )


def calibration_slices(n_rows: int, slice_size: int | None, seed: int = 0) -> list[np.ndarray]:
    """All rows, plus ``n_rows // slice_size`` disjoint seeded random slices of ``slice_size`` rows each."""
    rows = np.arange(n_rows)
    if slice_size is None or not 0 < slice_size < n_rows:
        return [rows]
    order = np.random.default_rng(seed).permutation(n_rows)
    return [
        rows,
        *(np.sort(order[i : i + slice_size]) for i in range(0, n_rows - slice_size + 1, slice_size)),
    ]


def auc_changes(y_float: np.ndarray, y_fixed: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per class, |AUC(fixed) − AUC(float)| on ``rows`` (0 for a class absent from them or alone in them)."""
    changes = np.zeros(y_float.shape[1])
    for k in range(y_float.shape[1]):
        signal = signal_of(labels, k)[rows]
        if 0 < signal.sum() < len(rows):
            change = one_vs_rest_auc(signal, y_fixed[rows, k], True) - one_vs_rest_auc(
                signal, y_float[rows, k], True
            )
            changes[k] = abs(float(change))
    return changes


def worst_auc_change(y_float: np.ndarray, y_fixed: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> float:
    """The largest per-class |AUC(fixed) − AUC(float)| on ``rows``."""
    return float(auc_changes(y_float, y_fixed, labels, rows).max(initial=0.0))


def tolerance_score(
    y_float: np.ndarray, y_fixed: np.ndarray, labels: np.ndarray, slices: list[np.ndarray]
) -> tuple[float, np.ndarray]:
    """``(score, per-class worst change)``: the precision meets a tolerance ``t`` when ``score <= t``.

    ``slices[0]`` is all rows: with more slices, score = 2 x the largest change on all rows and on each slice;
    alone, score = its change (see the module docstring). The per-class changes are the worst over all slices.
    """
    per_slice = np.array([auc_changes(y_float, y_fixed, labels, rows) for rows in slices])
    per_class = per_slice.max(axis=0)
    score = float(per_class.max(initial=0.0)) * (1.0 if len(slices) == 1 else 2.0)
    return score, per_class
