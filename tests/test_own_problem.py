"""A trigger problem of one's own: any features, any classes, a regression on a teacher's score.

The worked example of the README (``symtrig data example``): 8 named toy tau-trigger features and 3 classes,
distilled, built as an IP and reported; and an anomaly-score-like regression of an ONNX teacher with one output,
judged by fidelity and by how well it finds the teacher's own top scores.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from symtrig.cli import main
from symtrig.data import load_data
from symtrig.data.examples import EXAMPLE_CLASSES, EXAMPLE_FEATURES, EXAMPLE_LABEL, make_example_table
from symtrig.store import leaderboard
from symtrig.store.designs import read_designs
from symtrig.targets import TOP_FRACTION

FAST = ["--generations", "4", "--budget", "30", "--max-rows", "400", "--cmax", "12"]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    root = tmp_path_factory.mktemp("own")
    table = root / "taus.parquet"
    assert main(["data", "example", "--out", str(table), "--rows-per-class", "300"]) == 0
    out = root / "expressions"
    args = [
        "fit",
        "--data",
        str(table),
        "--label",
        EXAMPLE_LABEL,
        "--families",
        "poly,trig",
        "--out",
        str(out),
    ]
    assert main([*args, *FAST, "--quiet"]) == 0
    hdl = root / "hdl"
    assert (
        main(
            ["emit-hls", "--leaderboard", str(out / "leaderboard.csv"), "--family", "trig", "--out", str(hdl)]
        )
        == 0
    )
    return root, out, hdl


def test_the_fit_distils_each_class_of_the_table_into_expressions_over_its_own_columns(example):
    _, out, _ = example
    frame = leaderboard.read(out / "leaderboard.csv", classes=EXAMPLE_CLASSES)
    assert set(frame["class"]) == set(EXAMPLE_CLASSES)
    used = set()
    for text in frame["expression"]:
        used |= {name for name in EXAMPLE_FEATURES if name in text}
    assert used and used <= set(EXAMPLE_FEATURES) and "mass_mmdt" not in " ".join(frame["expression"])
    run = json.loads((out / "run.json").read_text())
    assert run["outputs"] == list(EXAMPLE_CLASSES)
    assert run["dataset"]["schema"]["features"] == list(EXAMPLE_FEATURES)


def test_the_ip_has_eight_inputs_and_three_outputs_and_the_emulator_matches_its_compiled_predict(example):
    import hls4ml

    from symtrig.verify.hls4ml_emulator import Emulator

    root, _, hdl = example
    (record,) = read_designs(hdl)
    assert [o.class_name for o in record.outputs] == list(EXAMPLE_CLASSES)
    project = hdl / record.design
    cpp = (project / "firmware" / f"{record.details['top']}.cpp").read_text()
    assert "input_t x[8]" in cpp and "result_t y[3]" in cpp and "y[3] =" not in cpp
    assert all(f"y[{k}] =" in cpp for k in range(3))
    model = hls4ml.converters.link_existing_project(str(project))
    model.compile()
    data = load_data(root / "taus.parquet", label=EXAMPLE_LABEL)
    X = data.standardize(data.X_test)
    np.testing.assert_array_equal(model.predict(X).reshape(len(X), -1), Emulator.from_project(project)(X))


def test_the_report_runs_on_the_table_and_names_its_classes(example):
    root, out, hdl = example
    report = root / "report"
    assert (
        main(
            [
                "report",
                "--leaderboard",
                str(out / "leaderboard.csv"),
                "--out",
                str(report),
                "--hdl-out",
                str(hdl),
            ]
        )
        == 0
    )
    summary = (report / "summary.md").read_text()
    assert (
        all(name in summary for name in EXAMPLE_CLASSES) and "phi\\_mod" in summary
    ) or "phi_mod" in summary


def test_a_feature_name_no_expression_can_hold_is_a_one_line_error(tmp_path, capsys):
    table = make_example_table(40).rename(columns={"iso": "iso [GeV]"})
    path = tmp_path / "bad.csv"
    table.to_csv(path, index=False)
    assert (
        main(["fit", "--data", str(path), "--label", EXAMPLE_LABEL, "--out", str(tmp_path / "o"), *FAST]) == 2
    )
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "'iso [GeV]' cannot appear in an expression" in err


# ------------------------------------------------------------------------------------------------ regression


@pytest.fixture(scope="module")
def anomaly(tmp_path_factory):
    """An unlabelled table and an ONNX regressor whose one output (an anomaly-like score) is distilled."""
    pytest.importorskip("skl2onnx")
    from skl2onnx import to_onnx
    from sklearn.neural_network import MLPRegressor

    root = tmp_path_factory.mktemp("anomaly")
    table = make_example_table(2500, seed=3).drop(columns=[EXAMPLE_LABEL])
    path = root / "events.parquet"
    table.to_parquet(path)
    data = load_data(path, label="none")
    X = data.standardize(data.X_train)
    score = np.square(X[:, 1] - 0.5 * X[:, 3]) + np.sin(X[:, 7])  # what the "anomaly" network learned
    model = MLPRegressor(hidden_layer_sizes=(32, 16), random_state=0, max_iter=300).fit(X, score)
    onnx = root / "anomaly.onnx"
    onnx.write_bytes(to_onnx(model, X[:1].astype(np.float32)).SerializeToString())
    out = root / "expressions"
    args = [
        "fit",
        "--data",
        str(path),
        "--label",
        "none",
        "--teacher",
        str(onnx),
        "--teacher-outputs",
        "anomaly",
    ]
    assert (
        main([*args, "--target", "teacher-score", "--families", "poly", "--out", str(out), *FAST, "-q"]) == 0
    )
    return root, out


def test_a_teacher_score_is_distilled_and_judged_by_fidelity_and_its_top_scores(anomaly):
    _, out = anomaly
    frame = pd.read_csv(out / "leaderboard.csv")
    assert set(frame["class"]) == {"anomaly"} and set(frame["target"]) == {"teacher-score"}
    best = frame[frame["best"]].iloc[0]
    assert best["fidelity_r2"] > 0.3  # a real regression, not noise
    assert 0.5 < best["auc"] <= 1.0 and np.isfinite(best["rejection50"]) and best["rejection50"] > 1
    assert np.isnan(best["accuracy_5class"])  # no classes to pick between
    assert 0 < TOP_FRACTION < 0.1


def test_a_table_too_small_to_judge_the_top_scores_is_refused(anomaly, tmp_path, capsys):
    root, _ = anomaly
    small = tmp_path / "small.parquet"
    pd.read_parquet(root / "events.parquet").head(300).to_parquet(small)
    args = ["fit", "--data", str(small), "--label", "none", "--teacher", str(root / "anomaly.onnx")]
    args += ["--teacher-outputs", "anomaly", "--target", "teacher-score", "--out", str(tmp_path / "o"), *FAST]
    assert main(args) == 2
    assert "teacher's top 1% rows" in capsys.readouterr().err


def test_a_distilled_score_becomes_a_one_output_ip(anomaly):
    root, out = anomaly
    hdl = root / "hdl"
    assert main(["emit-hls", "--leaderboard", str(out / "leaderboard.csv"), "--out", str(hdl), "-q"]) == 0
    (record,) = read_designs(hdl)
    assert [o.class_name for o in record.outputs] == ["anomaly"]
    assert abs(record.outputs[0].auc_fixed - record.outputs[0].auc_float) < 0.01
