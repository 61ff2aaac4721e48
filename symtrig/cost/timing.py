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

Sources of the delays (UltraScale+, -2 speed grade wanted):

- [DS923] AMD DS923, Virtex UltraScale+ FPGA Data Sheet: DC and AC Switching Characteristics (v1.20, 2024),
  "DSP48 Slice Switching Characteristics": FMAX_NOPIPELINEREG (no MREG/ADREG) 410 MHz at -2/0.85 V, i.e.
  2.44 ns register to register inside the DSP; FMAX_MULT_NOMREG 544 MHz (1.84 ns). The current DS923 tables
  found give FMAX per block only: **no per-LUT, carry or MUXF delay is published there**, and no figure for
  a DSP48E2 with AREG=BREG=MREG=PREG=0. So the LUT, carry and DSP constants below come from characterisations.
- [MB] MapBuf/Dynamatic delay characterisation, https://mapbuf.readthedocs.io/en/stable/experiments/
  delay_decomp.html: "if the target clock period is 4.2 ns, then ... the maximum number of LUT levels is 6,
  and the DSPs take 4 LUT levels" — 0.70 ns per LUT level including its wiring, a DSP = 2.8 ns. The page
  does not name the device; Dynamatic's flow targets AMD 7-series (xc7k160t-2), slower than UltraScale+, so
  this is conservative here.
- [DY] Dynamatic ``MAPBUFBuffers.cpp`` ``ADD_SUB_DELAYS`` (github.com/EPFL-LAP/dynamatic): carry-chain delay
  of an adder without its port wiring, 8 bit 0.6 ns, 16 bit 0.7 ns, 32 bit 1.0 ns. With 4-bit segments
  (CARRY4): entry + 1 step = 0.6 and entry + 7 steps = 1.0 give step 0.067 ns, entry 0.533 ns (16 bit: 0.73).
- [VR] Published Vivado 2021.2 timing reports on UltraScale+ xczu3eg, speed grade -1 (slower than -2),
  github.com/gussmith23/lakeroad-evaluation ``runs/2022-07-06-1704-full/vivado-eval/xilinx-ultrascale-plus-
  vivado-eval/vivado-synth-opt-place-route/``: MUXF7 0.082 ns + 0.009 ns intra-slice net
  (``invoke-memory.futil-vanilla-timing-route.v``); a combinational DSP48E2 crossing 1.92 ns inside plus
  0.21/0.32 ns routing in/out (``inlining.futil-ultrascale-timing-place.v``); CARRY8 S->CO 0.21-0.25 ns,
  CI->O 0.10-0.15 ns; FDRE clock-to-Q 0.095 ns, setup 0.027 ns.
- [FP] FloPoCo ``src/Targets/VirtexUltrascalePlus.hpp`` (xcvu3p -2, "copypasted from Vivado timing
  reports"; mirror github.com/kammoh/flopoco): LUT6 0.148 ns + typical local routing 0.180 ns = 0.33 ns per
  level; FF 0.150 ns; adder constant 0.281 ns, +0.041 ns per further CARRY8.

The default model takes the target family's own numbers ([FP]/[VR]: UltraScale+ -2 as Vivado reports it);
the conservative [MB]/[DY] characterisation (7-series, about twice as slow per LUT level) is kept as
``CONSERVATIVE_MODEL``. Treat a modelled stage delay as an estimate with roughly +-50 % uncertainty, not as
timing closure.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from symtrig.cost.op_timing import OpTiming, op_timing
from symtrig.cost.yosys import PathDepth, PathWeights, YosysReport, synthesize
from symtrig.errors import SymtrigError

if TYPE_CHECKING:
    from symtrig.cost.schedule import Schedule

__all__ = [
    "CONSERVATIVE_MODEL",
    "DEFAULT_MODEL",
    "DELAY_MODELS",
    "ECP5_MODEL",
    "NEXUS_MODEL",
    "ULTRASCALE_PLUS_MODEL",
    "DelayModel",
    "TimedPipeline",
    "da4ml_synthesizer",
    "delay_model",
    "stage_delays",
    "time_pipeline",
]

SOURCE = "yosys + delay model"
NOTE = (
    "modelled timing: Yosys post-synthesis structure x published per-level delays; no place and route; "
    "cycles = da4ml pipeline stages"
)

#: A function that writes a schedule's pipeline and synthesizes it with Yosys.
Synthesizer = Callable[["Schedule"], YosysReport]
#: Syntheses one design may take: the schedule, and re-schedules while the netlist shows a stage over budget.
MAX_SYNTHESES = 3


@dataclass(frozen=True)
class DelayModel:
    """Per-level delays in ns (sources in the module docstring). A stage = one register + its critical chain.

    No defaults: every model names all its figures and where they come from (the instances below)."""

    lut_ns: float  # one LUT level including its routing
    muxf_ns: float  # one wide-mux level entered through its data inputs
    carry_entry_ns: float  # entering a carry chain (its first segment)
    carry_step_ns: float  # each further carry segment
    dsp_ns: float  # one combinational DSP crossing
    register_ns: float  # the register's own delay (clock-to-out, setup)
    label: str

    def path_weights(self) -> PathWeights:
        """Weights that make the depth search pick the path this model finds slowest."""
        return PathWeights(self.lut_ns, self.muxf_ns, self.carry_entry_ns, self.carry_step_ns, self.dsp_ns)

    def delay(self, depth: PathDepth) -> float:
        """Modelled register-to-register delay (ns) of one stage's critical chain."""
        steps = depth.carry - depth.carry_chains
        return (
            self.register_ns
            + depth.lut * self.lut_ns
            + depth.muxf * self.muxf_ns
            + depth.carry_chains * self.carry_entry_ns
            + steps * self.carry_step_ns
            + depth.dsp * self.dsp_ns
        )


#: Conservative where the data sheet is silent: the [MB]/[DY] characterisation (7-series), [VR] MUXF.
CONSERVATIVE_MODEL = DelayModel(
    lut_ns=0.70,  # [MB] one LUT level incl. its wiring (4.2 ns / 6 levels)
    muxf_ns=0.10,  # [VR] MUXF7 0.082 ns + 0.009 ns net at -1; MUXF8/9 assumed equal (no source found)
    carry_entry_ns=0.533,  # [DY] first 4-bit carry segment of a chain
    carry_step_ns=0.067,  # [DY] each further 4-bit segment
    dsp_ns=2.80,  # [MB] a DSP = 4 LUT levels
    register_ns=0.15,  # [FP] FF delay (clock-to-out)
    label="conservative per-level delays (MapBuf/Dynamatic characterisation, 7-series; Vivado MUXF)",
)

#: UltraScale+ -2 figures read off Vivado timing reports (FloPoCo's model, [VR], DS923 DSP): the target
#: family's own numbers, and the default. A design needs about twice the stages under CONSERVATIVE_MODEL.
ULTRASCALE_PLUS_MODEL = DelayModel(
    lut_ns=0.33,  # [FP] LUT6 0.148 + typical local routing 0.180 ns
    muxf_ns=0.09,  # [VR] MUXF7 0.082 + 0.009 ns net
    carry_entry_ns=0.24,  # [FP] init 0.115 + final 0.116 + LUT-to-carry net 0.011 ns (the LUT counted apart)
    carry_step_ns=0.021,  # [FP] CIN->COUT 0.015 + inter-CLB carry net 0.026 ns per CARRY8, halved per 4 bits
    dsp_ns=2.44,  # [DS923] FMAX_NOPIPELINEREG 410 MHz at -2 (1 / 410 MHz); [VR] 2.45 ns routed at -1
    register_ns=0.15,  # [FP] FF delay
    label="UltraScale+ -2 per-level delays from Vivado timing figures (FloPoCo model, DS923 DSP)",
)

#: Lattice parts, priced on a ``synth_nexus`` / ``synth_ecp5`` netlist to check the model against routed timing
#: (:mod:`symtrig.cost.nextpnr`). Cell delays: nextpnr 0.11.1's chip database as written into the routed SDF
#: (max corner). Each level is one cell plus one routed net at the median per-net delay of routed runs of da4ml
#: designs (Nexus 0.42 ns, ECP5 1.11 ns); a register is clock-to-Q plus one net. A carry chain's entry is
#: A->FCO + FCI->F (exit) + one net, each further CCU2 FCI->FCO; a wide mux's data input is a dedicated wire,
#: so it adds only the mux (the select is a routed LUT-level input).
_NEXUS_NET_NS = 0.42
_ECP5_NET_NS = 1.11

NEXUS_MODEL = DelayModel(
    lut_ns=0.213 + _NEXUS_NET_NS,  # LUT4 A->F
    muxf_ns=0.063,  # WIDEFN9 A->OFX 0.276 minus LUT4 A->F 0.213 (the LUT level is counted apart)
    carry_entry_ns=0.316 + 0.208 + _NEXUS_NET_NS,  # CCU2 A->FCO, FCI->F
    carry_step_ns=0.027,  # FCI->FCO
    dsp_ns=2.74 + _NEXUS_NET_NS,  # MULT18X18 as PREADD9/MULT9/REG18 cores in bypass, summed
    register_ns=0.307 + _NEXUS_NET_NS,  # OXIDE_FF clock-to-Q
    label="Lattice Nexus LIFCL-40 -9: nextpnr chip-database cell delays + 0.42 ns per net (median routed)",
)

ECP5_MODEL = DelayModel(
    lut_ns=0.236 + _ECP5_NET_NS,  # LUT4 A->F
    muxf_ns=0.24,  # L6MUX21 FXA->OFX 0.239; PFUMX adds 0.165 (LUT A->OFX 0.401 minus A->F 0.236)
    carry_entry_ns=0.447 + 0.443 + _ECP5_NET_NS,  # CCU2C A->FCO, FCI->F
    carry_step_ns=0.071,  # FCI->FCO between slices
    dsp_ns=3.93 + _ECP5_NET_NS,  # MULT18X18D A->P, registers bypassed
    register_ns=0.525 + _ECP5_NET_NS,  # TRELLIS_FF clock-to-Q
    label="Lattice ECP5 LFE5U-85F -6: nextpnr chip-database cell delays + 1.11 ns per net (median routed)",
)

DEFAULT_MODEL = ULTRASCALE_PLUS_MODEL
#: Models by name (``design.json`` records the label of the one used). The Lattice ones price Lattice
#: netlists (``synthesize(..., family="nexus" | "ecp5")``), not the UltraScale+ netlist the schedule uses.
DELAY_MODELS = {
    "ultrascale_plus": ULTRASCALE_PLUS_MODEL,
    "conservative": CONSERVATIVE_MODEL,
    "nexus": NEXUS_MODEL,
    "ecp5": ECP5_MODEL,
}


def delay_model(name: str) -> DelayModel:
    """The delay model called ``name`` (a key of :data:`DELAY_MODELS`)."""
    if name not in DELAY_MODELS:
        raise SymtrigError(f"unknown delay model {name!r}; choose from {', '.join(DELAY_MODELS)}")
    return DELAY_MODELS[name]


def stage_delays(depths: Sequence[PathDepth], model: DelayModel = DEFAULT_MODEL) -> list[float]:
    """Modelled delay (ns) of every pipeline stage, in order. A model: no place and route."""
    return [round(model.delay(depth), 3) for depth in depths]


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
    from symtrig.cost.schedule import schedule

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
