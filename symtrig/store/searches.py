"""The records of ``fit``: one search job, its stored front, and the run that made them.

A finished search is written to ``searches/<search_id>.json`` the moment it completes and is the source of truth
of the leaderboard; :meth:`SearchRecord.from_json` is the one gate every stored search passes (fields present and
typed, expressions readable by the whitelist parser, key matching the job). A record that fails is searched
again rather than trusted, so a hand edit or a file from another version can neither crash the leaderboard build
nor smuggle text into it. The JSON layout is unchanged from earlier versions, so their searches stay valid.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from symtrig import atomic
from symtrig import expr as ex
from symtrig.data.schema import FEATURES
from symtrig.errors import SymtrigError
from symtrig.store import paths


@dataclass(frozen=True)
class SearchJob:
    """One independent search; its key changes whenever anything that shapes the result changes."""

    class_name: str
    family: str
    cmax: int
    seed: int
    engine: str
    budget: float
    generations: int | None
    max_rows: int
    op_costs: str
    target: str
    dataset_fingerprint: str
    teacher_id: str
    source: str = ""  # for imported PySR runs: a hash of the hall-of-fame file
    refit: bool = True
    select_features: int | None = 6

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

    @property
    def search_id(self) -> str:
        return f"{self.class_name}-{self.family}-c{self.cmax}-s{self.seed}-{self.key[:8]}"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SearchJob:
        """The job of a stored record; unknown or missing fields are a ``TypeError`` (the record is redone)."""
        return cls(**dict(data))


@dataclass(frozen=True)
class StoredMember:
    """One front member as stored: its text (feature names, standardized inputs) and every figure of merit."""

    expression: str
    complexity: int
    cost: int
    loss: float
    auc: float  # test split
    auc_val: float  # validation split: what chooses
    fidelity_r2: float
    rejection50: float
    engine: str


_MEMBER_TYPES = {f.name: f.type for f in fields(StoredMember)}


@dataclass(frozen=True)
class SearchRecord:
    """A finished search: the job, the teacher's reference figures for its class and the scored front."""

    search_id: str
    key: str
    job: SearchJob
    auc_teacher: float
    rejection50_teacher: float
    front: tuple[StoredMember, ...]
    inputs: str
    versions: Mapping[str, str]
    created: str
    n_threads: int | None = None
    search_seconds: float | None = None
    source_file: str | None = None
    features: tuple[str, ...] | None = (
        None  # names of x0, x1, ... in the expressions (None: the jet features)
    )

    def to_json(self) -> dict[str, Any]:
        """The stored JSON layout (optional facts that are unknown are left out)."""
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, data: Any) -> SearchRecord:
        """Validate and type a stored record; any problem is a ``SymtrigError`` (the caller redoes the search)."""
        try:
            job = SearchJob.from_json(data["job"])
            features = tuple(str(f) for f in data["features"]) if data.get("features") else None
            front = tuple(_member(m, features or FEATURES) for m in data["front"])
            record = cls(
                search_id=str(data["search_id"]),
                key=str(data["key"]),
                job=job,
                auc_teacher=float(data["auc_teacher"]),
                rejection50_teacher=float(data["rejection50_teacher"]),
                front=front,
                inputs=str(data["inputs"]),
                versions=dict(data.get("versions") or {}),
                created=str(data["created"]),
                n_threads=data.get("n_threads"),
                search_seconds=data.get("search_seconds"),
                source_file=data.get("source_file"),
                features=features,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SymtrigError(f"not a complete search record ({type(exc).__name__}: {exc})") from exc
        if record.key != job.key or record.search_id != job.search_id:
            raise SymtrigError("the record's key does not match its job")
        return record


def _member(data: Mapping[str, Any], features: tuple[str, ...]) -> StoredMember:
    values = {name: data[name] for name in _MEMBER_TYPES}
    ex.parse_expression(str(values["expression"]), features=features)  # readable by the whitelist parser
    return StoredMember(
        expression=str(values["expression"]),
        complexity=int(values["complexity"]),
        cost=int(values["cost"]),
        loss=float(values["loss"]),
        auc=float(values["auc"]),
        auc_val=float(values["auc_val"]),
        fidelity_r2=float(values["fidelity_r2"]),
        rejection50=float(values["rejection50"]),
        engine=str(values["engine"]),
    )


def write_search(out: str | Path, record: SearchRecord) -> Path:
    """Store a finished search atomically under its id."""
    return atomic.write_json(paths.search_file(out, record.search_id), record.to_json())


def read_search(path: Path) -> SearchRecord | None:
    """The record in ``path``, or None when it is missing, unreadable or fails :meth:`SearchRecord.from_json`."""
    try:
        return SearchRecord.from_json(json.loads(path.read_text()))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, SymtrigError):
        return None


def stored_search(out: str | Path, job: SearchJob) -> SearchRecord | None:
    """The finished record of ``job`` if one is stored and intact, else None."""
    record = read_search(paths.search_file(out, job.search_id))
    return record if record is not None and record.key == job.key else None


def searches_of(out: str | Path, dataset_fingerprint: str, teacher_id: str) -> list[SearchRecord]:
    """Every intact stored search made on this dataset with this teacher (other c_max and seeds accumulate)."""
    records = []
    for path in sorted((Path(out) / paths.SEARCH_DIR).glob("*.json")):
        record = read_search(path)
        if record is not None and (record.job.dataset_fingerprint, record.job.teacher_id) == (
            dataset_fingerprint,
            teacher_id,
        ):
            records.append(record)
    return records
