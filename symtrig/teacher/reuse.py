"""Which teacher a fit distils: the one given, the one an earlier fit saved for these jets, or a new one.

A fit's teacher is saved in ``<out>/teacher/`` with its card; a rerun (after a kill, with other families, on
another machine) reuses it only when the card says it was trained on the same jets and split. The teacher's id
is a hash of what it computes, so the search keys of a resumed fit equal those of an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from symtrig.data import CLASSES, Dataset
from symtrig.errors import SymtrigError
from symtrig.store import paths
from symtrig.teacher.matching import require_matching_teacher, teacher_matches_data
from symtrig.teacher.model import Teacher
from symtrig.teacher.storage import load_teacher, save_teacher
from symtrig.teacher.training import make_card, train_teacher

#: Where notes go when the caller gives no ``say``: a library logs, it does not print.
_LOG = logging.getLogger(__name__)


def obtain_teacher(
    teacher_path: str | None,
    out: str | Path,
    data: Dataset,
    seed: int,
    say: Callable[[str], None] | None = None,
    outputs: Sequence[str] | None = None,
) -> tuple[Teacher, str]:
    """The teacher to distil and its id (:func:`teacher_fingerprint`).

    ``teacher_path`` is loaded (``outputs``: the names of an ONNX model's output columns) and must match the
    data. Otherwise ``<out>/teacher/`` is reused when it was trained on these rows with this split, else a new
    one is trained and saved there. ``say`` gets notes on which (default: this module's logger, at INFO).
    """
    say = say or _LOG.info
    if teacher_path:
        teacher: Teacher = load_teacher(teacher_path, outputs=outputs, n_features=len(data.features))
        for note in require_matching_teacher(teacher, data):
            say(f"note: {note}")
    else:
        folder = Path(out) / paths.TEACHER_DIR
        reused = reusable_teacher(folder, data, say)
        if reused is None:
            say(f"no reusable teacher in {folder}: training one")
            model, training = train_teacher(data, seed=seed, say=say)
            save_teacher(model, make_card(model, data, seed, training), folder)
            reused = load_teacher(folder)
        teacher = reused
    return teacher, teacher_fingerprint(teacher)


def reusable_teacher(folder: Path, data: Dataset, say: Callable[[str], None] | None = None) -> Teacher | None:
    """The teacher a previous fit saved in ``folder``, if it loads and its card says it was trained on these
    jets and split.

    A missing, corrupt or stale saved teacher is not the user's mistake here: the fit trains a new one. So is
    a model without its card: fit writes the card right after the model, so a lone model is a save that was
    killed in between, and without the card nothing says which jets it was trained on.
    """
    say = say or _LOG.info
    if not (folder / paths.TEACHER_MODEL_FILE).is_file():
        return None
    try:
        teacher = load_teacher(folder)
    except SymtrigError as exc:
        say(f"note: not reusing {folder} ({exc})")
        return None
    return teacher if teacher.card is not None and teacher_matches_data(teacher, data).ok else None


def teacher_fingerprint(teacher: Teacher) -> str:
    """An id of what the teacher computes: a scikit-learn teacher's architecture and weights, else its file.

    Not the skops file's hash: skops names archive members after object ids and stamps them with the save time,
    so retraining the same model with the same seed (a rerun after a kill, a second machine) gives other bytes,
    hence other search keys, and a resumed sweep would redo every search and disagree with an uninterrupted one.
    """
    model = getattr(teacher, "model", None)
    digest = hashlib.sha256()
    if model is not None and hasattr(model, "coefs_"):
        shape = {"kind": type(model).__name__, "activation": model.activation, "out": model.out_activation_}
        digest.update(json.dumps({**shape, "classes": [str(c) for c in model.classes_]}).encode())
        for array in (*model.coefs_, *model.intercepts_):
            digest.update(np.ascontiguousarray(array, dtype="<f8").tobytes())
    else:  # ONNX: protobuf serialisation is deterministic, the file is the model; its outputs are named here
        digest.update(Path(teacher.source).read_bytes())
        if teacher.classes != CLASSES:
            digest.update(json.dumps(list(teacher.classes)).encode())
    return "sha256:" + digest.hexdigest()[:16]
