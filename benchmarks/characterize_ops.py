"""Regenerate ``symtrig/cost/op_timing_<family>.json``: the structure each da4ml operation synthesizes to.

Every operation class the scheduler prices (adders by output width, tables by input bits, products by operand
widths) is traced alone with da4ml, written as a one-stage design (registered inputs and output) and
synthesized with Yosys for the family; the depth of its one stage (LUT levels, MUXF levels, carry segments,
DSP crossings: :func:`symtrig.cost.yosys.path_depths`) is the row. Prints each row with its price under the
family's delay model, then writes the table (atomically).

    python benchmarks/characterize_ops.py [--family xcup|nexus|ecp5] [--out symtrig/cost/op_timing_<family>.json]

About 30 Yosys runs: 5-15 minutes for xcup (the widest tables are slow), 1-3 minutes for a Lattice family.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from da4ml.codegen import RTLModel
from da4ml.trace import FixedVariableArrayInput, comb_trace
from da4ml.trace.ops import quantize

from symtrig import atomic
from symtrig.cost.targets import ECP5, NEXUS, ULTRASCALE_PLUS
from symtrig.cost.yosys import PathDepth, synthesize
from symtrig.lower.node_types import MAX_TABLE_BITS

ADDER_BITS = (3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48)
TABLE_BITS = tuple(range(4, MAX_TABLE_BITS + 1))  # the widest table input lowering makes
PRODUCT_BITS = (
    (6, 6),
    (8, 8),
    (12, 12),
    (16, 16),
    (18, 18),
    (24, 18),
    (27, 18),
    (20, 20),
    (24, 24),
    (32, 32),
)


def adder(bits: int):
    """Two (bits-1)-bit signed integers added: a ``bits``-bit result."""
    inp = FixedVariableArrayInput((2,))
    x = quantize(inp, 1, bits - 2, 0)
    return comb_trace(inp, x[0:1] + x[1:2])


def table(bits: int):
    """An exact table over a ``bits``-bit input, 12-bit output (output bits are parallel: no depth)."""
    inp = FixedVariableArrayInput((1,))
    x = quantize(inp, 1, bits - 1, 0)
    return comb_trace(inp, quantize(x.apply(lambda v: np.sin(v * 0.37)), 1, 0, 11, "SAT", "TRN"))


def product(wide: int, narrow: int):
    inp = FixedVariableArrayInput((2,))
    a, b = quantize(inp[0:1], 1, wide - 1, 0), quantize(inp[1:2], 1, narrow - 1, 0)
    return comb_trace(inp, a * b)


TARGETS = {target.family: target for target in (ULTRASCALE_PLUS, NEXUS, ECP5)}


def depth_of(logic, family: str) -> PathDepth:
    with tempfile.TemporaryDirectory(prefix="symtrig-char-") as tmp:
        RTLModel(logic, "op", tmp, flavor="verilog", latency_cutoff=1e9, print_latency=False).write()
        weights = TARGETS[family].model.path_weights()
        report = synthesize(Path(tmp) / "src", "op", family=family, weights=weights)
    if len(report.stages) != 1:
        raise SystemExit(f"expected one stage, got {len(report.stages)}")
    return report.stages[0], report.yosys_version


def row(depth: PathDepth, **key: int) -> dict[str, int]:
    fields = ("lut", "muxf", "carry", "carry_chains", "dsp")
    return {**key, **{f: getattr(depth, f) for f in fields}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", default="xcup", choices=sorted(TARGETS))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(__file__).parents[1] / "symtrig" / "cost" / f"op_timing_{args.family}.json"
    model, version = TARGETS[args.family].model, "?"
    table_rows: dict[str, list[dict[str, int]]] = {"adder": [], "table": [], "product": []}
    started = time.perf_counter()
    jobs = [("adder", adder, (b,), {"bits": b}) for b in ADDER_BITS]
    jobs += [("table", table, (b,), {"bits": b}) for b in TABLE_BITS]
    jobs += [("product", product, wn, {"wide": wn[0], "narrow": wn[1]}) for wn in PRODUCT_BITS]
    print(f"{'op':8} {'size':>8} {'LUT':>4} {'MUXF':>4} {'carry':>5} {'DSP':>3} {'ns (model)':>10}")
    for kind, build, sizes, key in jobs:
        depth, version = depth_of(build(*sizes), args.family)
        table_rows[kind].append(row(depth, **key))
        ns = model.delay(depth) - model.register_ns
        size = "x".join(map(str, sizes))
        print(f"{kind:8} {size:>8} {depth.lut:4} {depth.muxf:4} {depth.carry:5} {depth.dsp:3} {ns:10.3f}")
    data = {
        "family": args.family,
        "yosys": version,
        "made_by": "benchmarks/characterize_ops.py",
        **table_rows,
    }
    atomic.write_text(out, json.dumps(data, indent=1) + "\n")
    print(f"wrote {out} ({time.perf_counter() - started:.0f} s, Yosys {version}, priced with {model.label})")


if __name__ == "__main__":
    main()
