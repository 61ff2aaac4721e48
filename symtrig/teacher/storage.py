"""Saving and loading teachers (skops, never pickle; ONNX), and reusing the one a fit saved.

skops restores only an explicit list of allowed types, so a teacher file cannot run code when it is loaded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sklearn.neural_network import MLPClassifier

from symtrig import atomic
from symtrig.errors import SymtrigError
from symtrig.store import paths
from symtrig.teacher.model import SklearnTeacher, check_mlp
from symtrig.teacher.onnx import OnnxTeacher, OutputKind

MODEL_FILE = paths.TEACHER_MODEL_FILE
CARD_FILE = paths.TEACHER_CARD_FILE
#: Default output folder of ``symtrig teacher``.
DEFAULT_TEACHER_DIR = Path(paths.EXPRESSIONS_DIR) / paths.TEACHER_DIR

#: Types a saved MLP needs beyond skops' own default-trusted set (scikit-learn estimators, numpy arrays and
#: scalars): the optimiser state MLPClassifier keeps after fitting. Anything else in a file is refused.
_SKOPS_EXTRA_TRUSTED: frozenset[str] = frozenset(
    {
        "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
        "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    }
)


def save_teacher(
    teacher: SklearnTeacher, card: dict[str, Any], out_dir: str | Path = DEFAULT_TEACHER_DIR
) -> Path:
    """Write ``teacher.skops`` and ``teacher.json`` into ``out_dir`` (each atomically); returns ``out_dir``.

    The card records the SHA-256 of the model file, so if a run dies between the two writes, or someone swaps
    one file, :func:`load_teacher` notices that the card no longer describes the model instead of trusting it.
    """
    import skops.io as sio

    out = Path(out_dir)
    blob = sio.dumps(teacher.model)
    card = {**card, "model_file": MODEL_FILE, "model_sha256": hashlib.sha256(blob).hexdigest()}
    atomic.write_bytes(out / MODEL_FILE, blob)
    atomic.write_json(out / CARD_FILE, card)
    teacher.source = str(out / MODEL_FILE)
    teacher.card = card
    return out


def load_teacher(
    path: str | Path,
    output_kind: OutputKind = "auto",
    output_name: str | None = None,
    *,
    outputs: Sequence[str] | None = None,
    n_features: int | None = None,
) -> SklearnTeacher | OnnxTeacher:
    """Load a teacher from a folder holding ``teacher.skops``, a ``.skops`` file or a ``.onnx`` file.

    A card is read when present: ``teacher.json`` in the folder, else ``<file stem>.json`` next to the file.
    ``output_kind``, ``output_name``, ``outputs`` (names of the output columns) and ``n_features`` (the input
    width when the model leaves it open) apply to ONNX models only (see :class:`OnnxTeacher`).
    """
    path = Path(path)
    if path.is_dir():
        model_path, card_path = path / MODEL_FILE, path / CARD_FILE
        if not model_path.is_file():
            raise SymtrigError(f"{path} has no {MODEL_FILE}; train one with `symtrig teacher --out {path}`")
    elif path.is_file():
        model_path, card_path = path, path.with_suffix(".json")
    else:
        raise SymtrigError(f"teacher {path} does not exist")
    card = _read_card(card_path, model_path) if card_path.is_file() else None
    suffix = model_path.suffix.lower()
    if suffix == ".onnx":
        return OnnxTeacher(model_path, output_kind, output_name, card, outputs=outputs, n_features=n_features)
    if suffix == ".skops":
        return SklearnTeacher(_load_skops(model_path), source=str(model_path), card=card)
    raise SymtrigError(f"teacher {path}: expected a folder, a .skops or a .onnx file")


def _load_skops(path: Path) -> MLPClassifier:
    """Load a skops file trusting only skops' defaults plus the MLP optimiser types; never unpickle."""
    import skops.io as sio

    try:
        untrusted = set(sio.get_untrusted_types(file=path))
        refused = sorted(untrusted - _SKOPS_EXTRA_TRUSTED)
        if refused:
            raise SymtrigError(
                f"{path.name} contains types a teacher never needs, refusing to load: {refused}"
            )
        model = sio.load(path, trusted=sorted(untrusted))
    except SymtrigError:
        raise
    except Exception as exc:  # zipfile.BadZipFile, KeyError, json errors...: any means "not a skops model"
        raise SymtrigError(f"{path.name} is not a readable skops file ({type(exc).__name__}: {exc})") from exc
    check_mlp(model, path.name)
    return model


def _read_card(path: Path, model_path: Path) -> dict[str, Any]:
    """Read a teacher card and, if it records the model's hash, check that it belongs to ``model_path``."""
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SymtrigError(f"teacher card {path} is not readable JSON: {exc}") from exc
    if not isinstance(card, dict):
        raise SymtrigError(f"teacher card {path} is not a JSON object")
    recorded = card.get("model_sha256")
    if recorded is not None and recorded != hashlib.sha256(model_path.read_bytes()).hexdigest():
        raise SymtrigError(
            f"teacher card {path.name} does not describe {model_path.name} (model hash differs); "
            "retrain with `symtrig teacher`"
        )
    return card
