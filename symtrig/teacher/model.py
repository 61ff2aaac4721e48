"""The teacher: the reference jet-tagging network whose scores the symbolic expressions are distilled from.

Two kinds of teacher share one interface (:class:`Teacher`):

* :class:`SklearnTeacher` wraps the reference tagger of the anchor work, a 16→64→32→32→5 ReLU network, trained
  here with scikit-learn's :class:`~sklearn.neural_network.MLPClassifier` (:func:`train_teacher`) and saved with
  skops, which restores only an explicit list of allowed types instead of unpickling arbitrary code.
* :class:`OnnxTeacher` runs any ONNX model with onnxruntime, so a Keras or PyTorch tagger trained elsewhere can
  be distilled without this package depending on either framework.

**Input convention (all teachers):** a float array of shape ``(n, 16)`` holding the *standardized* features
``(x - mean) / scale`` in the :data:`symtrig.data.FEATURES` column order, with the scaler fitted on the training
split (:meth:`symtrig.data.Dataset.standardize`). **Outputs:** ``(n, 5)`` arrays whose columns follow
:data:`symtrig.data.CLASSES` (g, q, t, w, z).

The distillation target is :meth:`Teacher.logits`: the pre-softmax scores minus their row mean. Centring removes
the one degree of freedom softmax ignores, so each class's target is well defined and a symbolic expression for
it does not have to learn an arbitrary per-jet offset.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.neural_network import MLPClassifier

from symtrig.data import CLASSES
from symtrig.errors import SymtrigError

#: Hidden layers of the reference tagger (anchor work §3: Dense 64-32-32 ReLU, 5-way softmax).
HIDDEN_LAYERS: tuple[int, ...] = (64, 32, 32)

#: Training settings, tuned on the bundled sample (20k simulated jets, split seed 0, scored on the validation
#: split). With a patience of 10 the noisy 1,200-jet hold-out stopped training at epoch 33, short of the
#: plateau; lr 3e-3, batches of 512 and a patience of 20 gain about 0.015 in accuracy and 0.005-0.02 in AUC and
#: still train in about 15 s on one core. A gradient-boosted tree ensemble scores no better on these
#: features, so the network is near what they allow.
MLP_SETTINGS: dict[str, Any] = {
    "hidden_layer_sizes": HIDDEN_LAYERS,
    "activation": "relu",
    "solver": "adam",
    "alpha": 1e-4,
    "batch_size": 512,
    "learning_rate_init": 3e-3,
    "max_iter": 200,
    "early_stopping": True,
    "validation_fraction": 0.1,
    "n_iter_no_change": 20,
    "tol": 1e-4,
}

_HIDDEN_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "identity": lambda z: z,
}


def centre(scores: np.ndarray) -> np.ndarray:
    """Subtract each row's mean: softmax is unchanged, and the per-class target becomes unique."""
    return scores - scores.mean(axis=1, keepdims=True)


class Teacher(ABC):
    """A trained tagger that maps standardized features to one score per output (class).

    ``n_features`` is its input width and ``classes`` the names of its output columns, in order. Subclasses
    implement :meth:`predict_proba` and :meth:`logits` (classifiers) or :meth:`scores` (any model), each passing
    the input through :meth:`_check_input` first, because a transposed or truncated array would give
    plausible-looking garbage targets instead of an error.
    """

    def __init__(
        self, source: str, n_features: int, classes: tuple[str, ...], card: dict[str, Any] | None = None
    ) -> None:
        self.source = source
        self.n_features = n_features
        self.classes = classes
        #: The JSON card written when the teacher was trained (dataset, metrics, versions); None if unknown.
        self.card = card

    @abstractmethod
    def predict_proba(self, X_std: np.ndarray) -> np.ndarray:
        """Class probabilities, shape ``(n, len(classes))``, for standardized features in schema order."""

    @abstractmethod
    def logits(self, X_std: np.ndarray) -> np.ndarray:
        """Centred pre-softmax scores: ``softmax(logits(X)) == predict_proba(X)``."""

    def scores(self, X_std: np.ndarray) -> np.ndarray:
        """The model's own output (a regressor's score; a classifier's probabilities)."""
        return self.predict_proba(X_std)

    def columns_of(self, names: Sequence[str]) -> list[int]:
        """The output columns of ``names``, matched by name; a one-line error names what is missing."""
        missing = [n for n in names if n not in self.classes]
        if missing:
            raise SymtrigError(
                f"teacher {self.source} has no output for {', '.join(missing)}; its outputs are "
                f"{', '.join(self.classes)} (name them with --teacher-outputs)"
            )
        return [self.classes.index(n) for n in names]

    def _check_input(self, X_std: np.ndarray) -> np.ndarray:
        X = np.asarray(X_std, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise SymtrigError(
                f"teacher {self.source} expects standardized features of shape (n, {self.n_features}), "
                f"got {X.shape}"
            )
        return X


class SklearnTeacher(Teacher):
    """The reference tagger as a scikit-learn MLPClassifier; logits come straight from its weights.

    Its output names are the card's ``classes`` (the data's class names when it was trained here), or the jet
    classes for a five-output model without a card.
    """

    def __init__(self, model: MLPClassifier, source: str, card: dict[str, Any] | None = None) -> None:
        check_mlp(model, source)
        names = tuple(str(c) for c in (card or {}).get("classes") or ()) or _default_names(
            len(model.classes_)
        )
        if len(names) != len(model.classes_):
            raise SymtrigError(
                f"{source}: its card names {len(names)} classes, the model has {len(model.classes_)}"
            )
        super().__init__(source, int(model.n_features_in_), names, card)
        self.model = model

    def predict_proba(self, X_std: np.ndarray) -> np.ndarray:
        """scikit-learn's own probabilities, columns in ``classes`` order."""
        return self.model.predict_proba(self._check_input(X_std))

    def logits(self, X_std: np.ndarray) -> np.ndarray:
        """Centred output-layer pre-activations, recomputed from ``coefs_``/``intercepts_``.

        MLPClassifier exposes only probabilities; the forward pass is repeated here (same weights, same hidden
        activation) and stopped before the output softmax. A two-class model has one logistic output ``z``,
        whose two-class logits are ``(-z/2, z/2)``. The test suite checks that softmax of this equals
        :meth:`predict_proba`.
        """
        hidden = _HIDDEN_ACTIVATIONS[self.model.activation]
        h = self._check_input(X_std)
        weights = list(zip(self.model.coefs_, self.model.intercepts_, strict=True))
        for W, b in weights[:-1]:
            h = hidden(h @ W + b)
        W, b = weights[-1]
        z = h @ W + b
        return centre(np.hstack([-z, z]) if self.model.out_activation_ == "logistic" else z)


def _default_names(n_classes: int) -> tuple[str, ...]:
    return CLASSES if n_classes == len(CLASSES) else tuple(str(i) for i in range(n_classes))


def check_mlp(model: object, source: str) -> None:
    """Refuse models the teacher interface cannot serve: wrong type, untrained, labels not 0..k-1."""
    if not isinstance(model, MLPClassifier):
        raise SymtrigError(f"{source} holds a {type(model).__name__}, expected a scikit-learn MLPClassifier")
    if not hasattr(model, "coefs_"):
        raise SymtrigError(f"{source} holds an MLPClassifier that was never trained")
    if list(model.classes_) != list(range(len(model.classes_))):
        raise SymtrigError(
            f"{source}: model classes are {list(model.classes_)[:10]}, expected labels 0..{len(model.classes_) - 1}"
        )
    if model.activation not in _HIDDEN_ACTIVATIONS or model.out_activation_ not in ("softmax", "logistic"):
        raise SymtrigError(f"{source}: unsupported activations {model.activation}/{model.out_activation_}")
