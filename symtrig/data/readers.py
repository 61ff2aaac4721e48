"""Reading a table from a file (Parquet, CSV, Feather, a ROOT TTree or RNTuple) or OpenML, checking its columns first.

A file's column layout is checked from its CSV header or Arrow schema before the body is read (a
1,000,000-column CSV would otherwise take minutes to refuse); every problem is a one-line error naming the file.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from symtrig.data.schema import LABEL_COLUMN
from symtrig.errors import SymtrigError

#: OpenML id of ``hls4ml_lhc_jets_hlf`` (830,000 jets).
OPENML_DATA_ID = 42468
#: A longer CSV header line cannot be a table of features (the jets' 17 names fit in ~250 characters).
MAX_HEADER_CHARS = 65_536

_READERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    ".parquet": pd.read_parquet,
    ".pq": pd.read_parquet,
    # round trip: pandas < 3.1 parses some decimals 1 ulp off by default, and the fingerprint (and the split)
    # of a CSV must equal that of the same table as Parquet
    ".csv": lambda path: pd.read_csv(path, float_precision="round_trip"),
    ".feather": pd.read_feather,
    ".arrow": pd.read_feather,
}
SUFFIXES = (*_READERS, ".root")


def read_file(
    path: Path, check_header: Callable[[list[str], str], None], tree: str | None = None
) -> tuple[pd.DataFrame, bool | None]:
    """Read a table; ``check_header(columns, file name)`` runs on the header alone before the body is read.

    Returns the frame and whether it is simulated: a file written by ``symtrig simulate`` (Parquet metadata) is,
    any other file is unknown (None).
    """
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SymtrigError(
            f"{path}: unsupported file type '{path.suffix}'; use .parquet, .csv, .feather or .root"
        )
    if not path.is_file():
        raise SymtrigError(f"{path}: no such file; use --data sample, openml or a path to a table")
    if path.stat().st_size == 0:
        raise SymtrigError(f"{path.name}: the file is empty")
    if suffix == ".root":
        return _read_root(path, tree, check_header), None
    header = _header_columns(path)
    if header is not None:  # a wrong layout fails before the body is parsed
        check_header(header, path.name)
    try:
        frame = _READERS[suffix](path)
    except Exception as exc:  # any reader failure is a malformed user file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SymtrigError(f"{path.name}: cannot be read as {suffix.lstrip('.')} ({reason})") from exc
    return frame, (True if _is_simulated(path) else None)


#: uproot's class names of the ROOT objects read as a table: TTree and its successor RNTuple (uproot 5.7 writes
#: an RNTuple for ``file["Events"] = {...}``; files of ROOT < 6.34 name it ``ROOT::Experimental::RNTuple``).
ROOT_TABLES: dict[str, str] = {
    "TTree": "TTree",
    "ROOT::RNTuple": "RNTuple",
    "ROOT::Experimental::RNTuple": "RNTuple",
}
#: At most this many of a file's objects are named in an error message (it stays one line).
NAMED_OBJECTS = 8


def _read_root(path: Path, tree: str | None, check_header: Callable[[list[str], str], None]) -> pd.DataFrame:
    """One TTree or RNTuple of a ROOT file as a table of its (flat, numeric) columns, read by uproot (the
    ``root`` extra).

    ``tree`` names it; without it the file must hold exactly one. When the file holds no such table, or not the
    one named, the message says what it does hold (name and class of each object).
    """
    try:
        import uproot
    except ImportError as exc:
        raise SymtrigError("reading ROOT files needs uproot: pip install 'symtrig[root]'") from exc
    try:
        with uproot.open(path) as file:
            objects = {key.split(";")[0]: cls for key, cls in file.classnames().items()}
            tables = {name: ROOT_TABLES[cls] for name, cls in objects.items() if cls in ROOT_TABLES}
            if tree is None and len(tables) != 1:
                if not tables:
                    raise SymtrigError(
                        f"{path.name}: holds no TTree or RNTuple to read as a table; it holds "
                        f"{_described(objects)}"
                    )
                raise SymtrigError(
                    f"{path.name}: holds the tables {_described(tables)}; choose one with --tree NAME"
                )
            name = tree or next(iter(tables))
            if name not in tables:
                raise SymtrigError(
                    f"{path.name}: no TTree or RNTuple {name!r}; it holds {_described(objects)}"
                )
            table = file[name]
            check_header(list(table.keys()), path.name)
            return table.arrays(library="pd")
    except SymtrigError:
        raise
    except Exception as exc:  # a corrupt or non-ROOT file, a jagged column pandas cannot hold
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SymtrigError(f"{path.name}: cannot be read as a ROOT table ({reason})") from exc


def _described(objects: dict[str, str]) -> str:
    """``a (TTree), h (TH1D)``: the objects by name with their class, the first :data:`NAMED_OBJECTS`."""
    if not objects:
        return "nothing"
    named = [f"{name} ({cls})" for name, cls in sorted(objects.items())]
    more = len(named) - NAMED_OBJECTS
    return ", ".join(named[:NAMED_OBJECTS]) + (f" and {more} more" if more > 0 else "")


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


def fetch_openml(data_home: str | Path | None) -> pd.DataFrame:
    """Fetch OpenML 42468 with scikit-learn's cache; a network failure becomes a one-line hint."""
    from sklearn.datasets import fetch_openml as fetch

    try:
        bunch = fetch(data_id=OPENML_DATA_ID, data_home=data_home, as_frame=True, cache=True, parser="auto")
    except Exception as exc:
        raise SymtrigError(
            f"cannot load OpenML dataset {OPENML_DATA_ID} ({type(exc).__name__}: {str(exc)[:120]}); "
            "download it on a machine with internet and pass the file with --data PATH"
        ) from exc
    frame = bunch.frame
    if LABEL_COLUMN not in frame.columns and getattr(bunch, "target", None) is not None:
        frame = frame.assign(**{LABEL_COLUMN: bunch.target})
    return frame
