"""The per-node precision search (the da4ml path): the fewest fraction bits and constant digits per node that
keep the AUC rule, measured on the backend's bit-exact model, which the caller hands in.

The space searched (integer bits, table windows, constants on a CSD grid) is :mod:`symtrig.lower.node_types`.

* **Fraction bits** and digits: the smallest uniform fraction width, then the fewest uniform digits, that keep
  the AUC rule of :mod:`symtrig.lower.tolerance` (at :data:`SEARCH_SHARE` of the tolerance); then greedy
  per-variable lowering, largest estimated saving first (table inputs, product operands, wide constant
  multiplications), each step kept while the rule holds.
* The search runs the model (for da4ml designs :class:`symtrig.verify.program_model.ModelState`, passed in by
  the flow so this stage imports no verification or backend code) on the nodes a step changes and scores
  only the outputs that depend on them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from symtrig.errors import SymtrigError
from symtrig.expr import evaluate
from symtrig.lower.node_types import (
    FULL_DIGITS,
    Settings,
    csd_digits,
    fraction_bounds,
    materialize,
    plan_types,
    table_input_bounds,
    uniform_settings,
)
from symtrig.lower.program import NodeType, Program
from symtrig.lower.tolerance import (
    CLIP_SHARE,
    MAX_CALIBRATION_CLIP_RATE,
    AucReference,
    calibration_slices,
    per_class_auc,
    signal_of,
)

#: Fraction widths the uniform phase scans.
UNIFORM_FRACTIONS = range(2, 21)
#: The search aims at this share of the tolerance. Hundreds of accept/reject steps select candidates whose AUC
#: change happens to be small on the calibration jets: aiming at the whole tolerance, three sample designs
#: changed the test split's AUC by up to 1.15x the tolerance (a uniform width: 0.4x); aiming at half, by at most
#: 0.99x, for 30-45 % more da4ml cost (still 3-5x below the uniform width); docs/rtl-path.md (Lowering, step 3).
SEARCH_SHARE = 0.5


class ModelRun(Protocol):
    """What a model run reports: outputs and, per output, the share of rows that wrapped or clipped."""

    @property
    def y(self) -> np.ndarray: ...
    @property
    def wrap_rate(self) -> np.ndarray: ...
    @property
    def clip_rate(self) -> np.ndarray: ...


class ModelState(Protocol):
    """A bit-exact model of a program on fixed rows that re-evaluates only what a change of types touches."""

    @property
    def types(self) -> tuple[NodeType, ...]: ...
    def run(self) -> ModelRun: ...
    def update(self, types: Sequence[NodeType]) -> tuple[ModelState, set[int]]:
        """The model with ``types``, and the outputs that depend on a node whose type changed."""
        ...


#: The backend's bit-exact model: ``model(program, types, X)`` evaluates ``program`` with ``types`` on ``X``.
ProgramModel = Callable[[Program, Sequence[NodeType], np.ndarray], ModelState]


class Decision(NamedTuple):
    """One accepted greedy step: node ``node`` (``label``), its ``what`` lowered from ``before`` to ``after``."""

    node: int
    label: str
    what: str
    before: int
    after: int


@dataclass(frozen=True)
class NodeTypes:
    """The chosen types and what they were measured to do on the calibration jets (tolerance rule)."""

    nodes: tuple[NodeType, ...]
    met: bool  # the AUC rule holds (score <= max_auc_drop)
    score: float  # what is held against the tolerance (:func:`symtrig.lower.tolerance.tolerance_score`)
    changes: tuple[float, ...]  # per class: worst |AUC change| over all calibration rows and every slice
    auc_float: tuple[float, ...]  # per class, float64 expressions on all calibration rows
    auc_fixed: tuple[float, ...]  # per class, this design on all calibration rows
    clip_rate: tuple[float, ...]  # per output: calibration rows that depend on a saturated table (model)
    max_auc_drop: float
    uniform_fraction: int  # the uniform fraction width the greedy phase started from
    tried: tuple[tuple[str, float], ...]  # uniform candidates and their scores
    decisions: tuple[Decision, ...]  # greedy steps kept
    evaluations: int  # candidates the model evaluated
    seconds: float
    complete: bool  # False: the time budget ended the greedy phase early

    @property
    def fraction_range(self) -> tuple[int, int]:
        return min(t.fmt.fraction for t in self.nodes), max(t.fmt.fraction for t in self.nodes)


def choose_node_types(
    program: Program,
    X_calib: np.ndarray,
    labels: np.ndarray,
    *,
    model: ProgramModel,
    max_auc_drop: float = 0.001,
    slice_size: int | None = None,
    time_budget: float = 30.0,
) -> NodeTypes:
    """Per-node types for ``program`` that keep every class's AUC within ``max_auc_drop`` of float.

    ``X_calib``: the calibration rows (standardized; the program's ranges came from them). ``labels``: per row,
    the index of the output of its class (``-1``: background), as the emit stage's ``calibration_jets`` gives.
    ``model``: the backend's bit-exact model (:data:`ProgramModel`); the search measures every candidate on it.
    ``slice_size``: the size of the set the design will be judged on (the rule of
    :mod:`symtrig.lower.tolerance`). ``time_budget`` (seconds) bounds the search after the uniform scan (at most
    one evaluation per width): past it, the best design so far is returned with ``complete=False``. When no width
    meets the tolerance, the closest one is returned with ``met=False``, lowered only where no output gets
    worse. See the module docstring for the search.
    """
    started = time.perf_counter()
    labels = np.asarray(labels)
    if len(labels) != len(X_calib):
        raise SymtrigError(f"{len(labels)} labels for {len(X_calib)} calibration rows")
    search = _Search(program, model, X_calib, labels, slice_size, max_auc_drop)
    deadline, target = started + time_budget, max_auc_drop * SEARCH_SHARE
    tried: list[tuple[str, float]] = []
    met_at: dict[int, int] = {}  # output -> the narrowest uniform width at which it alone meets the rule
    for fraction in UNIFORM_FRACTIONS:
        tried.append((f"fraction {fraction}", search.reset(uniform_settings(program, search.plan, fraction))))
        met_at.update(
            {int(k): fraction for k in np.flatnonzero(search.scores <= target) if int(k) not in met_at}
        )
        if tried[-1][1] <= target:
            break
    uniform = int(min(tried, key=lambda t: t[1])[0].split()[1])
    start = _per_output_widths(program, met_at, uniform)
    per_output = start != [uniform] * len(program.nodes)
    if per_output and search.reset(uniform_settings(program, search.plan, start)) <= target:
        tried.append(("per output", float(search.scores.max())))
    else:
        start = [uniform] * len(program.nodes)
    if search.scores.max() <= target or search.reset(uniform_settings(program, search.plan, start)) <= target:
        for digits in range(1, FULL_DIGITS):
            if time.perf_counter() > deadline:
                break
            tried.append(
                (f"digits {digits}", search.reset(uniform_settings(program, search.plan, start, digits)))
            )
            if tried[-1][1] <= target:
                break
        if search.scores.max() > target:  # stopped early: back to the constants that met it
            search.reset(uniform_settings(program, search.plan, start))
    complete = search.greedy(deadline, target) and time.perf_counter() <= deadline
    return search.result(uniform, tuple(tried), complete, time.perf_counter() - started)


def _per_output_widths(program: Program, met_at: dict[int, int], uniform: int) -> list[int]:
    """Per node, the widest of the uniform widths its outputs met the rule at (``uniform`` where unknown).

    Why: one uniform width for a multi-output design is the width its most demanding output needs, and the
    greedy phase, which lowers one variable at a time, does not always find its way back down from there: the
    other outputs' nodes (and tables, whose size doubles per bit) stayed wider than each output alone needs,
    which made designs larger and, by a few hundredths of a ns per adder, a stage longer than their outputs
    costed alone (``symtrig front``). Starting each node at what its own outputs need removes that gap.
    """
    return [
        max((met_at.get(k, uniform) for k in outputs), default=uniform) for outputs in program.output_sets
    ]


class _Search:
    """The model on the calibration rows, scored by the tolerance rule output by output."""

    def __init__(
        self,
        program: Program,
        model: ProgramModel,
        X: np.ndarray,
        labels: np.ndarray,
        slice_size: int | None,
        max_auc_drop: float,
    ) -> None:
        self.model = model
        self.program, self.plan, self.max_auc_drop = program, plan_types(program), max_auc_drop
        self.X, self.labels = np.asarray(X, dtype=np.float64), labels
        self.y_float = np.nan_to_num(np.stack([evaluate(e, self.X) for e in program.exprs], axis=1))
        self.reference = AucReference.of(self.y_float, labels, calibration_slices(len(labels), slice_size))
        self.evaluations, self.decisions = 0, list[Decision]()
        self.settings: Settings = {}
        self.state: ModelState  # set by reset(), the first call of every search
        self.scores = self.per_class = np.zeros(len(program.outputs))

    def _score(self, state, outputs) -> tuple[np.ndarray, np.ndarray] | None:
        """Scores and per-class changes with ``outputs`` re-measured; None when a calibration row wraps.

        An output whose tables clip on more than :data:`CLIP_SHARE` of
        :data:`~symtrig.lower.tolerance.MAX_CALIBRATION_CLIP_RATE` of the rows scores at least the tolerance plus
        that rate: it does not meet the rule, and of two such candidates the one that clips less scores better
        (a design whose rows cannot all be resolved comes back as close as it gets, with ``met=False``)."""
        run = state.run()
        if run.wrap_rate.any():
            return None
        scores, per_class = self.scores.copy(), self.per_class.copy()
        for k in outputs:
            scores[k], changes = self.reference.score(run.y, [k])
            per_class[k] = changes[0]
        clipping = run.clip_rate > MAX_CALIBRATION_CLIP_RATE * CLIP_SHARE
        return np.where(clipping, np.maximum(scores, self.max_auc_drop + run.clip_rate), scores), per_class

    def reset(self, settings: Settings) -> float:
        """Evaluate ``settings`` from scratch and make them current; returns the score."""
        self.settings = settings
        self.state = self.model(self.program, materialize(self.program, self.plan, settings), self.X)
        self.evaluations += 1
        measured = self._score(self.state, range(len(self.program.outputs)))
        self.scores, self.per_class = measured or (np.full(len(self.scores), np.inf), self.per_class)
        return float(self.scores.max())

    def greedy(self, deadline: float, target: float) -> bool:
        """Lower each variable as far as the rule allows, largest estimated saving first; False on timeout.

        Each output must keep its score within ``target``, or, when it already misses it (no uniform width
        met it), no worse than it is: the design gets cheaper, never less accurate.
        """
        limits = np.maximum(self.scores, target)
        for _, key in sorted(self._moves(), reverse=True):
            value, bound = self._range(key)
            before = value
            step = max(1, (value - bound) // 2)
            while value > bound:
                if time.perf_counter() > deadline:
                    return False
                candidate = {**self.settings, key: max(bound, value - step)}
                state, outputs = self.state.update(materialize(self.program, self.plan, candidate))
                self.evaluations += 1
                measured = self._score(state, outputs)
                if measured is not None and (measured[0] <= limits).all():
                    self.state, self.settings, (self.scores, self.per_class) = state, candidate, measured
                    value = candidate[key]
                elif step == 1:
                    break
                else:
                    step //= 2
            if value != before:
                what = key[0] if key[2] < 0 else f"{key[0]} {key[2]}"
                self.decisions.append(Decision(key[1], self.program.nodes[key[1]].label, what, before, value))
        return True

    def _moves(self) -> list[tuple[float, tuple[str, int, int]]]:
        """(estimated saving of one bit or digit, variable) for every variable that saves anything.

        The estimates follow da4ml's cost model (its ``get_cost_and_latency``): a table costs ``2**(inputs-5) * outputs/2``;
        an adder costs its width, so a bit off an operand saves one per adder it enters (one per CSD digit of
        its coefficient) and a bit off a product operand saves the other operand's width.
        """
        types, moves = self.state.types, []
        for index, node in enumerate(self.program.nodes):
            if node.kind == "table" and (table_input := types[index].table_input) is not None:
                entries = 2.0 ** (table_input.width - 6)
                moves.append((entries * types[index].fmt.width / 2, ("table input", index, -1)))
            saving = 1.0 if index in self.program.outputs else 0.0
            for reader in self.program.consumers[index]:
                other, reader_type = self.program.nodes[reader], types[reader]
                if other.kind == "add":
                    saving += max(1, csd_digits(reader_type.coeffs[other.operands.index(index)]))
                elif other.kind == "mul":
                    saving += types[sum(other.operands) - index].fmt.width
            if saving:
                moves.append((saving, ("fraction", index, -1)))
            for term, operand in enumerate(node.operands if node.kind == "add" else ()):
                moves.append((types[operand].fmt.width, ("digits", index, term)))
        return moves

    def _range(self, key: tuple[str, int, int]) -> tuple[int, int]:
        """A variable's effective value (a node's fraction within its bounds, a coefficient's actual digits)
        and the lowest it may go."""
        node_type = self.state.types[key[1]]
        if key[0] == "table input":
            return self.settings[key], table_input_bounds(self.plan.tables[key[1]])[0]
        if key[0] == "digits":
            return min(self.settings[key], csd_digits(node_type.coeffs[key[2]])), 1
        return node_type.fmt.fraction, fraction_bounds(node_type.fmt.signed, node_type.fmt.integer)[0]

    def result(self, uniform: int, tried: tuple, complete: bool, seconds: float) -> NodeTypes:
        run = self.state.run()
        own = [np.where(signal_of(self.labels, k), 0, -1) for k in range(len(self.program.outputs))]
        return NodeTypes(
            nodes=self.state.types,
            met=bool(self.scores.max() <= self.max_auc_drop),
            score=float(self.scores.max()),
            changes=tuple(float(c) for c in self.per_class),
            auc_float=tuple(float(per_class_auc(self.y_float[:, [k]], o)[0]) for k, o in enumerate(own)),
            auc_fixed=tuple(float(per_class_auc(run.y[:, [k]], o)[0]) for k, o in enumerate(own)),
            clip_rate=tuple(float(r) for r in run.clip_rate),
            max_auc_drop=self.max_auc_drop,
            uniform_fraction=uniform,
            tried=tried,
            decisions=tuple(self.decisions),
            evaluations=self.evaluations,
            seconds=seconds,
            complete=complete,
        )
