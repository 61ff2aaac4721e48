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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from symtrig.metrics import one_vs_rest_auc

#: At most this fraction of calibration jets may depend on a table whose output saturated or whose argument was
#: clamped, missing the function by more than one LSB: half of the 0.1 % emit-hls allows on the test split (the
#: margin of the tolerance rule), so that a finer argument or a larger table is tried before such a design is
#: accepted. Both precision searches hold every candidate to it beside the AUC rule.
MAX_CALIBRATION_CLIP_RATE = 0.0005
#: The share of :data:`MAX_CALIBRATION_CLIP_RATE` the da4ml precision search lets table clips reach, and above
#: which the hls4ml lowering chains a log table (:func:`~symtrig.lower.tables.chained_log`): the search's greedy
#: phase lowers an argument's bits until its clip rate sits at the limit, and the test split is a 4x smaller
#: draw. At the whole limit a seed-0 log design clipped 0.05 % of the calibration jets and 0.15 % of the test
#: jets (6 of 4,000); at a fifth (3 calibration jets in 16,000) a leading-one unit pays one argument bit per
#: halving of the rate.
CLIP_SHARE = 0.2


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


@dataclass(frozen=True)
class AucReference:
    """The float design's AUC on every slice, per output, computed once per precision search.

    Why: a search scores hundreds of fixed-point candidates against the same float outputs; only the fixed-point
    side changes, so the float side is ranked once (half of every score's work before).
    """

    labels: np.ndarray
    slices: tuple[np.ndarray, ...]
    signal: tuple[tuple[np.ndarray, ...], ...]  # [slice][output]: signal rows of that slice
    auc_float: np.ndarray  # slices x outputs; nan where a slice holds one class only

    @classmethod
    def of(cls, y_float: np.ndarray, labels: np.ndarray, slices: list[np.ndarray]) -> AucReference:
        outputs = range(y_float.shape[1])
        signal = tuple(tuple(signal_of(labels, k)[rows] for k in outputs) for rows in slices)
        auc = np.full((len(slices), y_float.shape[1]), np.nan)
        for s, rows in enumerate(slices):
            for k in outputs:
                if 0 < signal[s][k].sum() < len(rows):
                    auc[s, k] = one_vs_rest_auc(signal[s][k], y_float[rows, k], True)
        return cls(np.asarray(labels), tuple(slices), signal, auc)

    def changes(self, y_fixed: np.ndarray, outputs: Sequence[int]) -> np.ndarray:
        """|AUC(fixed) − AUC(float)| per slice (rows) and listed output (columns); 0 where undefined."""
        changes = np.zeros((len(self.slices), len(outputs)))
        for s, rows in enumerate(self.slices):
            for j, k in enumerate(outputs):
                if not np.isnan(self.auc_float[s, k]):
                    fixed = one_vs_rest_auc(self.signal[s][k], y_fixed[rows, k], True)
                    changes[s, j] = abs(fixed - float(self.auc_float[s, k]))
        return changes

    def score(self, y_fixed: np.ndarray, outputs: Sequence[int] | None = None) -> tuple[float, np.ndarray]:
        """``(score, per-output worst change)`` of the listed outputs (all by default): :func:`tolerance_score`."""
        chosen = list(range(self.auc_float.shape[1])) if outputs is None else list(outputs)
        per_class = self.changes(y_fixed, chosen).max(axis=0)
        score = float(per_class.max(initial=0.0)) * (1.0 if len(self.slices) == 1 else 2.0)
        return score, per_class


def auc_changes(y_float: np.ndarray, y_fixed: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per class, |AUC(fixed) − AUC(float)| on ``rows`` (0 for a class absent from them or alone in them)."""
    return AucReference.of(y_float, labels, [rows]).changes(y_fixed, range(y_float.shape[1]))[0]


def worst_auc_change(y_float: np.ndarray, y_fixed: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> float:
    """The largest per-class |AUC(fixed) − AUC(float)| on ``rows``."""
    return float(auc_changes(y_float, y_fixed, labels, rows).max(initial=0.0))


def tolerance_score(
    y_float: np.ndarray, y_fixed: np.ndarray, labels: np.ndarray, slices: list[np.ndarray]
) -> tuple[float, np.ndarray]:
    """``(score, per-class worst change)``: the precision meets a tolerance ``t`` when ``score <= t``.

    ``slices[0]`` is all rows: with more slices, score = 2 x the largest change on all rows and on each slice;
    alone, score = its change (see the module docstring). The per-class changes are the worst over all slices.
    A search that scores many candidates builds the :class:`AucReference` once instead.
    """
    return AucReference.of(y_float, labels, slices).score(y_fixed)
