"""Pipeline stages against the clock period for every da4ml design of a run: more time per stage must never
mean more stages.

Each design's unpipelined logic (``<design>/model/comb.json``, written beside the pipeline) is scheduled in ns
at every period of the sweep with the operation model (:func:`symtrig.cost.schedule.schedule`: no synthesis,
a model), and with ``--synth`` also timed as emit-hls does (one Yosys run per period and design, the netlist's
stage delays and lower bound). Prints one row per design: stages per period, and whether the row never rises.

    python benchmarks/bench_clock_sweep.py hdl_out [--periods 2,3,4,5,6,8,10,12] [--synth]
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

from da4ml.types import CombLogic

from symtrig.cost.delays import ULTRASCALE_PLUS_MODEL
from symtrig.cost.op_timing import op_timing
from symtrig.cost.schedule import schedule
from symtrig.cost.timing import da4ml_synthesizer, time_pipeline

UNCERTAINTY = 0.1  # da4ml's clock uncertainty, as emit-hls uses it


def designs(folder: Path) -> list[tuple[str, Path]]:
    found = []
    for record in sorted(folder.glob("*/design.json")):
        data = json.loads(record.read_text())
        comb = record.parent / "model" / "comb.json"
        if data.get("backend") == "da4ml" and comb.is_file():
            found.append((data["design"], comb))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hdl_out", type=Path)
    parser.add_argument("--periods", default="2,3,4,5,6,8,10,12")
    parser.add_argument("--synth", action="store_true", help="also time each period with one Yosys run")
    args = parser.parse_args()
    periods = [float(p) for p in args.periods.split(",")]
    found = designs(args.hdl_out)
    if not found:
        raise SystemExit(f"no da4ml design with model/comb.json in {args.hdl_out}")
    model, timing = ULTRASCALE_PLUS_MODEL, op_timing()
    print(f"# stages per clock period (ns); operation model ({model.label}), budget = period x 0.9")
    print("| design | " + " | ".join(f"{p:g}" for p in periods) + " | non-increasing |")
    print("|---|" + "---|" * (len(periods) + 1))
    for name, comb in found:
        logic = CombLogic.load(str(comb))
        stages = [schedule(logic, p * (1 - UNCERTAINTY), timing, model).stages for p in periods]
        rising = any(b > a for a, b in itertools.pairwise(stages))
        print(f"| {name} | " + " | ".join(map(str, stages)) + f" | {'NO' if rising else 'yes'} |")
        if args.synth:
            synthesizer = da4ml_synthesizer("sweep", model=model)
            timed = [time_pipeline(logic, p, synthesizer, model=model, timing=timing) for p in periods]
            cells = [f"{t.stages} (lb {t.lower_bound}, {t.max_delay_ns:.2f} ns)" for t in timed]
            print(f"| {name}, Yosys | " + " | ".join(cells) + " | |")


if __name__ == "__main__":
    main()
