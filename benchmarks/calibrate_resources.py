"""Fit the front's LUT model (``symtrig/cost/resources.py``) to Yosys's counts of built da4ml designs.

Run: ``python benchmarks/calibrate_resources.py HDL_OUT [HDL_OUT ...] [--family xcup]``.

For every da4ml design folder (``design.json`` + ``model/comb.json`` + ``model/pipeline.json``, as emit-hls
writes them) the structural counts are read from the operations (adder result bits; table LUT units by
cofactors and a reduced decision diagram, :func:`symtrig.cost.resources.table_lut_units`), and Yosys's LUT
count from ``design.json``. Prints the least-squares coefficients (LUT per adder bit, LUT per table unit), then
per design the modelled/Yosys ratio for both the fitted and the committed coefficients, with FF and DSP beside.
Copy the fitted figures into the family's :class:`~symtrig.cost.resources.ResourceModel` when they change.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
from da4ml.types import CombLogic, Pipeline

from symtrig.cost.resources import RESOURCE_MODELS, design_resources


def designs(folders: list[Path]) -> list[Path]:
    found = []
    for folder in folders:
        for record in sorted(folder.glob("*/design.json")):
            if (
                json.loads(record.read_text()).get("backend") == "da4ml"
                and (record.parent / "model/comb.json").exists()
            ):
                found.append(record.parent)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--family", default="xcup", choices=sorted(RESOURCE_MODELS))
    args = parser.parse_args()
    committed = RESOURCE_MODELS[args.family]
    rows = []
    for folder in designs(args.folders):
        logic = CombLogic.load(folder / "model/comb.json")
        stages = list(Pipeline.load(folder / "model/pipeline.json").solutions)
        cost = json.loads((folder / "design.json").read_text())["cost"]
        rows.append((folder, design_resources(logic, stages, committed), cost))
    if len(rows) < 2:
        raise SystemExit("need at least two da4ml designs with model/comb.json")
    counts = np.array([[r.adder_bits, r.table_units] for _, r, _ in rows], dtype=float)
    yosys = np.array([cost["lut"] for _, _, cost in rows], dtype=float)
    (per_bit, per_unit), *_ = np.linalg.lstsq(counts, yosys, rcond=None)
    fitted = replace(committed, lut_per_adder_bit=float(per_bit), lut_per_table_unit=float(per_unit))
    print(
        f"fitted on {len(rows)} designs: {per_bit:.3f} LUT per adder bit, {per_unit:.3f} LUT per table unit"
    )
    print(f"committed ({committed.family}): {committed.lut_per_adder_bit} and {committed.lut_per_table_unit}")
    print(
        f"{'design':44s} {'yosys LUT':>9s} {'fitted':>7s} {'committed':>9s}  {'FF model/yosys':>15s}  DSP model/yosys"
    )
    for (folder, resources, cost), (bits, units) in zip(rows, counts, strict=True):
        mine = bits * fitted.lut_per_adder_bit + units * fitted.lut_per_table_unit
        print(
            f"{str(folder)[-44:]:44s} {cost['lut']:9d} {mine / cost['lut']:7.2f} {resources.lut / cost['lut']:9.2f}"
            f"  {resources.ff:6d}/{cost['ff']:<6d}   {resources.dsp}/{cost['dsp']}"
        )


if __name__ == "__main__":
    main()
