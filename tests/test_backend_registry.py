"""A backend is one registry entry: a toy backend defined here builds end to end with its own option and cost
source, without a line of symtrig changed for it; settings that belong to another backend are refused."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pytest
import sympy as sp
from conftest import quick_fit

from symtrig.cli import main
from symtrig.emit.flows import Build, Candidate, Outcome
from symtrig.emit.registry import options_of, register_backend, unregister_backend
from symtrig.errors import SymtrigError
from symtrig.expr import evaluate
from symtrig.store.costs import CostReport, register_cost_source


@dataclass(frozen=True)
class CFunctionOptions:
    ctype: str = "double"  # the C type every function computes in: float or double


class CFunctionFlow:
    """Each output as a C function ``y<k>(const T *x)``; its model is the expression evaluated in that type."""

    name = "cfunc"
    own_settings: frozenset[str] = frozenset()
    options = CFunctionOptions
    folder_suffix = "_cfunc"

    def check(self, config):
        if options_of(self, config).ctype not in ("float", "double"):
            raise SymtrigError("--backend cfunc: ctype is float or double")

    def build(self, spec, jets, folder, config, warn):
        ctype = options_of(self, config).ctype
        X = jets.standardize(jets.X_test)
        y = np.column_stack([np.asarray(evaluate(e, X), dtype=np.float64) for e in spec.exprs])
        y = y.astype(np.float32).astype(np.float64) if ctype == "float" else y
        index = {sp.Symbol(f"x{i}"): sp.Symbol(f"x[{i}]") for i in range(X.shape[1])}
        folder.mkdir(parents=True, exist_ok=True)
        functions = [
            f"{ctype} y{k}(const {ctype} *x) {{ return {sp.ccode(e.xreplace(index))}; }}"
            for k, e in enumerate(spec.exprs)
        ]
        (folder / "design.c").write_text("#include <math.h>\n" + "\n".join(functions) + "\n")
        n = len(spec.exprs)
        return Build(
            precision=ctype,
            outcome=Outcome(True, 0.0, np.zeros(n)),
            lowered=tuple(spec.exprs),
            y_test=y,
            overflow_rate=np.zeros(n),
            clip_rate=np.zeros(n),
            cost=self._cost(spec.exprs),
            readme="Compile `design.c` with any C compiler.",
        )

    def prepare_budget(self, spec, jets, config):
        pass

    def candidate(self, expr, jets, config):
        return Candidate(self._cost([expr]))

    @staticmethod
    def _cost(exprs):
        operations = sum(sp.count_ops(e) for e in exprs)
        return CostReport(0, 0.0, 1, 0, int(operations), 0, 0, "op-count")


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    return str(quick_fit(tmp_path_factory.mktemp("toy"), "poly", seed=3, cmax=10) / "leaderboard.csv")


@pytest.fixture
def toy():
    register_backend("cfunc", CFunctionFlow)
    register_cost_source(
        "op-count", "operation count", "sympy's operation count of the C expressions, no hardware"
    )
    yield
    unregister_backend("cfunc")


def test_a_registered_backend_builds_end_to_end_with_its_own_option(board, toy, tmp_path):
    args = ["emit-hls", "--leaderboard", board, "--backend", "cfunc", "--backend-option", "ctype=float"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    record = json.loads((tmp_path / "poly_c10_cfunc" / "design.json").read_text())
    assert record["backend"] == "cfunc" and record["precision"] == "float"
    assert record["cost"]["source"] == "op-count" and record["settings"]["backend_options"] == [
        ["ctype", "float"]
    ]
    code = (tmp_path / "poly_c10_cfunc" / "design.c").read_text()
    assert code.count("float y") == len(record["outputs"]) == 5
    for output in record["outputs"]:  # float32 keeps the ranking: the fixed AUC is the float one within 1e-3
        assert abs(output["auc_fixed"] - output["auc_float"]) < 1e-3
    report = tmp_path / "report"
    assert main(["report", "--leaderboard", board, "--hdl-out", str(tmp_path), "--out", str(report)]) == 0
    assert "operation count" in (report / "summary.md").read_text()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--backend-option", "ctype=half"], "ctype is float or double"),
        (["--backend-option", "width=8"], "--backend cfunc has no option width; its options: ctype"),
        (["--synth"], "--synth applies to --backend hls4ml, not cfunc"),
        (["--flavor", "vhdl"], "--flavor applies to --backend da4ml, not cfunc"),
    ],
)
def test_options_of_another_backend_or_unknown_options_are_one_line_errors(
    board, toy, tmp_path, capsys, flags, message
):
    out = tmp_path / "hdl"
    assert main(["emit-hls", "--leaderboard", board, "--backend", "cfunc", *flags, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and not out.exists()


def test_a_name_is_registered_once_and_built_ins_stay():
    register_backend("cfunc", CFunctionFlow)
    try:
        with pytest.raises(SymtrigError, match="already registered"):
            register_backend("cfunc", CFunctionFlow)
    finally:
        unregister_backend("cfunc")
    with pytest.raises(SymtrigError, match="built in"):
        unregister_backend("da4ml")
