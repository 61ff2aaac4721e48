"""A delay MODEL for Yosys-measured pipeline stages, and the rule that picks da4ml's ``latency_cutoff``.

Nothing here is place and route: every nanosecond is post-synthesis structure (:mod:`symtrig.cost.yosys`:
LUT levels, carry segments, DSP crossings per stage) times a published per-level delay, so a cycle count
from this module is a model, labelled ``yosys + delay model``.

Why a model is needed at all: da4ml pipelines by its own delay units (an adder = 1 unit, a table
``max(bits_in - 6, 1)``, a product the operand width; ``to_pipeline(comb, latency_cutoff)``) and does not say
what a unit is in ns; ``RTLModel(clock_period=...)`` only writes the number into the XDC. So the cutoff for a
target clock is chosen by measuring candidate pipelines, not by converting units.

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
from typing import Any

from symtrig.cost.yosys import PathDepth, PathWeights, YosysReport, synthesize
from symtrig.errors import SymtrigError

__all__ = [
    "CONSERVATIVE_MODEL",
    "DEFAULT_MODEL",
    "DELAY_MODELS",
    "OPTIMISTIC_MODEL",
    "ULTRASCALE_PLUS_MODEL",
    "Candidate",
    "CutoffChoice",
    "CutoffTrial",
    "DelayModel",
    "choose_cutoff",
    "da4ml_synthesizer",
    "delay_model",
    "stage_candidates",
    "stage_delays",
]

SOURCE = "yosys + delay model"
NOTE = (
    "modelled timing: Yosys post-synthesis structure x published per-level delays; no place and route; "
    "cycles = da4ml pipeline stages"
)

#: A function that writes ``logic`` pipelined at ``cutoff`` (da4ml units) and synthesizes it with Yosys.
Synthesizer = Callable[[Any, int], YosysReport]


@dataclass(frozen=True)
class DelayModel:
    """Per-level delays in ns (sources in the module docstring). A stage = one register + its critical chain."""

    lut_ns: float = 0.70  # [MB] one LUT level incl. its wiring (4.2 ns / 6 levels); [FP] 0.33 ns
    muxf_ns: float = 0.10  # [VR] MUXF7 0.082 ns + 0.009 ns net at -1; MUXF8/9 assumed equal (no source found)
    carry_entry_ns: float = 0.533  # [DY] first 4-bit carry segment of a chain; [FP] 0.281 ns
    carry_step_ns: float = 0.067  # [DY] each further 4-bit segment; [FP] 0.041 ns per 8 bits
    dsp_ns: float = 2.80  # [MB] a DSP = 4 LUT levels; [DS923] 2.44 ns reg-to-reg inside; [VR] 2.45 ns routed
    register_ns: float = 0.15  # [FP] FF delay (clock-to-out); [VR] clock-to-Q 0.095 + setup 0.027 ns at -1
    label: str = "conservative per-level delays (MapBuf/Dynamatic characterisation, 7-series; Vivado MUXF)"

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
CONSERVATIVE_MODEL = DelayModel()

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

DEFAULT_MODEL = ULTRASCALE_PLUS_MODEL
#: Models by name (``design.json`` records the label of the one used).
DELAY_MODELS = {"ultrascale_plus": ULTRASCALE_PLUS_MODEL, "conservative": CONSERVATIVE_MODEL}
#: Kept for readers of older notes: the UltraScale+ model was first called the optimistic one.
OPTIMISTIC_MODEL = ULTRASCALE_PLUS_MODEL


def delay_model(name: str) -> DelayModel:
    """The delay model called ``name`` (a key of :data:`DELAY_MODELS`)."""
    if name not in DELAY_MODELS:
        raise SymtrigError(f"unknown delay model {name!r}; choose from {', '.join(DELAY_MODELS)}")
    return DELAY_MODELS[name]


def stage_delays(depths: Sequence[PathDepth], model: DelayModel = DEFAULT_MODEL) -> list[float]:
    """Modelled delay (ns) of every pipeline stage, in order. A model: no place and route."""
    return [round(model.delay(depth), 3) for depth in depths]


@dataclass(frozen=True)
class Candidate:
    """A da4ml ``latency_cutoff`` (its delay units) and the number of pipeline stages it gives."""

    stages: int
    cutoff: int


@dataclass(frozen=True)
class CutoffTrial:
    """One synthesized candidate: its stages' modelled delays and whether all fit the budget."""

    cutoff: int
    stages: int
    stage_delays_ns: tuple[float, ...]
    max_delay_ns: float
    fits: bool


@dataclass(frozen=True)
class CutoffChoice:
    """The chosen ``latency_cutoff`` for a clock, with its modelled stage delays. A MODEL, not timing closure.

    ``cycles`` equals ``stages``: da4ml registers the inputs, then each stage's logic runs for one clock
    period into the next register layer, so a result leaves ``model_out`` one cycle per stage after the input
    register took it (da4ml's metadata ``latency``; its Verilator binder waits one more edge for that input
    register). ``fits`` is False when no candidate met ``budget_ns`` (then the fastest one tried is given).
    """

    cutoff: int
    stages: int
    cycles: int
    stage_delays_ns: tuple[float, ...]
    max_delay_ns: float
    clock_ns: float
    clock_uncertainty: float
    budget_ns: float
    fits: bool
    report: YosysReport
    trials: tuple[CutoffTrial, ...]
    model: DelayModel
    source: str = SOURCE
    note: str = NOTE


def stage_candidates(logic: Any) -> tuple[Candidate, ...]:
    """The distinct stage counts da4ml's ``to_pipeline`` gives for integer cutoffs, fewest stages first.

    da4ml puts an op in stage ``floor(latency / cutoff)``, so only a few stage counts exist (16 units of
    latency: 16, 8, 6, 4, 3, 2, 1). For each count the smallest cutoff giving it is kept.
    """
    from da4ml.trace import to_pipeline

    longest = max(float(v) for v in logic.latency)
    found: dict[int, int] = {}
    for cutoff in range(1, max(1, math.ceil(longest)) + 1):
        stages = len(to_pipeline(logic, cutoff, retiming=False, verbose=False).solutions)
        found.setdefault(stages, cutoff)
    return tuple(Candidate(stages, cutoff) for stages, cutoff in sorted(found.items()))


def choose_cutoff(
    logic: Any,
    clock_ns: float,
    synthesize_stage_depths: Synthesizer,
    *,
    model: DelayModel = DEFAULT_MODEL,
    clock_uncertainty: float = 0.1,
    candidates: Sequence[Candidate] | None = None,
) -> CutoffChoice:
    """The FEWEST pipeline stages whose every modelled stage delay fits ``clock_ns * (1 - clock_uncertainty)``.

    Candidates (default :func:`stage_candidates`) are synthesized in order of stage count, and the search
    stops at the first that fits, so a design that fits in few stages costs few Yosys runs. The clock
    uncertainty defaults to da4ml's own (``RTLModel(clock_uncertainty=0.1)``, a fraction of the period).
    ``synthesize_stage_depths(logic, cutoff)`` must return a :class:`YosysReport` with da4ml stages; pass
    :func:`da4ml_synthesizer` for the real thing. The result is a MODEL (no place and route).
    """
    if not clock_ns > 0 or not 0 <= clock_uncertainty < 1:
        raise SymtrigError(
            f"need clock_ns > 0 and 0 <= clock_uncertainty < 1, got {clock_ns}, {clock_uncertainty}"
        )
    budget = clock_ns * (1 - clock_uncertainty)
    ordered = sorted(
        candidates if candidates is not None else stage_candidates(logic), key=lambda c: c.stages
    )
    if not ordered:
        raise SymtrigError("no latency_cutoff candidates to try")
    trials: list[tuple[CutoffTrial, YosysReport]] = []
    for candidate in ordered:
        report = synthesize_stage_depths(logic, candidate.cutoff)
        if not report.stages:
            raise SymtrigError(f"no da4ml pipeline stages found in the synthesized design {report.top!r}")
        delays = tuple(stage_delays(report.stages, model))
        trial = CutoffTrial(candidate.cutoff, len(delays), delays, max(delays), max(delays) <= budget)
        trials.append((trial, report))
        if trial.fits:
            break
    chosen, report = next(
        ((t, r) for t, r in trials if t.fits), min(trials, key=lambda tr: tr[0].max_delay_ns)
    )
    return CutoffChoice(
        cutoff=chosen.cutoff,
        stages=chosen.stages,
        cycles=chosen.stages,
        stage_delays_ns=chosen.stage_delays_ns,
        max_delay_ns=chosen.max_delay_ns,
        clock_ns=clock_ns,
        clock_uncertainty=clock_uncertainty,
        budget_ns=round(budget, 3),
        fits=chosen.fits,
        report=report,
        trials=tuple(t for t, _ in trials),
        model=model,
    )


def da4ml_synthesizer(
    name: str = "symt", *, model: DelayModel = DEFAULT_MODEL, family: str = "xcup"
) -> Synthesizer:
    """A :data:`Synthesizer`: write ``logic`` with da4ml's ``RTLModel`` (Verilog) in a temporary folder, run Yosys.

    The path search uses ``model``'s weights, so the reported chain is the slowest under that model.
    """

    def run(logic: Any, cutoff: int) -> YosysReport:
        from da4ml.codegen import RTLModel

        with tempfile.TemporaryDirectory(prefix="symtrig-rtl-") as tmp:
            RTLModel(logic, name, tmp, flavor="verilog", latency_cutoff=cutoff, print_latency=False).write()
            return synthesize(Path(tmp) / "src", name, family=family, weights=model.path_weights())

    return run
