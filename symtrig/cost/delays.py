"""Per-level delay models in ns: what one LUT level, wide-mux level, carry segment, DSP crossing and register
cost on a target family. :mod:`symtrig.cost.schedule` prices operations with them, :mod:`symtrig.cost.timing`
prices the stages of a synthesized netlist with the same figures, so both speak one unit.

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

from collections.abc import Sequence
from dataclasses import dataclass

from symtrig.cost.netlist import PathDepth, PathWeights
from symtrig.errors import SymtrigError

__all__ = [
    "CONSERVATIVE_MODEL",
    "DEFAULT_MODEL",
    "DELAY_MODELS",
    "ECP5_MODEL",
    "NEXUS_MODEL",
    "ULTRASCALE_PLUS_MODEL",
    "DelayModel",
    "delay_model",
    "stage_delays",
]


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
