"""The teacher: the reference jet-tagging network whose scores the symbolic expressions are distilled from.

Two kinds of teacher share one interface (:class:`Teacher`):

* :class:`SklearnTeacher` wraps the reference tagger of the anchor work, a 16→64→32→32→5 ReLU network, trained
  here with scikit-learn's :class:`~sklearn.neural_network.MLPClassifier` (:func:`train_teacher`) and saved with
  skops, which restores only an explicit list of allowed types instead of unpickling arbitrary code.
* :class:`OnnxTeacher` runs any ONNX model with onnxruntime, so a Keras or PyTorch tagger trained elsewhere can
  be distilled without this package depending on either framework.

**Input convention (all teachers):** a float array of shape ``(n, 16)`` holding the *standardized* features
``(x - mean) / scale`` in the :data:`symtrig.data.FEATURES` column order, with the scaler fitted on the training
split (:meth:`symtrig.data.JetData.standardize`). **Outputs:** ``(n, 5)`` arrays whose columns follow
:data:`symtrig.data.CLASSES` (g, q, t, w, z).

The distillation target is :meth:`Teacher.logits`: the pre-softmax scores minus their row mean. Centring removes
the one degree of freedom softmax ignores, so each class's target is well defined and a symbolic expression for
it does not have to learn an arbitrary per-jet offset.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from sklearn.neural_network import MLPClassifier

from symtrig.data import CLASSES, FEATURES
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

_HIDDEN_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "identity": lambda z: z,
}


def centre(scores: np.ndarray) -> np.ndarray:
    """Subtract each row's mean: softmax is unchanged, and the per-class target becomes unique."""
    return scores - scores.mean(axis=1, keepdims=True)


class Teacher(ABC):
    """A trained 5-class jet tagger that maps standardized features to class scores.

    Subclasses implement :meth:`predict_proba` and :meth:`logits`, both passing the input through
    :meth:`_check_input` first, because a transposed or truncated array would give plausible-looking garbage
    targets instead of an error.
    """

    n_features: int = len(FEATURES)
    classes: tuple[str, ...] = CLASSES

    def __init__(self, source: str, card: dict[str, Any] | None = None) -> None:
        self.source = source
        #: The JSON card written when the teacher was trained (dataset, metrics, versions); None if unknown.
        self.card = card

    @abstractmethod
    def predict_proba(self, X_std: np.ndarray) -> np.ndarray:
        """Class probabilities, shape ``(n, 5)``, for standardized features in FEATURES order."""

    @abstractmethod
    def logits(self, X_std: np.ndarray) -> np.ndarray:
        """Centred pre-softmax scores, shape ``(n, 5)``: ``softmax(logits(X)) == predict_proba(X)``."""

    def _check_input(self, X_std: np.ndarray) -> np.ndarray:
        X = np.asarray(X_std, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise SymtrigError(
                f"teacher {self.source} expects standardized features of shape (n, {self.n_features}), "
                f"got {X.shape}"
            )
        return X


class SklearnTeacher(Teacher):
    """The reference tagger as a scikit-learn MLPClassifier; logits come straight from its weights."""

    def __init__(self, model: MLPClassifier, source: str, card: dict[str, Any] | None = None) -> None:
        check_mlp(model, source)
        super().__init__(source, card)
        self.model = model

    def predict_proba(self, X_std: np.ndarray) -> np.ndarray:
        """scikit-learn's own probabilities (shape ``(n, 5)``, columns in CLASSES order)."""
        return self.model.predict_proba(self._check_input(X_std))

    def logits(self, X_std: np.ndarray) -> np.ndarray:
        """Centred output-layer pre-activations, recomputed from ``coefs_``/``intercepts_``.

        MLPClassifier exposes only probabilities; the forward pass is repeated here (same weights, same hidden
        activation) and stopped before the output softmax. The test suite checks that softmax of this equals
        :meth:`predict_proba`.
        """
        hidden = _HIDDEN_ACTIVATIONS[self.model.activation]
        h = self._check_input(X_std)
        weights = list(zip(self.model.coefs_, self.model.intercepts_, strict=True))
        for W, b in weights[:-1]:
            h = hidden(h @ W + b)
        W, b = weights[-1]
        return centre(h @ W + b)


def check_mlp(model: object, source: str) -> None:
    """Refuse models the teacher interface cannot serve: wrong type, input width or class set."""
    if not isinstance(model, MLPClassifier):
        raise SymtrigError(f"{source} holds a {type(model).__name__}, expected a scikit-learn MLPClassifier")
    if not hasattr(model, "coefs_"):
        raise SymtrigError(f"{source} holds an MLPClassifier that was never trained")
    if model.n_features_in_ != len(FEATURES):
        raise SymtrigError(f"{source}: model takes {model.n_features_in_} features, expected {len(FEATURES)}")
    if list(model.classes_) != list(range(len(CLASSES))):
        raise SymtrigError(
            f"{source}: model classes are {list(model.classes_)}, expected labels 0..{len(CLASSES) - 1} "
            f"({', '.join(CLASSES)})"
        )
    if model.activation not in _HIDDEN_ACTIVATIONS or model.out_activation_ != "softmax":
        raise SymtrigError(f"{source}: unsupported activations {model.activation}/{model.out_activation_}")
