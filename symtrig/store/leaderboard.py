"""The expression leaderboard: its columns and their types, defined once, and validated reading and writing.

``expressions/leaderboard.csv`` is the user-facing table, one row per front member. ``fit`` and ``import-pysr``
rebuild it from the stored searches (the source of truth) and are its only writers; later stages read it and
keep their own results elsewhere (``hdl_out/designs.csv``). Reading a leaderboard someone sent you never
evaluates its text: expressions go through the whitelist parser when a consumer parses a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from symtrig import atomic
from symtrig.data import CLASSES
from symtrig.errors import SymtrigError
from symtrig.select import mark_best, pareto_mask

#: The pandas dtypes a leaderboard column can have.
ColumnType = Literal["string", "int64", "float64", "bool"]
#: Every column ``fit`` writes, in order, with its pandas dtype. ``expression`` is in feature names on
#: *standardized* inputs (``inputs`` says so); ``loss`` is the held-out MSE to the target the search was fitted
#: to; ``auc``/``rejection50`` are measured on the test split, ``auc_val`` on the validation split.
COLUMNS: Mapping[str, ColumnType] = MappingProxyType(
    {
        "expr_id": "string",
        "class": "string",
        "family": "string",
        "cmax": "int64",
        "complexity": "int64",
        "cost": "int64",
        "op_costs": "string",
        "expression": "string",
        "inputs": "string",
        "target": "string",
        "loss": "float64",
        "auc": "float64",
        "auc_val": "float64",
        "auc_teacher": "float64",
        "auc_ratio": "float64",
        "fidelity_r2": "float64",
        "rejection50": "float64",
        "rejection50_teacher": "float64",
        "pareto": "bool",
        "best": "bool",
        "accuracy_5class": "float64",
        "engine": "string",
        "seed": "int64",
        "dataset": "string",
        "dataset_fingerprint": "string",
        "search_id": "string",
        "created": "string",
    }
)

#: The columns a leaderboard from elsewhere must have to be used (the validation AUC is what chooses).
REQUIRED: tuple[str, ...] = (
    "expr_id",
    "class",
    "family",
    "cmax",
    "complexity",
    "expression",
    "auc",
    "auc_val",
)
_NUMERIC = ("cmax", "complexity", "auc", "auc_val")


def build(rows: Iterable[Mapping[str, Any]], classes: Sequence[str] = CLASSES) -> pd.DataFrame:
    """Rows → a leaderboard: columns in order and typed, sorted for stable diffs (classes in ``classes`` order,
    then any other), Pareto and best flags set."""
    frame = pd.DataFrame(list(rows))
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})
    order = frame["class"].map({c: i for i, c in enumerate(classes)}).fillna(len(classes))
    frame = (
        frame.assign(_order=order)
        .sort_values(["_order", "class", "family", "cmax", "seed", "cost", "expr_id"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    frame["pareto"] = mark_pareto(frame)
    frame["best"] = mark_best(frame)
    return typed(frame)


def mark_pareto(frame: pd.DataFrame) -> pd.Series[bool]:
    """True where no simpler expression of the same class, family and target has an equal or higher test AUC."""
    flags = pd.Series(False, index=frame.index)
    for _, group in frame.groupby(["class", "family", "target", "op_costs"], sort=False):
        mask = pareto_mask(group["cost"].tolist(), group["auc"].tolist(), higher_is_better=True)
        flags.loc[group.index] = np.asarray(mask, dtype=bool)
    return flags


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The known columns in their order and dtype; extra columns (from another tool) follow unchanged."""
    known = [c for c in COLUMNS if c in frame.columns]
    extra = [c for c in frame.columns if c not in COLUMNS]
    typed = frame[known + extra].copy()
    for column in known:
        typed[column] = typed[column].astype(COLUMNS[column])
    return typed


def write(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write the leaderboard atomically (a reader never sees half a file)."""
    return atomic.write_csv(path, frame)


def read(path: str | Path, classes: Sequence[str] | None = CLASSES) -> pd.DataFrame:
    """Read and check a leaderboard; every problem is a one-line error naming the file.

    ``classes`` are the classes its rows may name (the run's outputs); None defers that check to
    :func:`check_classes` (when the run record is read after the table).
    """
    path = Path(path)
    if not path.is_file():
        raise SymtrigError(f"{path}: no such leaderboard; run `symtrig fit` first or pass --leaderboard PATH")
    try:
        frame = pd.read_csv(path, dtype={c: str for c in ("expr_id", "class", "family", "expression")})
    except Exception as exc:  # any reader failure means "not a leaderboard"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SymtrigError(f"{path.name}: not a readable CSV leaderboard ({reason})") from exc
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise SymtrigError(f"{path.name}: missing column(s) {', '.join(missing)}")
    if frame.empty:
        raise SymtrigError(f"{path.name}: the leaderboard has no rows")
    _check_values(frame, path.name, classes)
    for flag in ("pareto", "best"):
        if flag in frame:
            frame[flag] = _as_bool(frame[flag], flag, path.name)
    try:
        return typed(frame)
    except (ValueError, TypeError) as exc:
        raise SymtrigError(f"{path.name}: a column has values of the wrong type ({exc})") from exc


def check_classes(frame: pd.DataFrame, classes: Sequence[str], name: str) -> None:
    """Every row names one of ``classes`` (the run's outputs)."""
    bad_class = sorted(set(frame["class"].dropna()) - set(classes))
    if bad_class or frame["class"].isna().any():
        shown = [str(c)[:20] for c in bad_class[:3]]
        raise SymtrigError(f"{name}: unknown class value(s) {shown}; expected {', '.join(classes)}")


def _as_bool(column: pd.Series[Any], name: str, file: str) -> pd.Series[bool]:
    """A flag column as booleans, whether pandas read it as bools or as text."""
    if column.dtype == bool:
        return column
    text = column.astype(str).str.strip().str.lower()
    if not text.isin(["true", "false", "1", "0"]).all():
        raise SymtrigError(f"{file}: column {name} must be True/False")
    return text.isin(["true", "1"])


def _check_values(frame: pd.DataFrame, name: str, classes: Sequence[str] | None) -> None:
    if frame["expr_id"].isna().any() or frame["expr_id"].duplicated().any():
        dup = [str(i)[:60] for i in frame["expr_id"][frame["expr_id"].duplicated()].head(1)]
        raise SymtrigError(f"{name}: expr_id must be present and unique (duplicate or empty: {dup})")
    if classes is not None:
        check_classes(frame, classes, name)
    for column in _NUMERIC:
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any():
            row = int(np.flatnonzero(values.isna().to_numpy())[0])
            cell = str(frame[column].iloc[row])[:30]
            raise SymtrigError(f"{name}: column {column} must be numeric (row {row}: {cell!r})")
    if frame["expression"].isna().any():
        raise SymtrigError(
            f"{name}: an expression cell is empty (row {int(frame['expression'].isna().to_numpy().argmax())})"
        )
