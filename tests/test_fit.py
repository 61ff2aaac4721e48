"""Specification of the fit stage: the estimator, the c_max bound, the sweep, resuming and the leaderboard."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import make_jet_frame
from sklearn.exceptions import NotFittedError

from symtrig import expr as ex
from symtrig.cli import main
from symtrig.data import CLASSES, FEATURES
from symtrig.distill import SymbolicDistiller
from symtrig.errors import SymtrigError
from symtrig.fronts import FrontMember, best_per_complexity, check_c_max, holds_in_fixed_point
from symtrig.store import leaderboard

FAST = ["--generations", "4", "--budget", "30", "--max-rows", "400"]
SWEEP = ["--cmax", "15", "--families", "poly,trig"]  # the module's shared fit: 2 families x 5 classes


def run_fit(jets_file, out, *flags) -> int:
    """Run ``symtrig fit`` with the fast settings on ``jets_file``; returns the exit code."""
    return main(["fit", "--data", str(jets_file), "--out", str(out), *FAST, *flags])


@pytest.fixture(scope="module")
def jets_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("jets") / "jets.parquet"
    make_jet_frame(per_class=120, seed=5).to_parquet(path)
    return path


@pytest.fixture(scope="module")
def fitted_dir(tmp_path_factory, jets_file):
    out = tmp_path_factory.mktemp("fit")
    assert run_fit(jets_file, out, *SWEEP) == 0
    return out


@pytest.mark.parametrize("bad", [0, -3, 201, 10**9, True, 2.5])
def test_c_max_outside_1_to_200_is_refused(bad):
    with pytest.raises(SymtrigError, match="c_max must be an integer between 1 and 200"):
        check_c_max(bad)


def test_distiller_follows_sklearn_conventions_and_never_exceeds_c_max():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 16))
    y = X[:, 0] * X[:, 1] + 0.5 * X[:, 2]
    model = SymbolicDistiller(family="poly", c_max=12, generations=20, budget=30, max_rows=500, seed=1)
    assert model.get_params()["c_max"] == 12 and not hasattr(model, "fronts_")
    assert model.fit(X, y) is model
    assert all(member.complexity <= 12 for member in model.fronts_[0])
    costs = [member.cost for member in model.fronts_[0]]
    assert costs == sorted(set(costs))
    # a*x0*x1 + b*x2 + c (the engine's linear scaling adds a and c) has complexity 11: it must be found
    assert model.score(X, y) > 0.99
    assert model.predict(X).shape == (600,)


def test_the_front_drops_expressions_a_32_bit_fixed_point_design_cannot_hold():
    X = np.random.default_rng(0).uniform(-1.0, 1.2, size=(500, 16))
    runaway = ex.parse_expression("0.01*exp(exp(2*x0))")  # exp(exp(2.4)) = 61,000 > 2^15 inside
    tame = ex.parse_expression("0.5*exp(x0)")
    members = [FrontMember(e, ex.complexity(e), ex.complexity(e), np.nan, "test") for e in (runaway, tame)]
    y = ex.evaluate(runaway, X)  # the runaway expression fits this target perfectly and is still refused
    assert [m.expr for m in best_per_complexity(members, X, y)] == [tame]
    assert len(best_per_complexity(members, X, y, max_magnitude=np.inf)) == 2


def test_the_front_drops_expressions_whose_ranking_needs_more_than_16_fraction_bits():
    """A fitted q expression ranked its best jets by exp values below 1e-7: in 32-bit fixed point they tie."""
    X = np.random.default_rng(1).normal(size=(1500, 16))
    fine = ex.parse_expression("-3.4*exp(0.16*x14*exp(-7.8*x14) - 0.4*x15)")
    coarse = ex.parse_expression("-3.4*exp(0.16*x14 - 0.4*x15)")
    assert not holds_in_fixed_point(fine, X) and holds_in_fixed_point(coarse, X)
    members = [FrontMember(e, 9, 9, np.nan, "test") for e in (fine, coarse)]
    y = ex.evaluate(fine, X)  # the fine expression fits perfectly and still gives way to the coarse one
    assert [m.expr for m in best_per_complexity(members, X, y)] == [coarse]


def test_an_unfitted_distiller_raises_scikit_learns_not_fitted_error():
    for use in (
        lambda m: m.predict(np.zeros((2, 16))),
        lambda m: m.equations_,
        lambda m: m.sympy(),
        lambda m: m.latex(),
    ):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            use(SymbolicDistiller())


def test_fit_writes_a_leaderboard_with_the_promised_columns(fitted_dir):
    frame = pd.read_csv(fitted_dir / "leaderboard.csv")
    for column in (
        "expr_id",
        "class",
        "family",
        "cmax",
        "complexity",
        "expression",
        "loss",
        "auc",
        "auc_teacher",
        "auc_ratio",
        "fidelity_r2",
        "pareto",
        "engine",
        "seed",
        "dataset",
        "created",
        "inputs",
    ):
        assert column in frame.columns
    assert set(frame["class"]) == set(CLASSES) and set(frame["family"]) == {"poly", "trig"}
    assert frame["expr_id"].is_unique
    assert (frame["dataset"] == "jets.parquet (user file)").all()
    np.testing.assert_allclose(frame["auc_ratio"], frame["auc"] / frame["auc_teacher"])


def test_every_leaderboard_expression_is_within_c_max_and_parses_back_to_the_same_values(
    fitted_dir, jets_file
):
    frame = pd.read_csv(fitted_dir / "leaderboard.csv")
    assert (frame["complexity"] <= frame["cmax"]).all()
    records = {p.stem: json.loads(p.read_text()) for p in (fitted_dir / "searches").glob("*.json")}
    X = np.random.default_rng(1).normal(size=(200, 16))
    for _, row in frame.iterrows():
        parsed = ex.parse_expression(row["expression"])
        assert ex.complexity(parsed) == row["complexity"]
        stored = next(m for m in records[row["search_id"]]["front"] if m["cost"] == row["cost"])
        np.testing.assert_allclose(
            ex.evaluate(parsed, X), ex.evaluate(ex.parse_expression(stored["expression"]), X)
        )


def test_each_family_has_one_best_expression_per_class_and_a_5_class_accuracy(fitted_dir):
    frame = pd.read_csv(fitted_dir / "leaderboard.csv")
    best = frame[frame["best"]]
    assert sorted(best.groupby("family")["class"].apply(sorted).tolist()) == [sorted(CLASSES)] * 2
    assert best["accuracy_5class"].between(0.2, 1.0).all()


def test_background_rejection_at_half_signal_efficiency_is_read_off_each_test_roc(fitted_dir, jets_file):
    from sklearn.metrics import roc_curve

    from symtrig.data import load_data
    from symtrig.teacher import load_teacher

    frame = pd.read_csv(fitted_dir / "leaderboard.csv")
    run = json.loads((fitted_dir / "run.json").read_text())
    data = load_data(str(jets_file), seed=run["settings"]["seed"])
    X_test = data.standardize(data.X_test)
    teacher_proba = load_teacher(fitted_dir / "teacher").predict_proba(X_test)
    for _, row in frame.groupby("class").head(2).iterrows():
        k = CLASSES.index(row["class"])
        is_signal = data.y_test == k
        for score, column in (
            (ex.evaluate(ex.parse_expression(row["expression"]), X_test), "rejection50"),
            (teacher_proba[:, k], "rejection50_teacher"),
        ):
            fpr, tpr, _ = roc_curve(is_signal, score)
            mistag = np.interp(0.5, tpr, fpr)
            expected = np.inf if mistag == 0 else 1 / mistag  # no background left: infinite rejection
            assert row[column] == pytest.approx(expected, rel=1e-6), (row["expr_id"], column)


def test_rerunning_the_same_command_redoes_no_finished_search(fitted_dir, jets_file, capsys):
    before = {p.name: p.stat().st_mtime_ns for p in (fitted_dir / "searches").glob("*.json")}
    assert run_fit(jets_file, fitted_dir, *SWEEP) == 0
    assert "0 searches run, 10 reused" in capsys.readouterr().out
    after = {p.name: p.stat().st_mtime_ns for p in (fitted_dir / "searches").glob("*.json")}
    assert before == after


def test_run_json_records_settings_dataset_standardization_and_versions(fitted_dir):
    run = json.loads((fitted_dir / "run.json").read_text())
    assert run["settings"]["cmax"] == 15 and run["settings"]["generations"] == 4
    assert run["dataset"]["fingerprint"].startswith("sha256:")
    assert len(run["standardization"]["mean"]) == len(FEATURES)
    assert "sympy" in run["versions"] and "pyoperon" in run["versions"]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--cmax", "0"], "c_max must be an integer between 1 and 200"),
        (["--cmax", "100000"], "c_max must be an integer between 1 and 200"),
        (["--families", "poly,fourier"], "fourier"),
        (["--classes", "t,h"], "unknown class(es) h"),
        (["--target", "labels"], "'labels' is not one of"),
        (["--engine", "gplearn"], "gplearn"),
        (["--op-costs", "cheap"], "unknown op costs 'cheap'"),
        (["--jobs", "0"], "--jobs must be at least 1"),
        (
            ["--teacher-outputs", "a,b"],
            "--teacher-outputs names the outputs of a teacher given with --teacher",
        ),
        (["--select-features", "17"], "--select-features 17 is more than the data's 16 features"),
    ],
)
def test_bad_fit_settings_exit_2_with_one_line(flags, message, jets_file, tmp_path, capsys):
    assert main(["fit", "--data", str(jets_file), "--out", str(tmp_path), *FAST, *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err
    assert not (tmp_path / "leaderboard.csv").exists()


def test_a_teacher_trained_on_other_jets_is_refused(fitted_dir, tmp_path, capsys):
    other = tmp_path / "other.parquet"
    make_jet_frame(per_class=80, seed=9).to_parquet(other)
    teacher = str(fitted_dir / "teacher")
    assert main(["fit", "--data", str(other), "--teacher", teacher, "--out", str(tmp_path / "o"), *FAST]) == 2
    assert "teacher was trained on dataset" in capsys.readouterr().err


def test_the_dask_path_runs_searches_on_a_local_cluster(jets_file, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        args = [
            "fit",
            "--cmax",
            "9",
            "--families",
            "poly",
            "--classes",
            "t,w",
            "--data",
            str(jets_file),
            "--out",
            str(tmp_path),
            "--scheduler",
            cluster.scheduler_address,
            *FAST,
        ]
        assert main(args) == 0
    frame = leaderboard.read(tmp_path / "leaderboard.csv")
    assert set(frame["class"]) == {"t", "w"}


def test_a_corrupt_saved_teacher_is_retrained_not_fatal(jets_file, tmp_path):
    flags = ["--cmax", "7", "--families", "poly", "--classes", "t"]
    assert run_fit(jets_file, tmp_path, *flags) == 0
    model = tmp_path / "teacher" / "teacher.skops"
    model.write_bytes(b"not a zip archive")
    assert run_fit(jets_file, tmp_path, *flags) == 0
    assert model.read_bytes()[:2] == b"PK"  # a fresh skops archive replaced the corrupt file


def test_a_saved_teacher_without_its_card_is_retrained_and_gets_one(jets_file, tmp_path):
    flags = ["--cmax", "7", "--families", "poly", "--classes", "t"]
    assert run_fit(jets_file, tmp_path, *flags) == 0
    card = tmp_path / "teacher" / "teacher.json"
    card.unlink()  # as if fit was killed between writing the model and its card
    assert run_fit(jets_file, tmp_path, *flags) == 0
    assert json.loads(card.read_text())["dataset"]["fingerprint"].startswith("sha256:")


@pytest.mark.parametrize("target", ["teacher-logit", "truth"])
def test_the_teacher_reference_auc_is_the_teachers_own_whatever_the_target(
    fitted_dir, jets_file, tmp_path, target
):
    card = json.loads((fitted_dir / "teacher" / "teacher.json").read_text())
    flags = ["--cmax", "7", "--families", "poly", "--classes", "t,w", "--target", target]
    assert run_fit(jets_file, tmp_path, *flags, "--teacher", str(fitted_dir / "teacher")) == 0
    frame = pd.read_csv(tmp_path / "leaderboard.csv")
    for name, group in frame.groupby("class"):
        np.testing.assert_allclose(group["auc_teacher"], card["auc"][name], rtol=1e-12)
