"""``--precision auto``: the narrowest ``ap_fixed<W,I>`` whose per-class AUC stays within a tolerance of float.

Integer bits come from observed value ranges: the IP inputs, every LUT range end and the float outputs on the
calibration rows (one sign bit plus enough bits for the largest magnitude). Fraction bits are then the fewest
whose emulated AUC change versus float64 is at most ``max_auc_drop`` for every class; each candidate costs one
``write()`` and one emulator run (no compile), so a scan over ~12 widths takes seconds.

Where the AUC change is measured: on all calibration jets *and* on every slice of them as large as the set
the design will be judged on (``slice_size``, the test split). The change has two parts. A systematic one,
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

from dataclasses import dataclass

import numpy as np
import sympy as sp
from sklearn.metrics import roc_auc_score

from symtrig.errors import SymtrigError
from symtrig.hls.fixed import FixedType
from symtrig.hls.lower import Lowered
from symtrig.hls.project import emulator_for

MAX_WIDTH = 32


@dataclass
class PrecisionChoice:
    precision: FixedType
    auc_fixed: np.ndarray  # per class, at the chosen precision
    auc_float: np.ndarray  # per class, float64 reference
    tried: list[tuple[str, float]]  # (precision, tolerance score) for every candidate evaluated
    met: bool = True  # False: no width up to MAX_WIDTH met the tolerance; this is the smallest score found
    drop: float = 0.0  # worst per-class |AUC change| at this precision, over all rows and every slice
    score: float = 0.0  # what is held against the tolerance (:func:`tolerance_score`)


def _signed_bits(max_abs: float) -> int:
    return 1 if max_abs <= 0 else int(np.floor(np.log2(max_abs))) + 2


def float_outputs(lowered: Lowered, X_ip: np.ndarray) -> np.ndarray:
    """Float64 outputs of the *original* functions (LUT names mapped back to their math function)."""
    funcs = {
        spec.name: {"exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos}[spec.math_func]
        for spec in lowered.luts
    }
    symbols = sp.symbols(f"x0:{lowered.n_inputs}")
    cols = []
    for expr in lowered.exprs:
        fn = sp.lambdify(list(symbols), expr, modules=[funcs, "numpy"])
        with np.errstate(all="ignore"):
            cols.append(np.broadcast_to(np.asarray(fn(*X_ip.T), dtype=np.float64), (len(X_ip),)))
    return np.stack(cols, axis=1)


def integer_bits(lowered: Lowered, X_ip: np.ndarray, y_float: np.ndarray) -> int:
    """Signed integer bits covering the bulk of the values the design casts to ``result_t``.

    Inputs and outputs use the 99.9th percentile of |value|, LUT tables their (domain-capped) ranges and spans.
    Rarer outliers, and LUT arguments beyond the table (e.g. exp of exp), wrap; the emulator reports them as
    ``overflow_rate`` and :func:`choose_precision` widens I when that costs AUC.
    """
    finite_y = np.abs(y_float[np.isfinite(y_float)])
    magnitudes = [
        np.percentile(np.abs(X_ip), 99.9),
        lowered.value_range(),
        np.percentile(finite_y, 99.9) if finite_y.size else 0.0,
    ]
    return _signed_bits(float(max(magnitudes)))


def _largest_int_bits(lowered: Lowered, X_ip: np.ndarray, y_float: np.ndarray) -> int:
    """Integer bits for every observed value, LUT arguments included (may exceed any practical width)."""
    finite_y = np.abs(y_float[np.isfinite(y_float)])
    arg_max = max((max(abs(lo), abs(hi)) for lo, hi in lowered.arg_ranges.values()), default=0.0)
    return _signed_bits(float(max(np.abs(X_ip).max(), finite_y.max(initial=0.0), arg_max)))


def per_class_auc(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """One-vs-rest AUC of column k against ``labels == k``."""
    return np.array([roc_auc_score(labels == k, scores[:, k]) for k in range(scores.shape[1])])


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


def worst_auc_change(y_float: np.ndarray, y_fixed: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> float:
    """The largest per-class |AUC(fixed) − AUC(float)| on ``rows`` (a class absent from them is skipped)."""
    worst = 0.0
    for k in range(y_float.shape[1]):
        signal = labels[rows] == k
        if 0 < signal.sum() < len(rows):
            change = roc_auc_score(signal, y_fixed[rows, k]) - roc_auc_score(signal, y_float[rows, k])
            worst = max(worst, abs(float(change)))
    return worst


def tolerance_score(y_float: np.ndarray, y_fixed: np.ndarray, labels: np.ndarray, slices: list[np.ndarray]):
    """``(score, worst change)``: the precision meets a tolerance ``t`` when ``score <= t``.

    ``slices[0]`` is all rows: with more slices, score = 2 x the largest change on all rows and on each slice;
    alone, score = its change (see the module docstring).
    """
    changes = [worst_auc_change(y_float, y_fixed, labels, rows) for rows in slices]
    score = changes[0] if len(changes) == 1 else 2.0 * max(changes)
    return score, max(changes)


def choose_precision(
    lowered: Lowered,
    X_raw: np.ndarray,
    labels: np.ndarray,
    *,
    max_auc_drop: float = 0.001,
    min_frac: int = 4,
    slice_size: int | None = None,
) -> PrecisionChoice:
    """Pick the narrowest ``ap_fixed<W,I>`` (W <= 32) whose per-class AUC stays within ``max_auc_drop`` of float (either way).

    ``I`` starts at :func:`integer_bits` (99.9th percentiles) and grows up to the bits of the largest observed
    value: a rare outlier that wraps around (TRN/WRAP, not saturation) can cost more AUC than a fraction bit,
    so both are scanned and the total width decides. When no width meets the tolerance (an expression whose
    values span more than 32 bits, e.g. exp of exp), the candidate with the smallest score is returned with
    ``met=False`` so the caller can warn instead of failing every other design. ``labels`` are class indices
    aligned with the outputs (other values count as background). With ``slice_size`` half the tolerance must
    hold on all rows and on every disjoint slice of that many rows (see the module docstring).
    """
    X_ip = lowered.ip_inputs(X_raw)
    labels = np.asarray(labels)
    y_float = float_outputs(lowered, X_ip)
    y_reference = np.nan_to_num(y_float)  # what AUCs compare against; y_float keeps inf out of the bit counts
    auc_float = per_class_auc(y_reference, labels)
    slices = calibration_slices(len(labels), slice_size)
    min_frac = lowered.table_frac_bits(min_frac)
    first_int = min(integer_bits(lowered, X_ip, y_float), MAX_WIDTH - min_frac)
    last_int = min(max(first_int, _largest_int_bits(lowered, X_ip, y_float)), MAX_WIDTH - min_frac)
    tried: list[tuple[str, float]] = []
    best: PrecisionChoice | None = None
    closest: PrecisionChoice | None = None
    for n_int in range(max(1, first_int), last_int + 1):
        limit = MAX_WIDTH if best is None else best.precision.width - 1
        for frac in range(min_frac, limit - n_int + 1):
            fixed = FixedType(n_int + frac, n_int)
            y_fixed = emulator_for(lowered, fixed)(X_ip)
            auc = per_class_auc(y_fixed, labels)
            score, drop = tolerance_score(y_reference, y_fixed, labels, slices)  # a gain is a change too
            tried.append((str(fixed), score))
            choice = PrecisionChoice(
                fixed, auc, auc_float, tried, met=score <= max_auc_drop, drop=drop, score=score
            )
            if closest is None or score < closest.score:
                closest = choice
            if choice.met:
                best = choice
                break
    if best is not None:
        return best
    if closest is None:
        raise SymtrigError(f"no ap_fixed<W,I> with W <= {MAX_WIDTH} can hold this design's lookup tables")
    return closest
