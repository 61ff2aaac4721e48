"""``emit-hls --max-latency N / --max-latency-ns NS / --max-lut N``: per class, the best expression whose hardware
fits the budget.

Why: a trigger engineer is given a latency (cycles or ns) and an area, not a complexity. The front member with
the best validation AUC may nest tables or chain wide products and need 5-6 cycles while a slightly weaker member
of the same front needs 2, and complexity does not tell them apart. Candidates are tried in the order of the one
selection rule (:func:`symtrig.select.ranked`), each costed by the backend's flow as a one-output design
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
from symtrig.select import Budget, ranked

#: Times the set chosen for a budget is costed together before the closest set is built as it is.
MAX_SWAPS = 6


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
    """The design rebuilt from, per class in its output order, the best row of its family whose cost fits.

    The chosen rows are then costed together by the same model (:data:`MAX_SWAPS` times at most): built into one
    IP their types and shared subexpressions differ, and a set of one-stage-fitting outputs can need a stage
    more. While the set misses the budget, one class takes its next fitting row (the rule's next best): of the
    single moves that make the set fit, the one that gives up the least validation AUC; if none does, the class
    whose choice has the longest modelled path.
    """
    budget = budget_of(config)
    family, cmax = design.rows["family"].iloc[0], design.rows["cmax"].iloc[0]
    candidates = frame[(frame["family"] == family) & (frame["cmax"] == cmax)]
    flow.prepare_budget(design, jets, config)
    options: list[
        list[tuple[object, float]]
    ] = []  # per class: fitting rows, best first, with their path (ns)
    for number, class_name in enumerate(design.classes):
        rows = candidates[candidates["class"] == class_name]
        fitting = _fitting_rows(rows, flow, jets.only(number), config, budget, board, features)
        if not fitting:
            raise SymtrigError(
                f"no {family} expression of class {class_name} fits {budget.describe()} ({len(rows)} tried); "
                "raise the budget or choose another family"
            )
        options.append(fitting)
    picks = [0] * len(options)

    def set_fits(choice: list[int]) -> bool:
        rows = candidates.loc[[options[k][i][0] for k, i in enumerate(choice)]]
        cost = flow.candidate([parse_row(r, board, features) for _, r in rows.iterrows()], jets, config).cost
        return budget.admits(cost.latency_cycles, cost.latency_ns, cost.lut)

    def auc_lost(k: int) -> float:  # validation AUC class k gives up by moving to its next fitting row
        now, then = options[k][picks[k]][0], options[k][picks[k] + 1][0]
        return float(candidates.at[now, "auc_val"]) - float(candidates.at[then, "auc_val"])

    for _ in range(MAX_SWAPS):
        if set_fits(picks):
            break
        movable = sorted((k for k, i in enumerate(picks) if i + 1 < len(options[k])), key=auc_lost)
        if not movable:
            break  # the closest set: the built design's own figures are checked and warned about
        # the single move that makes the set fit at the least validation AUC, else the slowest class moves on
        fixing = next((k for k in movable if set_fits([i + (j == k) for j, i in enumerate(picks)])), None)
        picks[fixing if fixing is not None else max(movable, key=lambda k: options[k][picks[k]][1])] += 1
    chosen = candidates.loc[[options[k][i][0] for k, i in enumerate(picks)]]
    return spec(f"{design.name}_{budget.label}", chosen, board, features)


def _fitting_rows(
    rows: pd.DataFrame,
    flow: Flow,
    jets: Jets,
    config: EmitConfig,
    budget: Budget,
    board: str,
    features: Sequence[str],
    limit: int = 4,
) -> list[tuple[object, float]]:
    """Up to ``limit`` rows that fit alone, in the order of the selection rule (:func:`symtrig.select.ranked`:
    the first is the rule's choice), each with its modelled path in ns."""
    found: list[tuple[object, float]] = []
    for index in ranked(rows).index:
        cost = flow.candidate([parse_row(rows.loc[index], board, features)], jets, config).cost
        if budget.admits(cost.latency_cycles, cost.latency_ns, cost.lut):
            found.append((index, float(cost.extra.get("critical_path_ns") or cost.latency_ns)))
            if len(found) == limit:
                break
    return found
