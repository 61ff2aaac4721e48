"""The one record of a design's latency and resources, and what each figure source means.

Every figure says where it came from: ``estimate`` (symtrig's analytical model of hls4ml's C++), ``csynth`` /
``vsynth`` (Vivado/Vitis HLS reports), ``model`` (symtrig's operation model of a da4ml design, for the front), or ``yosys`` (post-synthesis cell counts of Yosys for the part's family —
``synth_xilinx`` for UltraScale+, ``synth_nexus``/``synth_ecp5`` for Lattice: no place and route, no timing; the
cycle count is the pipeline's stage count, a model). Post-route figures of ``emit-hls --place-and-route`` (source
``nextpnr (post-route)``) sit in ``extra["place_and_route"]`` beside them, never in their place.

It lives with the other records (:mod:`symtrig.store`) because a design record holds one: the cost stage
(:mod:`symtrig.cost`) writes it and the store and the report read it, without the store importing the stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: ``source`` value -> (the word every label uses, what it measures or models). A backend with a source of its
#: own adds it with :func:`register_cost_source`.
COST_SOURCES: dict[str, tuple[str, str]] = {
    "estimate": ("estimate", "analytical cost model of the HLS C++, not synthesized"),
    "csynth": ("synthesis", "HLS C-synthesis report"),
    "vsynth": ("synthesis", "Vivado synthesis report"),
    "yosys": (
        "yosys",
        "Yosys post-synthesis cell counts for the part's family (no place and route, no timing); "
        "cycles = pipeline stages placed by a delay model in ns",
    ),
    "model": (
        "model",
        "symtrig's operation model of the traced da4ml design, not synthesized: cycles from the schedule in ns, "
        "LUT/FF/DSP from symtrig.cost.resources",
    ),
}


def register_cost_source(source: str, word: str, meaning: str) -> None:
    """Let designs carry figures from ``source``: ``word`` labels them in tables and plots, ``meaning`` says
    what is measured and what is modelled. A source already known keeps its words (one meaning per name)."""
    if source in COST_SOURCES and COST_SOURCES[source] != (word, meaning):
        raise ValueError(f"cost source {source!r} is already registered with another meaning")
    COST_SOURCES[source] = (word, meaning)


@dataclass(frozen=True)
class CostReport:
    """Latency and resources of one design; ``source`` is a key of :data:`COST_SOURCES`.

    ``bram`` counts BRAM18 blocks; ``extra`` holds source-specific facts (Yosys: LUTRAM, CARRY and MUXF cells,
    the modelled delay of each pipeline stage).
    """

    latency_cycles: int
    latency_ns: float
    interval: int
    dsp: int
    lut: int
    ff: int
    bram: int
    source: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source behind a figure of this report: the counts' source, the delay model behind modelled
        stage delays, and post-route timing when a design was placed and routed."""
        found = [self.source]
        if self.extra.get("delay_model"):
            found.append(f"delay model: {self.extra['delay_model']}")
        routed = self.extra.get("place_and_route")
        if isinstance(routed, Mapping) and routed.get("source"):
            found.append(str(routed["source"]))
        return tuple(found)
