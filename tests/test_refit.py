"""Constant refitting: better loss, same tree, same complexity, deterministic, safe on hostile shapes."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symtrig import expr as ex
from symtrig.refit import refit_constants

x0, x1, x2 = (ex.variable(i) for i in range(3))


@pytest.fixture(scope="module")
def rows() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 3))
    y = 0.7 * np.sin(1.3 * X[:, 0] - 0.4) + 0.2 * X[:, 1] * X[:, 2] + 0.1 + 0.01 * rng.normal(size=3000)
    return X, y


def test_recovers_the_constants_of_the_right_shape(rows: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = rows
    argument = sp.Float(1.0) * x0 - sp.Float(0.3)
    shape = ex.product(sp.Float(0.5), sp.sin(argument)) + sp.Float(0.25) * x1 * x2 + sp.Float(0.3)
    result = refit_constants(shape, X, y)
    assert result.improved and result.loss_after < 1.1e-4  # the noise variance is 1e-4
    values = sorted(float(f) for f in result.expr.atoms(sp.Float))
    assert values == pytest.approx([-0.4, 0.1, 0.2, 0.7, 1.3], abs=0.01)


def test_complexity_and_tree_are_unchanged(rows: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = rows
    shape = ex.product(sp.Float(0.5), x0 + x1 + ex.gauss(sp.Float(0.8) * x2)) + sp.Float(0.2)
    result = refit_constants(shape, X, y)
    assert result.improved
    assert ex.complexity(result.expr) == ex.complexity(shape)
    strip = {f: sp.Symbol("c") for f in result.expr.atoms(sp.Float)}
    assert result.expr.xreplace(strip) == shape.xreplace({f: sp.Symbol("c") for f in shape.atoms(sp.Float)})


def test_tied_constants_stay_tied(rows: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = rows
    c = sp.Float(0.25)
    result = refit_constants(c * x0 + c * sp.sin(x0), X, y)
    assert len(result.expr.atoms(sp.Float)) == 1


def test_is_deterministic(rows: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = rows
    shape = sp.Float(0.4) * sp.sin(sp.Float(1.1) * x0) + sp.Float(0.05) * x1
    assert refit_constants(shape, X, y).expr == refit_constants(shape, X, y).expr


def test_no_constants_or_no_gain_returns_the_expression(rows: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = rows
    assert refit_constants(x0 + x1, X, y).expr == x0 + x1
    exact = ex.product(sp.Float(2.0), x0) + sp.Float(1.0)
    result = refit_constants(exact, X, 2 * X[:, 0] + 1)
    assert not result.improved and result.expr == exact


def test_domain_errors_do_not_escape(rows: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = rows
    shape = ex.logabs(x0 + sp.Float(0.5)) * sp.Float(0.3) + sp.Float(0.1)
    result = refit_constants(shape, X, y)
    assert np.isfinite(result.loss_after) and result.loss_after <= result.loss_before
