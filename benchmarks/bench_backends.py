"""The same expressions through both backends: hls4ml (one ap_fixed type, estimate) and da4ml (a type per node,
Yosys). Prints, per family design, cycles, latency, DSP, LUT, FF, BRAM18, the figures' source and the test-split
|fixed - float| AUC change of each class.

Run: ``python benchmarks/bench_backends.py --leaderboard expressions/leaderboard.csv [--family log] [--out DIR]``
(da4ml needs Yosys on PATH). hls4ml figures are the analytical estimate (no Vivado here); da4ml figures are Yosys
``synth_xilinx`` cell counts for UltraScale+ and a pipeline-stage count from a delay model (no place and route).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from symtrig.emit import EmitConfig, emit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaderboard", default="expressions/leaderboard.csv")
    parser.add_argument("--family", default=None, help="only this family (default: every family)")
    parser.add_argument("--clock", type=float, default=5.0, help="clock period, ns")
    parser.add_argument("--out", default=None, help="keep the designs here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="symtrig-bench-") as scratch:
        out = Path(args.out or scratch)
        rows = []
        for backend in ("hls4ml", "da4ml"):
            config = EmitConfig(
                leaderboard=args.leaderboard,
                family=args.family,
                backend=backend,
                clock=args.clock,
                out=str(out),
            )
            start = time.perf_counter()
            result = emit(config, warn=lambda line: print(f"# {line}"))
            seconds = time.perf_counter() - start
            rows += [(record, seconds / len(result.designs)) for record in result.designs]
        print(f"# dataset: {result.dataset_label}; clock {args.clock} ns")
        print(
            "| design | backend | precision | cycles | ns | DSP | LUT | FF | BRAM18 | source "
            "| test |AUC change| per class | meets | s |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for record, seconds in sorted(rows, key=lambda r: (r[0].outputs[0].family, r[0].backend)):
            cost = record.cost
            changes = ", ".join(f"{o.class_name} {o.auc_change:.5f}" for o in record.outputs)
            print(
                f"| {record.design} | {record.backend} | {record.precision} | {cost.latency_cycles} | "
                f"{cost.latency_ns:g} | {cost.dsp} | {cost.lut} | {cost.ff} | {cost.bram} | {cost.source} | "
                f"{changes} | {'yes' if record.tolerance.meets else 'NO'} | {seconds:.0f} |"
            )


if __name__ == "__main__":
    main()
