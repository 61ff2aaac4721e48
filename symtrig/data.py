"""Jets in, validated arrays out: loading, schema checks, splits, standardization and the dataset fingerprint.

This stage knows nothing about symbolic regression or HLS. Every later output records the fingerprint
computed here, so a leaderboard can always be traced back to the exact jets it was measured on.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from symtrig.errors import SymtrigError

#: The 16 jet-substructure features of OpenML 42468 (``hls4ml_lhc_jets_hlf``), in column order x0..x15.
FEATURES: tuple[str, ...] = (
    "zlogz",
    "c1_b0_mmdt",
    "c1_b1_mmdt",
    "c1_b2_mmdt",
    "c2_b1_mmdt",
    "c2_b2_mmdt",
    "d2_b1_mmdt",
    "d2_b2_mmdt",
    "d2_a1_b1_mmdt",
    "d2_a1_b2_mmdt",
    "m2_b1_mmdt",
    "m2_b2_mmdt",
    "n2_b1_mmdt",
    "n2_b2_mmdt",
    "mass_mmdt",
    "multiplicity",
)

#: The five jet classes; alphabetical, as LabelEncoder orders them, so output index 0..4 = g, q, t, w, z.
CLASSES: tuple[str, ...] = ("g", "q", "t", "w", "z")

#: Name of the label column in the OpenML layout.
LABEL_COLUMN = "class"


#: OpenML id of ``hls4ml_lhc_jets_hlf`` (830,000 jets).
OPENML_DATA_ID = 42468
#: The bundled simulated sample (package data), made by ``symtrig simulate``; see ``sample/COMMAND.txt``.
SAMPLE_FILE = "jets_sample.parquet"
#: A class with fewer jets than this cannot be split into train/validation/test and scored meaningfully.
MIN_JETS_PER_CLASS = 20
#: The 17 column names fit in ~250 characters; a longer CSV header line cannot be a jets file.
MAX_HEADER_CHARS = 65_536
#: Default split fractions (train, validation, test), stratified by class.
SPLIT_FRACTIONS = (0.6, 0.2, 0.2)
_READERS = {
    ".parquet": pd.read_parquet,
    ".pq": pd.read_parquet,
    ".csv": pd.read_csv,
    ".feather": pd.read_feather,
    ".arrow": pd.read_feather,
}


@dataclass(frozen=True)
class JetTable:
    """A validated table of jets: raw features in ``FEATURES`` order and integer labels into ``CLASSES``."""

    X: np.ndarray
    y: np.ndarray
    source: str
    simulated: bool | None  # None: a user file that does not say where its jets came from
    n_dropped: int
    fingerprint: str

    @property
    def provenance(self) -> str:
        """``simulated``, ``real`` (OpenML) or ``user file`` when a file does not say."""
        return {True: "simulated", False: "real"}.get(self.simulated, "user file")


@dataclass(frozen=True)
class JetData:
    """Jets split into train/validation/test, with the standardization fitted on the training split only.

    Features stay raw here (physical units); :meth:`standardize` gives the inputs the teacher and the symbolic
    expressions use, ``z = (x - mean_) / scale_``, exactly as in the published recipe.
    """

    table: JetTable
    seed: int
    train_idx: np.ndarray
    val_idx: np.ndarray
    test_idx: np.ndarray
    mean_: np.ndarray = field(repr=False)
    scale_: np.ndarray = field(repr=False)

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
        """What every output records about its data: source, fingerprint, sizes, seed."""
        return {
            "source": self.table.source,
            "simulated": self.table.simulated,
            "label": self.label,
            "fingerprint": self.table.fingerprint,
            "n_jets": len(self.table.y),
            "n_dropped_nonfinite": self.table.n_dropped,
            "split_seed": self.seed,
            "n_train": len(self.train_idx),
            "n_val": len(self.val_idx),
            "n_test": len(self.test_idx),
        }


def load_jet_data(
    source: str | Path = "sample", *, seed: int = 0, data_home: str | Path | None = None
) -> JetData:
    """Load, validate and split jets from ``sample``, ``openml`` or a Parquet/CSV/Feather path."""
    return split_jets(load_jet_table(source, data_home=data_home), seed=seed)


def load_jet_table(source: str | Path = "sample", *, data_home: str | Path | None = None) -> JetTable:
    """Read a jet table and validate it; see :func:`validate_frame` for the rules."""
    if str(source) == "sample":
        path = Path(str(resources.files("symtrig.sample").joinpath(SAMPLE_FILE)))
        if not path.is_file():
            raise SymtrigError(f"the bundled sample {SAMPLE_FILE} is missing from this installation")
        frame, _ = _read_file(path)
        return validate_frame(frame, name="sample", simulated=True)
    if str(source) == "openml":
        return validate_frame(_fetch_openml(data_home), name=f"openml:{OPENML_DATA_ID}", simulated=False)
    path = Path(source)
    frame, simulated = _read_file(path)
    return validate_frame(frame, name=path.name, simulated=simulated)


def _read_file(path: Path) -> tuple[pd.DataFrame, bool | None]:
    """Read a table; a file written by ``symtrig simulate`` (Parquet metadata) is simulated, others unknown."""
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise SymtrigError(f"{path}: unsupported file type '{path.suffix}'; use .parquet, .csv or .feather")
    if not path.is_file():
        raise SymtrigError(f"{path}: no such file; use --data sample, openml or a path to a jets file")
    if path.stat().st_size == 0:
        raise SymtrigError(f"{path.name}: the file is empty")
    header = _header_columns(path)
    if header is not None:  # a wrong layout fails before the body is parsed (a million columns took minutes)
        check_columns(header, path.name)
    try:
        frame = reader(path)
    except Exception as exc:  # any reader failure is a malformed user file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SymtrigError(f"{path.name}: cannot be read as {path.suffix.lstrip('.')} ({reason})") from exc
    return frame, (True if _is_simulated(path) else None)


def _header_columns(path: Path) -> list[str] | None:
    """The column names from the CSV header line or the Arrow schema alone, without reading the body.

    None when they cannot be read this way (a blank first line, a Feather v1 file, a corrupt file): the full
    read then decides, and reports a corrupt file in its own words.
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
                line = fh.readline(MAX_HEADER_CHARS + 1)
            if len(line) > MAX_HEADER_CHARS:
                raise SymtrigError(
                    f"{path.name}: header line longer than {MAX_HEADER_CHARS} characters; "
                    "expected the 16 features + 'class'"
                )
            return next(csv.reader([line]), None) if line.strip() else None
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            return [n for n in pq.read_schema(path).names if not n.startswith("__index_level_")]
        import pyarrow.ipc as ipc

        return list(ipc.open_file(path).schema.names)
    except SymtrigError:
        raise
    except Exception:
        return None


def _is_simulated(path: Path) -> bool:
    if path.suffix.lower() not in (".parquet", ".pq"):
        return False
    try:
        import pyarrow.parquet as pq

        meta = pq.read_schema(path).metadata or {}
    except Exception:
        return False
    return b"symtrig" in meta


def _fetch_openml(data_home: str | Path | None) -> pd.DataFrame:
    """Fetch OpenML 42468 with scikit-learn's cache; a network failure becomes a one-line hint."""
    from sklearn.datasets import fetch_openml

    try:
        bunch = fetch_openml(
            data_id=OPENML_DATA_ID, data_home=data_home, as_frame=True, cache=True, parser="auto"
        )
    except Exception as exc:
        raise SymtrigError(
            f"cannot load OpenML dataset {OPENML_DATA_ID} ({type(exc).__name__}: {str(exc)[:120]}); "
            "download it on a machine with internet and pass the file with --data PATH"
        ) from exc
    frame = bunch.frame
    if LABEL_COLUMN not in frame.columns and getattr(bunch, "target", None) is not None:
        frame = frame.assign(**{LABEL_COLUMN: bunch.target})
    return frame


def validate_frame(frame: pd.DataFrame, *, name: str, simulated: bool | None) -> JetTable:
    """Check a table against the OpenML layout and convert it to arrays.

    Rules, each failing with a one-line message naming the table: no rows; missing or extra columns; cells that
    are not numbers; class labels other than g, q, t, w, z; a class with fewer than ``MIN_JETS_PER_CLASS`` jets.
    Rows with a NaN or infinite feature are *dropped and counted* (about 0.3 % of simulated jets have a groomed
    jet of one constituent, which makes the ratios undefined); the count is recorded in :class:`JetTable`.
    """
    if len(frame) == 0:
        raise SymtrigError(f"{name}: the table has no rows")
    check_columns([str(c) for c in frame.columns], name)
    X = _numeric_features(frame, name)
    y = _encode_labels(frame[LABEL_COLUMN], name)
    finite = np.isfinite(X).all(axis=1)
    X, y = X[finite], y[finite]
    _check_class_counts(y, name)
    return JetTable(
        X=X,
        y=y,
        source=name,
        simulated=simulated,
        n_dropped=int((~finite).sum()),
        fingerprint=fingerprint(X, y),
    )


def check_columns(columns: list[str], name: str) -> None:
    """Exactly the 16 features and the label, in any order; names in the message are clipped to one line."""
    missing = [c for c in (*FEATURES, LABEL_COLUMN) if c not in columns]
    extra = [c for c in columns if c not in (*FEATURES, LABEL_COLUMN)]
    if missing:
        raise SymtrigError(f"{name}: missing column(s) {', '.join(missing)}")
    if extra:
        shown = ", ".join(_clip(c) for c in extra[:5])
        more = f" and {len(extra) - 5} more" if len(extra) > 5 else ""
        raise SymtrigError(f"{name}: unexpected column(s) {shown}{more}; expected the 16 features + 'class'")


def _clip(text: object, limit: int = 40) -> str:
    """A user-supplied value short enough for a one-line error (a 1 MB label must not become a 1 MB line)."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _numeric_features(frame: pd.DataFrame, name: str) -> np.ndarray:
    columns = []
    for column in FEATURES:
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
                f"{name}: column {column} has a non-numeric cell at row {row}: {str(raw.iloc[row])[:30]!r}"
            )
        columns.append(values.to_numpy(dtype=np.float64, na_value=np.nan))
    return np.column_stack(columns)


def _encode_labels(labels: pd.Series, name: str) -> np.ndarray:
    text = labels.astype(str).str.strip().str.lower()
    unknown = sorted(set(text) - set(CLASSES))
    if unknown:
        shown = ", ".join(repr(_clip(u)) for u in unknown[:5])
        raise SymtrigError(f"{name}: unknown class label(s) {shown}; expected one of {', '.join(CLASSES)}")
    return text.map({c: i for i, c in enumerate(CLASSES)}).to_numpy(dtype=np.int64)


def _check_class_counts(y: np.ndarray, name: str) -> None:
    counts = np.bincount(y, minlength=len(CLASSES))
    few = [f"{CLASSES[i]}={n}" for i, n in enumerate(counts) if n < MIN_JETS_PER_CLASS]
    if few:
        raise SymtrigError(
            f"{name}: too few jets of class {', '.join(few)} (need at least {MIN_JETS_PER_CLASS} each after "
            "dropping non-finite rows)"
        )


def fingerprint(X: np.ndarray, y: np.ndarray) -> str:
    """A content hash of the validated jets, recorded by every later output."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"features": FEATURES, "classes": CLASSES, "shape": X.shape}).encode())
    digest.update(np.ascontiguousarray(X, dtype="<f8").tobytes())
    digest.update(np.ascontiguousarray(y, dtype="<i8").tobytes())
    return "sha256:" + digest.hexdigest()[:16]


def split_jets(
    table: JetTable, *, seed: int = 0, fractions: tuple[float, float, float] = SPLIT_FRACTIONS
) -> JetData:
    """Deterministic stratified train/validation/test split and a train-only standardization."""
    if seed < 0:
        raise SymtrigError(f"seed must be a non-negative integer, got {seed}")
    index = np.arange(len(table.y))
    train_frac, val_frac, test_frac = fractions
    train_idx, rest = train_test_split(index, train_size=train_frac, random_state=seed, stratify=table.y)
    val_idx, test_idx = train_test_split(
        rest, train_size=val_frac / (val_frac + test_frac), random_state=seed, stratify=table.y[rest]
    )
    X_train = table.X[np.sort(train_idx)]
    mean = X_train.mean(axis=0)
    scale = X_train.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)  # a constant feature stays finite instead of dividing by zero
    return JetData(
        table=table,
        seed=seed,
        train_idx=np.sort(train_idx),
        val_idx=np.sort(val_idx),
        test_idx=np.sort(test_idx),
        mean_=mean,
        scale_=scale,
    )


def summarize(table: JetTable) -> pd.DataFrame:
    """Per-feature ranges and per-class counts, for ``symtrig data info``."""
    stats = pd.DataFrame(table.X, columns=list(FEATURES)).describe(percentiles=[0.05, 0.5, 0.95]).T
    return stats[["min", "5%", "50%", "95%", "max"]]


def output_labels(y: np.ndarray, classes: list[int]) -> np.ndarray:
    """Labels as output indices: a jet of ``classes[k]`` gets ``k``, any other jet ``-1`` (background).

    A design's output ``k`` scores class ``classes[k]``; precision searches and AUCs score column ``k`` against
    label ``k``.
    """
    remap = np.full(len(CLASSES), -1)
    remap[classes] = np.arange(len(classes))
    return remap[np.asarray(y)]


def calibration_jets(data: JetData, classes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Training + validation jets (raw features) and their :func:`output_labels`: what precision searches see.

    Never the test split, whose fixed-point AUC is what every design reports.
    """
    X = np.vstack([data.X_train, data.X_val])
    return X, output_labels(np.concatenate([data.y_train, data.y_val]), classes)
