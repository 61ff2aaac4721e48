"""Training the reference tagger here, scoring it, and the card that records both."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from symtrig.errors import SymtrigError
from symtrig.provenance import utc_now, versions
from symtrig.teacher.model import HIDDEN_LAYERS, MLP_SETTINGS, SklearnTeacher, Teacher

if TYPE_CHECKING:
    from symtrig.data import Dataset


def train_teacher(
    data: Dataset, seed: int, say: Callable[[str], None] = lambda _line: None
) -> tuple[SklearnTeacher, dict[str, Any]]:
    """Train the reference 64-32-32 ReLU tagger on the standardized training split.

    Early stopping uses MLPClassifier's own hold-out (10 % of the training split, drawn with ``seed``) rather
    than ``data``'s validation split, so the validation split stays untouched for choosing among symbolic
    expressions later. Returns the teacher and a dict describing the training (settings, epochs, time).
    """
    if data.schema.label is None:
        raise SymtrigError(
            "a teacher is trained on labels; this table has none (--label none): pass --teacher"
        )
    X = data.standardize(data.X_train)
    y = np.asarray(data.y_train)
    missing = sorted(set(range(len(data.classes))) - set(np.unique(y).tolist()))
    if missing:
        raise SymtrigError(
            f"training split has no rows of class {', '.join(data.classes[i] for i in missing)}; "
            "the teacher needs every class"
        )
    model = MLPClassifier(random_state=seed, **MLP_SETTINGS)
    say(
        f"training the teacher ({len(data.features)}-{'-'.join(map(str, HIDDEN_LAYERS))}-{len(data.classes)} "
        f"ReLU network) on {len(y)} rows of {data.label}"
    )
    start = time.perf_counter()
    # One BLAS thread: with 256-row batches through 64-wide layers, threading costs more than it gains
    # (measured 0.09 s vs 0.5 s per epoch on 12k jets with batches of 256, 2 shared cores).
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore", ConvergenceWarning)  # recorded below as stopped_early = False
        model.fit(X, y)
    seconds = time.perf_counter() - start
    training = {
        "architecture": [len(data.features), *HIDDEN_LAYERS, len(data.classes)],
        "settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in MLP_SETTINGS.items()},
        "early_stopping": "MLPClassifier hold-out: 10% of the training split",
        "n_iter": int(model.n_iter_),
        "stopped_early": bool(model.n_iter_ < MLP_SETTINGS["max_iter"]),
        "best_holdout_accuracy": float(model.best_validation_score_),
        "train_seconds": round(seconds, 3),
        "n_train": len(y),
    }
    say(f"trained in {seconds:.1f} s ({model.n_iter_} epochs)")
    card = {"classes": list(data.classes), "features": list(data.features)}
    return SklearnTeacher(model, source="trained in memory", card=card), training


def evaluate_teacher(teacher: Teacher, data: Dataset, split: str = "test") -> dict[str, Any]:
    """One-vs-rest ROC AUC per class and multi-class accuracy of ``teacher`` on one split of ``data``."""
    if split not in ("train", "val", "test"):
        raise SymtrigError(f"split must be train, val or test, not {split!r}")
    X = getattr(data, f"X_{split}")
    y = np.asarray(getattr(data, f"y_{split}"))
    proba = teacher.predict_proba(data.standardize(X))[:, teacher.columns_of(data.classes)]
    auc = {}
    for k, name in enumerate(data.classes):
        is_k = y == k
        if is_k.all() or not is_k.any():
            raise SymtrigError(f"{split} split needs rows both in and outside class {name} to compute an AUC")
        auc[name] = float(roc_auc_score(is_k, proba[:, k]))
    return {
        "split": split,
        "n": len(y),
        "auc": auc,
        "accuracy": float(accuracy_score(y, proba.argmax(axis=1))),
    }


def make_card(teacher: SklearnTeacher, data: Dataset, seed: int, training: dict[str, Any]) -> dict[str, Any]:
    """The JSON card saved next to the model: what it was trained on, how, and how well it does on test."""
    metrics = evaluate_teacher(teacher, data, "test")
    return {
        "kind": "sklearn-mlp",
        "auc": metrics["auc"],
        "accuracy": metrics["accuracy"],
        "n_test": metrics["n"],
        "seed": seed,
        "dataset": data.describe(),
        "classes": list(data.classes),
        "features": list(data.features),
        "input": "standardized features (x - mean) / scale in 'features' order; scaler fitted on the training split",
        "standardization": {
            "mean": np.asarray(data.mean_).tolist(),
            "scale": np.asarray(data.scale_).tolist(),
        },
        "training": training,
        "versions": versions(),
        "created": utc_now(),
    }
