"""Training the reference tagger here, scoring it, and the card that records both."""

from __future__ import annotations

import time
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from symtrig.data import CLASSES, FEATURES
from symtrig.errors import SymtrigError
from symtrig.provenance import utc_now, versions
from symtrig.teacher.model import HIDDEN_LAYERS, MLP_SETTINGS, SklearnTeacher, Teacher

if TYPE_CHECKING:
    from symtrig.data import JetData


def train_teacher(data: JetData, seed: int) -> tuple[SklearnTeacher, dict[str, Any]]:
    """Train the reference 64-32-32 ReLU tagger on the standardized training split.

    Early stopping uses MLPClassifier's own hold-out (10 % of the training split, drawn with ``seed``) rather
    than ``data``'s validation split, so the validation split stays untouched for choosing among symbolic
    expressions later. Returns the teacher and a dict describing the training (settings, epochs, time).
    """
    X = data.standardize(data.X_train)
    y = np.asarray(data.y_train)
    missing = sorted(set(range(len(CLASSES))) - set(np.unique(y).tolist()))
    if missing:
        raise SymtrigError(
            f"training split has no jets of class {', '.join(CLASSES[i] for i in missing)}; "
            "the teacher needs all five classes"
        )
    model = MLPClassifier(random_state=seed, **MLP_SETTINGS)
    start = time.perf_counter()
    # One BLAS thread: with 256-row batches through 64-wide layers, threading costs more than it gains
    # (measured 0.09 s vs 0.5 s per epoch on 12k jets with batches of 256, 2 shared cores).
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore", ConvergenceWarning)  # recorded below as stopped_early = False
        model.fit(X, y)
    seconds = time.perf_counter() - start
    training = {
        "architecture": [len(FEATURES), *HIDDEN_LAYERS, len(CLASSES)],
        "settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in MLP_SETTINGS.items()},
        "early_stopping": "MLPClassifier hold-out: 10% of the training split",
        "n_iter": int(model.n_iter_),
        "stopped_early": bool(model.n_iter_ < MLP_SETTINGS["max_iter"]),
        "best_holdout_accuracy": float(model.best_validation_score_),
        "train_seconds": round(seconds, 3),
        "n_train": len(y),
    }
    return SklearnTeacher(model, source="trained in memory"), training


def evaluate_teacher(teacher: Teacher, data: JetData, split: str = "test") -> dict[str, Any]:
    """One-vs-rest ROC AUC per class and 5-class accuracy of ``teacher`` on one split of ``data``."""
    if split not in ("train", "val", "test"):
        raise SymtrigError(f"split must be train, val or test, not {split!r}")
    X = getattr(data, f"X_{split}")
    y = np.asarray(getattr(data, f"y_{split}"))
    proba = teacher.predict_proba(data.standardize(X))
    auc = {}
    for k, name in enumerate(teacher.classes):
        is_k = y == k
        if is_k.all() or not is_k.any():
            raise SymtrigError(f"{split} split needs jets both in and outside class {name} to compute an AUC")
        auc[name] = float(roc_auc_score(is_k, proba[:, k]))
    return {
        "split": split,
        "n": len(y),
        "auc": auc,
        "accuracy": float(accuracy_score(y, proba.argmax(axis=1))),
    }


def make_card(teacher: SklearnTeacher, data: JetData, seed: int, training: dict[str, Any]) -> dict[str, Any]:
    """The JSON card saved next to the model: what it was trained on, how, and how well it does on test."""
    metrics = evaluate_teacher(teacher, data, "test")
    return {
        "kind": "sklearn-mlp",
        "auc": metrics["auc"],
        "accuracy": metrics["accuracy"],
        "n_test": metrics["n"],
        "seed": seed,
        "dataset": data.describe(),
        "classes": list(CLASSES),
        "features": list(FEATURES),
        "input": "standardized features (x - mean) / scale in FEATURES order; scaler fitted on the training split",
        "standardization": {
            "mean": np.asarray(data.mean_).tolist(),
            "scale": np.asarray(data.scale_).tolist(),
        },
        "training": training,
        "versions": versions(),
        "created": utc_now(),
    }
