"""A delay MODEL in ns for pipeline stages, and the rule that times a design: schedule in ns, synthesize once.

Nothing here is place and route: every nanosecond is post-synthesis structure (:mod:`symtrig.cost.netlist`:
LUT levels, carry segments, DSP crossings per stage) times a per-level delay, so a cycle count from this module
is a model, labelled ``yosys + delay model``. The registers are placed by :mod:`symtrig.cost.schedule` from the
same delays applied to each operation's characterized structure (:mod:`symtrig.cost.op_timing`); one Yosys run
of the written design then measures every stage and the one-stage critical path (:func:`time_pipeline`).

Why not da4ml's ``latency_cutoff``: da4ml pipelines by its own delay units (an adder = 1 unit, a table
``max(bits_in - 6, 1)``, a product the operand width), whose ns value is documented nowhere and whose relative
prices are wrong for our operations: the cutoff small enough for the slowest table cut every sum into its own
stage (21 stages where 5 would do), and finding it cost one synthesis per candidate.

The delay models themselves, with their sources, are in :mod:`symtrig.cost.delays`.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from symtrig.cost.delays import DEFAULT_MODEL, DelayModel, stage_delays
from symtrig.cost.op_timing import OpTiming, op_timing
from symtrig.cost.schedule import Schedule, schedule
from symtrig.cost.yosys import YosysReport, synthesize
from symtrig.errors import SymtrigError

__all__ = [
    "TimedPipeline",
    "da4ml_synthesizer",
    "time_pipeline",
]

SOURCE = "yosys + delay model"
NOTE = (
    "modelled timing: Yosys post-synthesis structure x published per-level delays; no place and route; "
    "cycles = da4ml pipeline stages"
)

#: A function that writes a schedule's pipeline and synthesizes it with Yosys.
Synthesizer = Callable[[Schedule], YosysReport]
#: Syntheses one design may take: the schedule, and re-schedules while the netlist shows a stage over budget.
MAX_SYNTHESES = 3


@dataclass(frozen=True)
class TimedPipeline:
    """A design's schedule measured on the netlist of what was written. A MODEL, not timing closure.

    ``cycles`` equals ``stages``: da4ml registers the inputs, then each stage's logic runs for one clock period
    into the next register layer (da4ml's metadata ``latency``). ``stage_delays_ns`` and
    ``critical_path_ns`` (the whole design as one stage) are the delay model on the synthesized netlist;
    ``estimated_stage_delays_ns`` are the operation model's, which placed the registers. ``lower_bound`` is
    ``ceil(critical_path_ns / budget_ns)``: no schedule of these operations has fewer stages in this model.
    ``fits`` is False when no schedule tried kept every stage within ``budget_ns`` (the fastest is given).
    """

    schedule: Schedule
    stages: int
    cycles: int
    stage_delays_ns: tuple[float, ...]
    estimated_stage_delays_ns: tuple[float, ...]
    max_delay_ns: float
    critical_path_ns: float
    lower_bound: int
    clock_ns: float
    clock_uncertainty: float
    budget_ns: float
    fits: bool
    report: YosysReport
    syntheses: int
    synthesis_seconds: float  # Yosys wall time over all syntheses
    tries: tuple[
        tuple[int, float, float], ...
    ]  # per synthesis: stages, operation model's and netlist's worst stage
    model: DelayModel
    source: str = SOURCE
    note: str = NOTE


def time_pipeline(
    logic: Any,
    clock_ns: float,
    synthesize_schedule: Synthesizer,
    *,
    model: DelayModel = DEFAULT_MODEL,
    timing: OpTiming | None = None,
    clock_uncertainty: float = 0.1,
    max_syntheses: int = MAX_SYNTHESES,
) -> TimedPipeline:
    """The fewest balanced stages in ns (:func:`~symtrig.cost.schedule.schedule`), measured by one synthesis.

    The budget is ``clock_ns * (1 - clock_uncertainty)`` (da4ml's own uncertainty, ``RTLModel(clock_
    uncertainty=0.1)``). When the netlist shows a stage over the budget (the operation model priced something too
    low), the operations of each late stage are priced up by its overshoot (:func:`_corrected`) and the design
    is scheduled again, up to ``max_syntheses`` syntheses in all; the first that fits is taken, else the one
    with the fastest slowest stage.
    """
    if not clock_ns > 0 or not 0 <= clock_uncertainty < 1:
        raise SymtrigError(
            f"need clock_ns > 0 and 0 <= clock_uncertainty < 1, got {clock_ns}, {clock_uncertainty}"
        )
    timing = timing or op_timing()
    budget = clock_ns * (1 - clock_uncertainty)
    correction, tried = [1.0] * len(logic.ops), []
    for _ in range(max_syntheses):
        planned = schedule(logic, budget, timing, model, correction)
        report = synthesize_schedule(planned)
        if len(report.stages) != planned.stages:
            raise SymtrigError(
                f"the synthesized design has {len(report.stages)} stages where {planned.stages} were written"
            )
        delays = tuple(stage_delays(report.stages, model))
        tried.append((planned, report, delays))
        if max(delays) <= budget or planned.stages == 1:
            break
        correction = _corrected(correction, planned, delays, budget)
    planned, report, delays = next(
        ((p, r, d) for p, r, d in tried if max(d) <= budget), min(tried, key=lambda prd: max(prd[2]))
    )
    critical = model.delay(report.critical_path) if report.critical_path else max(delays)
    return TimedPipeline(
        schedule=planned,
        stages=planned.stages,
        cycles=planned.stages,
        stage_delays_ns=delays,
        estimated_stage_delays_ns=planned.stage_delays_ns,
        max_delay_ns=max(delays),
        critical_path_ns=round(critical, 3),
        lower_bound=max(1, math.ceil(round(critical, 6) / budget)),
        clock_ns=clock_ns,
        clock_uncertainty=clock_uncertainty,
        budget_ns=round(budget, 3),
        fits=max(delays) <= budget,
        report=report,
        syntheses=len(tried),
        synthesis_seconds=round(sum(r.wall_seconds for _, r, _ in tried), 1),
        tries=tuple((p.stages, max(p.stage_delays_ns), max(d)) for p, _, d in tried),
        model=model,
    )


def _corrected(
    correction: list[float], planned: Schedule, measured: Sequence[float], budget: float
) -> list[float]:
    """Operation factors after a synthesis: the operations of every stage the netlist shows over ``budget``
    are priced up by that stage's measured-over-estimated ratio (never down), the rest stay as they were.

    Why per stage and not a smaller budget for all: the operation model misprices particular operations (a
    table, a long carry chain); shrinking every stage's budget adds stages where the model was right.
    """
    ratios = [
        max(1.0, m / e) if m > budget and e > 0 else 1.0
        for m, e in zip(measured, planned.stage_delays_ns, strict=True)
    ]
    return [f * ratios[s] for f, s in zip(correction, planned.stage_of, strict=True)]


def da4ml_synthesizer(
    name: str = "symt", *, model: DelayModel = DEFAULT_MODEL, family: str = "xcup"
) -> Synthesizer:
    """A :data:`Synthesizer`: write a schedule's pipeline with da4ml's ``RTLModel`` (Verilog) in a temporary
    folder and run Yosys on it. The path search uses ``model``'s weights, so each chain is the slowest under it."""

    def run(planned: Schedule) -> YosysReport:
        from da4ml.codegen import RTLModel

        with tempfile.TemporaryDirectory(prefix="symtrig-rtl-") as tmp:
            RTLModel(planned.pipeline, name, tmp, flavor="verilog", print_latency=False).write()
            return synthesize(Path(tmp) / "src", name, family=family, weights=model.path_weights())

    return run
