"""The run record ``run.json``: what one ``fit`` or ``import-pysr`` was asked to do and on which data.

Later stages read it to rebuild the exact split the expressions were fitted on (emit-hls, report) and to name
the dataset of every figure; it is written by fit/import-pysr only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from symtrig import atomic
from symtrig.data.schema import CLASSES, FEATURES, Schema
from symtrig.errors import SymtrigError
from symtrig.provenance import utc_now, versions

#: How the expressions' variables relate to the raw features (recorded for readers of run.json).
EXPRESSION_INPUTS = "standardized: (x - mean) / scale"


@dataclass(frozen=True)
class RunRecord:
    """One run of ``fit`` or ``import-pysr``: settings, dataset, teacher, standardization and counts."""

    command: str
    settings: Mapping[str, Any]
    dataset: Mapping[str, Any]
    teacher: str
    teacher_id: str
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    counts: Mapping[str, int] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    outputs: tuple[str, ...] = CLASSES  # the classes (or teacher scores) distilled, in output order
    versions: Mapping[str, str] = field(default_factory=versions)
    created: str = field(default_factory=utc_now)

    @property
    def data_source(self) -> str:
        return str(self.settings["data"])

    @property
    def seed(self) -> int:
        return int(self.settings["seed"])

    @property
    def target(self) -> str:
        return str(self.settings.get("target", "teacher-logodds"))

    @property
    def data_home(self) -> str | None:
        home = self.settings.get("data_home")
        return None if home is None else str(home)

    @property
    def schema(self) -> Schema:
        """The columns the expressions' variables x0, x1, ... name (the jet layout for older records)."""
        described = self.dataset.get("schema") or {}
        features = tuple(described.get("features") or FEATURES)
        return Schema(features, described.get("label", "class"), tuple(described.get("classes") or ()))

    def load_options(self) -> dict[str, Any]:
        """The keyword arguments of :func:`symtrig.data.load_data` that rebuild the run's exact split."""
        settings = self.settings
        features = settings.get("features")
        return {
            "seed": self.seed,
            "data_home": self.data_home,
            "features": None if features is None else tuple(features),
            "label": settings.get("label"),
            "tree": settings.get("tree"),
        }

    @property
    def dataset_label(self) -> str:
        return str(self.dataset["label"])

    @property
    def fingerprint(self) -> str:
        return str(self.dataset["fingerprint"])

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {**self.counts, "command": self.command}
        if self.files:
            data["files"] = list(self.files)
        data["outputs"] = list(self.outputs)
        return {
            **data,
            "settings": dict(self.settings),
            "dataset": dict(self.dataset),
            "teacher": self.teacher,
            "teacher_id": self.teacher_id,
            "standardization": {"mean": list(self.mean), "scale": list(self.scale)},
            "features_in_expressions": EXPRESSION_INPUTS,
            "versions": dict(self.versions),
            "created": self.created,
        }

    @classmethod
    def from_json(cls, data: Any) -> RunRecord:
        counts = {k: int(data[k]) for k in ("jobs", "run", "skipped") if k in data}
        scaler = data["standardization"]
        record = cls(
            command=str(data["command"]),
            settings=dict(data["settings"]),
            dataset=dict(data["dataset"]),
            teacher=str(data["teacher"]),
            teacher_id=str(data["teacher_id"]),
            mean=tuple(float(v) for v in np.asarray(scaler["mean"], dtype=float)),
            scale=tuple(float(v) for v in np.asarray(scaler["scale"], dtype=float)),
            counts=counts,
            files=tuple(str(f) for f in data.get("files", ())),
            outputs=tuple(str(o) for o in data.get("outputs", CLASSES)),
            versions=dict(data.get("versions") or {}),
            created=str(data.get("created", "")),
        )
        _ = record.data_source, record.seed, record.dataset_label, record.fingerprint  # present and typed
        return record


def write_run(path: str | Path, record: RunRecord) -> Path:
    return atomic.write_json(path, record.to_json())


def read_run(path: str | Path) -> RunRecord:
    """``run.json`` typed, or a one-line error saying what is wrong with it."""
    path = Path(path)
    if not path.is_file():
        raise SymtrigError(f"{path}: no run record; run `symtrig fit` into that folder first")
    try:
        return RunRecord.from_json(json.loads(path.read_text()))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SymtrigError(f"{path}: not a readable run record ({type(exc).__name__})") from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SymtrigError(f"{path}: not a complete run record ({type(exc).__name__}: {exc})") from exc
