"""The pyoperon engine: settings mapping, tree → sympy fidelity, determinism, registry and input checks."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symtrig.engines import ENGINES, get_engine
from symtrig.engines.base import Candidate, SearchSpec, check_training_data, feature_symbols
from symtrig.engines.operon import OperonEngine, OperonSettings, front_candidates, regressor_kwargs
from symtrig.errors import SymtrigError
from symtrig.families import FAMILIES, get_family

pytest.importorskip("pyoperon")

SMALL = OperonSettings(population_size=100, pool_size=100, optimizer_iterations=3, optimizer_batch_size=500)


def _data(seed: int = 0, n: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 16))
    y = np.sin(X[:, 0]) * X[:, 1] + np.exp(-(X[:, 2] ** 2)) + np.log(np.abs(X[:, 3]) + 0.1) - 0.5 * X[:, 4]
    return X, y


def _spec(family: str, **kw: object) -> SearchSpec:
    args: dict[str, object] = {"c_max": 30, "budget_s": 60.0, "seed": 7, "generations": 6}
    args.update(kw)
    return SearchSpec(family=get_family(family), **args)  # type: ignore[arg-type]


def _numeric(expr: sp.Expr, n_features: int):
    modules = [{"logabs": lambda u: np.log(np.abs(u)), "gauss": lambda u: np.exp(-(u**2))}, "numpy"]
    return sp.lambdify(feature_symbols(n_features), expr, modules=modules)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_kwargs_follow_the_spec(family: str) -> None:
    spec = _spec(family, c_max=25, seed=11, n_threads=2, generations=9)
    kw = regressor_kwargs(spec, OperonSettings())
    assert kw["allowed_symbols"] == get_family(family).operon_symbols
    assert (kw["max_length"], kw["random_state"], kw["n_threads"], kw["generations"]) == (25, 11, 2, 9)
    assert kw["objectives"] == ["r2", "length"] and kw["optimizer"] == "lbfgs"
    assert kw["max_time"] == 60  # the budget stays a safety cap
    assert kw["population_size"] == OperonSettings().population_size
    assert kw["offspring_generator"] == "os"  # offspring selection, chosen by a measured A/B fit


def test_without_generations_the_budget_limits_the_run() -> None:
    kw = regressor_kwargs(_spec("poly", generations=None, budget_s=12.5), OperonSettings())
    assert kw["max_time"] == 13 and kw["generations"] >= 10**6


@pytest.mark.parametrize("family", ["trig", "exp", "log"])
def test_sympy_form_matches_operon_prediction_for_every_front_member(family: str) -> None:
    X, y = _data()
    regressor = OperonEngine(SMALL).fit(X, y, _spec(family))
    candidates = front_candidates(regressor, X.shape[1])
    assert len(candidates) == len(regressor.pareto_front_) >= 2
    for member, cand in zip(regressor.pareto_front_, candidates, strict=True):
        assert isinstance(cand, Candidate) and cand.engine == "operon"
        assert cand.expr.free_symbols <= set(feature_symbols(16))
        ours = np.broadcast_to(_numeric(cand.expr, 16)(*X.T), y.shape)
        theirs = regressor.evaluate_model(member["tree"], X)
        # operon evaluates in float32: allow 1e-5 of the largest additive term (cancellation, e.g. 1680 - 1679.9·exp)
        terms = [np.broadcast_to(_numeric(t, 16)(*X.T), y.shape) for t in sp.Add.make_args(cand.expr)]
        scale = max(1.0, max(float(np.max(np.abs(t))) for t in terms))
        assert np.max(np.abs(ours - theirs)) <= 1e-5 * scale, str(cand.expr)


def test_search_uses_only_family_operators() -> None:
    X, y = _data(1)
    for cand in OperonEngine(SMALL).search(X, y, _spec("poly")):
        assert not cand.expr.atoms(sp.Function), str(cand.expr)


def test_same_seed_and_generation_limit_give_identical_fronts() -> None:
    X, y = _data(2)
    spec = _spec("trig", generations=5, n_threads=2)
    first = OperonEngine(SMALL).search(X, y, spec)
    second = OperonEngine(SMALL).search(X, y, spec)
    assert [(str(c.expr), c.engine_loss) for c in first] == [(str(c.expr), c.engine_loss) for c in second]
    other = OperonEngine(SMALL).search(X, y, _spec("trig", generations=5, n_threads=2, seed=8))
    assert [str(c.expr) for c in other] != [str(c.expr) for c in first]


def test_budget_cutting_a_generation_limited_run_is_reported() -> None:
    X, y = _data(4, n=3000)
    with pytest.warns(RuntimeWarning, match="not reproducible"):
        OperonEngine(SMALL).fit(X, y, _spec("trig", generations=100_000, budget_s=1.0))


def test_recovers_a_simple_polynomial() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(1000, 16))
    y = 2.0 * X[:, 0] * X[:, 1] - X[:, 5] + 0.5
    cands = OperonEngine(SMALL).search(X, y, _spec("poly", generations=30))
    best = min(float(np.mean((np.broadcast_to(_numeric(c.expr, 16)(*X.T), y.shape) - y) ** 2)) for c in cands)
    assert best < 1e-4 * float(np.var(y))


def test_only_squared_error_is_supported() -> None:
    X, y = _data()
    with pytest.raises(SymtrigError, match="squared error"):
        OperonEngine(SMALL).search(X, y, _spec("poly", loss="l2margin"))


def test_registry() -> None:
    assert set(ENGINES) >= {"operon", "pysr"}
    assert isinstance(get_engine("operon"), OperonEngine)
    with pytest.raises(SymtrigError, match="unknown engine 'gplearn'"):
        get_engine("gplearn")


def test_registry_reports_why_an_engine_cannot_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(OperonEngine, "available", lambda self: False)
    with pytest.raises(SymtrigError, match="pyoperon is not installed"):
        get_engine("operon")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"c_max": 0}, "c_max"),
        ({"budget_s": 0.0}, "budget"),
        ({"n_threads": 0}, "n_threads"),
        ({"generations": 0}, "generations"),
        ({"loss": "mae"}, "unknown loss"),
    ],
)
def test_bad_specs_are_user_errors(kw: dict[str, object], message: str) -> None:
    with pytest.raises(SymtrigError, match=message):
        _spec("poly", **kw)


def test_training_data_checks() -> None:
    X, y = _data(n=10)
    with pytest.raises(SymtrigError, match="rows"):
        check_training_data(X, y[:5])
    with pytest.raises(SymtrigError, match="2-D"):
        check_training_data(X[:, 0], y)
    X[3, 2] = np.nan
    with pytest.raises(SymtrigError, match="NaN"):
        check_training_data(X, y)
    X32 = np.asfortranarray(_data(n=10)[0].astype(np.float32))
    X64, _ = check_training_data(X32, y)
    assert X64.dtype == np.float64 and X64.flags.c_contiguous
