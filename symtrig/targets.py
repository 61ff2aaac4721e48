"""What the symbolic searches are fitted to: the teacher's per-class score, or the truth labels.

``teacher-logodds`` (the default) distils the teacher's one-vs-rest log-odds ``log(p / (1 - p))`` of the class
probability; ``teacher`` the probability itself; ``teacher-logit`` the centred pre-softmax score; ``truth``
the published recipe's ±1 one-vs-rest labels. On ±1 labels PySR's L2 margin loss (1 − y·ŷ)² equals the
squared error (y − ŷ)², so every engine can fit all of them with plain MSE.

Why log-odds: AUC only depends on ranking. The log-odds rank jets exactly as the teacher's probability does
(so a perfect fit reaches the teacher's AUC), while being unbounded and close to additive in the features,
which a squared-error search fits far better than a probability squeezed into [0, 1]. The centred logit is
as easy to fit but ranks differently from the probability (it ignores the other classes), so its perfect fit
is capped below the teacher's AUC (on the sample: t 0.928 instead of 0.932, w 0.822 instead of 0.853).
Measured on the sample (c_max 40, trig and poly, classes t, q, w): the probability target reached AUC ratios
0.935 / 0.936 / 0.931 (t, q, w) and truth 0.935 / 0.944 / 0.931, against 0.962 / 0.942 / 0.939 for the
logit (30 s searches); log-odds and logit then tied (mean ratio 0.9425 vs 0.9415 over the same 6 searches,
40 generations, refit on).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from symtrig.data import CLASSES, JetData
from symtrig.teacher import Teacher

TARGETS: tuple[str, ...] = ("teacher", "teacher-logit", "teacher-logodds", "truth")

#: Probabilities are clipped to [EPS, 1 - EPS] before taking log-odds, so a saturated softmax stays finite.
EPS = 1e-6


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


def log_odds(probabilities: np.ndarray) -> np.ndarray:
    """One-vs-rest log-odds ``log(p / (1 - p))`` of each class: unbounded like a logit, but a monotone map of
    ``p`` itself, so it ranks jets exactly as the teacher's probability does (the centred pre-softmax logit
    does not: it ignores the other classes' scores)."""
    p = np.clip(np.asarray(probabilities, dtype=np.float64), EPS, 1.0 - EPS)
    return np.log(p) - np.log1p(-p)


def make_targets(kind: str, teacher: Teacher, data: JetData) -> Targets:
    """Standardize every split once and compute the chosen target on train and validation."""
    X = {split: data.standardize(getattr(data, f"X_{split}")) for split in ("train", "val", "test")}
    scores = {
        "teacher-logit": teacher.logits,
        "teacher-logodds": lambda X_std: log_odds(teacher.predict_proba(X_std)),
    }
    score = scores.get(kind, teacher.predict_proba)
    if kind == "truth":
        train, val = one_vs_rest_signs(data.y_train), one_vs_rest_signs(data.y_val)
    else:
        train, val = score(X["train"]), score(X["val"])
    return Targets(
        X["train"], X["val"], X["test"], train, val, score(X["test"]), teacher.predict_proba(X["test"])
    )
