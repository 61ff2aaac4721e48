"""What the symbolic searches are fitted to: the teacher's per-class score, or the truth labels.

``teacher-logodds`` (the default) distils the teacher's one-vs-rest log-odds ``log(p / (1 - p))`` of the class
probability; ``teacher`` the probability itself; ``teacher-logit`` the centred pre-softmax score; ``truth``
the published recipe's ±1 one-vs-rest labels; ``teacher-score`` a teacher's raw output (a regression: an anomaly
score, say), judged by its fidelity and by how well it finds the teacher's own top :data:`TOP_FRACTION` of
rows. On ±1 labels PySR's L2 margin loss (1 − y·ŷ)² equals the
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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from symtrig.data import Dataset
from symtrig.errors import SymtrigError
from symtrig.teacher import Teacher

TARGETS: tuple[str, ...] = ("teacher", "teacher-logit", "teacher-logodds", "truth", "teacher-score")
#: Targets that need class labels (a classifier teacher, or the labels themselves).
CLASSIFICATION_TARGETS: tuple[str, ...] = ("teacher", "teacher-logit", "teacher-logodds", "truth")

#: Probabilities are clipped to [EPS, 1 - EPS] before taking log-odds, so a saturated softmax stays finite.
EPS = 1e-6

#: ``teacher-score``: the share of rows with the highest teacher score that count as "signal" when a distilled
#: regression is judged: its AUC and background rejection say how well it finds the teacher's own top rows
#: (the trigger's view of an anomaly score: which events it would keep). The threshold is the teacher's
#: (1 - TOP_FRACTION) quantile on the training split, applied to every split.
TOP_FRACTION = 0.01
#: Fewer signal rows than this in a split make an AUC or a rejection a coin toss: refused, not reported.
MIN_SIGNAL_ROWS = 10


@dataclass(frozen=True)
class Targets:
    """Standardized inputs of every split, the ``(n, outputs)`` targets, and what each output is judged on.

    ``teacher_test`` is the teacher's score of the same kind on the test split, the reference of fidelity R²;
    ``reference_test`` the teacher's score every AUC ratio is measured against (its class probability, or its
    raw score for ``teacher-score``); ``signal_val``/``signal_test`` mark, per output, the rows that count as
    signal (the output's class, or the teacher's top :data:`TOP_FRACTION`).
    """

    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray
    train: np.ndarray
    val: np.ndarray
    teacher_test: np.ndarray
    reference_test: np.ndarray
    signal_val: np.ndarray
    signal_test: np.ndarray


def one_vs_rest_signs(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """±1 one-vs-rest labels, shape ``(n, n_classes)``: +1 in the row's own class column, −1 elsewhere."""
    return np.where(np.asarray(labels)[:, None] == np.arange(n_classes)[None, :], 1.0, -1.0)


def log_odds(probabilities: np.ndarray) -> np.ndarray:
    """One-vs-rest log-odds ``log(p / (1 - p))`` of each class: unbounded like a logit, but a monotone map of
    ``p`` itself, so it ranks rows exactly as the teacher's probability does (the centred pre-softmax logit
    does not: it ignores the other classes' scores)."""
    p = np.clip(np.asarray(probabilities, dtype=np.float64), EPS, 1.0 - EPS)
    return np.log(p) - np.log1p(-p)


def outputs_of(kind: str, teacher: Teacher, data: Dataset) -> tuple[str, ...]:
    """The names of the outputs a fit distils: the data's classes, or the teacher's scores for
    ``teacher-score``."""
    if kind == "teacher-score":
        return teacher.classes
    if data.schema.label is None:
        raise SymtrigError(
            f"target {kind} needs class labels; this table has none: use --target teacher-score"
        )
    return data.classes


def signals(
    kind: str, data: Dataset, names: Sequence[str], teacher: Teacher | None = None
) -> dict[str, np.ndarray]:
    """Per split (train, val, test), the rows that count as signal for each of ``names`` (rows x outputs).

    Classification targets: the rows of that class. ``teacher-score``: the rows whose teacher score is at least
    the teacher's (1 - :data:`TOP_FRACTION`) quantile on the training split (a row may be signal for several
    outputs).
    """
    splits = ("train", "val", "test")
    if kind != "teacher-score":
        index = np.array([data.schema.index(n) for n in names])
        return {split: getattr(data, f"y_{split}")[:, None] == index[None, :] for split in splits}
    if teacher is None:
        raise SymtrigError("the signal rows of a teacher-score target need the teacher")
    columns = teacher.columns_of(names)
    scores = {s: teacher.scores(data.standardize(getattr(data, f"X_{s}")))[:, columns] for s in splits}
    threshold = np.quantile(scores["train"], 1.0 - TOP_FRACTION, axis=0)
    signal = {split: values >= threshold for split, values in scores.items()}
    fewest = min(int(rows.sum(axis=0).min()) for rows in signal.values())
    if fewest < MIN_SIGNAL_ROWS:
        raise SymtrigError(
            f"a split holds only {fewest} of the teacher's top {TOP_FRACTION:.0%} rows; a teacher-score fit needs "
            f"at least {MIN_SIGNAL_ROWS} in each split to judge them (a larger table)"
        )
    return signal


def make_targets(kind: str, teacher: Teacher, data: Dataset) -> Targets:
    """Standardize every split once and compute the chosen target and the signal rows of every output."""
    X = {split: data.standardize(getattr(data, f"X_{split}")) for split in ("train", "val", "test")}
    names = outputs_of(kind, teacher, data)
    columns = teacher.columns_of(names)
    scores = {
        "teacher": teacher.predict_proba,
        "teacher-logit": teacher.logits,
        "teacher-logodds": lambda X_std: log_odds(teacher.predict_proba(X_std)),
        "teacher-score": teacher.scores,
    }
    score = scores.get(kind, teacher.predict_proba)
    if kind == "truth":
        train = one_vs_rest_signs(data.y_train, len(names))
        val = one_vs_rest_signs(data.y_val, len(names))
    else:
        train, val = score(X["train"])[:, columns], score(X["val"])[:, columns]
    test = score(X["test"])[:, columns]
    reference = test if kind == "teacher-score" else teacher.predict_proba(X["test"])[:, columns]
    signal = signals(kind, data, names, teacher)
    return Targets(
        X["train"], X["val"], X["test"], train, val, test, reference, signal["val"], signal["test"]
    )
