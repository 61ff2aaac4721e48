"""PySR engine without Julia: option mapping, availability probe, lazy import, hall-of-fame import."""

from __future__ import annotations

import ast
import importlib.util
import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from symtrig.engines.base import SearchSpec, feature_symbols
from symtrig.engines.pysr import PySREngine, julia_executable, pysr_options, read_hall_of_fame
from symtrig.errors import SymtrigError
from symtrig.expr.complexity import complexity
from symtrig.expr.functions import gauss, logabs
from symtrig.families import FAMILIES, LATENCY, get_family

FIXTURES = Path(__file__).parent / "fixtures" / "pysr"
TRIG_HOF = FIXTURES / "outputs" / "20261129_101500_trig" / "hall_of_fame.csv"
EXP_HOF = FIXTURES / "outputs" / "20261129_102000_exp" / "hall_of_fame_output1.csv"
LOG_HOF = FIXTURES / "outputs" / "20261129_103000_log" / "hall_of_fame.csv"
LEGACY_HOF = FIXTURES / "legacy_0.11" / "hall_of_fame_2022-10-13_153012.345.csv"
X = sp.symbols("x0:16")
UNARY = {"poly": set(), "trig": {"sin", "cos"}, "exp": {"exp", "gauss"}, "log": {"logabs"}}


def _spec(family: str, **kw: object) -> SearchSpec:
    args: dict[str, object] = {"c_max": 40, "budget_s": 30.0, "seed": 5}
    args.update(kw)
    return SearchSpec(family=get_family(family), **args)  # type: ignore[arg-type]


def _same_function(a: sp.Expr, b: sp.Expr) -> bool:
    rng = np.random.default_rng(0)
    points = rng.uniform(0.3, 2.0, size=(16, 25))
    fa, fb = (sp.lambdify(X, e.rewrite(sp.exp).rewrite(sp.log), "numpy") for e in (a, b))
    return bool(np.allclose(np.broadcast_to(fa(*points), 25), np.broadcast_to(fb(*points), 25), rtol=1e-9))


# --- option mapping -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_options_select_the_family_operators(family: str, tmp_path: Path) -> None:
    options = pysr_options(_spec(family), tmp_path)
    assert options["binary_operators"] == ["+", "-", "*"]
    names = {op.split("(")[0] for op in options["unary_operators"]}
    assert names == UNARY[family]
    assert set(options["extra_sympy_mappings"]) == UNARY[family] & {"gauss", "logabs"}
    assert set(options["complexity_of_operators"]) == {"+", "-", "*"} | UNARY[family]
    assert (options["maxsize"], options["timeout_in_seconds"], options["random_state"]) == (40, 30.0, 5)
    assert options["output_directory"] == str(tmp_path) and family in options["run_id"]
    assert options["elementwise_loss"] == "L2DistLoss()"


def test_custom_operators_are_julia_definitions(tmp_path: Path) -> None:
    assert "gauss(x) = exp(-x*x)" in pysr_options(_spec("exp"), tmp_path)["unary_operators"]
    assert "logabs(x) = log(abs(x))" in pysr_options(_spec("log"), tmp_path)["unary_operators"]
    mapping = pysr_options(_spec("exp"), tmp_path)["extra_sympy_mappings"]["gauss"]
    assert mapping(X[0]) == gauss(X[0])


def test_nested_constraints_keep_transcendentals_apart(tmp_path: Path) -> None:
    trig = pysr_options(_spec("trig", c_max=30), tmp_path)
    assert trig["nested_constraints"] == {"sin": {"sin": 0, "cos": 0}, "cos": {"sin": 0, "cos": 0}}
    assert trig["constraints"] == {"sin": 15, "cos": 15}
    assert pysr_options(_spec("log"), tmp_path)["nested_constraints"] == {"logabs": {"logabs": 0}}
    poly = pysr_options(_spec("poly"), tmp_path)
    assert "nested_constraints" not in poly and "constraints" not in poly


def test_operator_costs_are_passed_natively(tmp_path: Path) -> None:
    options = pysr_options(_spec("exp", op_costs=LATENCY.weights), tmp_path)
    assert options["complexity_of_operators"] == {"+": 1, "-": 1, "*": 1, "exp": 3, "gauss": 4}
    unit = pysr_options(_spec("trig"), tmp_path)
    assert set(unit["complexity_of_operators"].values()) == {1}
    assert unit["complexity_of_constants"] == unit["complexity_of_variables"] == 1


def test_determinism_settings(tmp_path: Path) -> None:
    fixed = pysr_options(_spec("trig", generations=40, n_threads=2), tmp_path)
    assert (fixed["niterations"], fixed["deterministic"], fixed["parallelism"]) == (40, True, "serial")
    timed = pysr_options(_spec("trig", n_threads=2), tmp_path)
    assert (timed["deterministic"], timed["parallelism"]) == (False, "multithreading")
    assert timed["niterations"] >= 10**6  # the timeout ends the run
    single = pysr_options(_spec("trig", n_threads=1), tmp_path)
    assert (single["deterministic"], single["parallelism"]) == (True, "serial")


def test_l2_margin_loss_and_small_maxsize(tmp_path: Path) -> None:
    assert pysr_options(_spec("poly", loss="l2margin"), tmp_path)["elementwise_loss"] == "L2MarginLoss()"
    with pytest.raises(SymtrigError, match="c_max >= 7"):
        pysr_options(_spec("poly", c_max=5), tmp_path)


@pytest.mark.skipif(importlib.util.find_spec("pysr") is None, reason="pysr not installed")
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_option_names_exist_in_installed_pysr(family: str, tmp_path: Path) -> None:
    """Read PySRRegressor's signature from source: importing pysr could start a Julia download."""
    source = Path(importlib.util.find_spec("pysr").origin).with_name(
        "sr.py"
    )  # find_spec("pysr.sr") would import
    tree = ast.parse(source.read_text(encoding="utf-8"))
    init = next(
        f
        for c in ast.walk(tree)
        if isinstance(c, ast.ClassDef) and c.name == "PySRRegressor"
        for f in c.body
        if isinstance(f, ast.FunctionDef) and f.name == "__init__"
    )
    params = {a.arg for a in init.args.args + init.args.kwonlyargs}
    assert set(pysr_options(_spec(family, op_costs=LATENCY.weights), tmp_path)) <= params


# --- availability ---------------------------------------------------------------------------------------------


def _no_julia_anywhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PYTHON_JULIAPKG_EXE", raising=False)
    monkeypatch.setenv("PYTHON_JULIAPKG_PROJECT", str(tmp_path / "project"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


def test_no_julia_means_unavailable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _no_julia_anywhere(monkeypatch, tmp_path)
    assert julia_executable() is None
    engine = PySREngine()
    assert not engine.available()
    assert "pysr" in engine.unavailable_reason().lower() or "julia" in engine.unavailable_reason().lower()


def test_julia_found_through_juliapkg_records(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _no_julia_anywhere(monkeypatch, tmp_path)
    exe = tmp_path / "install" / "bin" / "julia"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\n")
    meta = tmp_path / "project" / "pyjuliapkg" / "meta.json"
    meta.parent.mkdir(parents=True)
    meta.write_text(json.dumps({"meta_version": 14, "executable": str(exe)}))
    assert julia_executable() == str(exe)
    monkeypatch.setenv("PYTHON_JULIAPKG_EXE", str(exe))
    assert julia_executable() == str(exe)


def test_availability_needs_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    engine = PySREngine()
    assert not engine.available()
    assert "pip install" in engine.unavailable_reason()


def test_importing_engines_imports_no_engine_library() -> None:
    code = (
        "import sys, symtrig, symtrig.engines, symtrig.engines.pysr, symtrig.engines.operon\n"
        "from symtrig.engines.pysr import PySREngine\n"
        "PySREngine().available()\n"
        "print(sorted(m for m in ('pysr', 'juliacall', 'pyoperon') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"


# --- hall-of-fame import --------------------------------------------------------------------------------------


def test_reads_a_trig_hall_of_fame() -> None:
    entries = read_hall_of_fame(TRIG_HOF, get_family("trig"))
    assert [e.complexity for e in entries] == [1, 3, 4, 6, 10, 15, 19]
    assert entries[1].loss == pytest.approx(0.8102713)
    assert _same_function(entries[3].expr, 0.81237346 * sp.sin(X[14] - X[3]))
    last = entries[-1].expr
    expected = (
        0.8116829 * sp.sin(X[14] - X[3]) - 0.04237612 * X[15] + sp.cos(-1.2301164 * X[2]) + 1.3718e-5 * X[0]
    )
    assert _same_function(last, expected)
    assert last.free_symbols <= set(feature_symbols(16))


def test_pysr_complexity_matches_ours_for_unit_costs() -> None:
    """The fixture's complexities are node counts of the printed trees, which our counter reproduces."""
    assert [complexity(e.expr) for e in read_hall_of_fame(TRIG_HOF)] == [1, 3, 4, 6, 10, 15, 19]


def test_backup_file_reads_the_same() -> None:
    main = read_hall_of_fame(TRIG_HOF)
    backup = read_hall_of_fame(TRIG_HOF.with_name("hall_of_fame.csv.bak"))
    assert [(e.complexity, e.loss, str(e.expr)) for e in main] == [
        (e.complexity, e.loss, str(e.expr)) for e in backup
    ]


def test_reads_user_operators_and_feature_names() -> None:
    exp_entries = read_hall_of_fame(EXP_HOF, get_family("exp"))
    assert _same_function(exp_entries[1].expr, 1.0532 * gauss(X[14]))
    assert exp_entries[-1].expr.has(gauss) and exp_entries[-1].expr.has(sp.exp)
    log_entries = read_hall_of_fame(LOG_HOF, get_family("log"))
    assert _same_function(log_entries[3].expr, logabs(X[14] + 0.21533) * (X[15] - 1.0972))


def test_reads_legacy_files_with_julia_float_literals() -> None:
    entries = read_hall_of_fame(LEGACY_HOF)
    assert _same_function(entries[1].expr, X[3] ** 2)
    assert _same_function(entries[3].expr, 0.0631 * X[14] ** 3 - sp.exp(-2.4e-5 * X[15]))


def test_family_restricts_the_operators() -> None:
    with pytest.raises(SymtrigError, match=r"hall_of_fame_output1\.csv, line 3.*gauss"):
        read_hall_of_fame(EXP_HOF, get_family("trig"))


BAD_FILES = {
    "missing_column.csv": ('Complexity,Equation\n1,"x0"\n', "missing column.*Loss"),
    "text_complexity.csv": ('Complexity,Loss,Equation\n1,0.5,"x0"\nthree,0.4,"x1"\n', "line 3.*not numeric"),
    "text_loss.csv": ('Complexity,Loss,Equation\n1,low,"x0"\n', "line 2.*not numeric"),
    "fraction.csv": ('Complexity,Loss,Equation\n2.5,0.4,"x1"\n', "line 2.*positive integer"),
    "nan_loss.csv": ('Complexity,Loss,Equation\n1,NaN,"x1"\n', "line 2.*NaN"),
    "bad_equation.csv": ('Complexity,Loss,Equation\n1,0.5,"x0"\n4,0.3,"sin(x1 * "\n', "line 3.*cannot parse"),
    "unknown_name.csv": ('Complexity,Loss,Equation\n3,0.3,"foo(x1)"\n', "line 2.*foo"),
    "short_row.csv": ("Complexity,Loss,Equation\n3,0.3\n", "line 2.*2 fields"),
    "empty.csv": ("", "empty file"),
    "header_only.csv": ("Complexity,Loss,Equation\n", "no equations"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_text_files_are_user_errors_naming_the_file(name: str, tmp_path: Path) -> None:
    content, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SymtrigError, match=message) as info:
        read_hall_of_fame(path)
    assert name in str(info.value)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("checkpoint.pkl", pickle.dumps({"equations": [1, 2, 3]}), "binary"),
        ("latin1.csv", 'Complexity,Loss,Equation\n1,0.5,"x0 \xb5"\n'.encode("latin-1"), "not UTF-8"),
    ],
)
def test_binary_and_garbage_files_are_user_errors(
    name: str, data: bytes, message: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(SymtrigError, match=message):
        read_hall_of_fame(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SymtrigError, match="cannot read"):
        read_hall_of_fame(tmp_path / "nope.csv")


# --- a real search (only where PySR and Julia are installed) --------------------------------------------------


@pytest.mark.julia
@pytest.mark.slow
@pytest.mark.skipif(not PySREngine().available(), reason="PySR with a local Julia is not available")
def test_real_pysr_search_returns_parsed_candidates() -> None:
    rng = np.random.default_rng(0)
    Xd = rng.normal(size=(300, 16))
    y = np.sin(Xd[:, 0]) * 2.0 + Xd[:, 1]
    spec = _spec("trig", c_max=12, budget_s=120, generations=5, n_threads=1)
    cands = PySREngine().search(Xd, y, spec)
    assert cands and all(
        c.engine == "pysr" and c.expr.free_symbols <= set(feature_symbols(16)) for c in cands
    )
    again = PySREngine().search(Xd, y, spec)
    assert [str(c.expr) for c in cands] == [str(c.expr) for c in again]
