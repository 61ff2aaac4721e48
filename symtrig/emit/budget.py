"""``emit-hls --max-latency N / --max-latency-ns NS / --max-lut N``: per class, the best expression whose hardware
fits the budget.

Why: a trigger engineer is given a latency (cycles or ns) and an area, not a complexity. The front member with
the best validation AUC may nest tables or chain wide products and need 5-6 cycles while a slightly weaker member
of the same front needs 2, and complexity does not tell them apart. Candidates are tried in the order of the one
selection rule (:func:`symtrig.select.best_fitting`), each costed by the backend's flow as a one-output design
(:meth:`~symtrig.emit.flows.Flow.candidate`, the same figures ``symtrig front`` writes); the first that fits is
chosen. The whole IP is then built as usual and its own figures are checked against the budget (shared
subexpressions and its final precision can move them; emit-hls warns when they miss).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from symtrig.emit.config import EmitConfig
from symtrig.emit.flows import Flow, Jets
from symtrig.emit.selection import DesignSpec, parse_row, spec
from symtrig.errors import SymtrigError
from symtrig.select import Budget, best_fitting


def budget_of(config: EmitConfig) -> Budget:
    """The budget ``config`` asks for (empty when none)."""
    return Budget(config.max_latency, config.max_latency_ns, config.max_lut)


def within_budget(
    design: DesignSpec,
    frame: pd.DataFrame,
    flow: Flow,
    jets: Jets,
    config: EmitConfig,
    board: str,
    features: Sequence[str],
) -> DesignSpec:
    """The design rebuilt from, per class in its output order, the best row of its family whose cost fits."""
    budget = budget_of(config)
    family, cmax = design.rows["family"].iloc[0], design.rows["cmax"].iloc[0]
    candidates = frame[(frame["family"] == family) & (frame["cmax"] == cmax)]
    flow.prepare_budget(design, jets, config)
    chosen = []
    for number, class_name in enumerate(design.classes):
        rows = candidates[candidates["class"] == class_name]
        own = jets.only(number)  # the candidate is judged on its own class's signal rows

        def fits(index: object, rows: pd.DataFrame = rows, own: Jets = own) -> bool:
            row = next(rows.loc[[index]].itertuples())
            cost = flow.candidate(parse_row(row, board, features), own, config).cost
            return budget.admits(cost.latency_cycles, cost.latency_ns, cost.lut)

        index = best_fitting(rows, fits)
        if index is None:
            raise SymtrigError(
                f"no {family} expression of class {class_name} fits {budget.describe()} ({len(rows)} tried); "
                "raise the budget or choose another family"
            )
        chosen.append(index)
    return spec(f"{design.name}_{budget.label}", candidates.loc[chosen], board, features)
