"""Pipeline registers placed by delay in ns: the fewest stages the logic needs at a clock, balanced.

Why not da4ml's ``latency_cutoff``: da4ml cuts stages at multiples of one cutoff in its own delay units, and
those units misprice our operations relative to each other (see :mod:`symtrig.cost.op_timing`), so designs took
2-4x the stages their logic needs. da4ml is still the writer: its ``to_pipeline`` puts an operation in stage
``floor(latency / cutoff)``, so giving every operation a latency of ``stage * cut + its arrival within the
stage`` (``retiming=False``) makes da4ml write exactly the stages chosen here — no fork, no private API.

The schedule (:func:`schedule`):

1. every operation gets its delay in ns (:class:`~symtrig.cost.op_timing.OpTiming` priced by a
   :class:`~symtrig.cost.delays.DelayModel`);
2. *as soon as possible*: in topological order, an operation joins the latest stage of its operands unless its
   arrival there would pass the logic budget (stage budget minus the register's own delay), then it opens the
   next stage with all operands registered. Moving an operand earlier never delays a reader, so this gives
   every operation its earliest stage: the fewest stages for the budget;
3. *balanced*: the same number of stages is kept while the cut is lowered by bisection to the smallest at which
   it still holds, so the slack is spread over the stages instead of an almost empty last stage.

An operation longer than the budget alone (a deep table at a fast clock) gets a stage of its own and the stage
misses the budget; the schedule says so (``fits``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from symtrig.cost.delays import DelayModel
from symtrig.cost.op_timing import OpTiming, width_of
from symtrig.errors import SymtrigError

#: Bisection steps of the balancing cut (the cut is found to within budget / 2**steps).
BALANCE_STEPS = 24


@dataclass(frozen=True)
class Schedule:
    """Where the registers go. ``stage_delays_ns`` are the operation model's per-stage estimates (register
    included); the netlist of the written design is measured separately (:mod:`symtrig.cost.timing`)."""

    pipeline: Any  # da4ml Pipeline, for RTLModel
    stage_of: tuple[int, ...]  # per operation of the traced logic
    budget_ns: float  # register-to-register budget asked for
    cut_ns: float  # the balanced cut the stages were placed at (<= budget_ns)
    critical_path_ns: float  # the whole design as one stage (register included), operation model
    stage_delays_ns: tuple[float, ...]

    @property
    def stages(self) -> int:
        return len(self.stage_delays_ns)

    @property
    def fits(self) -> bool:
        return max(self.stage_delays_ns) <= self.budget_ns + 1e-9


def op_delays(logic: Any, timing: OpTiming, model: DelayModel) -> list[float]:
    """The delay in ns of every operation of ``logic`` (a da4ml ``CombLogic``), without register overhead."""
    ops = logic.ops
    widths = [width_of(op.qint) for op in ops]
    delays = []
    for op in ops:
        operands = tuple(widths[i] for i in _operands(op))
        depth = timing.depth(op, operands, width_of(op.qint))
        delays.append(model.delay(depth) - model.register_ns)
    return delays


def _operands(op: Any) -> tuple[int, ...]:
    """Buffer indices ``op`` reads (an MSB multiplexer also reads the value whose MSB selects; an input copy
    reads an input port, not the buffer)."""
    if op.opcode == -1:
        return ()
    found = [i for i in (op.id0, op.id1) if i >= 0]
    if abs(op.opcode) == 6:
        found.append(op.data & 0xFFFFFFFF)
    return tuple(found)


def _asap(logic: Any, delays: Sequence[float], cut: float) -> tuple[list[int], list[float]]:
    """Earliest stage and arrival within it (ns, logic only) of every operation for a logic budget ``cut``."""
    stage: list[int] = []
    arrival: list[float] = []
    for op, delay in zip(logic.ops, delays, strict=True):
        operands = _operands(op)
        at = max((stage[i] for i in operands), default=0)
        start = max((arrival[i] for i in operands if stage[i] == at), default=0.0)
        if start > 0 and delay > 0 and start + delay > cut:  # wiring (delay 0) never opens a stage
            at, start = at + 1, 0.0
        stage.append(at)
        arrival.append(start + delay)
    _pull_constants_forward(logic, stage)
    return stage, arrival


def _pull_constants_forward(logic: Any, stage: list[int]) -> None:
    """A constant sits in the stage of its first reader, so it is not carried through registers."""
    readers: dict[int, int] = {}
    for index, op in enumerate(logic.ops):
        for operand in _operands(op):
            readers[operand] = min(readers.get(operand, stage[index]), stage[index])
    for index, op in enumerate(logic.ops):
        if op.opcode == 5 and index in readers:
            stage[index] = readers[index]


def _stage_delays(stage: Sequence[int], arrival: Sequence[float], register_ns: float) -> tuple[float, ...]:
    worst = [0.0] * (max(stage) + 1)
    for at, t in zip(stage, arrival, strict=True):
        worst[at] = max(worst[at], t)
    return tuple(round(register_ns + w, 4) for w in worst)


def schedule(
    logic: Any,
    budget_ns: float,
    timing: OpTiming,
    model: DelayModel,
    correction: Sequence[float] | None = None,
) -> Schedule:
    """The fewest, balanced stages of ``logic`` whose modelled register-to-register delay fits ``budget_ns``.

    ``correction`` (one factor per operation) scales the operation model where a synthesized netlist showed it
    low (:func:`symtrig.cost.timing.time_pipeline`).
    """
    from da4ml.trace import to_pipeline

    if not budget_ns > model.register_ns:
        raise SymtrigError(f"a stage budget of {budget_ns} ns leaves no time after the register")
    delays = op_delays(logic, timing, model)
    if correction is not None:
        delays = [d * f for d, f in zip(delays, correction, strict=True)]
    logic_budget = budget_ns - model.register_ns
    stage, arrival = _asap(logic, delays, logic_budget)
    count = max(stage) + 1
    low, high = 0.0, logic_budget
    for _ in range(BALANCE_STEPS):
        middle = (low + high) / 2
        if max(_asap(logic, delays, middle)[0]) + 1 == count:
            high = middle
        else:
            low = middle
    stage, arrival = _asap(logic, delays, high)
    one_stage = max(_asap(logic, delays, float("inf"))[1], default=0.0)
    timed = [
        op._replace(latency=float(s) + min(t / high, 0.999) if high > 0 else float(s))
        for op, s, t in zip(logic.ops, stage, arrival, strict=True)
    ]
    pipeline = to_pipeline(logic._replace(ops=timed), 1.0, retiming=False, verbose=False)
    if len(pipeline.solutions) != count:
        raise SymtrigError(f"da4ml wrote {len(pipeline.solutions)} stages where {count} were scheduled")
    return Schedule(
        pipeline=pipeline,
        stage_of=tuple(stage),
        budget_ns=budget_ns,
        cut_ns=round(high + model.register_ns, 4),
        critical_path_ns=round(one_stage + model.register_ns, 4),
        stage_delays_ns=_stage_delays(stage, arrival, model.register_ns),
    )
