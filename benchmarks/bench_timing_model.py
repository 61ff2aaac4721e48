"""Modelled vs routed stage delays of every da4ml design of a run, on one Lattice family.

Run: ``python benchmarks/bench_timing_model.py HDL_OUT [--family nexus|ecp5] [--seeds 1,2,3] [--csv FILE]``.

Why: the schedule's stage delays are a model (Yosys netlist depth x per-level delays, no place and route). No
Vivado runs here, so the model's *form* is checked where open tools route: each design is synthesized for the
Lattice family (``synth_nexus`` / ``synth_ecp5``), its per-stage depth priced with that family's own cell
delays (``NEXUS_MODEL`` / ``ECP5_MODEL``), and compared with the routed delay of the same stage (nextpnr, median
over placer seeds). The band printed is the +-50 % the README states for a modelled stage delay.

For every folder of HDL_OUT holding a ``design.json`` with backend ``da4ml`` and Verilog in ``src/``: a table
per stage (the schedule's own UltraScale+ modelled delay beside, for reference), then a summary per design
and over all designs. Designs are copied to scratch folders; nothing is written into HDL_OUT.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from symtrig.cost.delays import DELAY_MODELS, DelayModel, stage_delays
from symtrig.cost.nextpnr import RoutedTiming, place_and_route
from symtrig.cost.yosys import synthesize
from symtrig.errors import SymtrigError

#: The README's uncertainty for a modelled stage delay (+-50 %): a stage is inside the band when routed/model
#: lies in [1 - BAND, 1 + BAND].
BAND = 0.5
FAMILIES = ("nexus", "ecp5")


@dataclass(frozen=True)
class Design:
    """One da4ml design folder: where its Verilog is, its top module, the clock its schedule was made for."""

    name: str
    src: Path
    top: str
    clock_ns: float
    xcup_stage_ns: tuple[float, ...]


@dataclass(frozen=True)
class Row:
    """One pipeline stage: modelled and routed delay (ns) on the family, and the schedule's UltraScale+ figure."""

    design: str
    stage: int
    endpoint: str
    modelled_ns: float
    routed_ns: float | None
    xcup_ns: float | None

    @property
    def ratio(self) -> float | None:
        """Routed over modelled; None when a side is missing (a stage the routed SDF did not name)."""
        if self.routed_ns is None or self.modelled_ns <= 0:
            return None
        return self.routed_ns / self.modelled_ns


def find_designs(hdl_out: Path) -> list[Design]:
    """Every da4ml design folder directly under ``hdl_out`` with Verilog in ``src/``, sorted by name."""
    found = []
    for meta in sorted(hdl_out.glob("*/design.json")):
        info: dict[str, Any] = json.loads(meta.read_text())
        src = meta.parent / "src"
        if info.get("backend") != "da4ml" or not any(src.glob("*.v")):
            continue
        extra = info.get("cost", {}).get("extra", {})
        top = info.get("details", {}).get("top")
        if not top:
            print(f"skip {meta.parent.name}: design.json names no details.top", file=sys.stderr)
            continue
        delays = tuple(float(x) for x in extra.get("stage_delays_ns", []))
        found.append(Design(meta.parent.name, src, top, float(info.get("clock_ns", 5.0)), delays))
    return found


def measure(
    design: Design, family: str, model: DelayModel, seeds: tuple[int, ...]
) -> tuple[list[Row], RoutedTiming]:
    """Model every stage on the family's netlist and route the design; one row per stage."""
    report = synthesize(design.src, design.top, family=family, weights=model.path_weights())
    modelled = stage_delays(report.stages, model)
    routed = place_and_route(design.src, design.top, family=family, clock_ns=design.clock_ns, seeds=seeds)
    rows = [
        Row(
            design.name,
            i,
            depth.endpoint,
            modelled[i],
            _at(routed.stage_delays_ns, i),
            _at(design.xcup_stage_ns, i),
        )
        for i, depth in enumerate(report.stages)
    ]
    if len(routed.stage_delays_ns) != len(rows):
        print(
            f"  note: {len(rows)} stages in the netlist, {len(routed.stage_delays_ns)} in the routed SDF",
            file=sys.stderr,
        )
    return rows, routed


def _at(values: tuple[float, ...], index: int) -> float | None:
    return values[index] if index < len(values) else None


def print_table(rows: list[Row]) -> None:
    """Per stage: endpoint, modelled ns, routed ns, routed/modelled, the schedule's UltraScale+ ns."""
    print(
        f"  {'stage':>5} {'endpoint':<12} {'model ns':>9} {'routed ns':>10} {'ratio':>6} {'xcup model ns':>14}"
    )
    for row in rows:
        routed = "-" if row.routed_ns is None else f"{row.routed_ns:.3f}"
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
        xcup = "-" if row.xcup_ns is None else f"{row.xcup_ns:.3f}"
        print(
            f"  {row.stage:>5} {row.endpoint:<12} {row.modelled_ns:>9.3f} {routed:>10} {ratio:>6} {xcup:>14}"
        )


def summary(rows: list[Row]) -> str:
    """Stages, median/min/max routed/modelled, how many stages lie in the README's band, worst-stage error."""
    ratios = [row.ratio for row in rows if row.ratio is not None]
    if not ratios:
        return "no stage has both a modelled and a routed delay"
    inside = sum(1 - BAND <= r <= 1 + BAND for r in ratios)
    model_worst = max(row.modelled_ns for row in rows)
    routed_worst = max(row.routed_ns for row in rows if row.routed_ns is not None)
    error = 100.0 * (model_worst / routed_worst - 1.0)
    return (
        f"{len(rows)} stages; routed/model median {statistics.median(ratios):.2f}, min {min(ratios):.2f}, "
        f"max {max(ratios):.2f}; {inside}/{len(ratios)} inside +-{BAND:.0%}; worst stage model "
        f"{model_worst:.2f} ns vs routed {routed_worst:.2f} ns ({error:+.0f} %)"
    )


def fmax_line(design: Design, routed: RoutedTiming) -> str:
    """Routed Fmax (median over seeds) against the clock the schedule was made for."""
    target = 1000.0 / design.clock_ns
    verdict = "meets" if routed.fmax_mhz >= target else "misses"
    seeds = ", ".join(f"{f:.1f}" for f in routed.fmax_by_seed)
    return (
        f"routed Fmax {routed.fmax_mhz:.1f} MHz (seeds: {seeds}) {verdict} the schedule's clock "
        f"{design.clock_ns:g} ns ({target:.0f} MHz) on {routed.device}"
    )


def write_csv(path: Path, rows: list[Row], family: str) -> None:
    """One line per stage of every design (the table above, machine-readable)."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["design", "family", "stage", "endpoint", "model_ns", "routed_ns", "ratio", "xcup_model_ns"]
        )
        for row in rows:
            ratio = None if row.ratio is None else round(row.ratio, 4)
            writer.writerow(
                [
                    row.design,
                    family,
                    row.stage,
                    row.endpoint,
                    row.modelled_ns,
                    row.routed_ns,
                    ratio,
                    row.xcup_ns,
                ]
            )


def _seeds(text: str) -> tuple[int, ...]:
    try:
        seeds = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"seeds must be integers separated by commas, not {text!r}") from exc
    if not seeds:
        raise argparse.ArgumentTypeError("give at least one seed")
    return seeds


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("hdl_out", type=Path, help="folder of emitted designs (emit-hls --backend da4ml)")
    parser.add_argument("--family", choices=FAMILIES, default="nexus")
    parser.add_argument("--seeds", type=_seeds, default=(1, 2, 3), help="placer seeds, e.g. 1,2,3")
    parser.add_argument("--csv", type=Path, default=None, help="write the per-stage rows to this CSV file")
    args = parser.parse_args()
    designs = find_designs(args.hdl_out)
    if not designs:
        print(f"no da4ml designs with Verilog under {args.hdl_out}", file=sys.stderr)
        return 1
    model = DELAY_MODELS[args.family]
    print(f"model: {model.label}\nrouted: nextpnr, median over seeds {', '.join(map(str, args.seeds))}\n")
    every: list[Row] = []
    for design in designs:
        print(f"{design.name} (top {design.top})")
        try:
            rows, routed = measure(design, args.family, model, args.seeds)
        except SymtrigError as exc:
            print(f"  failed: {exc}\n")
            continue
        print_table(rows)
        print(f"  summary: {summary(rows)}\n  {fmax_line(design, routed)}\n")
        every.extend(rows)
    print(f"all designs ({args.family}): {summary(every)}" if every else "no design measured")
    if args.csv is not None:
        write_csv(args.csv, every, args.family)
    return 0 if every else 1


if __name__ == "__main__":
    sys.exit(main())
