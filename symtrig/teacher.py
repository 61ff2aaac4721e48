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

import hashlib
import json
import time
import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy.special import softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from symtrig import atomic
from symtrig.data import CLASSES, FEATURES
from symtrig.errors import SymtrigError
from symtrig.provenance import utc_now, versions

if TYPE_CHECKING:
    from symtrig.data import JetData

#: Hidden layers of the reference tagger (anchor work §3: Dense 64-32-32 ReLU, 5-way softmax).
HIDDEN_LAYERS: tuple[int, ...] = (64, 32, 32)
#: Default output folder of ``symtrig teacher``.
DEFAULT_TEACHER_DIR = Path("expressions/teacher")
MODEL_FILE = "teacher.skops"
CARD_FILE = "teacher.json"

#: Types a saved MLP needs beyond skops' own default-trusted set (scikit-learn estimators, numpy arrays and
#: scalars): the optimiser state MLPClassifier keeps after fitting. Anything else in a file is refused.
_SKOPS_EXTRA_TRUSTED: frozenset[str] = frozenset(
    {
        "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
        "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    }
)

#: Training settings, tuned on the bundled sample (20k simulated jets, split seed 0, scored on the validation
#: split). With a patience of 10 the noisy 1,200-jet hold-out stopped training at epoch 33, short of the
#: plateau; lr 3e-3, batches of 512 and a patience of 20 gain about 0.015 in accuracy and 0.005-0.02 in AUC and
#: still train in about 15 s on one core. A gradient-boosted tree ensemble scores no better on these
#: features, so the network is near what they allow.
_MLP_SETTINGS: dict[str, Any] = {
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

#: Probabilities below this are clipped before taking logs, so an ONNX model that outputs (float32)
#: probabilities gives finite logits; it is float32's smallest normal number, where its softmax underflows anyway.
_PROB_FLOOR = float(np.finfo(np.float32).tiny)

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
        _check_mlp(model, source)
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


def _check_mlp(model: object, source: str) -> None:
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


OutputKind = Literal["auto", "probabilities", "logits"]


class OnnxTeacher(Teacher):
    """An ONNX tagger run by onnxruntime (e.g. a Keras model via tf2onnx, or ``torch.onnx.export``).

    The model must have one input of shape ``(batch, 16)`` taking standardized features in FEATURES order, and
    one float output of shape ``(batch, 5)`` in CLASSES order (extra non-float outputs, such as a label, are
    ignored; a skl2onnx export needs ``zipmap=False``). A fixed batch size is handled by running in chunks.

    ``output_kind`` says what that output holds. With ``"auto"`` it is decided once, at load time, on a fixed
    probe of 256 seeded standard-normal rows: if every row is non-negative and sums to 1 (within 1e-4) the
    output is taken as probabilities, otherwise as logits. Logits of a probability model are the centred log
    probabilities (exact up to the model's float rounding; probabilities that underflow are floored at
    float32's smallest normal number).
    """

    def __init__(
        self,
        path: str | Path,
        output_kind: OutputKind = "auto",
        output_name: str | None = None,
        card: dict[str, Any] | None = None,
    ) -> None:
        path = Path(path)
        super().__init__(str(path), card)
        self.session = _open_onnx(path)
        self._input, self._batch, self._dtype = _onnx_input(self.session, path.name, self.n_features)
        self._output = _onnx_output(self.session, path.name, output_name, len(self.classes))
        probe = np.random.default_rng(0).standard_normal((256, self.n_features))
        raw = self._run(probe)
        if output_kind == "auto":
            output_kind = "probabilities" if _looks_like_probabilities(raw) else "logits"
        if output_kind not in ("probabilities", "logits"):
            raise SymtrigError(
                f"output kind must be 'auto', 'probabilities' or 'logits', not {output_kind!r}"
            )
        self.output_kind: OutputKind = output_kind

    def predict_proba(self, X_std: np.ndarray) -> np.ndarray:
        """The model's probabilities, or the softmax of its logits."""
        raw = self._run(self._check_input(X_std))
        return raw if self.output_kind == "probabilities" else softmax(raw, axis=1)

    def logits(self, X_std: np.ndarray) -> np.ndarray:
        """The model's logits, or the log of its probabilities; centred either way."""
        raw = self._run(self._check_input(X_std))
        if self.output_kind == "probabilities":
            raw = np.log(np.clip(raw, _PROB_FLOOR, None))
        return centre(raw)

    def _run(self, X: np.ndarray) -> np.ndarray:
        """Evaluate the model on all rows (in fixed-size chunks if its batch size is fixed), as float64."""
        X = X.astype(self._dtype, copy=False)
        if self._batch is None:
            out = self._run_once(X)
        else:
            out = np.concatenate(
                [self._run_chunk(X[i : i + self._batch]) for i in range(0, len(X), self._batch)]
            )
        if out.shape != (len(X), len(self.classes)):
            raise SymtrigError(
                f"{Path(self.source).name}: output '{self._output}' has shape {out.shape}, "
                f"expected ({len(X)}, {len(self.classes)})"
            )
        return out.astype(np.float64)

    def _run_chunk(self, X: np.ndarray) -> np.ndarray:
        n = len(X)
        padded = np.zeros((self._batch, X.shape[1]), dtype=X.dtype)
        padded[:n] = X
        return self._run_once(padded)[:n]

    def _run_once(self, X: np.ndarray) -> np.ndarray:
        try:
            (out,) = self.session.run([self._output], {self._input: X})
        except Exception as exc:  # onnxruntime raises its own non-standard exception classes
            raise SymtrigError(
                f"{Path(self.source).name}: onnxruntime failed to run the model: {exc}"
            ) from exc
        return np.asarray(out)


def _open_onnx(path: Path):
    import onnxruntime as ort

    if not path.is_file():
        raise SymtrigError(f"ONNX teacher {path} does not exist")
    options = ort.SessionOptions()
    options.log_severity_level = 3  # errors only: a warning banner per load is noise for users
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # InvalidProtobuf, InvalidGraph, Fail, ...: all mean "not a usable ONNX model"
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SymtrigError(f"{path.name} is not a usable ONNX model: {first_line}") from exc


def _onnx_input(session, name: str, n_features: int) -> tuple[str, int | None, type]:
    """The single input's name, its fixed batch size (None if dynamic) and dtype, after checking its shape."""
    inputs = session.get_inputs()
    if len(inputs) != 1:
        raise SymtrigError(
            f"{name}: expected 1 input of shape (batch, {n_features}), found {len(inputs)} inputs"
        )
    spec = inputs[0]
    shape = list(spec.shape)
    if len(shape) != 2 or (isinstance(shape[1], int) and shape[1] != n_features):
        raise SymtrigError(f"{name}: expected input shape (batch, {n_features}), found {tuple(shape)}")
    dtypes = {"tensor(float)": np.float32, "tensor(double)": np.float64}
    if spec.type not in dtypes:
        raise SymtrigError(f"{name}: expected a float input, found {spec.type}")
    batch = shape[0] if isinstance(shape[0], int) and shape[0] > 0 else None
    return spec.name, batch, dtypes[spec.type]


def _onnx_output(session, name: str, wanted: str | None, n_classes: int) -> str:
    """The output holding the class scores: the named one, or the only float output of width ``n_classes``."""
    outputs = session.get_outputs()
    if wanted is not None:
        names = [o.name for o in outputs]
        if wanted not in names:
            raise SymtrigError(f"{name}: no output named {wanted!r}; outputs are {names}")
        candidates = [o for o in outputs if o.name == wanted]
    else:
        candidates = [o for o in outputs if o.type in ("tensor(float)", "tensor(double)")]
    candidates = [o for o in candidates if len(o.shape) == 2]
    fitting = [o for o in candidates if not isinstance(o.shape[1], int) or o.shape[1] == n_classes]
    if len(fitting) == 1:
        return fitting[0].name
    found = ", ".join(f"{o.name} {o.type} {tuple(o.shape)}" for o in outputs)
    if not fitting:
        raise SymtrigError(f"{name}: expected a float output of shape (batch, {n_classes}), found: {found}")
    raise SymtrigError(f"{name}: several outputs could hold the class scores ({found}); choose one by name")


def _looks_like_probabilities(raw: np.ndarray) -> bool:
    return bool(np.all(raw >= 0.0) and np.allclose(raw.sum(axis=1), 1.0, atol=1e-4))


# --------------------------------------------------------------------------------------------- training


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
    model = MLPClassifier(random_state=seed, **_MLP_SETTINGS)
    start = time.perf_counter()
    # One BLAS thread: with 256-row batches through 64-wide layers, threading costs more than it gains
    # (measured 0.09 s vs 0.5 s per epoch on 12k jets with batches of 256, 2 shared cores).
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore", ConvergenceWarning)  # recorded below as stopped_early = False
        model.fit(X, y)
    seconds = time.perf_counter() - start
    training = {
        "architecture": [len(FEATURES), *HIDDEN_LAYERS, len(CLASSES)],
        "settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in _MLP_SETTINGS.items()},
        "early_stopping": "MLPClassifier hold-out: 10% of the training split",
        "n_iter": int(model.n_iter_),
        "stopped_early": bool(model.n_iter_ < _MLP_SETTINGS["max_iter"]),
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


# --------------------------------------------------------------------------------------------- saving / loading


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
    path: str | Path, output_kind: OutputKind = "auto", output_name: str | None = None
) -> SklearnTeacher | OnnxTeacher:
    """Load a teacher from a folder holding ``teacher.skops``, a ``.skops`` file or a ``.onnx`` file.

    A card is read when present: ``teacher.json`` in the folder, else ``<file stem>.json`` next to the file.
    ``output_kind``/``output_name`` apply to ONNX models only (see :class:`OnnxTeacher`).
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
        return OnnxTeacher(model_path, output_kind=output_kind, output_name=output_name, card=card)
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
    _check_mlp(model, path.name)
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


# --------------------------------------------------------------------------------------------- data match


@dataclass
class TeacherMatch:
    """Whether a teacher fits a dataset: ``problems`` make it unusable without ``force``; ``notes`` inform."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def teacher_matches_data(teacher: Teacher, data: JetData) -> TeacherMatch:
    """Compare a teacher's card with ``data``: same dataset fingerprint and the same standardization.

    A teacher trained on other jets (or another split, hence another scaler) still runs, but its scores
    would be distillation targets for a different input distribution; the fit stage refuses it unless forced.
    """
    match = TeacherMatch()
    n_cols = np.asarray(data.X_train).shape[1]
    if n_cols != teacher.n_features:
        match.problems.append(f"teacher takes {teacher.n_features} features, data has {n_cols}")
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


def _same_scaler(scaler: dict[str, Any], data: JetData) -> bool:
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


def require_matching_teacher(teacher: Teacher, data: JetData, force: bool = False) -> list[str]:
    """Raise SymtrigError if the teacher does not match ``data`` (unless ``force``); return messages to show.

    A feature-count mismatch cannot be forced: the teacher could not even run.
    """
    match = teacher_matches_data(teacher, data)
    n_cols = np.asarray(data.X_train).shape[1]
    if n_cols != teacher.n_features:
        raise SymtrigError(match.problems[0])
    if match.problems and not force:
        raise SymtrigError(
            "; ".join(match.problems) + "; retrain with `symtrig teacher` on this data, or pass --force"
        )
    return match.problems + match.notes
