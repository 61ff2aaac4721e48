"""``emit-hls --max-latency N``: the best expression of each class whose hardware fits a latency budget.

Why: a trigger engineer is given a latency in clock cycles, not a complexity. The front member with the best
validation AUC may nest lookup tables or chain wide products after a table read and so need 5-6 cycles,
while a slightly weaker member of the same front needs 3. Complexity does not tell them apart (a product chain
and a sum of the same size cost very different cycles), so each candidate is costed the way the whole IP is:
lowered on its own, written as a one-output hls4ml project at a reference precision, and run through the
latency estimate (:mod:`symtrig.hls.cost`). Candidates are tried from the best validation AUC down; the first
whose estimate fits the budget is chosen. The five chosen expressions then go through the normal emit path
(auto precision, bit-exact AUC, estimate of the whole IP), whose latency is reported as always; shared
subexpressions and a different final precision can move it by a cycle, which emit-hls warns about.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import sympy as sp

from symtrig.data import CLASSES, JetData
from symtrig.errors import SymtrigError
from symtrig.hls.fixed import FixedType
from symtrig.hls.lower import Lowered, lower

#: Fraction bits candidates are costed at: about what the auto precision chose for the sample's LUT designs
#: (9 to 13), or more when a candidate's tables need it.
REFERENCE_FRACTION_BITS = 10


def reference_precision(lowered: Lowered, X_calib_raw) -> FixedType:
    """Integer bits as auto precision starts them (observed ranges of inputs, tables and outputs), fraction
    bits :data:`REFERENCE_FRACTION_BITS` or what the tables need; at most 32 bits in all."""
    from symtrig.hls.precision import integer_bits

    integer = min(integer_bits(lowered, lowered.ip_inputs(X_calib_raw))[0], 31)
    frac = lowered.table_frac_bits(REFERENCE_FRACTION_BITS)
    return FixedType(min(32, integer + frac), integer)


def expression_latency(
    expr: sp.Expr,
    data: JetData,
    *,
    lut_size: int = 1024,
    clock: float = 5.0,
) -> int:
    """Estimated clock cycles of ``expr`` as a one-output IP at :func:`reference_precision`."""
    from symtrig.hls.cost import estimate_project
    from symtrig.hls.project import write_project

    lowered = lower([expr], mean=data.mean_, scale=data.scale_, X_calib_raw=data.X_train, lut_size=lut_size)
    precision = reference_precision(lowered, data.X_train)
    with tempfile.TemporaryDirectory(prefix="symtrig-budget-") as scratch:
        folder = Path(scratch) / "candidate"
        write_project(lowered, folder, precision=str(precision), clock_period=clock)
        return estimate_project(folder).latency_cycles


def within_budget(
    rows: pd.DataFrame,
    max_latency: int,
    data: JetData,
    parse: Callable[[object], sp.Expr],
    *,
    lut_size: int = 1024,
    clock: float = 5.0,
) -> pd.DataFrame:
    """Per class, in the order g, q, t, w, z: the row with the best validation AUC whose estimate fits.

    ``rows`` are one family's candidates (all classes); ``parse`` turns a row into its sympy expression (the
    whitelist parser). Raises a one-line error naming the class when no candidate fits.
    """
    key = "auc_val" if "auc_val" in rows and rows["auc_val"].notna().all() else "auc"
    chosen = []
    for class_name in CLASSES:
        candidates = rows[rows["class"] == class_name].sort_values(
            [key, "complexity"], ascending=[False, True]
        )
        for index, row in zip(candidates.index, candidates.itertuples(), strict=True):
            if expression_latency(parse(row), data, lut_size=lut_size, clock=clock) <= max_latency:
                chosen.append(index)
                break
        else:
            family = ", ".join(sorted(set(rows["family"].astype(str))))
            raise SymtrigError(
                f"no {family} expression of class {class_name} fits --max-latency {max_latency} cycles "
                f"({len(candidates)} tried); raise the budget or choose another family"
            )
    return rows.loc[chosen].reset_index(drop=True)
