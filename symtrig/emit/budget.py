"""``emit-hls --max-latency N / --max-latency-ns NS / --max-lut N``: per class, the best expression whose hardware
fits the budget.

Why: a trigger engineer is given a latency (cycles or ns) and an area, not a complexity. The front member with
the best validation AUC may nest tables or chain wide products and need 5-6 cycles while a slightly weaker member
of the same front needs 2, and complexity does not tell them apart. Candidates are tried in the order of the one
selection rule (:func:`symtrig.select.ranked`), each costed by the backend's flow as a one-output design
(:meth:`~symtrig.emit.flows.Flow.candidate`, the same figures ``symtrig front`` writes); the first that fits is
chosen. The whole IP is then built as usual and its own measured figures are checked against the budget (shared
subexpressions, its final precision and the synthesized netlist can move them): while they miss, the set is
chosen again and the design built again (:func:`build_within_budget`); emit-hls warns when they still miss.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from symtrig.emit.config import EmitConfig
from symtrig.emit.flows import Flow, Jets
from symtrig.emit.selection import DesignSpec, parse_row, spec
from symtrig.errors import SymtrigError
from symtrig.select import Budget, ranked
from symtrig.store.designs import DesignRecord

#: Times the set chosen for a budget is costed together before the closest set is built as it is.
MAX_SWAPS = 6
#: Times a built design that measures over its budget is chosen again and rebuilt.
MAX_REBUILDS = 2


def budget_of(config: EmitConfig) -> Budget:
    """The budget ``config`` asks for (empty when none)."""
    return Budget(config.max_latency, config.max_latency_ns, config.max_lut)


@dataclass(frozen=True)
class BudgetChoice:
    """Per class of one design, the rows of its family that fit the budget alone (best first, each with its
    modelled path in ns) and the one taken: the state the budget rule moves on, before and after building."""

    name: str
    candidates: pd.DataFrame
    options: list[list[tuple[Any, float]]]  # per class: (row label, modelled path in ns), best first
    picks: tuple[int, ...]  # per class: the index of the taken option
    board: str
    features: Sequence[str]

    def spec(self) -> DesignSpec:
        """The design of the taken rows."""
        rows = self.candidates.loc[[self.options[k][i][0] for k, i in enumerate(self.picks)]]
        return spec(self.name, rows, self.board, self.features)

    def auc_lost(self, k: int) -> float:
        """Validation AUC class ``k`` gives up by moving to its next fitting row."""
        now, then = self.options[k][self.picks[k]][0], self.options[k][self.picks[k] + 1][0]
        auc = self.candidates["auc_val"].astype(float)
        return float(auc[now] - auc[then])

    def movable(self) -> list[int]:
        """Classes with a next fitting row, the cheapest move (in validation AUC) first."""
        return sorted(
            (k for k, i in enumerate(self.picks) if i + 1 < len(self.options[k])), key=self.auc_lost
        )

    def slowest(self) -> int | None:
        """Of the movable classes, the one whose taken row has the longest modelled path."""
        return max(self.movable(), key=lambda k: self.options[k][self.picks[k]][1], default=None)

    def moved(self, k: int) -> BudgetChoice:
        """The choice with class ``k`` on its next fitting row."""
        return replace(self, picks=tuple(i + (j == k) for j, i in enumerate(self.picks)))

    def row(self, k: int) -> pd.Series:
        """The leaderboard row class ``k`` takes."""
        return self.candidates.loc[self.options[k][self.picks[k]][0]]


def within_budget(
    design: DesignSpec,
    frame: pd.DataFrame,
    flow: Flow,
    jets: Jets,
    config: EmitConfig,
    board: str,
    features: Sequence[str],
) -> BudgetChoice:
    """Per class in the design's output order, the best row of its family whose cost fits.

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
    options: list[list[tuple[Any, float]]] = []
    for number, class_name in enumerate(design.classes):
        rows = candidates[candidates["class"] == class_name]
        fitting = _fitting_rows(rows, flow, jets.only(number), config, budget, board, features)
        if not fitting:
            raise SymtrigError(
                f"no {family} expression of class {class_name} fits {budget.describe()} ({len(rows)} tried); "
                "raise the budget or choose another family"
            )
        options.append(fitting)
    choice = BudgetChoice(
        f"{design.name}_{budget.label}", candidates, options, (0,) * len(options), board, features
    )
    return _swapped(choice, lambda picked: _costed_fits(picked, flow, jets, config))


def _swapped(choice: BudgetChoice, fits: Callable[[BudgetChoice], bool]) -> BudgetChoice:
    """While the set does not fit (:data:`MAX_SWAPS` times at most), one class takes its next fitting row: of the
    single moves that make the set fit, the one giving up the least validation AUC; if none does, the class
    whose choice has the longest modelled path. With no class left to move, the closest set."""
    for _ in range(MAX_SWAPS):
        slowest = choice.slowest()
        if fits(choice) or slowest is None:
            break
        fixing = next((k for k in choice.movable() if fits(choice.moved(k))), None)
        choice = choice.moved(fixing if fixing is not None else slowest)
    return choice


def _costed_fits(
    choice: BudgetChoice, flow: Flow, jets: Jets, config: EmitConfig, margin: float = 1.0
) -> bool:
    """True when the set, costed together by the backend's model, fits the budget; with ``margin`` < 1 every
    stage must fit within ``margin`` of its budget (the ratio by which a built design showed the model short)."""
    timing = replace(config, clock=config.clock * margin)
    cost = flow.candidate(list(choice.spec().exprs), jets, timing).cost
    ns = cost.latency_ns * config.clock / timing.clock  # the stages run at the real clock
    return budget_of(config).admits(cost.latency_cycles, ns, cost.lut)


def build_within_budget(
    choice: BudgetChoice,
    flow: Flow,
    jets: Jets,
    config: EmitConfig,
    build: Callable[[DesignSpec], tuple[DesignRecord, list[str]]],
    warn: Callable[[str], None],
) -> tuple[DesignRecord, list[str]]:
    """Build the chosen design; while its *measured* figures miss the budget, choose again and build again
    (:data:`MAX_REBUILDS` times at most).

    Why: a budget is a hard limit for a trigger (a design a cycle over it does not fit its slot), so a set whose
    costed figures fit but whose built design does not is given up. Choosing again: where the build says by how
    much the model was short (a schedule it synthesized whose slowest stage measured over the stage budget:
    modelled over measured delay), the swap rule runs again with every stage held to that margin; otherwise the
    class with the longest modelled path moves. Each move is said (class, rows, validation AUC given up). When
    no rebuild fits, the first choice (the best validation AUC) is built again. Returns the kept build and its
    own warning lines.
    """
    budget = budget_of(config)
    first = choice
    record, lines = build(choice.spec())
    for _ in range(MAX_REBUILDS):
        cost, slowest = record.cost, choice.slowest()
        if budget.fits(cost) or slowest is None:
            break
        tight = functools.partial(_costed_fits, flow=flow, jets=jets, config=config, margin=_margin(record))
        again = _swapped(choice, tight)
        if again.picks == choice.picks:
            again = choice.moved(slowest)
        warn(
            f"{record.design}: built, it measures {cost.latency_cycles} cycles ({cost.latency_ns:g} ns) and "
            f"{cost.lut} LUT ({cost.source}), over {budget.describe()}; {_moves(choice, again)}; built again"
        )
        choice = again
        record, lines = build(choice.spec())
    if not budget.fits(record.cost) and choice is not first:  # nothing fitted: give the AUC back
        warn(f"{record.design}: no rebuild fits {budget.describe()}; the first choice is built again")
        record, lines = build(first.spec())
    return record, lines


def _margin(record: DesignRecord) -> float:
    """How far short the model was on the built design: of the schedules its build synthesized whose slowest
    stage measured over the stage budget, the smallest modelled-over-measured ratio of that stage (1 when the
    build reports none: then the model is not known to be short)."""
    budget = record.cost.extra.get("stage_budget_ns")
    tries = record.details.get("schedule_tries") or ()
    ratios = [
        t["estimated_worst_ns"] / t["measured_worst_ns"]
        for t in tries
        if budget and t["measured_worst_ns"] > budget and t["estimated_worst_ns"] > 0
    ]
    return min([1.0, *ratios])


def _moves(before: BudgetChoice, after: BudgetChoice) -> str:
    """The classes that moved between two choices, each with its rows and the validation AUC given up."""
    said = []
    for k, (i, j) in enumerate(zip(before.picks, after.picks, strict=True)):
        if i != j:
            was, now = before.row(k), after.row(k)
            said.append(
                f"class {was['class']} moves from {was['expr_id']} to {now['expr_id']} "
                f"(validation AUC -{float(was['auc_val']) - float(now['auc_val']):.4f})"
            )
    return ", ".join(said)


def _fitting_rows(
    rows: pd.DataFrame,
    flow: Flow,
    jets: Jets,
    config: EmitConfig,
    budget: Budget,
    board: str,
    features: Sequence[str],
    limit: int = 4,
) -> list[tuple[Any, float]]:
    """Up to ``limit`` rows that fit alone, in the order of the selection rule (:func:`symtrig.select.ranked`:
    the first is the rule's choice), each with its modelled path in ns."""
    found: list[tuple[Any, float]] = []
    for index in ranked(rows).index:
        cost = flow.candidate([parse_row(rows.loc[index], board, features)], jets, config).cost
        if budget.fits(cost):
            found.append((index, float(cost.extra.get("critical_path_ns") or cost.latency_ns)))
            if len(found) == limit:
                break
    return found
