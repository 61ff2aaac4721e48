"""Reading a table from a file (Parquet, CSV, Feather, ROOT TTree) or OpenML, checking its columns first.

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


def _read_root(path: Path, tree: str | None, check_header: Callable[[list[str], str], None]) -> pd.DataFrame:
    """One TTree of a ROOT file as a table of its (flat, numeric) branches, read by uproot (the ``root`` extra).

    ``tree`` names the TTree; without it the file must hold exactly one.
    """
    try:
        import uproot
    except ImportError as exc:
        raise SymtrigError("reading ROOT files needs uproot: pip install 'symtrig[root]'") from exc
    try:
        with uproot.open(path) as file:
            trees = sorted({key.split(";")[0] for key, cls in file.classnames().items() if cls == "TTree"})
            if tree is None and len(trees) != 1:
                raise SymtrigError(
                    f"{path.name}: holds TTrees {trees or 'none'}; choose one with --tree NAME"
                )
            name = tree or trees[0]
            if name not in trees:
                raise SymtrigError(f"{path.name}: no TTree {name!r}; it holds {', '.join(trees) or 'none'}")
            branches = file[name]
            check_header(list(branches.keys()), path.name)
            return branches.arrays(library="pd")
    except SymtrigError:
        raise
    except Exception as exc:  # a corrupt or non-ROOT file, a jagged branch pandas cannot hold
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SymtrigError(f"{path.name}: cannot be read as a ROOT TTree ({reason})") from exc


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
