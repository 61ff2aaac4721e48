"""The expression leaderboard: its columns, how rows are assembled from stored searches, and safe reading.

``expressions/leaderboard.csv`` is the user-facing table. It is always rebuilt from the per-search JSON files
(the source of truth), written atomically, and later stages (``emit-hls``) add columns to it. Reading a
leaderboard someone sent you never evaluates its text: expressions go through the whitelist parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from symtrig import atomic
from symtrig.data import CLASSES
from symtrig.errors import SymtrigError

LEADERBOARD_FILE = "leaderboard.csv"

#: Columns written by ``fit``, in order. ``expression`` is in feature names on *standardized* inputs
#: (``inputs`` says so); ``loss`` is the held-out MSE to the target the search was fitted to.
FIT_COLUMNS: tuple[str, ...] = (
    "expr_id",
    "class",
    "family",
    "cmax",
    "complexity",
    "cost",
    "op_costs",
    "expression",
    "inputs",
    "target",
    "loss",
    "auc",
    "auc_val",
    "auc_teacher",
    "auc_ratio",
    "fidelity_r2",
    "rejection50",
    "rejection50_teacher",
    "pareto",
    "best",
    "accuracy_5class",
    "engine",
    "seed",
    "dataset",
    "dataset_fingerprint",
    "search_id",
    "created",
)

#: Columns added by ``emit-hls``.
HLS_COLUMNS: tuple[str, ...] = (
    "precision",
    "auc_fixed",
    "auc_fixed_drop",
    "overflow_rate",
    "lut_clip_rate",
    "latency_cycles",
    "latency_ns",
    "dsp",
    "lut",
    "ff",
    "bram",
    "cost_source",
    "design",
)

#: The columns a leaderboard must have for ``emit-hls`` to use it.
REQUIRED_COLUMNS: tuple[str, ...] = ("expr_id", "class", "family", "cmax", "complexity", "expression", "auc")


def mark_pareto(frame: pd.DataFrame) -> pd.Series:
    """True where no simpler expression of the same class, family and target has an equal or higher AUC."""
    from symtrig.distill import pareto_mask

    flags = pd.Series(False, index=frame.index)
    for _, group in frame.groupby(["class", "family", "target", "op_costs"], sort=False):
        mask = pareto_mask(group["cost"].tolist(), group["auc"].tolist(), higher_is_better=True)
        flags.loc[group.index] = mask
    return flags


def build(rows: Iterable[dict]) -> pd.DataFrame:
    """Rows → a leaderboard with the fit columns in order, sorted for stable diffs, Pareto flags set."""
    frame = pd.DataFrame(list(rows))
    if frame.empty:
        return pd.DataFrame(columns=list(FIT_COLUMNS))
    frame["class"] = pd.Categorical(frame["class"], categories=list(CLASSES), ordered=True)
    frame = frame.sort_values(["class", "family", "cmax", "seed", "cost", "expr_id"], kind="stable")
    frame["class"] = frame["class"].astype(str)
    frame = frame.reset_index(drop=True)
    frame["pareto"] = mark_pareto(frame)
    extra = [c for c in frame.columns if c not in FIT_COLUMNS]
    return frame[[c for c in FIT_COLUMNS if c in frame.columns] + extra]


def write(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write the leaderboard atomically (a reader never sees half a file)."""
    return atomic.write_csv(path, frame)


def read(path: str | Path) -> pd.DataFrame:
    """Read and check a leaderboard; every problem is a one-line error naming the file."""
    path = Path(path)
    if not path.is_file():
        raise SymtrigError(f"{path}: no such leaderboard; run `symtrig fit` first or pass --leaderboard PATH")
    try:
        frame = pd.read_csv(path, dtype={"expr_id": str, "class": str, "family": str, "expression": str})
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SymtrigError(f"{path.name}: not a readable CSV leaderboard ({reason})") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise SymtrigError(f"{path.name}: missing column(s) {', '.join(missing)}")
    if frame.empty:
        raise SymtrigError(f"{path.name}: the leaderboard has no rows")
    _check_values(frame, path.name)
    return frame


def _check_values(frame: pd.DataFrame, name: str) -> None:
    if frame["expr_id"].isna().any() or frame["expr_id"].duplicated().any():
        dup = [str(i)[:60] for i in frame["expr_id"][frame["expr_id"].duplicated()].head(1)]
        raise SymtrigError(f"{name}: expr_id must be present and unique (duplicate or empty: {dup})")
    bad_class = sorted(set(frame["class"].dropna()) - set(CLASSES))
    if bad_class or frame["class"].isna().any():
        shown = [str(c)[:20] for c in bad_class[:3]]
        raise SymtrigError(f"{name}: unknown class value(s) {shown}; expected {', '.join(CLASSES)}")
    for column in ("cmax", "complexity", "auc"):
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any():
            row = int(np.flatnonzero(values.isna().to_numpy())[0])
            cell = str(frame[column].iloc[row])[:30]
            raise SymtrigError(f"{name}: column {column} must be numeric (row {row}: {cell!r})")
    if frame["expression"].isna().any():
        raise SymtrigError(
            f"{name}: an expression cell is empty (row {int(frame['expression'].isna().idxmax())})"
        )
