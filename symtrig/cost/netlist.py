"""Logic depth of a synthesized netlist: the longest chain of every pipeline stage, and of the whole design.

Why computed here: Yosys's ``sta`` stops on DSP48E2 ("used with parameters but is not parametric") and flat
``ltp`` runs through FDRE cells (it only cuts Yosys-internal ``$dff``), so the depth is read off ``write_json``.
Structure only — LUT levels, MUXF levels, carry segments, DSP crossings — which a
:class:`~symtrig.cost.delays.DelayModel` prices in ns.
"""

from __future__ import annotations

import graphlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from symtrig.errors import SymtrigError

__all__ = ["UNIT_WEIGHTS", "PathDepth", "PathWeights", "critical_path", "path_depths", "pipeline_stages"]

_LAYER = re.compile(r"stage(\d+)_inp")
_REGISTERS = ("AREG", "BREG", "MREG", "PREG")
_SEQUENTIAL = ("FD", "SRL", "RAMB", "URAM", "LD", "TRELLIS_FF", "OXIDE_FF", "DP16K", "PDP", "EBR", "LRAM")
_DSP = ("DSP", "MULT", "ALU54", "PREADD9", "REG18", "ACC54")
_MUXES = ("MUXF", "PFUMX", "L6MUX")
#: The routed select pin of each wide-function mux (its data inputs come over dedicated wires).
_SELECT = {"PFUMX": "C0", "L6MUX21": "SD", "WIDEFN9": "SEL"}


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

    ``lut`` counts LUT1-6 (LUT4 on Lattice), INV, LUTRAM reads and mux selects (routed); ``muxf`` MUXF7/8/9,
    PFUMX/L6MUX21 entered through their data inputs, and the mux of a Nexus WIDEFN9 (which is also a LUT level);
    ``carry`` carry segments in series (a CARRY4 is one, a CARRY8 two, a Lattice CCU2 one of 2 bits); ``carry_chains`` how many separate chains the path enters; ``dsp``
    combinational DSP crossings. Structure only: no placement, routing or timing.
    """

    endpoint: str
    lut: int = 0
    muxf: int = 0
    carry: int = 0
    carry_chains: int = 0
    dsp: int = 0


UNIT_WEIGHTS = PathWeights()


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


def critical_path(
    netlist: Mapping[str, Any], top: str, weights: PathWeights = UNIT_WEIGHTS
) -> PathDepth | None:
    """The longest chain from the input register to the output register as if the design had one stage.

    Why: the lower bound on pipeline stages at a clock is this chain over the stage budget, and measuring it on
    the netlist that was written (pipeline registers made transparent) costs no second synthesis. Registers
    named ``stage{k}_inp`` with k >= 1, shift registers (SRL, packed stage registers) and registered DSPs pass
    their arrival on; the chain starts at ``stage0_inp`` (da4ml's input register) or an input port and ends at
    ``model_out`` or an output port. None when the design does not follow da4ml's register naming.
    """
    module = netlist.get("modules", {}).get(top)
    if module is None:
        raise SymtrigError(f"module {top!r} is not in the netlist")
    cells, names = module["cells"], _bit_names(module["netnames"])
    groups = {name: _register_group(cell, names) for name, cell in cells.items() if _kind(cell) == "seq"}
    if "model_out" not in groups.values():
        return None
    transparent = frozenset(
        name
        for name, group in groups.items()
        if cells[name]["type"].startswith(("SRL", *_DSP))
        or ((m := _LAYER.fullmatch(group)) is not None and int(m[1]) >= 1)
    )
    driver = _drivers(cells)
    arrival = _arrivals(cells, driver, weights, transparent)
    ends = [
        arrival.get(driver.get(bit), _ZERO)
        for name, group in groups.items()
        if group == "model_out"
        for pin, bit in _pins(cells[name], "input")
        if not _is_clock(pin)
    ]
    for info in module["ports"].values():
        if info["direction"] == "output":
            ends.extend(arrival.get(driver.get(bit), _ZERO) for bit in info["bits"])
    worst = max(ends, key=lambda found: found[:2], default=_ZERO)
    return PathDepth("one stage", *worst[2])


def _drivers(cells: Mapping[str, Any]) -> dict[Any, str]:
    return {
        bit: name for name, cell in cells.items() for _, bit in _pins(cell, "output") if isinstance(bit, int)
    }


def _kind(cell: Mapping[str, Any]) -> str | None:
    """'seq' (path boundary), 'lut', 'muxf', 'carry', 'dsp' or None (no delay: buffers, constants).

    AMD cells (LUT1-6, MUXF7/8/9, CARRY4/8, DSP48E2, FD*/SRL*) and Lattice ones from ``synth_ecp5`` and
    ``synth_nexus`` (LUT4; PFUMX/L6MUX21 and WIDEFN9 wide-function muxes; CCU2C/CCU2 carry; TRELLIS_FF and
    FD1P3*/FD1S3*; MULT*/ALU54B/PREADD9/REG18/ACC54 DSP parts; EBR/LRAM blocks), so one depth search serves
    every family the project synthesizes for.
    """
    kind = cell["type"]
    if kind.startswith(_SEQUENTIAL):
        return "seq"
    if kind.startswith(_DSP):
        return "seq" if _registered_dsp(cell) else "dsp"
    if kind.startswith(("LUT", "RAM", "DPR16X4", "TRELLIS_DPR")) or kind == "INV":  # a LUTRAM read is a LUT
        return "lut"
    if kind.startswith(_MUXES) or kind == "WIDEFN9":
        return "muxf"
    return "carry" if kind.startswith(("CARRY", "CCU2")) else None


def _registered_dsp(cell: Mapping[str, Any]) -> bool:
    """Whether a DSP block holds a register (a path boundary) or is bypassed (a combinational crossing).

    DSP48E2 says so in AREG/BREG/MREG/PREG; ECP5 in ``REG_*_CLK`` (``NONE`` when bypassed, the default when
    the netlist omits it); Nexus in ``REG*`` (``REGISTER`` or ``BYPASS``).
    """
    params = cell["parameters"]
    if cell["type"].startswith("DSP"):
        return any(_int(params.get(p, 0)) for p in _REGISTERS)
    for name, value in params.items():
        text = str(value).strip()
        if name.startswith("REG") and (text == "REGISTER" or (name.endswith("_CLK") and text != "NONE")):
            return True
    return cell["type"].startswith("REG18")  # a Nexus pipeline register used as such


def _int(value: Any) -> int:
    """A Yosys JSON parameter: an int, or a string of binary digits."""
    if isinstance(value, str):
        return int(value, 2) if value and set(value) <= {"0", "1"} else 0
    return int(value)


def _is_clock(pin: str) -> bool:
    return pin in ("C", "CK") or "CLK" in pin.upper()  # CK: Lattice FD1P3*/FD1S3*


def _pins(cell: Mapping[str, Any], direction: str) -> Iterator[tuple[str, int | str]]:
    """(pin, bit) of every connection in ``direction``; a bit is a net number or a constant like '0'."""
    for pin, bits in cell["connections"].items():
        if cell["port_directions"].get(pin) == direction:
            yield from ((pin, bit) for bit in bits)


def _arrivals(
    cells: Mapping[str, Any],
    driver: Mapping[Any, str],
    weights: PathWeights,
    transparent: frozenset[str] = frozenset(),
) -> dict[str | None, _Arrival]:
    """Longest weighted arrival at every combinational cell's outputs (None, an undriven bit's, is no key).

    ``transparent`` registers pass their input's arrival on (a registered DSP still adds its crossing).
    """
    combinational = {name for name, cell in cells.items() if _kind(cell) != "seq"} | transparent
    graph = {
        n: {
            driver[b]
            for p, b in _pins(cells[n], "input")
            if driver.get(b) in combinational and not _is_clock(p)
        }
        for n in combinational
    }
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        raise SymtrigError("the synthesized netlist has a combinational loop; cannot measure depth") from exc
    arrival: dict[str | None, _Arrival] = {}
    for name in order:
        cell = cells[name]
        through = _passed(cell, weights) if name in transparent else None
        best = _add(_ZERO, through or _own(cell, "", None, weights))
        for pin, bit in _pins(cell, "input"):
            if through is not None and _is_clock(pin):
                continue
            source = driver.get(bit)
            feeder = None if source is None else cells.get(source)
            own = through if through is not None else _own(cell, pin, feeder, weights)
            candidate = _add(arrival.get(source, _ZERO), own)
            best = max(best, candidate, key=lambda found: found[:2])
        arrival[name] = best
    return arrival


def _passed(cell: Mapping[str, Any], w: PathWeights) -> _Arrival:
    """What a transparent register adds: nothing, but a registered DSP's multiplier is still crossed."""
    return (w.dsp, 1, (0, 0, 0, 0, 1)) if cell["type"].startswith(_DSP) else _ZERO


def _own(cell: Mapping[str, Any], pin: str, source: Mapping[str, Any] | None, w: PathWeights) -> _Arrival:
    """What ``cell`` adds to a path that enters it through ``pin`` from ``source``.

    A MUXF's data inputs come from its LUTs/MUXFs over dedicated wires (a MUXF level), but its select ``S``
    comes over general routing, so a path through ``S`` pays a LUT level (routing + mux), like a carry entry.
    """
    kind = _kind(cell)
    if kind == "lut" or (kind == "muxf" and pin == _SELECT.get(cell["type"], "S")):
        return (w.lut, 1, (1, 0, 0, 0, 0))
    if kind == "muxf" and cell["type"] == "WIDEFN9":  # Nexus: two LUT4s and their mux in one cell
        return (w.lut + w.muxf, 1, (1, 1, 0, 0, 0))
    if kind == "muxf":
        return (w.muxf, 1, (0, 1, 0, 0, 0))
    if kind == "dsp":
        return (w.dsp, 1, (0, 0, 0, 0, 1))
    if kind == "carry":
        segments = 2 if cell["type"] == "CARRY8" else 1  # a CCU2 (2 bits) is one segment
        if pin in ("CI", "CIN") and source is not None and _kind(source) == "carry":
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


def pipeline_stages(paths: tuple[PathDepth, ...]) -> tuple[PathDepth, ...]:
    """Per-stage depth in da4ml's naming: stage i ends at ``stage{i+1}_inp``, the last at ``model_out``.

    Empty when the design does not follow that naming (then only ``paths`` is meaningful).
    """
    by_name = {depth.endpoint: depth for depth in paths}
    if "model_out" not in by_name:
        return ()
    names = [f"stage{i}_inp" for i in range(1, _out_layer(by_name))] + ["model_out"]
    return tuple(by_name.get(name, PathDepth(name)) for name in names)
