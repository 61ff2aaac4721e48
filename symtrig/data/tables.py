"""A validated table: raw features in schema order, labels as class indices, provenance and a fingerprint.

Every rule fails with a one-line message naming the table: no rows; missing or extra columns (the jet layout)
or missing named columns (a table of one's own); non-numeric cells; unknown labels (jets); a class with fewer
than :data:`MIN_ROWS_PER_CLASS` rows. Rows with a NaN or infinite feature are *dropped and counted* (about 0.3 %
of simulated jets have a groomed jet of one constituent, which makes the energy-correlation ratios undefined).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from symtrig.data.schema import JETS, Schema, clip
from symtrig.errors import SymtrigError

#: A class with fewer rows than this cannot be split into train/validation/test and scored meaningfully.
MIN_ROWS_PER_CLASS = 20


@dataclass(frozen=True)
class DataTable:
    """A validated table: raw features in ``schema.features`` order and labels as indices into its classes."""

    X: np.ndarray
    y: np.ndarray
    source: str
    simulated: bool | None  # None: a user file that does not say where its rows came from
    n_dropped: int
    fingerprint: str
    schema: Schema = JETS

    @property
    def provenance(self) -> str:
        """``simulated``, ``real`` (OpenML) or ``user file`` when a file does not say."""
        if self.simulated is None:
            return "user file"
        return "simulated" if self.simulated else "real"


def validate_frame(
    frame: pd.DataFrame, *, name: str, simulated: bool | None, schema: Schema = JETS
) -> DataTable:
    """Check a table against ``schema`` and convert it to arrays (see the module docstring for the rules).

    For the jet layout the classes are fixed; for a table of one's own they are taken from the label values
    (sorted, numerically when every label is a number) and the schema is completed with them.
    """
    if len(frame) == 0:
        raise SymtrigError(f"{name}: the table has no rows")
    X = _numeric_features(frame, schema.features, name)
    if schema.label is None:
        y = np.zeros(len(frame), dtype=np.int64)
    elif schema.is_jets:
        y = _encode(frame[schema.label], schema.classes, name, lowercase=True)
    else:
        schema = Schema(schema.features, schema.label, _classes_of(frame[schema.label], name))
        y = _encode(frame[schema.label], schema.classes, name, lowercase=False)
    finite = np.isfinite(X).all(axis=1)
    X, y = X[finite], y[finite]
    if schema.label is not None:
        _check_class_counts(y, schema.classes, name)
    elif len(y) < 3 * MIN_ROWS_PER_CLASS:
        raise SymtrigError(f"{name}: too few rows ({len(y)}) to split into train, validation and test")
    return DataTable(X, y, name, simulated, int((~finite).sum()), fingerprint(X, y, schema), schema)


def _numeric_features(frame: pd.DataFrame, features: tuple[str, ...], name: str) -> np.ndarray:
    columns = []
    for column in features:
        raw = frame[column]
        values = pd.to_numeric(raw, errors="coerce")
        bad = (
            values.isna()
            & raw.notna()
            & ~raw.astype(str).str.strip().str.lower().isin(["nan", "inf", "-inf"])
        )
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise SymtrigError(
                f"{name}: column {clip(column)} has a non-numeric cell at row {row}: {str(raw.iloc[row])[:30]!r}"
            )
        columns.append(values.to_numpy(dtype=np.float64, na_value=np.nan))
    return np.column_stack(columns)


def _label_text(labels: pd.Series, lowercase: bool) -> pd.Series:
    text = labels.astype(str).str.strip()
    return text.str.lower() if lowercase else text


def _classes_of(labels: pd.Series, name: str) -> tuple[str, ...]:
    """The distinct label values of a table of one's own, sorted (numerically when all are numbers)."""
    values = sorted(set(_label_text(labels, lowercase=False)))
    if len(values) < 2:
        raise SymtrigError(
            f"{name}: the label column holds {len(values)} class(es); a tagger needs at least 2"
        )
    numeric = pd.to_numeric(pd.Series(values), errors="coerce")
    if numeric.notna().all():
        values = [v for _, v in sorted(zip(numeric, values, strict=True))]
    return tuple(values)


def _encode(labels: pd.Series, classes: tuple[str, ...], name: str, *, lowercase: bool) -> np.ndarray:
    text = _label_text(labels, lowercase)
    unknown = sorted(set(text) - set(classes))
    if unknown:
        shown = ", ".join(repr(clip(u)) for u in unknown[:5])
        raise SymtrigError(f"{name}: unknown class label(s) {shown}; expected one of {', '.join(classes)}")
    return text.map({c: i for i, c in enumerate(classes)}).to_numpy(dtype=np.int64)


def _check_class_counts(y: np.ndarray, classes: tuple[str, ...], name: str) -> None:
    counts = np.bincount(y, minlength=len(classes))
    few = [f"{classes[i]}={n}" for i, n in enumerate(counts) if n < MIN_ROWS_PER_CLASS]
    if few:
        raise SymtrigError(
            f"{name}: too few rows of class {', '.join(few)} (need at least {MIN_ROWS_PER_CLASS} each after "
            "dropping non-finite rows)"
        )


def fingerprint(X: np.ndarray, y: np.ndarray, schema: Schema = JETS) -> str:
    """A content hash of the validated table (its columns, classes and values), recorded by every later output."""
    digest = hashlib.sha256()
    layout: dict[str, object] = {
        "features": list(schema.features),
        "classes": list(schema.classes),
        "shape": X.shape,
    }
    if schema.label not in (None, JETS.label):
        layout["label"] = schema.label
    digest.update(json.dumps(layout).encode())
    digest.update(np.ascontiguousarray(X, dtype="<f8").tobytes())
    digest.update(np.ascontiguousarray(y, dtype="<i8").tobytes())
    return "sha256:" + digest.hexdigest()[:16]


def summarize(table: DataTable) -> pd.DataFrame:
    """Per-feature ranges, for ``symtrig data info``."""
    stats = (
        pd.DataFrame(table.X, columns=list(table.schema.features)).describe(percentiles=[0.05, 0.5, 0.95]).T
    )
    return stats[["min", "5%", "50%", "95%", "max"]]
