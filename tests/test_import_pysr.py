"""Specification of ``symtrig import-pysr``: PySR hall-of-fame files join the leaderboard like native searches."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import make_jet_frame

from symtrig import expr as ex
from symtrig.cli import main

PYSR = Path(__file__).parent / "fixtures" / "pysr" / "outputs"
TRIG = PYSR / "20261129_101500_trig" / "hall_of_fame.csv"


@pytest.fixture(scope="module")
def jets_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("jets") / "jets.parquet"
    make_jet_frame(per_class=80, seed=2).to_parquet(path)
    return path


def import_pysr(jets_file, out, *flags, files=(TRIG,), classes="t") -> int:
    """Run ``symtrig import-pysr`` on trig hall-of-fame files; returns the exit code."""
    args = ["import-pysr", *map(str, files), "--family", "trig", "--classes", classes]
    return main([*args, "--data", str(jets_file), "--out", str(out), *flags])


def test_a_hall_of_fame_is_scored_and_listed_with_the_pysr_engine(jets_file, tmp_path):
    assert import_pysr(jets_file, tmp_path, "--cmax", "40") == 0
    frame = pd.read_csv(tmp_path / "leaderboard.csv")
    assert set(frame["engine"]) == {"pysr"} and set(frame["class"]) == {"t"}
    assert (frame["complexity"] <= 40).all() and frame["auc"].between(0, 1).all()
    for text, complexity in zip(frame["expression"], frame["complexity"], strict=True):
        assert ex.complexity(ex.parse_expression(text)) == complexity
    assert frame["search_id"].str.startswith("t-trig-c40").all()


def test_importing_the_same_file_twice_does_not_duplicate_rows(jets_file, tmp_path):
    assert import_pysr(jets_file, tmp_path) == 0 and import_pysr(jets_file, tmp_path) == 0
    assert pd.read_csv(tmp_path / "leaderboard.csv")["expr_id"].is_unique


def test_a_small_cmax_drops_the_larger_equations(jets_file, tmp_path):
    assert import_pysr(jets_file, tmp_path, "--cmax", "6") == 0
    assert (pd.read_csv(tmp_path / "leaderboard.csv")["complexity"] <= 6).all()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Complexity,Loss\n1,0.5\n", "missing column(s) Equation"),
        ("Complexity,Loss,Equation\n3,0.2,\"__import__('os')\"\n", "line 2"),
        ('Complexity,Loss,Equation\n3,0.2,"exp(x0)"\n', "exp"),
        ("", "empty file"),
    ],
)
def test_unreadable_hall_of_fame_files_exit_2_and_write_nothing(
    jets_file, tmp_path, capsys, content, message
):
    bad = tmp_path / "hall_of_fame.csv"
    bad.write_text(content)
    out = tmp_path / "out"
    assert import_pysr(jets_file, out, files=(bad,)) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err and str(bad) in err
    assert not out.exists()


def test_one_file_per_class_is_required(jets_file, tmp_path, capsys):
    assert import_pysr(jets_file, tmp_path, classes="t,w") == 2
    assert "give one file per class" in capsys.readouterr().err
