"""Function units against flat tables: entries, Yosys LUT, modelled delay and error, per function and argument span.

Run: ``python benchmarks/bench_function_units.py [--fraction 8] [--family xcup]`` (``--fraction 12``: the wide
tables where the flat form hits its 13-bit cap and the log mantissa gets a bipartite table)

For each function (sin, cos, log|u|) and argument span, one one-node design ``f(x0 + x1)`` (x0, x1 uniform in
[-s, s] / 2, so the argument spans ``2s``) is built twice at the same uniform fraction width: with the unit
symtrig chooses (:mod:`symtrig.lower.units`: a periodic table of the argument in turns; a leading-one log unit)
and forced to a flat table (the flat table's input is capped at 13 bits, 8192 entries, as in emit-hls). The
argument is a sum of inputs at the design's fraction width, as in the fits' designs: the periodic unit folds its
``1/2π`` into the sum's coefficients, and the flat table meets every code of its window (a scaled input would
reach only the input's own codes, and a flat table is indexed by the argument's codes inside its window). Printed per design:

* ``entries``: the entries of the tables the trace built (a leading-one unit: its mantissa table or bipartite
  pair, and its shift-count table);
* ``lut``: Yosys post-synthesis LUT1-6 + INV of the design written as one stage (``synth_xilinx`` for xcup, or
  ``synth_nexus``/``synth_ecp5``); no place and route;
* ``path_ns``: the operation model's critical path of that one stage (:mod:`symtrig.cost.schedule`), a model;
* ``max_err_lsb``: the largest |output - f(a)| in output LSBs over 20,001 rows, ``a`` the fixed-point argument
  the unit receives (so the argument's own quantization is not counted; ``a = 0`` of log is left out);
* ``saturated``: the share of those rows whose output saturated and missed f by more than one LSB (the
  tolerance rule's wrong-edge clamps; for log, the rows whose argument is 0 at its LSB).

Every figure is measured on synthetic arguments, not jets; the design-level effect is measured by ``emit-hls``.
"""

from __future__ import annotations

import argparse
import sys
import time
from unittest import mock

import numpy as np
import sympy as sp

from symtrig.backends.da4ml.trace import trace_program
from symtrig.cost.op_timing import op_timing
from symtrig.cost.schedule import schedule
from symtrig.cost.targets import target_of
from symtrig.cost.timing import da4ml_synthesizer
from symtrig.expr import logabs, variable
from symtrig.lower.node_types import materialize, plan_types, uniform_settings
from symtrig.lower.program import build_program, tabulate
from symtrig.verify.program_model import ModelState

CASES = (
    [("sin", s) for s in (2, 8, 32)] + [("cos", s) for s in (8, 32)] + [("logabs", s) for s in (4, 16, 64)]
)
PARTS = {"xcup": "xcvu9p-flga2104-2-e", "nexus": "LIFCL-40-9BG400I", "ecp5": "LFE5U-85F-6BG381C"}


def design(function: str, scale: float, fraction: int):
    """The program and node types of ``function(x0 + x1)``, the inputs spanning ``scale``, at a uniform
    fraction width."""
    x = np.random.default_rng(0).uniform(-scale / 2, scale / 2, size=(20001, 2))
    call = {"sin": sp.sin, "cos": sp.cos, "logabs": logabs}[function]
    program = build_program([call(variable(0) + variable(1))], x)
    plan = plan_types(program)
    return program, materialize(program, plan, uniform_settings(program, plan, fraction)), x


def flat_design(function: str, scale: float, fraction: int):
    """The same design with every table flat (the units' rules switched off)."""
    with (
        mock.patch("symtrig.lower.program.periodic_pays", return_value=False),
        mock.patch("symtrig.lower.node_types.unit_of", return_value="flat"),
    ):
        return design(function, scale, fraction)


def entries(logic) -> int:
    """Entries of every table the trace built (a leading-one unit: its mantissa table or bipartite pair, and
    its shift-count table; a flat table: the argument's own codes inside the window, which the table is indexed
    by, not the window's full width)."""
    return sum(len(table.table) for table in logic.lookup_tables)


def measure(program, types, x, family: str, model) -> dict:
    index, node = next((i, n) for i, n in enumerate(program.nodes) if n.kind == "table")
    table = types[index]
    state = ModelState(program, types, x)
    argument = state.signals[node.operands[0]].values  # the fixed-point argument the unit receives
    exact = tabulate(node.function, argument)
    finite = np.isfinite(exact)
    error = np.abs(state.signals[index].values[finite] - exact[finite]) * 2.0**table.fmt.fraction
    run = state.run()
    logic = trace_program(program, types)
    planned = schedule(logic, 1e6, op_timing(family), model)
    started = time.perf_counter()
    report = da4ml_synthesizer("unit", model=model, family=family)(planned)
    return {
        "unit": table.unit,
        "input": str(table.table_input),
        "output": str(table.fmt),
        "entries": entries(logic),
        "lut": report.lut + report.inv,
        "path_ns": planned.critical_path_ns,
        "max_err_lsb": float(error.max()),
        "saturated": float(run.clip_rate[0]),
        "yosys_s": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=int, default=8, help="uniform fraction bits of every node")
    parser.add_argument("--family", choices=sorted(PARTS), default="xcup")
    args = parser.parse_args(argv)
    model = target_of(PARTS[args.family]).model
    print(f"# family {args.family}, uniform fraction {args.fraction}; delays: {model.label} (model)")
    header = "function span form unit input output entries lut path_ns max_err_lsb saturated yosys_s"
    print(header.replace(" ", "\t"))
    for function, scale in CASES:
        rows = {}
        for form, build in (("flat", flat_design), ("chosen", design)):
            rows[form] = measure(*build(function, scale, args.fraction), args.family, model)
            r = rows[form]
            print(
                f"{function}\t{2 * scale}\t{form}\t{r['unit']}\t{r['input']}\t{r['output']}\t{r['entries']}\t"
                f"{r['lut']}\t{r['path_ns']:.2f}\t{r['max_err_lsb']:.2f}\t{r['saturated']:.4f}\t{r['yosys_s']}"
            )
        flat, chosen = rows["flat"], rows["chosen"]
        print(
            f"#   {function} over {2 * scale}: LUT x{chosen['lut'] / max(flat['lut'], 1):.2f}, "
            f"path x{chosen['path_ns'] / flat['path_ns']:.2f}, entries x{chosen['entries'] / flat['entries']:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
