"""A table split into train/validation/test, with the standardization fitted on the training split only.

Features stay raw here (physical units); :meth:`Dataset.standardize` gives the inputs the teacher and the
symbolic expressions use, ``z = (x - mean_) / scale_``, exactly as in the published recipe. The split is
stratified by class and seeded, so the same seed gives the same split on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from symtrig.data.schema import Schema
from symtrig.data.tables import DataTable
from symtrig.errors import SymtrigError

#: Default split fractions (train, validation, test), stratified by class.
SPLIT_FRACTIONS = (0.6, 0.2, 0.2)


@dataclass(frozen=True)
class Dataset:
    """Rows split into train/validation/test, with the standardization fitted on the training split only."""

    table: DataTable
    seed: int
    train_idx: np.ndarray
    val_idx: np.ndarray
    test_idx: np.ndarray
    mean_: np.ndarray = field(repr=False)
    scale_: np.ndarray = field(repr=False)

    @property
    def schema(self) -> Schema:
        return self.table.schema

    @property
    def features(self) -> tuple[str, ...]:
        return self.table.schema.features

    @property
    def classes(self) -> tuple[str, ...]:
        return self.table.schema.classes

    @property
    def fingerprint(self) -> str:
        return self.table.fingerprint

    @property
    def source(self) -> str:
        return self.table.source

    @property
    def label(self) -> str:
        """How every figure names its dataset, e.g. ``sample (simulated)`` or ``openml:42468 (real)``."""
        return f"{self.table.source} ({self.table.provenance})"

    @property
    def X_train(self) -> np.ndarray:
        return self.table.X[self.train_idx]

    @property
    def y_train(self) -> np.ndarray:
        return self.table.y[self.train_idx]

    @property
    def X_val(self) -> np.ndarray:
        return self.table.X[self.val_idx]

    @property
    def y_val(self) -> np.ndarray:
        return self.table.y[self.val_idx]

    @property
    def X_test(self) -> np.ndarray:
        return self.table.X[self.test_idx]

    @property
    def y_test(self) -> np.ndarray:
        return self.table.y[self.test_idx]

    def standardize(self, X: np.ndarray) -> np.ndarray:
        """Map raw features to the standardized inputs of the teacher and the expressions."""
        return (np.asarray(X, dtype=np.float64) - self.mean_) / self.scale_

    def describe(self) -> dict[str, Any]:
        """What every output records about its data: source, fingerprint, columns, sizes, seed."""
        return {
            "source": self.table.source,
            "simulated": self.table.simulated,
            "label": self.label,
            "fingerprint": self.table.fingerprint,
            "schema": self.schema.describe(),
            "n_jets": len(self.table.y),
            "n_dropped_nonfinite": self.table.n_dropped,
            "split_seed": self.seed,
            "n_train": len(self.train_idx),
            "n_val": len(self.val_idx),
            "n_test": len(self.test_idx),
        }


def split_table(
    table: DataTable, *, seed: int = 0, fractions: tuple[float, float, float] = SPLIT_FRACTIONS
) -> Dataset:
    """Deterministic stratified train/validation/test split and a train-only standardization."""
    if seed < 0:
        raise SymtrigError(f"seed must be a non-negative integer, got {seed}")
    index = np.arange(len(table.y))
    strata = table.y if table.schema.label is not None else None
    train_frac, val_frac, test_frac = fractions
    train_idx, rest = train_test_split(index, train_size=train_frac, random_state=seed, stratify=strata)
    val_idx, test_idx = train_test_split(
        rest,
        train_size=val_frac / (val_frac + test_frac),
        random_state=seed,
        stratify=None if strata is None else strata[rest],
    )
    X_train = table.X[np.sort(train_idx)]
    mean = X_train.mean(axis=0)
    scale = X_train.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)  # a constant feature stays finite instead of dividing by zero
    return Dataset(table, seed, np.sort(train_idx), np.sort(val_idx), np.sort(test_idx), mean, scale)


def calibration_rows(data: Dataset) -> np.ndarray:
    """Training + validation rows (raw features): what precision searches calibrate on.

    Never the test split, whose fixed-point AUC is what every design reports.
    """
    return np.vstack([data.X_train, data.X_val])
