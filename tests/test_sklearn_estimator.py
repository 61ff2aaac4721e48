"""``SymbolicDistiller`` passes scikit-learn's own estimator checks (``check_estimator``), every one of them.

The distiller is a multi-output regressor (one expression per column of ``y``; its tags say so), so the
multi-output checks run too. The search is kept tiny (2 generations, c_max 7, at most 200 rows) so the ~50
checks, each of which fits, take seconds; feature ranking (``select_features=2``) and the constant refit are
on, so the whole fit path is checked. The one check scikit-learn itself skips here is
``check_array_api_input`` (it needs ``SCIPY_ARRAY_API=1`` and an array API library; the distiller evaluates
sympy expressions with numpy and makes no array API claim). No check is expected to fail.
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from symtrig.distill import SymbolicDistiller

TINY = SymbolicDistiller(
    family="poly", c_max=7, generations=2, budget=10, max_rows=200, select_features=2, refit=True
)


@parametrize_with_checks([TINY])
def test_scikit_learn_estimator_check(estimator, check):
    check(estimator)
