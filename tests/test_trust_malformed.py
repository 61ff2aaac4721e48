"""Trust: every malformed input file is refused through the CLI with exit code 2, one line naming the file and
the problem, and outputs of an earlier run left byte-for-byte untouched.

Kinds covered: jets data (CSV, Parquet, Feather: empty, header only, truncated, binary, wrong types, unknown
labels, missing/extra columns, all-NaN, oversized header and cells), leaderboards given to ``emit-hls``, PySR
hall-of-fame files given to ``import-pysr`` and teacher files given to ``fit --teacher`` (corrupt, truncated,
wrong shape, wrong model type, hostile skops, card that does not describe the model). Small text fixtures live
in ``tests/fixtures/malformed/`` (see its README); binary and oversized ones are made here, at test time, with
the installed libraries, so they always match the formats the readers expect.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_jet_frame

from symtrig.cli import main
from symtrig.data import CLASSES, FEATURES
from symtrig.store import leaderboard

FIXTURES = Path(__file__).parent / "fixtures" / "malformed"
#: Settings that would make a fit quick, should a malformed file ever get through.
FAST = ["--generations", "2", "--max-rows", "100", "--cmax", "8", "--families", "poly", "--classes", "g"]
#: An error line must stay readable: no multi-megabyte echo of a hostile cell.
MAX_ERROR_CHARS = 600


# ----------------------------------------------------------------------------------------------- harness


@pytest.fixture
def out(tmp_path) -> Path:
    """An output folder holding what an earlier run left: leaderboard, run record, a search, a teacher card."""
    folder = tmp_path / "expressions"
    (folder / "searches").mkdir(parents=True)
    (folder / "teacher").mkdir()
    shutil.copy(FIXTURES / "board_ok.csv", folder / "leaderboard.csv")
    (folder / "run.json").write_text(json.dumps({"command": "fit", "settings": {"seed": 0}}) + "\n")
    (folder / "searches" / "g-poly-c8-s0-0123abcd.json").write_text('{"search_id": "earlier"}\n')
    (folder / "teacher" / "teacher.json").write_text('{"card": "earlier"}\n')
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_refused(argv: list[str], out: Path, capsys, names: str, *fragments: str) -> str:
    """Exit code 2, one ``symtrig: error:`` line naming ``names`` and saying ``fragments``, outputs untouched."""
    before = snapshot(out)
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("symtrig: error: ") and "\n" not in err, err
    assert len(err) <= MAX_ERROR_CHARS, f"{len(err)}-character error line"
    assert names in err, err
    for fragment in fragments:
        assert fragment in err, err
    assert snapshot(out) == before, "a refused input changed the earlier outputs"
    return err


@pytest.fixture(scope="module")
def jets_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("jets") / "jets.parquet"
    make_jet_frame(per_class=30, seed=3).to_parquet(path)
    return path


def _frame() -> pd.DataFrame:
    return make_jet_frame(per_class=25, seed=3)


# ---------------------------------------------------------------------------------------------- jets data


def _truncated(suffix: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        whole = folder / f"whole{suffix}"
        getattr(_frame(), "to_parquet" if suffix == ".parquet" else "to_feather")(whole)
        blob = whole.read_bytes()
        cut = folder / f"truncated{suffix}"
        cut.write_bytes(blob[: len(blob) // 2])
        return cut

    return make


def _text_features_parquet(folder: Path) -> Path:
    frame = _frame()
    frame["zlogz"] = frame["zlogz"].map(lambda v: f"{v:.3f}GeV")
    frame.to_parquet(folder / "text_features.parquet")
    return folder / "text_features.parquet"


def _integer_labels_feather(folder: Path) -> Path:
    frame = _frame()
    frame["class"] = np.arange(len(frame)) % len(CLASSES)
    frame.to_feather(folder / "integer_labels.feather")
    return folder / "integer_labels.feather"


def _nan_parquet(folder: Path) -> Path:
    frame = _frame()
    frame[list(FEATURES)] = np.nan
    frame.to_parquet(folder / "all_nan.parquet")
    return folder / "all_nan.parquet"


def _million_columns_csv(folder: Path) -> Path:
    """18 MB of header: pandas needed 113 s to refuse it before the header check (now it is the first line)."""
    path = folder / "million_columns.csv"
    with open(path, "w") as fh:
        fh.write(",".join([*FEATURES, "class", *(f"e{i}" for i in range(1_000_000))]) + "\n")
        fh.write(",".join(["0.5"] * 16 + ["g"] + ["0"] * 1_000_000) + "\n")
    return path


def _wide_parquet(folder: Path) -> Path:
    frame = _frame()
    extra = pd.DataFrame(np.zeros((len(frame), 2000)), columns=[f"extra{i}" for i in range(2000)])
    pd.concat([frame, extra], axis=1).to_parquet(folder / "wide.parquet")
    return folder / "wide.parquet"


def _huge_label_parquet(folder: Path) -> Path:
    frame = _frame()
    frame["class"] = frame["class"].astype(object)
    frame.loc[0, "class"] = "g" * 1_000_000
    frame.to_parquet(folder / "huge_label.parquet")
    return folder / "huge_label.parquet"


def _huge_column_name_feather(folder: Path) -> Path:
    frame = _frame()
    frame["y" * 1_000_000] = 1.0
    frame.to_feather(folder / "huge_name.feather")
    return folder / "huge_name.feather"


def _fixture(name: str) -> Callable[[Path], Path]:
    return lambda folder: FIXTURES / name


DATA_CASES = {
    "empty csv": (_fixture("jets_empty.csv"), ("the file is empty",)),
    "header-only csv": (_fixture("jets_header_only.csv"), ("the table has no rows",)),
    "truncated csv": (_fixture("jets_truncated.csv"), ("non-numeric cell at row 124",)),
    "binary data named .csv": (_fixture("jets_binary.csv"), ("missing column(s) zlogz",)),
    "text in a feature column": (_fixture("jets_text_in_feature.csv"), ("column c2_b1_mmdt", "row 7")),
    "unknown class label": (_fixture("jets_unknown_label.csv"), ("unknown class label(s) 'higgs'",)),
    "missing column": (_fixture("jets_missing_column.csv"), ("missing column(s) mass_mmdt",)),
    "all-NaN features csv": (_fixture("jets_all_nan.csv"), ("too few rows of class g=0",)),
    "all-NaN features parquet": (_nan_parquet, ("too few rows of class g=0",)),
    "truncated parquet": (_truncated(".parquet"), ("cannot be read as parquet",)),
    "truncated feather": (_truncated(".feather"), ("cannot be read as feather",)),
    "text-typed parquet column": (_text_features_parquet, ("column zlogz has a non-numeric cell",)),
    "integer labels in feather": (_integer_labels_feather, ("unknown class label(s) '0'",)),
    "one million columns csv": (_million_columns_csv, ("header line longer than 65536 characters",)),
    "2000 extra parquet columns": (_wide_parquet, ("unexpected column(s) extra0", "and 1995 more")),
    "1 MB class label": (_huge_label_parquet, ("unknown class label(s)", "(1000000 characters)")),
    "1 MB column name": (_huge_column_name_feather, ("unexpected column(s)", "(1000000 characters)")),
}


@pytest.mark.parametrize("kind", list(DATA_CASES))
def test_malformed_jets_file_is_refused_and_outputs_untouched(kind, tmp_path, out, capsys):
    make, fragments = DATA_CASES[kind]
    path = make(tmp_path)
    assert_refused(["fit", "--data", str(path), "--out", str(out), *FAST], out, capsys, path.name, *fragments)
    assert not (out / "teacher" / "teacher.skops").exists()


def test_unknown_suffix_and_missing_file_are_refused(tmp_path, out, capsys):
    weird = tmp_path / "jets.pickle"
    weird.write_bytes(b"\x80\x04K\x01.")
    assert_refused(
        ["fit", "--data", str(weird), "--out", str(out)], out, capsys, "jets.pickle", "unsupported"
    )
    assert_refused(["fit", "--data", str(tmp_path / "nope.csv"), "--out", str(out)], out, capsys, "nope.csv")


# ------------------------------------------------------------------------------------------- leaderboards

BOARD_CASES = {
    "board_empty.csv": ("not a readable CSV leaderboard",),
    "board_header_only.csv": ("the leaderboard has no rows",),
    "board_missing_columns.csv": ("missing column(s) expression, auc",),
    "board_duplicate_ids.csv": ("expr_id must be present and unique", "q-trig-c12-s0-k4"),
    "board_empty_id.csv": ("expr_id must be present and unique",),
    "board_text_auc.csv": ("column auc must be numeric (row 1: 'high')",),
    "board_unknown_class.csv": ("unknown class value(s) ['h']",),
    "board_hostile_expression.csv": ("t-trig-c12-s0-k5", "cannot parse expression", "unexpected character"),
    "board_unknown_function.csv": ("z-trig-c12-s0-k7", "unknown function 'tanh'"),
    "board_outside_family.csv": ("g-trig-c12-s0-k3", "operator 'exp' is not allowed"),
}


def _emit_registered() -> bool:
    from symtrig.cli import app

    return any(command.name == "emit-hls" for command in app.registered_commands)


@pytest.mark.parametrize("name", list(BOARD_CASES))
def test_malformed_leaderboard_is_refused_by_emit_hls(name, out, capsys):
    if not _emit_registered():
        pytest.skip("the emit-hls command is not wired into the CLI yet")
    board = out / name
    shutil.copy(FIXTURES / name, board)
    hdl = out / "hdl_out"
    argv = ["emit-hls", "--leaderboard", str(board), "--out", str(hdl)]
    assert_refused(argv, out, capsys, name, *BOARD_CASES[name])
    assert not hdl.exists()
    assert not Path("/tmp/symtrig_pwned").exists()


#: Problems ``leaderboard.read`` itself finds; expression problems surface when a consumer parses the row.
_EXPRESSION_CASES = ("board_hostile_expression.csv", "board_unknown_function.csv", "board_outside_family.csv")


@pytest.mark.parametrize("name", [n for n in BOARD_CASES if n not in _EXPRESSION_CASES])
def test_leaderboard_read_refuses_structural_problems(name):
    from symtrig.errors import SymtrigError

    with pytest.raises(SymtrigError, match=name.replace(".", r"\.")):
        leaderboard.read(FIXTURES / name)


# ------------------------------------------------------------------------------------------- PySR files

HOF_CASES = {
    "hof_missing_column.csv": ("missing column(s) Loss",),
    "hof_text_loss.csv": ("line 3", "loss 'low' not numeric"),
    "hof_nan_loss.csv": ("line 3", "loss is NaN"),
    "hof_negative_complexity.csv": ("line 3", "complexity '-3' is not a positive integer"),
    "hof_hostile_equation.csv": ("line 3", "cannot parse expression"),
    "hof_unknown_function.csv": ("line 3", "unknown function 'tanh'"),
    "hof_unquoted_comma.csv": ("line 3", "2 fields, expected 3"),
    "hof_pickle.pkl.csv": ("binary data, not a PySR hall-of-fame CSV",),
}


@pytest.mark.parametrize("name", list(HOF_CASES))
def test_malformed_hall_of_fame_is_refused_by_import_pysr(name, jets_file, out, capsys):
    argv = ["import-pysr", str(FIXTURES / name), "--classes", "g", "--family", "trig"]
    argv += ["--data", str(jets_file), "--out", str(out)]
    assert_refused(argv, out, capsys, name, *HOF_CASES[name])


def test_a_hall_of_fame_row_outside_the_family_is_refused(jets_file, out, capsys, tmp_path):
    hof = tmp_path / "hall_of_fame_exp.csv"
    hof.write_text('Complexity,Loss,Equation\n1,0.25,"0.5"\n4,0.2,"exp(x0) * 0.5"\n')
    argv = ["import-pysr", str(hof), "--classes", "g", "--family", "trig", "--data", str(jets_file)]
    assert_refused(
        [*argv, "--out", str(out)], out, capsys, hof.name, "line 3", "operator 'exp' is not allowed"
    )


# --------------------------------------------------------------------------------------------- teachers


def _mlp(n_features: int, n_classes: int = 5):
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, n_features))
    y = np.arange(60) % n_classes
    with pytest.warns(Warning):  # 20 iterations do not converge: fine for a shape fixture
        return MLPClassifier(hidden_layer_sizes=(4,), max_iter=20, random_state=0).fit(X, y), X


def _skops(model, path: Path) -> Path:
    import skops.io as sio

    path.write_bytes(sio.dumps(model))
    return path


def _onnx(model, X, path: Path) -> Path:
    from skl2onnx import to_onnx

    onx = to_onnx(model, X[:1].astype(np.float32), options={id(model): {"zipmap": False}})
    path.write_bytes(onx.SerializeToString())
    return path


def _hostile_skops(folder: Path) -> Path:
    from sklearn.preprocessing import FunctionTransformer

    return _skops(FunctionTransformer(func=os.system), folder / "hostile.skops")


def _wrong_width_skops(folder: Path) -> Path:
    return _skops(_mlp(10)[0], folder / "ten_features.skops")


def _wrong_model_skops(folder: Path) -> Path:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    model = LogisticRegression(max_iter=200).fit(rng.normal(size=(60, 16)), np.arange(60) % 5)
    return _skops(model, folder / "logistic.skops")


def _truncated_skops(folder: Path) -> Path:
    blob = _skops(_mlp(16)[0], folder / "whole.skops").read_bytes()
    (folder / "truncated.skops").write_bytes(blob[: len(blob) // 2])
    return folder / "truncated.skops"


def _garbage(name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(np.random.default_rng(1).bytes(400))
        return folder / name

    return make


def _wrong_width_onnx(folder: Path) -> Path:
    return _onnx(*_mlp(10), folder / "ten_features.onnx")


def _three_class_onnx(folder: Path) -> Path:
    return _onnx(*_mlp(16, n_classes=3), folder / "three_classes.onnx")


def _card_for_another_model(folder: Path) -> Path:
    teacher = folder / "teacher_dir"
    teacher.mkdir()
    _skops(_mlp(16)[0], teacher / "teacher.skops")
    card = {"model_file": "teacher.skops", "model_sha256": hashlib.sha256(b"another model").hexdigest()}
    (teacher / "teacher.json").write_text(json.dumps(card))
    return teacher


TEACHER_CASES = {
    "hostile skops (os.system)": (_hostile_skops, ("refusing to load", "posix.system")),
    "skops with 10 inputs": (_wrong_width_skops, ("takes 10 features, data has 16",)),
    "skops with a LogisticRegression": (_wrong_model_skops, ("expected a scikit-learn MLPClassifier",)),
    "truncated skops": (_truncated_skops, ("is not a readable skops file",)),
    "random bytes .skops": (_garbage("noise.skops"), ("is not a readable skops file",)),
    "random bytes .onnx": (_garbage("noise.onnx"), ("is not a usable ONNX model",)),
    "onnx with 10 inputs": (_wrong_width_onnx, ("expected input shape (batch, 16), found (None, 10)",)),
    "onnx with 3 outputs": (_three_class_onnx, ("has no output for class(es) g, q, t, w, z",)),
    # the folder's card is the faulty file, and is the one named
    "card of another model": (_card_for_another_model, ("teacher card teacher.json does not describe",)),
}


@pytest.mark.parametrize("kind", list(TEACHER_CASES))
def test_malformed_teacher_is_refused_by_fit(kind, jets_file, tmp_path, out, capsys):
    make, fragments = TEACHER_CASES[kind]
    path = make(tmp_path)
    argv = ["fit", "--data", str(jets_file), "--teacher", str(path), "--out", str(out), *FAST]
    assert_refused(argv, out, capsys, "teacher.json" if path.is_dir() else path.name, *fragments)


# ------------------------------------------------------------------------- hostile values into a design


def test_out_of_range_inputs_to_a_design_are_counted_not_hidden():
    """Numbers the fixed-point design cannot hold are reported as overflow / LUT-clip rates, exactly."""
    pytest.importorskip("hls4ml")
    import sympy as sp

    from symtrig.lower.tables import lower
    from symtrig.verify.hls4ml_emulator import emulator_for

    x = sp.symbols("x0:16")
    rng = np.random.default_rng(0)
    low = lower(
        [x[0] * x[1], sp.sin(x[2])],
        mean=np.zeros(16),
        scale=np.ones(16),
        X_calib_raw=rng.normal(size=(2000, 16)),
    )
    rows = rng.normal(size=(400, 16)) * 0.5
    rows[200:, :2] = 20.0  # 20 * 20 = 400 does not fit ap_fixed<16,6> (|v| < 32): rows 200..399 overflow
    rows[300:, 2] = 25.0  # representable, but far outside the sin table calibrated on N(0, 1): rows 300..399
    emulator = emulator_for(low, "ap_fixed<16,6>")
    hostile = emulator.run(low.ip_inputs(rows))
    np.testing.assert_array_equal(hostile.overflow_rate, [0.5, 0.0])
    np.testing.assert_array_equal(hostile.lut_clip_rate, [0.0, 0.25])
    clean = emulator.run(low.ip_inputs(rows[:200]))
    assert not clean.overflow_rate.any() and not clean.lut_clip_rate.any()


# ------------------------------------------------------------------------------ tampered stored searches


@pytest.mark.slow
def test_a_tampered_stored_search_is_redone_not_trusted(jets_file, tmp_path, capsys):
    """``searches/*.json`` is the source of truth of the leaderboard: a broken or hostile one is searched again."""
    argv = ["fit", "--data", str(jets_file), "--families", "poly", "--classes", "g,t", "--cmax", "8"]
    argv += ["--generations", "2", "--max-rows", "100"]
    clean = tmp_path / "clean"
    assert main([*argv, "--out", str(clean)]) == 0
    tamperings = {
        "hostile expression": lambda r: r["front"][0].update(expression="__import__('os').system('id')"),
        "no front": lambda r: r.pop("front"),
        "not an object": None,
    }
    for name, tamper in tamperings.items():
        out = tmp_path / name.replace(" ", "_")
        shutil.copytree(clean, out)
        stored = sorted((out / "searches").glob("g-*.json"))[0]
        record = json.loads(stored.read_text())
        if tamper is None:
            stored.write_text("[]")
        else:
            tamper(record)
            stored.write_text(json.dumps(record))
        capsys.readouterr()
        assert main([*argv, "--out", str(out)]) == 0, name
        assert "1 searches run, 1 reused" in capsys.readouterr().out, name
        board = leaderboard.read(out / "leaderboard.csv")
        assert not board["expression"].str.contains("__import__").any()
        assert len(json.loads(stored.read_text())["front"]) >= 1


def test_a_folder_left_half_swapped_by_a_kill_is_restored_before_the_next_write(tmp_path):
    """atomic_directory renames target -> .target.old, then tmp -> target; a kill in between leaves only .old."""
    from symtrig.atomic import atomic_directory

    target = tmp_path / "design"
    old = tmp_path / ".design.old"
    old.mkdir()
    (old / "kept.txt").write_text("previous project")
    with atomic_directory(target) as tmp:
        assert (target / "kept.txt").read_text() == "previous project"  # restored before the new build
        (tmp / "new.txt").write_text("new project")
    assert (target / "new.txt").is_file() and not old.exists()


def test_an_unknown_name_of_9000_characters_gives_a_short_error():
    from symtrig.errors import SymtrigError
    from symtrig.expr import parse_expression

    with pytest.raises(SymtrigError) as err:
        parse_expression("x0 + " + "a" * 9000)
    assert len(str(err.value)) < 300
