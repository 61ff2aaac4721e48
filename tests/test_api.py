"""The Python API a notebook uses: a distiller fitted on DataFrames shows its fronts as PySR does and is built
into a design without a leaderboard, over a table of one's own (8 named features, 3 classes)."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import sympy as sp
from sklearn.exceptions import NotFittedError

import symtrig
from symtrig import errors
from symtrig.data.examples import EXAMPLE_CLASSES, EXAMPLE_FEATURES, EXAMPLE_LABEL, make_example_table
from symtrig.errors import SymtrigError, SymtrigWarning
from symtrig.metrics import one_vs_rest_auc
from symtrig.targets import make_targets
from symtrig.teacher import train_teacher

EQUATION_COLUMNS = ["complexity", "cost", "loss", "score", "equation", "sympy_format", "engine", "chosen"]


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    """The README's notebook example: load a table, train a teacher, distil its log-odds from DataFrames."""
    root = tmp_path_factory.mktemp("api")
    table = root / "taus.parquet"
    make_example_table(rows_per_class=300).to_parquet(table)
    data = symtrig.load_data(table, label=EXAMPLE_LABEL)
    teacher, _ = train_teacher(data, seed=0)
    targets = make_targets("teacher-logodds", teacher, data)
    X = pd.DataFrame(targets.X_train, columns=list(data.features))
    y = pd.DataFrame(targets.train, columns=list(data.classes))
    model = symtrig.SymbolicDistiller(family="poly", c_max=12, generations=4, budget=30, max_rows=400)
    return root, data, model.fit(X, y), X


def test_a_fresh_interpreter_imports_the_api_and_the_cli_prints_the_version():
    code = "from symtrig import SymbolicDistiller, emit_design, __version__; print(__version__)"
    version = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == symtrig.__version__ != "0+unknown"
    cli = subprocess.run(
        [sys.executable, "-m", "symtrig", "--version"], capture_output=True, text=True, check=False
    )
    assert cli.returncode == 0 and symtrig.__version__ in cli.stdout


def test_a_distiller_fitted_on_dataframes_keeps_their_column_names(notebook):
    _, data, model, _ = notebook
    assert list(model.feature_names_in_) == list(EXAMPLE_FEATURES) == list(data.features)
    assert model.output_names_ == EXAMPLE_CLASSES
    assert model.n_features_in_ == 8


def test_equations_are_one_pysr_like_table_per_output_with_the_chosen_row_marked(notebook):
    _, data, model, X = notebook
    tables = model.equations_
    assert isinstance(tables, list) and len(tables) == len(EXAMPLE_CLASSES)
    for k, table in enumerate(tables):
        assert list(table.columns) == EQUATION_COLUMNS
        assert table["cost"].is_monotonic_increasing and table["cost"].max() <= 12
        assert table["score"].iloc[0] == 0.0
        assert table["chosen"].sum() == 1
        assert table.loc[table["chosen"], "loss"].item() == table["loss"].min()
        for text, named in zip(table["equation"], table["sympy_format"], strict=True):
            parsed = symtrig.parse_expression(text, features=data.features)
            assert ex_values(parsed, X) == pytest.approx(named_values(named, X), rel=1e-12, abs=1e-12)
        chosen = table.loc[table["chosen"], "sympy_format"].item()
        assert named_values(chosen, X) == pytest.approx(model.predict(X)[:, k], rel=1e-12, abs=1e-12)


def test_sympy_and_latex_show_the_chosen_or_an_indexed_expression_in_feature_names(notebook):
    _, _, model, _ = notebook
    exprs = model.sympy()
    assert len(exprs) == 3
    names = {sp.Symbol(name) for name in EXAMPLE_FEATURES}
    assert all(e.free_symbols <= names for e in exprs)
    first_rows = model.sympy(index=[0, 0, 0])
    assert first_rows == [table["sympy_format"].iloc[0] for table in model.equations_]
    for expr, latex in zip(exprs, model.latex(precision=3), strict=True):
        for symbol in expr.free_symbols:
            assert r"\mathrm{" + symbol.name.replace("_", r"\_") + "}" in latex
    with pytest.raises(SymtrigError, match="one row per output"):
        model.sympy(index=0)
    with pytest.raises(SymtrigError, match="outside the front"):
        model.sympy(index=[0, 0, 999])


def test_predict_takes_a_dataframe_by_column_name_in_any_order(notebook):
    _, _, model, X = notebook
    shuffled = X[list(reversed(X.columns))]
    with pytest.warns(UserWarning, match="does not have valid feature names"):  # scikit-learn's own check
        by_position = model.predict(X.to_numpy())
    assert np.array_equal(model.predict(shuffled), by_position)
    with pytest.raises(SymtrigError, match="lacks the column"):
        model.predict(X.drop(columns=[X.columns[0]]))


def test_a_fitted_distiller_becomes_a_verified_design_without_a_leaderboard(notebook):
    root, data, model, _ = notebook
    out = root / "hdl"
    config = symtrig.EmitConfig(out=str(out), project_name="taus_ip")
    record = symtrig.emit_design(model, data, name="taus", config=config, warn=lambda line: None)
    assert [o.class_name for o in record.outputs] == list(EXAMPLE_CLASSES)
    assert record.inputs.endswith(", ".join(EXAMPLE_FEATURES))
    written = json.loads((out / "taus" / "design.json").read_text())
    assert written["design"] == "taus" and len(written["outputs"]) == 3
    assert (out / "taus" / "firmware" / "taus_ip.cpp").is_file()
    # the float AUC each output records is the distiller's own on the test split
    X_test = pd.DataFrame(data.standardize(data.X_test), columns=list(data.features))
    for k, output in enumerate(record.outputs):
        own = one_vs_rest_auc(data.y_test, model.predict(X_test)[:, k], k)
        assert output.auc_float == pytest.approx(own, abs=1e-12)
    if record.tolerance.meets:
        assert all(o.auc_change <= record.tolerance.max_auc_drop for o in record.outputs)


def test_emit_design_takes_text_in_feature_names_and_refuses_what_does_not_fit_the_data(notebook, tmp_path):
    _, data, model, _ = notebook
    config = symtrig.EmitConfig(out=str(tmp_path))
    texts = [f"{EXAMPLE_FEATURES[0]} - 0.5*{EXAMPLE_FEATURES[1]}"]
    with pytest.raises(SymtrigError, match="1 expression"):
        symtrig.emit_design(texts, data, config=config)
    with pytest.raises(SymtrigError, match="unknown class"):
        symtrig.emit_design(texts, data, outputs=["muon"], config=config)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        symtrig.emit_design(symtrig.SymbolicDistiller(), data, config=config)
    with pytest.raises(SymtrigError, match="uses x9"):
        symtrig.emit_design([sp.Symbol("x9")], data, outputs=["tau"], config=config)
    with pytest.raises(SymtrigError, match="fitted on 8 columns"):
        symtrig.emit_design(model, symtrig.load_data("sample"), config=config)
    record = symtrig.emit_design(texts, data, outputs=["tau"], name="one", config=config, warn=lambda _: None)
    assert record.outputs[0].family == "poly" and record.outputs[0].expr_id == "one-tau"


def ex_values(expr: sp.Expr, X: pd.DataFrame) -> np.ndarray:
    from symtrig.expr import evaluate

    return np.broadcast_to(evaluate(expr, X.to_numpy()), (len(X),))


def named_values(expr: sp.Expr, X: pd.DataFrame) -> np.ndarray:
    """An expression over feature-name symbols evaluated on the DataFrame's columns, independently of symtrig."""
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    function = sp.lambdify(symbols, expr, modules=[{"gauss": lambda u: np.exp(-(u**2))}, "numpy"])
    return np.broadcast_to(function(*[X[s.name].to_numpy() for s in symbols]), (len(X),))


def test_emit_design_issues_its_warnings_as_symtrig_warnings_and_prints_nothing(notebook, tmp_path, capsys):
    """A library does not print: a design that misses its tolerance is a warning the caller can catch."""
    _, data, _, _ = notebook
    config = symtrig.EmitConfig(out=str(tmp_path), precision="ap_fixed<6,5>")  # one fraction bit: too coarse
    texts = [f"{EXAMPLE_FEATURES[0]} - 0.5*{EXAMPLE_FEATURES[1]}"]
    with pytest.warns(SymtrigWarning, match=r"^coarse misses the AUC tolerance 0\.001: class tau") as caught:
        record = symtrig.emit_design(texts, data, outputs=["tau"], name="coarse", config=config)
    assert not record.tolerance.meets
    assert capsys.readouterr().out == ""
    assert not any(str(w.message).startswith("warning:") for w in caught)  # the CLI adds the prefix


def test_the_cli_shows_each_symtrig_warning_as_one_line_on_stderr(capsys):
    from symtrig.cli import warnings_on_stderr

    with warnings_on_stderr():
        for _ in range(2):  # every time, not once per call site
            errors.warn("d1 misses the AUC tolerance 0.001: class tau changes by 0.0123 on the test split")
        with pytest.warns(RuntimeWarning):  # other warnings are not reworded
            warnings.warn("something else", RuntimeWarning, stacklevel=1)
    captured = capsys.readouterr()
    line = "warning: d1 misses the AUC tolerance 0.001: class tau changes by 0.0123 on the test split"
    assert captured.out == ""
    assert captured.err.splitlines() == [line, line]
    with pytest.warns(SymtrigWarning):  # and outside it, Python's own handling is back
        errors.warn("after")
    assert capsys.readouterr().err == ""
