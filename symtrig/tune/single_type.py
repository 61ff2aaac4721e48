"""``--precision auto``: the narrowest ``ap_fixed<W,I>`` whose per-class AUC stays within a tolerance of float.

Integer bits come from :func:`symtrig.lower.single_type.ap_integer_bits` (observed value ranges, with headroom).
Fraction bits are then the fewest whose AUC change versus float64, on the backend's bit-exact model, is at most
``max_auc_drop`` for every class. The model is handed in by the caller (for hls4ml designs
:func:`symtrig.verify.hls4ml_emulator.emulator_for`, which prints the C++ once per design and runs without a
compile), so a scan over ~12 widths takes seconds and this stage imports no backend or verification code.

The AUC change is held against the tolerance by the rule of :mod:`symtrig.lower.tolerance`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from symtrig.errors import SymtrigError
from symtrig.lower.fixed import FixedFormat
from symtrig.lower.ranges import WidestValue
from symtrig.lower.single_type import ap_integer_bits, float_outputs
from symtrig.lower.tables import Lowered
from symtrig.lower.tolerance import MAX_CALIBRATION_CLIP_RATE, AucReference, calibration_slices, per_class_auc

MAX_WIDTH = 32


class DesignRun(Protocol):
    """What a run of the model reports: outputs, and per output the share of rows that wrapped or clamped."""

    @property
    def y(self) -> np.ndarray: ...
    @property
    def overflow_rate(self) -> np.ndarray: ...
    @property
    def lut_clip_rate(self) -> np.ndarray: ...


class DesignModel(Protocol):
    """The bit-exact model of one design at one precision, run on IP input rows."""

    def run(self, X: np.ndarray) -> DesignRun: ...


#: The backend's bit-exact model: ``model(lowered, fixed)`` models the project written at ``fixed``.
SingleTypeModel = Callable[[Lowered, FixedFormat], DesignModel]


@dataclass
class PrecisionChoice:
    precision: FixedFormat
    auc_fixed: np.ndarray  # per class, at the chosen precision
    auc_float: np.ndarray  # per class, float64 reference
    tried: list[tuple[str, float]]  # (precision, tolerance score) for every candidate evaluated
    met: bool = True  # False: no width up to MAX_WIDTH met the tolerance; this is the smallest score found
    drop: float = 0.0  # worst per-class |AUC change| at this precision, over all rows and every slice
    score: float = 0.0  # what is held against the tolerance (:func:`tolerance_score`)
    clip_rate: float = 0.0  # worst output's wrong-edge table clamp rate on the calibration rows

    def shortfall(self, max_auc_drop: float) -> tuple[bool, float]:
        """How far a candidate misses, for choosing the closest when none meets the rule: within the AUC
        tolerance first (then fewer table clamps), else the smaller score."""
        within = self.score <= max_auc_drop
        return (not within, self.clip_rate if within else self.score)

    changes: np.ndarray | None = None  # per class, worst |AUC change| over all rows and every slice
    widest: WidestValue | None = None  # the value that set the integer bits


@dataclass(frozen=True)
class _Calibration:
    """What every candidate precision is measured against: the rows, the float reference and the slices."""

    model: SingleTypeModel
    X_ip: np.ndarray
    labels: np.ndarray
    y_reference: np.ndarray
    auc_float: np.ndarray
    reference: AucReference
    max_auc_drop: float

    @classmethod
    def of(
        cls,
        lowered: Lowered,
        model: SingleTypeModel,
        X_raw,
        labels,
        max_auc_drop: float,
        slice_size: int | None,
    ) -> _Calibration:
        X_ip = lowered.ip_inputs(X_raw)
        labels = np.asarray(labels)
        y_reference = np.nan_to_num(float_outputs(lowered, X_ip))  # what AUCs compare against
        reference = AucReference.of(y_reference, labels, calibration_slices(len(labels), slice_size))
        return cls(
            model, X_ip, labels, y_reference, per_class_auc(y_reference, labels), reference, max_auc_drop
        )

    def measure(self, lowered: Lowered, fixed: FixedFormat, tried: list, widest) -> PrecisionChoice | None:
        """The candidate at ``fixed``, or None when the emulated design wraps on a calibration row."""
        result = self.model(lowered, fixed).run(self.X_ip)
        if result.overflow_rate.any():
            return None
        score, changes = self.reference.score(result.y)  # gains count
        clip_rate = float(result.lut_clip_rate.max(initial=0.0))
        tried.append((str(fixed), score))
        return PrecisionChoice(
            fixed,
            per_class_auc(result.y, self.labels),
            self.auc_float,
            tried,
            met=score <= self.max_auc_drop and clip_rate <= MAX_CALIBRATION_CLIP_RATE,
            drop=float(changes.max(initial=0.0)),
            score=score,
            changes=changes,
            widest=widest,
            clip_rate=clip_rate,
        )


def assess_precision(
    lowered: Lowered,
    fixed: FixedFormat,
    X_raw: np.ndarray,
    labels: np.ndarray,
    *,
    model: SingleTypeModel,
    max_auc_drop: float = 0.001,
    slice_size: int | None = None,
) -> PrecisionChoice:
    """A given precision measured by the rule :func:`choose_precision` applies (for ``--precision ap_fixed<W,I>``):
    ``met`` is False when it misses the tolerance or wraps on a calibration row. ``model``: the backend's
    bit-exact model (:data:`SingleTypeModel`)."""
    calibration = _Calibration.of(lowered, model, X_raw, labels, max_auc_drop, slice_size)
    widest = ap_integer_bits(lowered, calibration.X_ip)[1]
    choice = calibration.measure(lowered, fixed, [], widest)
    if choice is not None:
        return choice
    nan = np.full(len(calibration.auc_float), np.nan)
    return PrecisionChoice(
        fixed,
        nan,
        calibration.auc_float,
        [],
        met=False,
        drop=np.inf,
        score=np.inf,
        changes=np.full(len(nan), np.inf),
        widest=widest,
    )


def choose_precision(
    lowered: Lowered,
    X_raw: np.ndarray,
    labels: np.ndarray,
    *,
    model: SingleTypeModel,
    max_auc_drop: float = 0.001,
    min_frac: int = 4,
    slice_size: int | None = None,
) -> PrecisionChoice:
    """The narrowest ``ap_fixed<W,I>`` (W <= 32) that never wraps on the calibration rows and keeps every class's
    AUC within ``max_auc_drop`` of float (either way).

    ``I`` comes from :func:`ap_integer_bits`: every value the design computes, with headroom. Only fraction bits
    are then scanned, from what the tables need up; should the emulated design still wrap on a calibration row
    (hls4ml prints constants of its own, e.g. a product of two), ``I`` grows by one and the scan restarts.
    When no width meets the tolerance, the candidate with the smallest score is returned with ``met=False`` so
    the caller can mark it and warn. ``labels`` are class indices aligned with the outputs (other values count
    as background). With ``slice_size`` half the tolerance must hold on all rows and on every disjoint slice
    of that many rows (see the module docstring). ``model``: the backend's bit-exact model
    (:data:`SingleTypeModel`); every candidate is measured on it.
    """
    calibration = _Calibration.of(lowered, model, X_raw, labels, max_auc_drop, slice_size)
    min_frac = lowered.table_frac_bits(min_frac)
    needed, widest = ap_integer_bits(lowered, calibration.X_ip)
    if needed + min_frac > MAX_WIDTH:
        raise SymtrigError(
            f"no ap_fixed<W,I> with W <= {MAX_WIDTH} holds this design: {widest.describe()} needs {needed} "
            f"integer bits (headroom included) and its tables {min_frac} fraction bits"
        )
    tried: list[tuple[str, float]] = []
    closest: PrecisionChoice | None = None
    for n_int in range(needed, MAX_WIDTH - min_frac + 1):
        for frac in range(min_frac, MAX_WIDTH - n_int + 1):
            choice = calibration.measure(lowered, FixedFormat.ap_fixed(n_int + frac, n_int), tried, widest)
            if choice is None:
                break  # wraps: more integer bits, not more fraction bits
            if closest is None or choice.shortfall(max_auc_drop) < closest.shortfall(max_auc_drop):
                closest = choice
            if choice.met:
                return choice
        else:
            break  # no wrap at this I: more integer bits cannot help the AUC
    if closest is None:
        raise SymtrigError(
            f"every ap_fixed<W,I> with W <= {MAX_WIDTH} wraps around on calibration jets ({widest.describe()})"
        )
    return closest
