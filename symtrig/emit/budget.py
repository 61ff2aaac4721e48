"""``emit-hls --max-latency N``: the best expression of each class whose hardware fits a latency budget.

Why: a trigger engineer is given a latency in clock cycles, not a complexity. The front member with the best
validation AUC may nest tables or chain wide products and need 5-6 cycles while a slightly weaker member of the
same front needs 3, and complexity does not tell them apart. Candidates are tried in the order of the one
selection rule (:func:`symtrig.select.ranked`, best validation AUC first), each costed by the backend's flow as a
one-output design; the first that fits is chosen. The whole IP is then built as usual and its own latency is
reported (shared subexpressions and its final precision can move it; emit-hls warns when it misses).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from symtrig.emit.config import EmitConfig
from symtrig.emit.flows import Flow, Jets
from symtrig.emit.selection import DesignSpec, parse_row, spec
from symtrig.errors import SymtrigError
from symtrig.select import ranked


def within_budget(
    design: DesignSpec,
    frame: pd.DataFrame,
    flow: Flow,
    jets: Jets,
    config: EmitConfig,
    board: str,
    features: Sequence[str],
) -> DesignSpec:
    """The design rebuilt from, per class in its output order, the best row whose latency fits."""
    assert config.max_latency is not None  # the caller budgets only when --max-latency is given
    budget = int(config.max_latency)
    family, cmax = design.rows["family"].iloc[0], design.rows["cmax"].iloc[0]
    candidates = frame[(frame["family"] == family) & (frame["cmax"] == cmax)]
    flow.prepare_budget(design, jets, config)
    chosen = []
    for class_name in design.classes:
        rows = ranked(candidates[candidates["class"] == class_name])
        for index, row in zip(rows.index, rows.itertuples(), strict=True):
            if flow.candidate_latency(parse_row(row, board, features), jets, config) <= budget:
                chosen.append(index)
                break
        else:
            raise SymtrigError(
                f"no {family} expression of class {class_name} fits --max-latency {budget} cycles "
                f"({len(rows)} tried); raise the budget or choose another family"
            )
    return spec(f"{design.name}_max{budget}cyc", candidates.loc[chosen], board, features)
