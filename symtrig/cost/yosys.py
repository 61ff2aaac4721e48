"""Yosys cell counts and per-stage logic depth of an RTL design for UltraScale+ or Lattice (source ``yosys``).

What it measures: post-synthesis cell counts of ``synth_xilinx`` (LUT, MUXF, FF, SRL, DSP48E2, CARRY, BRAM,
LUTRAM) and, from the synthesized netlist, the longest register-to-register chain of every pipeline stage in
LUT levels, carry segments and DSP crossings (:mod:`symtrig.cost.netlist`), and the same for the whole design
as if it had no pipeline registers (its one-stage critical path). What it does not: no place and route and no
timing — a nanosecond figure needs :mod:`symtrig.cost.timing`, which is a model.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from symtrig.cost.netlist import (
    UNIT_WEIGHTS,
    PathDepth,
    PathWeights,
    critical_path,
    path_depths,
    pipeline_stages,
)
from symtrig.errors import SymtrigError

__all__ = [
    "SOURCE",
    "UNIT_WEIGHTS",
    "PathDepth",
    "PathWeights",
    "YosysReport",
    "critical_path",
    "path_depths",
    "synthesize",
]

SOURCE = "yosys"
NOTE = "post-synthesis cell counts (Yosys synth_xilinx); no place and route, no timing"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FILE = re.compile(r"[A-Za-z0-9_.-]+")

# Why each line of the script (tried on Yosys 0.23 with da4ml 0.6.0 output):
# - read_verilog -defer + hierarchy: da4ml's static modules are parametrised and only elaborated from the top.
# - memory -nomap -nordff: plain ``memory`` runs memory_dff, which merges the next stage register into a table's
#   ROM read port; the table logic is then retimed into the previous stage and mapped bigger (500 vs 172 MUXF on
#   the test design). -nordff keeps da4ml's register placement, so the stages measured are da4ml's stages.
# - memory_map -rom-only: without it synth_xilinx stops with "no valid mapping found for memory ... lut_rom";
#   the tables become LUT6/MUXF logic (what Vivado does for rom_style "distributed").
# - -noiopad -noclkbuf: no IBUF/OBUF/BUFG cells; da4ml's module is a core inside a larger design (same reason
#   for synth_nexus -noiopad; synth_ecp5 inserts no pads).
PREPASSES = """read_verilog -defer -sv {files}
hierarchy -top {top}
proc
flatten
memory -nomap -nordff
memory_map -rom-only
opt
"""
_SCRIPT = (
    PREPASSES
    + """{synth}
tee -q -o stat.json stat -json
write_json netlist.json
"""
)
#: Lattice families: the same pre-passes, then the family's own synthesis (as symtrig.cost.nextpnr runs it).
_LATTICE = {"nexus": "synth_nexus -top {top} -noiopad", "ecp5": "synth_ecp5 -top {top}"}


@dataclass(frozen=True)
class YosysReport:
    """Post-synthesis cell counts and per-stage depth of one design. Source ``yosys``: no place and route.

    ``stages[i]`` is the logic of pipeline stage ``i`` (da4ml naming: it ends at ``stage{i+1}_inp``, the last
    one at ``model_out``); ``paths`` lists every endpoint group. ``lut`` is LUT1-6 (``inv`` counted apart).
    """

    top: str
    family: str
    lut: int
    inv: int
    muxf: int
    ff: int
    srl: int
    dsp: int
    carry: int
    bram: int
    lutram: int
    cells: int
    stages: tuple[PathDepth, ...]
    paths: tuple[PathDepth, ...]
    yosys_version: str
    wall_seconds: float
    source: str = SOURCE
    note: str = NOTE
    critical_path: PathDepth | None = None  # the whole design as one stage (pipeline registers transparent)
    cells_by_type: tuple[tuple[str, int], ...] = field(default=(), repr=False)


def synthesize(
    src_folder: str | Path,
    top: str,
    *,
    family: str = "xcup",
    workdir: str | Path | None = None,
    weights: PathWeights = UNIT_WEIGHTS,
    timeout: float = 1800.0,
) -> YosysReport:
    """Run ``synth_xilinx -family <family>`` on da4ml's written Verilog and read counts and stage depths.

    ``family`` "nexus" or "ecp5" runs ``synth_nexus`` / ``synth_ecp5`` instead (same pre-passes), so a Lattice
    part's netlist can be priced with that part's cell delays and compared with its routed timing.

    ``src_folder`` is ``<project>/src`` (``*.v``, ``static/*.v``, ``memfiles/*.mem``). Yosys runs in a scratch
    copy because ``$readmemh`` paths are relative to the working folder; the project is never written to.
    ``workdir`` keeps that copy with ``synth.log``, ``stat.json`` and ``netlist.json`` (default: a temporary
    folder, removed). ``weights`` chooses which path is critical (see :class:`PathWeights`).
    """
    executable, src = shutil.which("yosys"), Path(src_folder)
    if executable is None:
        raise SymtrigError("yosys is not on PATH; install it (Debian/Ubuntu: apt-get install yosys)")
    if not _NAME.fullmatch(top) or not _NAME.fullmatch(family):
        raise SymtrigError(f"top {top!r} and family {family!r} must be plain identifiers")
    if not src.is_dir():
        raise SymtrigError(f"RTL source folder {src} does not exist")
    with scratch_folder(workdir) as work:
        files = stage_sources(src, work)
        script = _SCRIPT.format(files=" ".join(files), top=top, synth=_synth_command(top, family))
        (work / "synth.ys").write_text(script)
        start = time.perf_counter()
        _run(executable, work, timeout)
        wall = time.perf_counter() - start
        stat = json.loads((work / "stat.json").read_text())
        netlist = json.loads((work / "netlist.json").read_text())
    counts = dict(stat["design"]["num_cells_by_type"])
    paths = path_depths(netlist, top, weights)
    return YosysReport(
        top=top,
        family=family,
        **_summarize(counts),
        stages=pipeline_stages(paths),
        critical_path=critical_path(netlist, top, weights),
        paths=paths,
        yosys_version=version[1] if (version := re.search(r"Yosys (\S+)", stat.get("creator", ""))) else "?",
        wall_seconds=round(wall, 3),
        cells_by_type=tuple(sorted(counts.items())),
        note=NOTE.replace("synth_xilinx", _synth_command(top, family).split()[0]),
    )


def _synth_command(top: str, family: str) -> str:
    """The family's synthesis command: ``synth_nexus``/``synth_ecp5`` for Lattice, else ``synth_xilinx``."""
    if family in _LATTICE:
        return _LATTICE[family].format(top=top)
    return f"synth_xilinx -family {family} -top {top} -noiopad -noclkbuf"


@contextlib.contextmanager
def scratch_folder(workdir: str | Path | None) -> Iterator[Path]:
    """The folder Yosys runs in: the caller's ``workdir`` (kept) or a temporary one (removed)."""
    if workdir is not None:
        path = Path(workdir)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SymtrigError(f"cannot create Yosys work folder {path}: {exc.strerror or exc}") from exc
        for stale in ("stat.json", "netlist.json", "synth.log"):
            (path / stale).unlink(missing_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="symtrig-yosys-") as tmp:
        yield Path(tmp)


def stage_sources(src: Path, work: Path) -> list[str]:
    """Copy the Verilog and the table files into ``work``; return the Verilog paths relative to it."""
    tops, statics = sorted(src.glob("*.v")), sorted((src / "static").glob("*.v"))
    mems = sorted((src / "memfiles").glob("*.mem"))
    if not tops:
        raise SymtrigError(f"no Verilog (*.v) files in {src}")
    for path in (*tops, *statics, *mems):
        if not _FILE.fullmatch(path.name):
            raise SymtrigError(f"unexpected file name {path.name!r} in {src}: only letters, digits, '._-'")
    (work / "static").mkdir(exist_ok=True)
    for path in statics:
        shutil.copy2(path, work / "static" / path.name)
    for path in (*tops, *mems):  # $readmemh reads table files by bare name, relative to the working folder
        shutil.copy2(path, work / path.name)
    return [f"static/{p.name}" for p in statics] + [p.name for p in tops]


def _run(executable: str, work: Path, timeout: float) -> None:
    command = [executable, "-q", "-l", "synth.log", "-s", "synth.ys"]
    try:
        proc = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise SymtrigError(f"yosys did not finish within {timeout:.0f} s") from exc
    if proc.returncode != 0 or not (work / "netlist.json").is_file():
        log = work / "synth.log"
        text = log.read_text(errors="replace") if log.is_file() else ""
        raise SymtrigError(f"yosys failed: {last_meaningful_line(text, proc.stderr)}")


def last_meaningful_line(log: str, stderr: str) -> str:
    """The last ``ERROR:`` line of the log (or stderr), else the last non-empty line."""
    lines = [line.strip() for line in (*log.splitlines(), *stderr.splitlines()) if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors or lines or ["no output"])[-1]


def _summarize(counts: Mapping[str, int]) -> dict[str, Any]:
    """Resource classes from ``stat -json``'s cells by type (keyword arguments of :class:`YosysReport`)."""

    def total(*prefixes: str) -> int:
        return sum(n for kind, n in counts.items() if kind.startswith(prefixes))

    return {
        "lut": sum(n for kind, n in counts.items() if re.fullmatch(r"LUT[1-6]", kind)),
        "inv": counts.get("INV", 0),
        "muxf": total("MUXF", "PFUMX", "L6MUX", "WIDEFN"),
        "ff": total("FD", "TRELLIS_FF", "OXIDE_FF"),
        "srl": total("SRL"),
        "dsp": total("DSP", "MULT", "ALU54"),
        "carry": total("CARRY", "CCU2"),
        "bram": total("RAMB", "DP16K", "PDP", "EBR", "LRAM"),
        "lutram": total("RAM", "DPR16X4", "TRELLIS_DPR") - total("RAMB"),
        "cells": sum(counts.values()),
    }
