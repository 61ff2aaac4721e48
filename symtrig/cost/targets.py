"""The target family of a part: which synthesis, operation timing and delay model a da4ml design is timed with.

Why one place: ``--part`` must reach every figure of the RTL path (a Lattice part synthesized for UltraScale+
and scheduled with UltraScale+ delays would report another device's cost), and a new family is one row here,
one characterization table (``benchmarks/characterize_ops.py --family F``) and one delay model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from symtrig.cost.delays import ECP5_MODEL, NEXUS_MODEL, ULTRASCALE_PLUS_MODEL, DelayModel
from symtrig.errors import SymtrigError


@dataclass(frozen=True)
class Target:
    """A family of parts: Yosys synthesis family (also the operation-timing table's key) and delay model."""

    family: str
    name: str
    model: DelayModel


ULTRASCALE_PLUS = Target("xcup", "AMD UltraScale+", ULTRASCALE_PLUS_MODEL)
NEXUS = Target("nexus", "Lattice CrossLink-NX / Certus-NX (Nexus)", NEXUS_MODEL)
ECP5 = Target("ecp5", "Lattice ECP5", ECP5_MODEL)

#: Part-number patterns (case-insensitive) and their family: UltraScale+ Virtex/Kintex (``...p``), Zynq
#: UltraScale+ MPSoC/RFSoC and Artix UltraScale+; Lattice Nexus (LIFCL, LFD2NX) and ECP5 (LFE5U, LFE5UM).
PART_PATTERNS: tuple[tuple[re.Pattern[str], Target], ...] = (
    (re.compile(r"xc(vu|ku)\d+p\b.*", re.I), ULTRASCALE_PLUS),
    (re.compile(r"xc(zu|au)\d+.*", re.I), ULTRASCALE_PLUS),
    (re.compile(r"(lifcl|lfd2nx)-.*", re.I), NEXUS),
    (re.compile(r"lfe5um?5?g?-.*", re.I), ECP5),
)


def target_of(part: str) -> Target:
    """The target family of ``part``; a part of a family without a timing model is a one-line error."""
    for pattern, target in PART_PATTERNS:
        if pattern.fullmatch(part.strip()):
            return target
    raise SymtrigError(
        f"no RTL timing model for part {part!r}: the da4ml backend times AMD UltraScale+ (xcvu9p-..., xcku5p-..., "
        "xczu...), Lattice Nexus (LIFCL-40-...) and ECP5 (LFE5U-85F-...) parts"
    )
