"""The seam between emit-hls and its backends: one flow per backend, each a pipeline of separate stages.

A flow lowers a design's expressions (:mod:`symtrig.lower`: ranges, tables, precision), has a backend write the
project (:mod:`symtrig.backends`), runs a bit-exact model of it on the test split (:mod:`symtrig.verify`) and
attaches a cost with its source (:mod:`symtrig.cost`). emit-hls itself only selects, calls a flow and records:
adding a backend means adding a flow and its entry in :mod:`symtrig.emit.registry`, not editing the stage. This
module holds only what flows and the stage share, so the flows import it and nothing here imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import sympy as sp

from symtrig.data import Dataset, calibration_rows
from symtrig.emit.config import EmitConfig
from symtrig.emit.selection import DesignSpec
from symtrig.lower.tolerance import signal_of
from symtrig.metrics import one_vs_rest_auc
from symtrig.store.costs import CostReport
from symtrig.targets import signals


@dataclass(frozen=True)
class Jets:
    """The rows one design is calibrated on (train + validation) and judged on (test), raw features, and per
    output the rows that count as signal (rows x outputs; :func:`symtrig.targets.signals`)."""

    X_calib: np.ndarray
    labels_calib: np.ndarray
    X_test: np.ndarray
    labels_test: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def of(cls, data: Dataset, signal: Mapping[str, np.ndarray]) -> Jets:
        """From a split and its signal rows per split (``train``, ``val``, ``test``)."""
        labels_calib = np.vstack([signal["train"], signal["val"]])
        return cls(calibration_rows(data), labels_calib, data.X_test, signal["test"], data.mean_, data.scale_)

    @classmethod
    def for_classes(cls, data: Dataset, names: Sequence[str]) -> Jets:
        """Outputs that score classes of the data (each row is signal for its own class)."""
        return cls.of(data, signals("teacher-logodds", data, names))

    def only(self, k: int) -> Jets:
        """The jets of output ``k`` alone: what a one-output candidate of that output is judged on."""
        return Jets(
            self.X_calib,
            self.labels_calib[:, [k]],
            self.X_test,
            self.labels_test[:, [k]],
            self.mean,
            self.scale,
        )

    @property
    def slice_size(self) -> int:
        """Test-sized slices of the calibration jets (the tolerance rule of :mod:`symtrig.lower.tolerance`)."""
        return len(self.labels_test)

    def standardize(self, X: np.ndarray) -> np.ndarray:
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.scale

    def test_aucs(self, y_test: np.ndarray) -> tuple[float, ...]:
        """Each output's AUC on the test jets (a candidate's fixed-point outputs, rows x outputs)."""
        return tuple(
            one_vs_rest_auc(signal_of(self.labels_test, k), y_test[:, k], True)
            for k in range(y_test.shape[1])
        )


@dataclass(frozen=True)
class Outcome:
    """What the precision search concluded on the calibration jets (the rule of :mod:`symtrig.lower.tolerance`)."""

    met: bool
    score: float
    changes: np.ndarray  # per output, worst |AUC change| over all calibration jets and every slice
    clip_rate: float = 0.0  # worst output's wrong-edge table clamps on the calibration jets
    widest: str | None = None  # the value that set the integer bits


@dataclass(frozen=True)
class Build:
    """What a flow hands back: every figure the design record needs beyond the selection."""

    precision: str
    outcome: Outcome
    lowered: tuple[sp.Expr, ...]  # as built, over x0..x15 (standardized): equal in value to the fitted forms
    y_test: np.ndarray  # bit-exact fixed-point outputs on the test split (rows x outputs)
    overflow_rate: np.ndarray  # per output, on the test split
    clip_rate: np.ndarray  # per output, on the test split
    cost: CostReport
    readme: str  # how to build and use the project, specific to the backend
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    """Expressions costed as one design by the backend's model, without writing a project (front, budgets)."""

    cost: CostReport
    auc_fixed: tuple[float, ...] | None = None  # per output, test AUC of its bit-exact model, where cheap


class Flow(Protocol):
    """One backend's path from expressions to a verified, costed project.

    A backend is one flow registered by name (:func:`symtrig.emit.registry.register_backend`). It declares which
    :class:`~symtrig.emit.config.EmitConfig` settings are its own (``own_settings``: set for another backend they
    are refused), its own options (``options``: a frozen dataclass with defaults, filled from
    ``--backend-option KEY=VALUE``; None when it has none) and the suffix of its design folders.
    """

    name: str
    own_settings: frozenset[str]
    options: type | None
    folder_suffix: str

    def check(self, config: EmitConfig) -> None:
        """Refuse (``SymtrigError``, one line) settings this backend cannot build, before any design is."""
        ...

    def build(
        self, spec: DesignSpec, jets: Jets, folder: Path, config: EmitConfig, warn: Callable[[str], None]
    ) -> Build:
        """Lower, tune, write, verify and cost one design into ``folder``; ``warn`` gets each warning line
        (without a ``warning:`` prefix; the emit stage decides where it goes)."""
        ...

    def prepare_budget(self, spec: DesignSpec, jets: Jets, config: EmitConfig) -> None:
        """Whatever ``candidate`` needs to know of the whole design first (latency and LUT budgets)."""
        ...

    def candidate(self, exprs: Sequence[sp.Expr], jets: Jets, config: EmitConfig) -> Candidate:
        """``exprs`` as one design (``jets`` has their outputs' signal rows), costed by the backend's model
        (the front costs each expression alone; budgets also the chosen set together)."""
        ...
