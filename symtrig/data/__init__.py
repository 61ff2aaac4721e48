"""Data in, validated arrays out: reading, schema checks, splits, standardization and the fingerprint.

The hls4ml LHC jet dataset is the default layout (``--data sample`` or ``openml``, or a file in the OpenML
layout); any other table works with ``--features``/``--label`` (:mod:`~symtrig.data.schema`). This stage knows
nothing about symbolic regression or hardware; every later output records the fingerprint computed here, so a
result can always be traced back to the exact rows it was measured on.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from symtrig.data.readers import OPENML_DATA_ID, SUFFIXES, fetch_openml, read_file
from symtrig.data.schema import (
    CLASSES,
    FEATURES,
    JETS,
    LABEL_COLUMN,
    NO_LABEL,
    Schema,
    check_jet_columns,
    chosen_columns,
)
from symtrig.data.split import SPLIT_FRACTIONS, Dataset, calibration_rows, split_table
from symtrig.data.tables import MIN_ROWS_PER_CLASS, DataTable, fingerprint, summarize, validate_frame
from symtrig.errors import SymtrigError

#: The bundled simulated sample (package data), made by ``symtrig simulate``; see ``sample/COMMAND.txt``.
SAMPLE_FILE = "jets_sample.parquet"


def load_data(
    source: str | Path = "sample",
    *,
    seed: int = 0,
    data_home: str | Path | None = None,
    features: Sequence[str] | None = None,
    label: str | None = None,
    tree: str | None = None,
) -> Dataset:
    """Load, validate and split ``sample``, ``openml`` or a Parquet/CSV/Feather/ROOT file.

    Without ``features`` and ``label`` a file must be in the jet layout (16 features + ``class``); with them it
    is a table of one's own (see :func:`~symtrig.data.schema.chosen_columns`). ``tree`` names the TTree or
    RNTuple of a ROOT file.
    """
    return split_table(
        load_table(source, data_home=data_home, features=features, label=label, tree=tree), seed=seed
    )


def load_table(
    source: str | Path = "sample",
    *,
    data_home: str | Path | None = None,
    features: Sequence[str] | None = None,
    label: str | None = None,
    tree: str | None = None,
) -> DataTable:
    """Read a table and validate it; see :func:`~symtrig.data.tables.validate_frame` for the rules."""
    own = features is not None or label is not None
    if str(source) in ("sample", "openml") and own:
        raise SymtrigError("--features/--label apply to --data FILE; the jet sources have their own layout")
    if str(source) == "sample":
        path = Path(str(resources.files("symtrig.sample").joinpath(SAMPLE_FILE)))
        if not path.is_file():
            raise SymtrigError(f"the bundled sample {SAMPLE_FILE} is missing from this installation")
        frame, _ = read_file(path, check_jet_columns)
        return validate_frame(frame, name="sample", simulated=True)
    if str(source) == "openml":
        return validate_frame(fetch_openml(data_home), name=f"openml:{OPENML_DATA_ID}", simulated=False)
    path = Path(source)
    if not own:
        frame, simulated = read_file(path, check_jet_columns, tree)
        return validate_frame(frame, name=path.name, simulated=simulated)
    chosen: dict[str, tuple[tuple[str, ...], str | None]] = {}

    def check(columns: list[str], name: str) -> None:
        chosen["columns"] = chosen_columns(columns, name, features, label)

    frame, simulated = read_file(path, check, tree)
    if "columns" not in chosen:  # the header could not be read alone: check the full table
        check([str(c) for c in frame.columns], path.name)
    names, label_column = chosen["columns"]
    return validate_frame(frame, name=path.name, simulated=simulated, schema=Schema(names, label_column))


__all__ = [
    "CLASSES",
    "FEATURES",
    "JETS",
    "LABEL_COLUMN",
    "MIN_ROWS_PER_CLASS",
    "NO_LABEL",
    "OPENML_DATA_ID",
    "SAMPLE_FILE",
    "SPLIT_FRACTIONS",
    "SUFFIXES",
    "DataTable",
    "Dataset",
    "Schema",
    "calibration_rows",
    "check_jet_columns",
    "fingerprint",
    "load_data",
    "load_table",
    "split_table",
    "summarize",
    "validate_frame",
]
