"""A teacher trained elsewhere: any ONNX tagger, run by onnxruntime (which executes no Python)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from scipy.special import softmax

from symtrig.data import CLASSES
from symtrig.errors import SymtrigError
from symtrig.teacher.model import Teacher, centre

#: Probabilities below this are clipped before taking logs, so an ONNX model that outputs (float32)
#: probabilities gives finite logits; it is float32's smallest normal number, where its softmax underflows anyway.
_PROB_FLOOR = float(np.finfo(np.float32).tiny)


OutputKind = Literal["auto", "probabilities", "logits", "score"]


class OnnxTeacher(Teacher):
    """An ONNX model run by onnxruntime (e.g. a Keras model via tf2onnx, or ``torch.onnx.export``).

    The model must have one float input of shape ``(batch, n_features)`` taking standardized features in the
    data's column order, and one float output of shape ``(batch, k)`` (extra non-float outputs, such as a label,
    are ignored; a skl2onnx export needs ``zipmap=False``). A fixed batch size is handled by running in chunks.
    Its ``k`` output columns are named by ``outputs`` (``--teacher-outputs``), else by its card, else the jet
    classes when ``k`` is 5, else ``0..k-1``; classes are matched to them by name.

    ``output_kind`` says what that output holds. With ``"auto"`` it is decided once, at load time, on a fixed
    probe of 256 seeded standard-normal rows: one column is a ``score`` (a regressor, e.g. an anomaly score);
    rows that are non-negative and sum to 1 (within 1e-4) are probabilities; anything else is logits. Logits of
    a probability model are the centred log probabilities (probabilities that underflow are floored at
    float32's smallest normal number).
    """

    def __init__(
        self,
        path: str | Path,
        output_kind: OutputKind = "auto",
        output_name: str | None = None,
        card: dict[str, Any] | None = None,
        *,
        outputs: Sequence[str] | None = None,
        n_features: int | None = None,
    ) -> None:
        path = Path(path)
        self.source = str(path)
        self.session = _open_onnx(path)
        self._input, self._batch, self._dtype, width = _onnx_input(self.session, path.name, n_features)
        self._output = _onnx_output(self.session, path.name, output_name, len(outputs) if outputs else None)
        probe = np.random.default_rng(0).standard_normal((256, width))
        raw = self._run(probe)
        names = _output_names(raw.shape[1], outputs, card, path.name)
        super().__init__(str(path), width, names, card)
        if output_kind == "auto":
            output_kind = (
                "score"
                if raw.shape[1] == 1
                else "probabilities"
                if _looks_like_probabilities(raw)
                else "logits"
            )
        if output_kind not in ("probabilities", "logits", "score"):
            raise SymtrigError(
                f"output kind must be 'auto', 'probabilities', 'logits' or 'score', not {output_kind!r}"
            )
        self.output_kind: OutputKind = output_kind

    def predict_proba(self, X_std: np.ndarray) -> np.ndarray:
        """The model's probabilities, or the softmax of its logits."""
        raw = self._run(self._check_input(X_std))
        return raw if self.output_kind == "probabilities" else softmax(self._logit_like(raw), axis=1)

    def logits(self, X_std: np.ndarray) -> np.ndarray:
        """The model's logits, or the log of its probabilities; centred either way."""
        raw = self._logit_like(self._run(self._check_input(X_std)))
        if self.output_kind == "probabilities":
            raw = np.log(np.clip(raw, _PROB_FLOOR, None))
        return centre(raw)

    def scores(self, X_std: np.ndarray) -> np.ndarray:
        """The model's raw output columns (a regressor's scores)."""
        return self._run(self._check_input(X_std))

    def _logit_like(self, raw: np.ndarray) -> np.ndarray:
        if self.output_kind == "score":
            raise SymtrigError(
                f"{Path(self.source).name} outputs a score, not class probabilities; use --target teacher-score"
            )
        return raw

    def _run(self, X: np.ndarray) -> np.ndarray:
        """Evaluate the model on all rows (in fixed-size chunks if its batch size is fixed), as float64."""
        X, batch = X.astype(self._dtype, copy=False), self._batch
        if batch is None:
            out = self._run_once(X)
        else:
            out = np.concatenate([self._run_chunk(X[i : i + batch], batch) for i in range(0, len(X), batch)])
        out = out.reshape(len(X), -1) if out.ndim == 1 else out
        if out.ndim != 2 or len(out) != len(X):
            raise SymtrigError(
                f"{Path(self.source).name}: output '{self._output}' has shape {out.shape}, expected ({len(X)}, k)"
            )
        return out.astype(np.float64)

    def _run_chunk(self, X: np.ndarray, batch: int) -> np.ndarray:
        n = len(X)
        padded = np.zeros((batch, X.shape[1]), dtype=X.dtype)
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
    try:
        import onnxruntime as ort  # optional (the onnx extra): only ONNX teachers need it
    except ImportError as exc:
        raise SymtrigError("loading an ONNX teacher needs onnxruntime: pip install 'symtrig[onnx]'") from exc

    if not path.is_file():
        raise SymtrigError(f"ONNX teacher {path} does not exist")
    options = ort.SessionOptions()
    options.log_severity_level = 3  # errors only: a warning banner per load is noise for users
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # InvalidProtobuf, InvalidGraph, Fail, ...: all mean "not a usable ONNX model"
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SymtrigError(f"{path.name} is not a usable ONNX model: {first_line}") from exc


def _onnx_input(session, name: str, n_features: int | None) -> tuple[str, int | None, type, int]:
    """The single input's name, fixed batch size (None if dynamic), dtype and width, after checking its shape.

    The width is the model's own when it is fixed, else ``n_features`` (the data's).
    """
    inputs = session.get_inputs()
    if len(inputs) != 1:
        raise SymtrigError(f"{name}: expected 1 input of shape (batch, features), found {len(inputs)} inputs")
    spec = inputs[0]
    shape = list(spec.shape)
    fixed = shape[1] if len(shape) == 2 and isinstance(shape[1], int) else None
    if len(shape) != 2 or (fixed is not None and n_features is not None and fixed != n_features):
        raise SymtrigError(
            f"{name}: expected input shape (batch, {n_features or 'features'}), found {tuple(shape)}"
        )
    width = fixed if fixed is not None else n_features
    if width is None:
        raise SymtrigError(
            f"{name}: the input width is not fixed in the model; load it with the data it takes"
        )
    dtypes = {"tensor(float)": np.float32, "tensor(double)": np.float64}
    if spec.type not in dtypes:
        raise SymtrigError(f"{name}: expected a float input, found {spec.type}")
    batch = shape[0] if isinstance(shape[0], int) and shape[0] > 0 else None
    return spec.name, batch, dtypes[spec.type], width


def _onnx_output(session, name: str, wanted: str | None, n_outputs: int | None) -> str:
    """The output holding the scores: the named one, or the only 2-D float output (of width ``n_outputs``
    when that is known)."""
    outputs = session.get_outputs()
    if wanted is not None:
        names = [o.name for o in outputs]
        if wanted not in names:
            raise SymtrigError(f"{name}: no output named {wanted!r}; outputs are {names}")
        candidates = [o for o in outputs if o.name == wanted]
    else:
        candidates = [o for o in outputs if o.type in ("tensor(float)", "tensor(double)")]
    candidates = [o for o in candidates if len(o.shape) in (1, 2)]
    fitting = [
        o
        for o in candidates
        if n_outputs is None
        or len(o.shape) == 1
        or not isinstance(o.shape[1], int)
        or o.shape[1] == n_outputs
    ]
    if len(fitting) == 1:
        return fitting[0].name
    found = ", ".join(f"{o.name} {o.type} {tuple(o.shape)}" for o in outputs)
    if not fitting:
        raise SymtrigError(
            f"{name}: expected a float output of shape (batch, {n_outputs or 'k'}), found: {found}"
        )
    raise SymtrigError(f"{name}: several outputs could hold the scores ({found}); choose one by name")


def _output_names(
    width: int, outputs: Sequence[str] | None, card: dict[str, Any] | None, name: str
) -> tuple[str, ...]:
    """Names of the model's output columns: as given, from its card, or the defaults (jet classes for 5)."""
    names = tuple(outputs or (card or {}).get("classes") or ())
    if not names:
        names = (
            CLASSES
            if width == len(CLASSES)
            else ("score",)
            if width == 1
            else tuple(str(i) for i in range(width))
        )
    if len(names) != width:
        raise SymtrigError(f"{name}: {len(names)} output name(s) given for {width} output column(s)")
    return names


def _looks_like_probabilities(raw: np.ndarray) -> bool:
    return bool(np.all(raw >= 0.0) and np.allclose(raw.sum(axis=1), 1.0, atol=1e-4))
