"""Atomic output: a file or folder appears complete or not at all.

Long runs get interrupted. Writing to a temporary sibling and renaming it into place (``os.replace``) means a
reader never sees a half-written leaderboard, JSON or HLS project, and a killed process leaves the previous
version untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from symtrig.errors import SymtrigError

#: ``.<name>.<pid>.<random>.tmp``: the writer's process id lets a later run tell a leftover from a live write.
_TEMPORARY = re.compile(r"\..+\.(?P<pid>\d+)\.[^.]+\.tmp")


def _temporary_prefix(target: Path) -> str:
    return f".{target.name}.{os.getpid()}."


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_temporaries(folder: str | os.PathLike[str]) -> list[Path]:
    """Delete temporaries that a killed writer left in ``folder`` and its subfolders; returns what was removed.

    A SIGKILL (or power loss) between creating a temporary and renaming it leaves ``.name.<pid>.xxx.tmp``
    behind; the target itself is intact (old version or none). Only temporaries whose writer process is gone
    are removed, so a concurrent writer on the same machine is never disturbed.
    """
    removed: list[Path] = []
    root = Path(folder)
    if not root.is_dir():
        return removed
    for path in sorted(root.rglob(".*.tmp")):
        match = _TEMPORARY.fullmatch(path.name)
        if match is None or _process_alive(int(match["pid"])):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _ensure_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SymtrigError(f"cannot create folder {path.parent}: {exc.strerror or exc}") from exc


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success rename it onto ``path``, on failure delete it."""
    target = Path(path)
    _ensure_parent(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=_temporary_prefix(target), suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise SymtrigError(f"cannot write to {target.parent}: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the permissions of a normal file
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(path)


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as indented, key-sorted JSON atomically (stable diffs, reproducible files)."""
    return write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=_json_default) + "\n")


def write_csv(path: str | os.PathLike[str], frame: pd.DataFrame) -> Path:
    """Write a table as CSV atomically, without the index."""
    return write_text(path, frame.to_csv(index=False, lineterminator="\n"))


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "tolist"):  # numpy arrays and scalars
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Build a folder in a temporary sibling and swap it into place only when complete.

    An existing folder at ``path`` is replaced as a whole; if the body raises, it is left as it was and the
    temporary folder is removed, so no half-written project is ever left behind.
    """
    target = Path(path)
    _ensure_parent(target)
    old = target.parent / f".{target.name}.old"
    if old.is_dir() and not target.exists():  # a process killed between the two renames below: undo its first
        os.replace(old, target)
    if target.exists() and not target.is_dir():
        raise SymtrigError(f"{target} exists and is not a folder; choose another output folder")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=_temporary_prefix(target), suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise SymtrigError(f"cannot write to {target.parent}: {exc.strerror or exc}") from exc
    try:
        yield tmp
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        if old.exists():
            shutil.rmtree(old)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
