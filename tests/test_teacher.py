"""The teacher: training is seeded, logits match probabilities, saving/loading is safe, ONNX models plug in."""

from __future__ import annotations

import fractions
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from scipy.special import softmax
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from symtrig import teacher as T
from symtrig.cli import main
from symtrig.data import CLASSES, FEATURES, Dataset, split_table, validate_frame
from symtrig.errors import SymtrigError

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402


def _jet_frame(n: int = 2500, seed: int = 0) -> pd.DataFrame:
    """Synthetic stand-in for jets: 16 learnable features on non-unit scales, 5 balanced classes."""
    X, y = make_classification(
        n, 16, n_informative=10, n_redundant=3, n_classes=5, n_clusters_per_class=2, random_state=seed
    )
    frame = pd.DataFrame(X * np.arange(1, 17) + 5.0, columns=list(FEATURES))
    frame["class"] = np.asarray(CLASSES)[y]
    return frame


def _jets(seed: int = 0, frame_seed: int = 0) -> Dataset:
    return split_table(
        validate_frame(_jet_frame(seed=frame_seed), name="synthetic", simulated=True), seed=seed
    )


@pytest.fixture(scope="module")
def data() -> Dataset:
    return _jets()


@pytest.fixture(scope="module")
def trained(data: Dataset) -> tuple[T.SklearnTeacher, dict]:
    teacher, training = T.train_teacher(data, seed=0)
    return teacher, T.make_card(teacher, data, seed=0, training=training)


@pytest.fixture(scope="module")
def X_std(data: Dataset) -> np.ndarray:
    return data.standardize(data.X_test)


# --------------------------------------------------------------------------------------------- training


def test_training_is_seeded(data, trained, X_std):
    again, _ = T.train_teacher(data, seed=0)
    other, _ = T.train_teacher(data, seed=1)
    assert np.array_equal(again.predict_proba(X_std), trained[0].predict_proba(X_std))
    assert not np.allclose(other.predict_proba(X_std), trained[0].predict_proba(X_std))


def test_trained_teacher_has_reference_architecture_and_learns(trained):
    teacher, card = trained
    assert [w.shape for w in teacher.model.coefs_] == [(16, 64), (64, 32), (32, 32), (32, 5)]
    assert teacher.model.activation == "relu"
    assert min(card["auc"].values()) > 0.85  # synthetic classes are separable; chance is 0.5
    assert card["training"]["stopped_early"]


def test_training_without_all_classes_is_refused():
    frame = _jet_frame()
    frame = frame[frame["class"] != "z"]
    with pytest.raises(SymtrigError, match="class z"):
        T.train_teacher(split_table(validate_frame(frame, name="four", simulated=True), seed=0), seed=0)


def test_logits_are_centred_and_softmax_to_predict_proba(trained, X_std):
    teacher, _ = trained
    logits = teacher.logits(X_std)
    assert logits.shape == (len(X_std), 5)
    np.testing.assert_allclose(logits.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(softmax(logits, axis=1), teacher.predict_proba(X_std), rtol=0, atol=1e-12)


def test_wrong_input_width_is_a_user_error(trained):
    with pytest.raises(SymtrigError, match=r"shape \(n, 16\).*\(7, 15\)"):
        trained[0].logits(np.zeros((7, 15)))


def test_card_records_metrics_data_and_versions(data, trained, X_std):
    teacher, card = trained
    assert set(card["auc"]) == set(CLASSES)
    proba = teacher.predict_proba(X_std)
    assert card["auc"]["t"] == pytest.approx(roc_auc_score(data.y_test == 2, proba[:, 2]))
    assert card["accuracy"] == pytest.approx(np.mean(proba.argmax(axis=1) == data.y_test))
    assert card["seed"] == 0
    assert card["dataset"] == data.describe()
    assert "scikit-learn" in card["versions"]
    assert card["training"]["architecture"] == [16, 64, 32, 32, 5]


# --------------------------------------------------------------------------------------------- skops


def test_skops_round_trip_keeps_predictions_and_card(tmp_path, data, trained, X_std):
    teacher, card = trained
    out = T.save_teacher(teacher, card, tmp_path / "teacher")
    for where in (out, out / T.MODEL_FILE):
        loaded = T.load_teacher(where)
        assert isinstance(loaded, T.SklearnTeacher)
        assert np.array_equal(loaded.predict_proba(X_std), teacher.predict_proba(X_std))
        assert np.array_equal(loaded.logits(X_std), teacher.logits(X_std))
        assert loaded.card["auc"] == card["auc"]
        assert T.teacher_matches_data(loaded, data).ok


def test_card_of_another_model_is_detected(tmp_path, trained):
    teacher, card = trained
    out = T.save_teacher(teacher, card, tmp_path / "t")
    swapped = T.load_teacher(out).model
    swapped.intercepts_[-1] = swapped.intercepts_[-1] + 1.0
    sio.dump(swapped, out / T.MODEL_FILE)  # the model changes, the card stays
    with pytest.raises(SymtrigError, match=r"teacher\.json does not describe teacher\.skops"):
        T.load_teacher(out)


def test_mismatched_data_is_reported_and_refused_unless_forced(tmp_path, trained):
    teacher, card = trained
    loaded = T.load_teacher(T.save_teacher(teacher, card, tmp_path / "t"))
    other_jets = _jets(frame_seed=1)
    match = T.teacher_matches_data(loaded, other_jets)
    assert any(other_jets.fingerprint in p for p in match.problems)
    other_split = T.teacher_matches_data(loaded, _jets(seed=3))
    assert other_split.problems == [p for p in other_split.problems if "standardization" in p]
    assert len(other_split.problems) == 1
    with pytest.raises(SymtrigError, match="--force"):
        T.require_matching_teacher(loaded, other_jets)
    assert T.require_matching_teacher(loaded, other_jets, force=True) == match.problems


def test_corrupt_skops_file_is_a_user_error(tmp_path):
    bad = tmp_path / "broken.skops"
    bad.write_bytes(b"not a zip archive at all")
    with pytest.raises(SymtrigError, match=r"broken\.skops"):
        T.load_teacher(bad)


def test_skops_file_of_another_model_type_is_refused(tmp_path):
    path = tmp_path / "logreg.skops"
    X, y = make_classification(100, 16, n_informative=5, n_classes=5, random_state=0)
    sio.dump(LogisticRegression(max_iter=50).fit(X, y), path)
    with pytest.raises(SymtrigError, match=r"LogisticRegression.*MLPClassifier"):
        T.load_teacher(path)


def test_skops_file_with_untrusted_types_is_refused(tmp_path):
    path = tmp_path / "odd.skops"
    sio.dump({"weights": fractions.Fraction(1, 3)}, path)
    with pytest.raises(SymtrigError, match=r"odd.skops.*fractions.Fraction"):
        T.load_teacher(path)


def test_missing_teacher_is_a_user_error(tmp_path):
    with pytest.raises(SymtrigError, match="does not exist"):
        T.load_teacher(tmp_path / "nowhere.onnx")
    with pytest.raises(SymtrigError, match=r"no teacher\.skops"):
        T.load_teacher(tmp_path)


# --------------------------------------------------------------------------------------------- ONNX


def _linear_onnx(path: Path, n_in: int = 16, n_out: int = 5, batch: int | None = None, seed: int = 0):
    """A tiny ONNX logit model y = x W + b built by hand (what a Keras/PyTorch export looks like)."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n_in, n_out)).astype(np.float32)
    b = rng.standard_normal(n_out).astype(np.float32)
    dim = batch if batch is not None else "batch"
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["scores"])],
        "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [dim, n_in])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [dim, n_out])],
        [onnx.numpy_helper.from_array(W, "W"), onnx.numpy_helper.from_array(b, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)
    return W.astype(np.float64), b.astype(np.float64)


def test_onnx_export_of_the_trained_mlp_agrees(tmp_path, trained, X_std):
    skl2onnx = pytest.importorskip("skl2onnx")
    from skl2onnx.common.data_types import FloatTensorType

    teacher, _ = trained
    exported = skl2onnx.convert_sklearn(
        teacher.model,
        initial_types=[("input", FloatTensorType([None, 16]))],
        options={id(teacher.model): {"zipmap": False}},
    )
    path = tmp_path / "mlp.onnx"
    path.write_bytes(exported.SerializeToString())
    loaded = T.load_teacher(path)
    assert isinstance(loaded, T.OnnxTeacher)
    assert loaded.output_kind == "probabilities"
    np.testing.assert_allclose(loaded.predict_proba(X_std), teacher.predict_proba(X_std), atol=1e-5)
    # log-probabilities of a float32 model: compare where the probability is resolvable in float32
    resolvable = teacher.predict_proba(X_std).min(axis=1) > 1e-6
    np.testing.assert_allclose(loaded.logits(X_std)[resolvable], teacher.logits(X_std)[resolvable], atol=1e-3)


@pytest.mark.parametrize("batch", [None, 4])
def test_onnx_logit_model_is_detected_and_centred(tmp_path, batch):
    W, b = _linear_onnx(tmp_path / "linear.onnx", batch=batch)
    loaded = T.load_teacher(tmp_path / "linear.onnx")
    assert loaded.output_kind == "logits"
    X = np.random.default_rng(1).standard_normal((10, 16))  # 10 rows: not a multiple of a fixed batch of 4
    expected = T.centre(X @ W + b)
    np.testing.assert_allclose(loaded.logits(X), expected, atol=1e-4)
    np.testing.assert_allclose(loaded.predict_proba(X), softmax(expected, axis=1), atol=1e-5)


def test_onnx_output_kind_can_be_forced(tmp_path):
    _linear_onnx(tmp_path / "linear.onnx")
    assert T.load_teacher(tmp_path / "linear.onnx", output_kind="logits").output_kind == "logits"
    with pytest.raises(SymtrigError, match="output kind"):
        T.load_teacher(tmp_path / "linear.onnx", output_kind="scores")


@pytest.mark.parametrize(
    ("n_in", "n_out", "message"),
    [
        (10, 5, r"wide10.onnx: expected input shape \(batch, 16\), found \('batch', 10\)"),
        (
            16,
            3,
            r"out3.onnx: expected a float output of shape \(batch, 5\), found: scores tensor\(float\) \('batch', 3\)",
        ),
    ],
)
def test_onnx_with_wrong_shapes_is_refused(tmp_path, n_in, n_out, message):
    """Loaded for the jets (16 features, outputs named g, q, t, w, z), other shapes are refused."""
    name = "wide10.onnx" if n_in != 16 else "out3.onnx"
    _linear_onnx(tmp_path / name, n_in=n_in, n_out=n_out)
    with pytest.raises(SymtrigError, match=message):
        T.load_teacher(tmp_path / name, n_features=16, outputs=CLASSES)


def test_an_onnx_model_of_any_width_loads_and_its_outputs_are_matched_by_name(tmp_path):
    _linear_onnx(tmp_path / "three.onnx", n_in=8, n_out=3)
    teacher = T.load_teacher(tmp_path / "three.onnx", outputs=("tau", "jet", "e"))
    assert (teacher.n_features, teacher.classes) == (8, ("tau", "jet", "e"))
    assert teacher.columns_of(["e", "tau"]) == [2, 0]
    with pytest.raises(SymtrigError, match="no output for muon"):
        teacher.columns_of(["muon"])
    assert teacher.predict_proba(np.zeros((4, 8))).shape == (4, 3)


def test_corrupt_onnx_file_is_a_user_error(tmp_path):
    bad = tmp_path / "garbage.onnx"
    bad.write_bytes(b"\x00\x01 this is not protobuf \xff" * 10)
    with pytest.raises(SymtrigError, match=r"garbage\.onnx is not a usable ONNX model"):
        T.load_teacher(bad)


def test_onnx_teacher_without_card_cannot_be_matched_but_is_noted(tmp_path, data):
    _linear_onnx(tmp_path / "linear.onnx")
    match = T.teacher_matches_data(T.load_teacher(tmp_path / "linear.onnx"), data)
    assert match.ok and "no card" in match.notes[0]


# --------------------------------------------------------------------------------------------- CLI


def test_cli_missing_data_file_exits_2_with_one_line(tmp_path, capsys):
    code = main(["teacher", "--data", str(tmp_path / "nope.parquet"), "--out", str(tmp_path / "t")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "nope.parquet" in err
    assert not (tmp_path / "t").exists()


def test_cli_trains_saves_and_names_the_dataset(tmp_path, capsys):
    jets = tmp_path / "jets.parquet"
    _jet_frame().to_parquet(jets)
    code = main(["teacher", "--data", str(jets), "--seed", "2", "--out", str(tmp_path / "t")])
    out = capsys.readouterr().out
    assert code == 0
    assert "jets.parquet" in out and "AUC t vs rest" in out and "accuracy" in out
    loaded = T.load_teacher(tmp_path / "t")
    assert loaded.card["seed"] == 2 and loaded.card["dataset"]["source"] == "jets.parquet"
