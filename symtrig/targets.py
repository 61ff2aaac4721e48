"""What the symbolic searches are fitted to: the teacher's per-class score, or the truth labels.

``teacher`` (the default) distils the teacher's class probability; ``teacher-logit`` its centred pre-softmax
score; ``truth`` the published recipe's ±1 one-vs-rest labels. On ±1 labels PySR's L2 margin loss
(1 − y·ŷ)² equals the squared error (y − ŷ)², so every engine can fit all three with plain MSE. The README's
target comparison measured which one gives the best AUC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from symtrig.data import CLASSES, JetData
from symtrig.teacher import Teacher

TARGETS: tuple[str, ...] = ("teacher", "teacher-logit", "truth")


@dataclass(frozen=True)
class Targets:
    """Standardized inputs of every split and the ``(n, 5)`` target of the train and validation splits.

    ``teacher_test`` is the teacher's score of the same kind on the test split, the reference of fidelity R²;
    ``teacher_proba_test`` its class probabilities, the reference of every AUC ratio (a centred logit ranks jets
    differently from the probability, so it is not the teacher's tagging performance).
    """

    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray
    train: np.ndarray
    val: np.ndarray
    teacher_test: np.ndarray
    teacher_proba_test: np.ndarray


def one_vs_rest_signs(labels: np.ndarray) -> np.ndarray:
    """±1 one-vs-rest labels, shape ``(n, 5)``: +1 in the jet's own class column, −1 elsewhere."""
    return np.where(np.asarray(labels)[:, None] == np.arange(len(CLASSES))[None, :], 1.0, -1.0)


def make_targets(kind: str, teacher: Teacher, data: JetData) -> Targets:
    """Standardize every split once and compute the chosen target on train and validation."""
    X = {split: data.standardize(getattr(data, f"X_{split}")) for split in ("train", "val", "test")}
    score = teacher.logits if kind == "teacher-logit" else teacher.predict_proba
    if kind == "truth":
        train, val = one_vs_rest_signs(data.y_train), one_vs_rest_signs(data.y_val)
    else:
        train, val = score(X["train"]), score(X["val"])
    return Targets(X["train"], X["val"], X["test"], train, val, score(X["test"]), teacher.predict_proba(X["test"]))
