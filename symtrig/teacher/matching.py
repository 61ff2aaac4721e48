"""Whether a teacher belongs to a dataset: the same jets (fingerprint) and the same standardization."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from symtrig.errors import SymtrigError
from symtrig.teacher.model import Teacher

if TYPE_CHECKING:
    from symtrig.data import Dataset


@dataclass
class TeacherMatch:
    """Whether a teacher fits a dataset: ``problems`` make it unusable without ``force``; ``notes`` inform."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def teacher_matches_data(teacher: Teacher, data: Dataset) -> TeacherMatch:
    """Compare a teacher's card with ``data``: same dataset fingerprint and the same standardization.

    A teacher trained on other jets (or another split, hence another scaler) still runs, but its scores
    would be distillation targets for a different input distribution; the fit stage refuses it unless forced.
    """
    match = TeacherMatch()
    name = Path(teacher.source).name
    n_cols = np.asarray(data.X_train).shape[1]
    if n_cols != teacher.n_features:
        match.problems.append(f"teacher {name} takes {teacher.n_features} features, data has {n_cols}")
    missing = [c for c in data.classes if c not in teacher.classes]
    if missing:
        match.problems.append(
            f"teacher {name} has no output for class(es) {', '.join(missing)} (its outputs: "
            f"{', '.join(teacher.classes)}; name them with --teacher-outputs)"
        )
    card = teacher.card
    if card is None:
        match.notes.append(f"teacher {teacher.source} has no card; cannot check which jets it was trained on")
        return match
    theirs = (card.get("dataset") or {}).get("fingerprint")
    if theirs != data.fingerprint:
        match.problems.append(
            f"teacher was trained on dataset {theirs} "
            f"({(card.get('dataset') or {}).get('label', 'unknown source')}), but the data is {data.fingerprint} "
            f"({data.label})"
        )
    scaler = card.get("standardization")
    if scaler is not None and not _same_scaler(scaler, data):
        match.problems.append(
            "teacher was trained with another standardization (different split seed?); "
            f"its card says seed {card.get('seed')}"
        )
    return match


def _same_scaler(scaler: dict[str, Any], data: Dataset) -> bool:
    """True if the card's mean/scale equal the data's (to float64 round-off)."""
    try:
        mean = np.asarray(scaler["mean"], dtype=np.float64)
        scale = np.asarray(scaler["scale"], dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        return False
    if mean.shape != np.shape(data.mean_) or scale.shape != np.shape(data.scale_):
        return False
    return bool(
        np.allclose(mean, data.mean_, rtol=1e-9, atol=0)
        and np.allclose(scale, data.scale_, rtol=1e-9, atol=0)
    )


def require_matching_teacher(teacher: Teacher, data: Dataset, force: bool = False) -> list[str]:
    """Raise SymtrigError if the teacher does not match ``data`` (unless ``force``); return messages to show.

    A feature-count mismatch or a missing class output cannot be forced: the teacher could not even run.
    """
    match = teacher_matches_data(teacher, data)
    n_cols = np.asarray(data.X_train).shape[1]
    if n_cols != teacher.n_features or any(c not in teacher.classes for c in data.classes):
        raise SymtrigError(match.problems[0])
    if match.problems and not force:
        raise SymtrigError(
            "; ".join(match.problems) + "; retrain with `symtrig teacher` on this data, or pass --force"
        )
    return match.problems + match.notes
