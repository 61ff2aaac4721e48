"""Routed delays per register from a nextpnr SDF file: a parser and a longest-path pass.

Why: nextpnr prints only the single worst path per clock, but the cost path needs the routed delay of every
pipeline stage. The SDF nextpnr writes after routing (``--sdf``) holds every cell arc (``IOPATH``), every
routed net segment (``INTERCONNECT``) and every register's setup check, so the longest register-to-register
arrival at each endpoint can be recomputed here.

Conventions, chosen to reproduce nextpnr's own critical-path figure: each delay is the largest number of its
rise/fall triples (nextpnr reports the max corner); the clock network is not traversed (nextpnr's report
starts at clock-to-Q with no clock skew); only paths launched by a register's clock-to-Q count (paths from
top-level ports and constants are not register-to-register paths).
"""

from __future__ import annotations

import graphlib
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from symtrig.errors import SymtrigError

__all__ = ["SdfTiming", "endpoint_delays", "group_delays", "parse_sdf"]

_TOKEN = re.compile(r'\(|\)|"[^"]*"|(?:\\.|[^\s()"\\])+')
_UNITS = {"s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1.0, "ps": 1e-3, "fs": 1e-6}
_CHECKS = ("SETUP", "SETUPHOLD")

_Sexpr = list["_Sexpr | str"]


@dataclass(frozen=True)
class SdfTiming:
    """The timing graph of one routed design, in ns. A pin is ``"instance/pin"`` with escapes removed.

    ``edges`` are net segments and combinational cell arcs; ``launch`` the clock-to-Q of every register
    output; ``setup`` the setup time of every checked register input.
    """

    edges: tuple[tuple[str, str, float], ...]
    launch: Mapping[str, float]
    setup: Mapping[str, float]
    cell_types: Mapping[str, str] = field(default_factory=dict)


def parse_sdf(text: str) -> SdfTiming:
    """Read the ``DELAYFILE`` nextpnr writes; raise :class:`SymtrigError` when it is not one."""
    tree = _parse(text)
    if not tree or tree[0] != "DELAYFILE":
        raise SymtrigError("not an SDF file: it does not start with (DELAYFILE")
    scale = _timescale(tree)
    edges: list[tuple[str, str, float]] = []
    launch: dict[str, float] = {}
    setup: dict[str, float] = {}
    types: dict[str, str] = {}
    for cell in (item for item in tree if isinstance(item, list) and item[:1] == ["CELL"]):
        kind, instance = _field(cell, "CELLTYPE").strip('"'), _unescape(_field(cell, "INSTANCE"))
        types[instance] = kind
        clocks = _read_checks(cell, instance, scale, setup)
        for entry in _entries(cell, "DELAY"):
            _read_delay(entry, instance, scale, clocks, edges, launch)
    return SdfTiming(tuple(edges), launch, setup, types)


def endpoint_delays(timing: SdfTiming) -> dict[str, float]:
    """The worst register-launched arrival plus setup at each register instance with a setup check (ns)."""
    incoming: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for source, sink, delay in timing.edges:
        incoming[sink].append((source, delay))
    try:
        order = graphlib.TopologicalSorter(
            {s: [f for f, _ in ins] for s, ins in incoming.items()}
        ).static_order()
        arrival: dict[str, float] = {}
        for pin in order:
            found = [arrival[src] + d for src, d in incoming.get(pin, ()) if src in arrival]
            if pin in timing.launch:
                found.append(timing.launch[pin])
            if found:
                arrival[pin] = max(found)
    except graphlib.CycleError as exc:
        raise SymtrigError("the routed SDF has a combinational loop; cannot time it") from exc
    worst: dict[str, float] = {}
    for pin, setup in timing.setup.items():
        if pin in arrival:
            instance = pin.rpartition("/")[0]
            worst[instance] = max(worst.get(instance, 0.0), arrival[pin] + setup)
    return worst


def group_delays(delays: Mapping[str, float], group_of: Callable[[str], str | None]) -> dict[str, float]:
    """The worst delay per register group (``group_of`` names an instance's group; None leaves it out)."""
    worst: dict[str, float] = {}
    for instance, delay in delays.items():
        group = group_of(instance)
        if group is not None:
            worst[group] = max(worst.get(group, 0.0), delay)
    return worst


# ------------------------------------------------------------------------------------------------ parsing


def _parse(text: str) -> _Sexpr:
    stack: list[_Sexpr] = [[]]
    for token in _TOKEN.findall(text):
        if token == "(":
            stack.append([])
        elif token == ")":
            if len(stack) < 2:
                raise SymtrigError("malformed SDF: unbalanced ')'")
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(token)
    if len(stack) != 1 or not stack[0] or not isinstance(stack[0][0], list):
        raise SymtrigError("malformed SDF: unbalanced '(' or empty file")
    return stack[0][0]


def _unescape(name: str) -> str:
    return re.sub(r"\\(.)", r"\1", name)


def _field(cell: _Sexpr, key: str) -> str:
    """The single value of ``(KEY value)`` in ``cell`` ('' when absent or empty, e.g. the top's INSTANCE)."""
    for item in cell:
        if isinstance(item, list) and item[:1] == [key]:
            return str(item[1]) if len(item) > 1 and isinstance(item[1], str) else ""
    return ""


def _entries(cell: _Sexpr, section: str) -> list[_Sexpr]:
    """The statements inside ``(section (ABSOLUTE|INCREMENT ...))`` or directly inside ``(TIMINGCHECK ...)``."""
    out: list[_Sexpr] = []
    for item in cell:
        if isinstance(item, list) and item[:1] == [section]:
            for inner in item[1:]:
                if isinstance(inner, list) and inner[:1] in (["ABSOLUTE"], ["INCREMENT"]):
                    out.extend(x for x in inner[1:] if isinstance(x, list))
                elif isinstance(inner, list):
                    out.append(inner)
    return out


def _timescale(tree: _Sexpr) -> float:
    """ns per SDF time unit (SDF's default unit is 1 ns)."""
    value = " ".join(
        str(x) for x in next((i[1:] for i in tree if isinstance(i, list) and i[:1] == ["TIMESCALE"]), [])
    )
    match = re.fullmatch(r"\s*([\d.]+)\s*([munpf]?s)\s*", value) if value else None
    if value and match is None:
        raise SymtrigError(f"unsupported SDF TIMESCALE {value!r}")
    return float(match[1]) * _UNITS[match[2]] if match else 1.0


def _value(triples: list[_Sexpr | str], scale: float) -> float:
    """The largest number in the ``(min:typ:max)`` triples of one delay statement, in ns."""
    numbers = [
        float(part)
        for triple in triples
        if isinstance(triple, list)
        for text in triple
        if isinstance(text, str)
        for part in text.split(":")
        if part
    ]
    return max(numbers, default=0.0) * scale


def _port(spec: _Sexpr | str) -> tuple[str, bool]:
    """A port name and whether it carries an edge (``(posedge CLK)``: a clock or a checked data edge)."""
    if isinstance(spec, list):
        return _unescape(str(spec[-1])), True
    return _unescape(spec), False


def _read_checks(cell: _Sexpr, instance: str, scale: float, setup: dict[str, float]) -> set[str]:
    """Record the setup time of each checked data pin; return the cell's clock pins."""
    clocks: set[str] = set()
    for check in _entries(cell, "TIMINGCHECK"):
        if check[0] not in _CHECKS or len(check) < 4:
            continue
        data, clock = _port(check[1])[0], _port(check[2])[0]
        clocks.add(clock)
        pin = f"{instance}/{data}"
        setup[pin] = max(setup.get(pin, 0.0), _value(check[3:4], scale))
    return clocks


def _read_delay(
    entry: _Sexpr,
    instance: str,
    scale: float,
    clocks: set[str],
    edges: list[tuple[str, str, float]],
    launch: dict[str, float],
) -> None:
    kind = entry[0]
    if kind == "INTERCONNECT" and len(entry) >= 3:
        source, sink = (_split_pin(str(entry[i]), instance) for i in (1, 2))
        edges.append((source, sink, _value(entry[3:], scale)))
    elif kind == "IOPATH" and len(entry) >= 3:
        (source, edged), sink = _port(entry[1]), _port(entry[2])[0]
        delay, out = _value(entry[3:], scale), f"{instance}/{sink}"
        if edged or source in clocks:
            launch[out] = max(launch.get(out, 0.0), delay)
        else:
            edges.append((f"{instance}/{source}", out, delay))


def _split_pin(spec: str, instance: str) -> str:
    """``inst/pin`` of an INTERCONNECT end (the pin follows the last unescaped '/'; names may hold '/')."""
    cut = max((m.start() for m in re.finditer(r"(?<!\\)/", spec)), default=-1)
    inst, pin = (spec[:cut], spec[cut + 1 :]) if cut >= 0 else ("", spec)
    inst = _unescape(inst)
    return f"{f'{instance}.{inst}' if instance and inst else inst or instance}/{_unescape(pin)}"
