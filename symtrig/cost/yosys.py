"""Yosys cell counts and per-stage logic depth of an RTL design for AMD UltraScale+ (source ``yosys``).

What it measures: post-synthesis cell counts of ``synth_xilinx`` (LUT, MUXF, FF, SRL, DSP48E2, CARRY, BRAM,
LUTRAM) and, from the synthesized netlist, the longest register-to-register chain of every pipeline stage in
LUT levels, carry segments and DSP crossings. What it does not: no place and route and no timing — a
nanosecond figure needs :mod:`symtrig.cost.timing`, which is a model.

Why not Yosys's own timing passes: ``sta`` stops on DSP48E2 ("used with parameters but is not parametric")
and flat ``ltp`` runs through FDRE cells (it only cuts Yosys-internal ``$dff``), so the depth is computed
here from ``write_json``.
"""

from __future__ import annotations

import contextlib
import graphlib
import json
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from symtrig.errors import SymtrigError

__all__ = ["SOURCE", "UNIT_WEIGHTS", "PathDepth", "PathWeights", "YosysReport", "path_depths", "synthesize"]

SOURCE = "yosys"
NOTE = "post-synthesis cell counts (Yosys synth_xilinx); no place and route, no timing"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LAYER = re.compile(r"stage(\d+)_inp")
_FILE = re.compile(r"[A-Za-z0-9_.-]+")
_REGISTERS = ("AREG", "BREG", "MREG", "PREG")

# Why each line of the script (tried on Yosys 0.23 with da4ml 0.6.0 output, /work/scratch/da4ml/NOTES.md §7):
# - read_verilog -defer + hierarchy: da4ml's static modules are parametrised and only elaborated from the top.
# - memory -nomap -nordff: plain ``memory`` runs memory_dff, which merges the next stage register into a table's
#   ROM read port; the table logic is then retimed into the previous stage and mapped bigger (500 vs 172 MUXF on
#   the test design). -nordff keeps da4ml's register placement, so the stages measured are da4ml's stages.
# - memory_map -rom-only: without it synth_xilinx stops with "no valid mapping found for memory ... lut_rom";
#   the tables become LUT6/MUXF logic (what Vivado does for rom_style "distributed").
# - -noiopad -noclkbuf: no IBUF/OBUF/BUFG cells; da4ml's module is a core inside a larger design.
_SCRIPT = """read_verilog -defer -sv {files}
hierarchy -top {top}
proc
flatten
memory -nomap -nordff
memory_map -rom-only
opt
synth_xilinx -family {family} -top {top} -noiopad -noclkbuf
tee -q -o stat.json stat -json
write_json netlist.json
"""


@dataclass(frozen=True)
class PathWeights:
    """How much each cell adds when choosing the critical path (unit weights = longest chain in cells).

    A carry cell is an *entry* when the path reaches it through anything but its carry-in from another carry
    cell (it pays the routing into the chain), and a *step* when it continues a chain through ``CI``.
    """

    lut: float = 1.0
    muxf: float = 1.0
    carry_entry: float = 1.0
    carry_step: float = 1.0
    dsp: float = 1.0


UNIT_WEIGHTS = PathWeights()


@dataclass(frozen=True)
class PathDepth:
    """The longest combinational chain ending at one endpoint (a register group or an output port).

    ``lut`` counts LUT1-6, INV, LUTRAM reads and MUXF selects (routed); ``muxf`` MUXF7/8/9 entered through
    their data inputs; ``carry`` 4-bit carry segments in series
    (a CARRY4 is one, a CARRY8 two); ``carry_chains`` how many separate chains the path enters; ``dsp``
    combinational DSP crossings. Structure only: no placement, routing or timing.
    """

    endpoint: str
    lut: int = 0
    muxf: int = 0
    carry: int = 0
    carry_chains: int = 0
    dsp: int = 0


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
    with _scratch(workdir) as work:
        files = _stage_sources(src, work)
        (work / "synth.ys").write_text(_SCRIPT.format(files=" ".join(files), top=top, family=family))
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
        stages=_pipeline_stages(paths),
        paths=paths,
        yosys_version=version[1] if (version := re.search(r"Yosys (\S+)", stat.get("creator", ""))) else "?",
        wall_seconds=round(wall, 3),
        cells_by_type=tuple(sorted(counts.items())),
    )


@contextlib.contextmanager
def _scratch(workdir: str | Path | None) -> Iterator[Path]:
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


def _stage_sources(src: Path, work: Path) -> list[str]:
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
        raise SymtrigError(f"yosys failed: {_last_meaningful_line(text, proc.stderr)}")


def _last_meaningful_line(log: str, stderr: str) -> str:
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
        "muxf": total("MUXF"),
        "ff": total("FD"),
        "srl": total("SRL"),
        "dsp": total("DSP"),
        "carry": total("CARRY"),
        "bram": total("RAMB"),
        "lutram": total("RAM") - total("RAMB"),
        "cells": sum(counts.values()),
    }


# ---------------------------------------------------------------- logic depth from the synthesized netlist

_Arrival = tuple[float, int, tuple[int, int, int, int, int]]  # weight, cells, (lut, muxf, carry, chains, dsp)
_ZERO: _Arrival = (0.0, 0, (0, 0, 0, 0, 0))


def path_depths(
    netlist: Mapping[str, Any], top: str, weights: PathWeights = UNIT_WEIGHTS
) -> tuple[PathDepth, ...]:
    """The longest chain into every endpoint group of ``top`` in a Yosys ``write_json`` netlist.

    Start points: input ports, constants and sequential cells (FD*, SRL*, RAMB*, a DSP with internal
    registers); endpoints: their non-clock inputs and output ports. Endpoints are grouped by the name of the
    register (the top-level net on its ``Q``) or port. An SRL of depth d packs d registers; the logic on its
    ``D`` feeds the first of them, so it is reported d-1 register layers earlier (da4ml names resolved).
    """
    module = netlist.get("modules", {}).get(top)
    if module is None:
        raise SymtrigError(f"module {top!r} is not in the netlist")
    cells = module["cells"]
    driver = _drivers(cells)
    arrival = _arrivals(cells, driver, weights)
    names = _bit_names(module["netnames"])
    raw: list[tuple[str, int, _Arrival]] = []
    for cell in cells.values():
        if _kind(cell) != "seq":
            continue
        group, shift = _register_group(cell, names), _srl_shift(cell)
        pins = _pins(cell, "input")
        raw.extend(
            (group, shift, arrival.get(driver.get(bit), _ZERO)) for pin, bit in pins if not _is_clock(pin)
        )
    for port, info in module["ports"].items():
        if info["direction"] == "output":
            raw.extend((port, 0, arrival.get(driver.get(bit), _ZERO)) for bit in info["bits"])
    return _merge(raw)


def _drivers(cells: Mapping[str, Any]) -> dict[Any, str]:
    return {
        bit: name for name, cell in cells.items() for _, bit in _pins(cell, "output") if isinstance(bit, int)
    }


def _kind(cell: Mapping[str, Any]) -> str | None:
    """'seq' (path boundary), 'lut', 'muxf', 'carry', 'dsp' or None (no delay: buffers, constants)."""
    kind = cell["type"]
    if kind.startswith(("FD", "SRL", "RAMB", "URAM", "LD")):
        return "seq"
    if kind.startswith("DSP"):
        registered = any(_int(cell["parameters"].get(p, 0)) for p in _REGISTERS)
        return "seq" if registered else "dsp"
    if kind.startswith(("LUT", "RAM")) or kind == "INV":  # a LUTRAM read is a LUT lookup
        return "lut"
    if kind.startswith("MUXF"):
        return "muxf"
    return "carry" if kind.startswith("CARRY") else None


def _int(value: Any) -> int:
    """A Yosys JSON parameter: an int, or a string of binary digits."""
    if isinstance(value, str):
        return int(value, 2) if value and set(value) <= {"0", "1"} else 0
    return int(value)


def _is_clock(pin: str) -> bool:
    return pin == "C" or "CLK" in pin.upper()


def _pins(cell: Mapping[str, Any], direction: str) -> Iterator[tuple[str, int | str]]:
    """(pin, bit) of every connection in ``direction``; a bit is a net number or a constant like '0'."""
    for pin, bits in cell["connections"].items():
        if cell["port_directions"].get(pin) == direction:
            yield from ((pin, bit) for bit in bits)


def _arrivals(
    cells: Mapping[str, Any], driver: Mapping[Any, str], weights: PathWeights
) -> dict[str | None, _Arrival]:
    """Longest weighted arrival at every combinational cell's outputs (None, an undriven bit's, is no key)."""
    combinational = {name for name, cell in cells.items() if _kind(cell) != "seq"}
    graph = {
        n: {driver[b] for _, b in _pins(cells[n], "input") if driver.get(b) in combinational}
        for n in combinational
    }
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        raise SymtrigError("the synthesized netlist has a combinational loop; cannot measure depth") from exc
    arrival: dict[str | None, _Arrival] = {}
    for name in order:
        cell, best = cells[name], _add(_ZERO, _own(cells[name], "", None, weights))
        for pin, bit in _pins(cell, "input"):
            source = driver.get(bit)
            feeder = None if source is None else cells.get(source)
            candidate = _add(arrival.get(source, _ZERO), _own(cell, pin, feeder, weights))
            best = max(best, candidate, key=lambda found: found[:2])
        arrival[name] = best
    return arrival


def _own(cell: Mapping[str, Any], pin: str, source: Mapping[str, Any] | None, w: PathWeights) -> _Arrival:
    """What ``cell`` adds to a path that enters it through ``pin`` from ``source``.

    A MUXF's data inputs come from its LUTs/MUXFs over dedicated wires (a MUXF level), but its select ``S``
    comes over general routing, so a path through ``S`` pays a LUT level (routing + mux), like a carry entry.
    """
    kind = _kind(cell)
    if kind == "lut" or (kind == "muxf" and pin == "S"):
        return (w.lut, 1, (1, 0, 0, 0, 0))
    if kind == "muxf":
        return (w.muxf, 1, (0, 1, 0, 0, 0))
    if kind == "dsp":
        return (w.dsp, 1, (0, 0, 0, 0, 1))
    if kind == "carry":
        segments = 2 if cell["type"] == "CARRY8" else 1
        if pin == "CI" and source is not None and _kind(source) == "carry":
            return (segments * w.carry_step, 1, (0, 0, segments, 0, 0))
        return (w.carry_entry + (segments - 1) * w.carry_step, 1, (0, 0, segments, 1, 0))
    return _ZERO


def _add(a: _Arrival, b: _Arrival) -> _Arrival:
    (lut1, mux1, car1, chn1, dsp1), (lut2, mux2, car2, chn2, dsp2) = a[2], b[2]
    return (a[0] + b[0], a[1] + b[1], (lut1 + lut2, mux1 + mux2, car1 + car2, chn1 + chn2, dsp1 + dsp2))


def _bit_names(netnames: Mapping[str, Any]) -> dict[int, str]:
    """The most readable public name of every bit: top-level (no '.') before hierarchical, then shortest."""
    best: dict[int, str] = {}
    for name, net in netnames.items():
        if net.get("hide_name"):
            continue
        for bit in net["bits"]:
            if isinstance(bit, int) and (bit not in best or _rank(name) < _rank(best[bit])):
                best[bit] = name
    return best


def _rank(name: str) -> tuple[bool, int, str]:
    return ("." in name, len(name), name)


def _register_group(cell: Mapping[str, Any], names: Mapping[int, str]) -> str:
    """The public name on the cell's first output (``Q`` of a flip-flop or SRL, ``P`` of a DSP)."""
    bit = next((bit for _, bit in _pins(cell, "output") if isinstance(bit, int)), None)
    return names[bit] if bit is not None and bit in names else f"<unnamed {cell['type']}>"


def _srl_shift(cell: Mapping[str, Any]) -> int:
    """Registers an SRL packs minus one (its constant address); 0 for every other cell."""
    if not cell["type"].startswith("SRL"):
        return 0
    conn = cell["connections"]
    address = conn["A"] if "A" in conn else [conn.get(f"A{i}", ["0"])[0] for i in range(4)]
    if not all(bit in ("0", "1") for bit in address):
        return 0  # a variable-length shift register: depth unknown, report at its output
    return sum(1 << i for i, bit in enumerate(address) if bit == "1")


def _merge(raw: list[tuple[str, int, _Arrival]]) -> tuple[PathDepth, ...]:
    """Keep the slowest path per endpoint group, after moving SRL inputs to their first register layer."""
    out_layer = _out_layer(group for group, _, _ in raw)
    best: dict[str, _Arrival] = {}
    for group, shift, found in raw:
        name = _shifted(group, shift, out_layer)
        if name not in best or found[:2] > best[name][:2]:
            best[name] = found
    order = sorted(
        best, key=lambda n: (_layer(n, out_layer) if _layer(n, out_layer) is not None else 1 << 30, n)
    )
    return tuple(PathDepth(name, *best[name][2]) for name in order)


def _layer(name: str, out_layer: int) -> int | None:
    """da4ml register layer of an endpoint: ``stage{k}_inp`` is k, ``model_out`` the last; None otherwise."""
    match = _LAYER.fullmatch(name)
    return int(match[1]) if match else (out_layer if name == "model_out" else None)


def _out_layer(names: Iterable[str]) -> int:
    layers = [int(m[1]) for name in names if (m := _LAYER.fullmatch(name))]
    return max(layers) + 1 if layers else 1


def _shifted(group: str, shift: int, out_layer: int) -> str:
    layer = _layer(group, out_layer)
    if shift == 0:
        return group
    return f"stage{layer - shift}_inp" if layer is not None and layer >= shift else f"{group}@-{shift}"


def _pipeline_stages(paths: tuple[PathDepth, ...]) -> tuple[PathDepth, ...]:
    """Per-stage depth in da4ml's naming: stage i ends at ``stage{i+1}_inp``, the last at ``model_out``.

    Empty when the design does not follow that naming (then only ``paths`` is meaningful).
    """
    by_name = {depth.endpoint: depth for depth in paths}
    if "model_out" not in by_name:
        return ()
    names = [f"stage{i}_inp" for i in range(1, _out_layer(by_name))] + ["model_out"]
    return tuple(by_name.get(name, PathDepth(name)) for name in names)
