"""Expressions in hand (a fitted distiller, sympy, text) as the design spec emit-hls builds from a leaderboard.

Why a spec and not a second path: :func:`symtrig.emit.emit_design` must give exactly what ``emit-hls`` gives
(same flows, verification, record), so it only has to supply what a leaderboard row would: the class, an ID,
the family, the expression text and its float AUC on the test split.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import sympy as sp
from sklearn.utils.validation import check_is_fitted

from symtrig import expr as ex
from symtrig.data import Dataset
from symtrig.distill import SymbolicDistiller
from symtrig.emit.flows import Jets
from symtrig.emit.selection import DesignSpec
from symtrig.errors import SymtrigError
from symtrig.families import FAMILIES
from symtrig.lower.tolerance import signal_of
from symtrig.metrics import one_vs_rest_auc

#: The family recorded for expressions whose operators no single family holds.
CUSTOM_FAMILY = "custom"


def given_expressions(
    given: SymbolicDistiller | Sequence[sp.Expr | str], data: Dataset, outputs: Sequence[str] | None
) -> tuple[tuple[sp.Expr, ...], tuple[str, ...], str]:
    """The expressions, the class each scores and their family, checked against ``data``'s columns."""
    if data.schema.label is None:
        raise SymtrigError("emit_design judges each output on class labels; this table has none")
    if isinstance(given, SymbolicDistiller):
        exprs, default_outputs, family = _from_distiller(given, data)
    else:
        exprs = tuple(_parsed(item, data) for item in given)
        default_outputs, family = data.classes, _smallest_family(exprs)
    names = tuple(outputs) if outputs is not None else default_outputs
    if not exprs or len(names) != len(exprs):
        raise SymtrigError(
            f"{len(exprs)} expression(s) for {len(names)} output(s) ({', '.join(names)}); "
            "name the class of each expression with outputs=[...]"
        )
    for name in names:
        data.schema.index(name)  # an unknown class is a one-line error naming the data's classes
    return exprs, names, family


def _from_distiller(
    model: SymbolicDistiller, data: Dataset
) -> tuple[tuple[sp.Expr, ...], tuple[str, ...], str]:
    check_is_fitted(model, "expressions_")  # scikit-learn's NotFittedError, as the distiller's own methods
    if model.n_features_in_ != len(data.features):
        raise SymtrigError(
            f"the distiller was fitted on {model.n_features_in_} columns, the data has {len(data.features)}"
        )
    fitted_names = getattr(model, "feature_names_in_", None)
    if fitted_names is not None and tuple(str(n) for n in fitted_names) != data.features:
        raise SymtrigError(
            "the distiller's columns are not the data's features in order "
            f"({', '.join(map(str, fitted_names[:4]))}, ... vs {', '.join(data.features[:4])}, ...)"
        )
    return tuple(model.expressions_), tuple(model.output_names_), str(model.family)


def _parsed(item: sp.Expr | str, data: Dataset) -> sp.Expr:
    """Text through the whitelist parser; a sympy expression checked to use only the data's columns."""
    if isinstance(item, str):
        return ex.parse_expression(item, features=data.features)
    if not isinstance(item, sp.Expr):
        raise SymtrigError(f"an expression must be sympy or text, got {type(item).__name__}")
    used = ex.features_used(item)
    if used and max(used) >= len(data.features):
        raise SymtrigError(f"{item} uses x{max(used)}, but the data has {len(data.features)} features")
    return item


def _smallest_family(exprs: Sequence[sp.Expr]) -> str:
    """The first family (poly, trig, exp, log) that holds every operator used, else ``custom``."""
    used = set().union(*(ex.operators_used(e) for e in exprs))
    return next((name for name, family in FAMILIES.items() if used <= family.operators), CUSTOM_FAMILY)


def spec_of_expressions(
    name: str,
    exprs: Sequence[sp.Expr],
    outputs: Sequence[str],
    family: str,
    features: Sequence[str],
    jets: Jets,
) -> DesignSpec:
    """The spec a leaderboard would give: one row per output with its float AUC on the test split."""
    X_test = jets.standardize(jets.X_test)
    rows = pd.DataFrame(
        {
            "class": list(outputs),
            "expr_id": [f"{name}-{output}" for output in outputs],
            "family": family,
            "expression": [ex.to_text(e, names=tuple(features)) for e in exprs],
            "auc": [
                one_vs_rest_auc(signal_of(jets.labels_test, k), np.asarray(ex.evaluate(e, X_test)), True)
                for k, e in enumerate(exprs)
            ],
        }
    )
    return DesignSpec(name, rows, tuple(exprs))
