"""Write a da4ml design (``CombLogic``) as a project folder: RTL (Verilog/VHDL) or HLS C++.

da4ml's writers do the work: ``RTLModel`` writes the RTL of a pipeline scheduled in ns
(:mod:`symtrig.cost.schedule`; or one combinational module), with Vivado and Quartus build scripts and the
timing constraints (``clock_ns`` only reaches the constraints: it does not change the pipelining);
``HLSModel`` writes a Vitis HLS function (the HLS tool pipelines it). symtrig adds the atomic write (a folder appears complete or not at all) and a
record of what was written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from symtrig.atomic import atomic_directory
from symtrig.backends import DEFAULT_PART
from symtrig.errors import SymtrigError

Flavor = Literal["verilog", "vhdl", "hls"]

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}\Z")


@dataclass(frozen=True)
class Da4mlProject:
    """A written da4ml project and how it was written."""

    folder: Path
    files: tuple[str, ...]  # every file, relative to ``folder``, sorted
    stages: int  # pipeline stages of RTL written from a pipeline; 0: combinational RTL, or HLS (the tool pipelines)
    top: str  # top module (RTL) or function (HLS) name
    flavor: Flavor
    clock_ns: float
    part: str


def write_project(
    logic: Any,
    folder: str | Path,
    *,
    name: str,
    flavor: Flavor = "verilog",
    pipeline: Any = None,
    clock_ns: float = 5.0,
    part: str = DEFAULT_PART,
) -> Da4mlProject:
    """Write ``logic`` (from :func:`~symtrig.backends.da4ml.trace.trace_program`) to ``folder``, replacing it.

    ``flavor`` 'verilog' or 'vhdl' writes da4ml's RTLModel of ``pipeline`` (a da4ml ``Pipeline`` of ``logic``,
    :attr:`symtrig.cost.schedule.Schedule.pipeline`; None: one combinational module), 'hls' its HLSModel of
    ``logic`` in the Vitis flavor. ``name`` is the top module or function (an identifier).
    """
    from da4ml.codegen import HLSModel, RTLModel

    if flavor not in ("verilog", "vhdl", "hls"):
        raise SymtrigError(f"flavor must be verilog, vhdl or hls, got {flavor!r}")
    if not _NAME.match(name):
        raise SymtrigError(f"project name {name!r} must be an identifier (a letter, then letters, digits, _)")
    if not 0 < clock_ns <= 100:
        raise SymtrigError(f"clock_ns must be in (0, 100] ns, got {clock_ns}")
    with atomic_directory(folder) as tmp:
        if flavor == "hls":
            HLSModel(logic, name, tmp, flavor="vitis", part_name=part, clock_period=clock_ns).write()
        else:
            solution = logic if pipeline is None else pipeline
            RTLModel(
                solution, name, tmp, flavor=flavor, part_name=part, clock_period=clock_ns, print_latency=False
            ).write()
            if (
                pipeline is not None
            ):  # the unpipelined design too: anyone can schedule it again at another clock
                logic.save(str(tmp / "model" / "comb.json"))
        stages = _stages(tmp) if flavor != "hls" and pipeline is not None else 0
        files = tuple(sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file()))
    return Da4mlProject(Path(folder), files, stages, name, flavor, clock_ns, part)


def _stages(folder: Path) -> int:
    """Pipeline stages da4ml made (its ``metadata.json`` 'latency'; N stages = N + 1 register layers)."""
    try:
        return int(json.loads((folder / "metadata.json").read_text())["latency"])
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise SymtrigError(f"da4ml wrote no pipeline depth to {folder / 'metadata.json'}") from exc
