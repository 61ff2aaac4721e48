"""How well the front predicts the designs emit-hls builds: predicted vs measured cycles, LUT and DSP.

Run: ``python benchmarks/bench_front.py HDL_OUT [HDL_OUT ...]`` after ``symtrig front --backend B --out HDL_OUT``
and ``symtrig emit-hls --backend B --out HDL_OUT`` on the same leaderboard, part and clock.

For every design of each folder (``design.json``), the front rows of its outputs (same ``expr_id``, backend,
part and clock in ``front.csv``) predict the whole IP: cycles = the slowest output's, LUT/DSP/FF = the sum over
outputs (a one-output design shares nothing; the built IP can share inputs and subexpressions, so the sum is an
upper bound in that respect). Printed per design: predicted vs measured and the ratio, then per backend the
share of designs whose cycles match and whose LUT/DSP are within +-20 %. The measured figures are the design's
own (da4ml: Yosys post-synthesis counts and its schedule; hls4ml: symtrig's estimate), never place and route.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

TOLERANCE = 0.20


def predictions(folder: Path) -> pd.DataFrame:
    front = pd.read_csv(folder / "front.csv")
    rows = []
    for record_path in sorted(folder.glob("*/design.json")):
        record = json.loads(record_path.read_text())
        cost, backend = record["cost"], record["backend"]
        ids = [o["expr_id"] for o in record["outputs"]]
        mine = front[
            (front["backend"] == backend)
            & (front["part"] == record["part"])
            & (front["clock_ns"].astype(float) == float(record["clock_ns"]))
            & front["expr_id"].isin(ids)
        ]
        if len(mine) != len(ids):
            print(f"{record_path.parent.name}: {len(ids) - len(mine)} output(s) not in front.csv; skipped")
            continue
        rows.append(
            {
                "folder": folder.name if folder.name != "hdl_out" else str(folder),
                "design": record_path.parent.name,
                "backend": backend,
                "source": f"{mine['cost_source'].iloc[0]} vs {cost['source']}",
                "cycles_front": int(mine["latency_cycles"].max()),
                "cycles_built": int(cost["latency_cycles"]),
                "lut_front": int(mine["lut"].sum()),
                "lut_built": int(cost["lut"]),
                "dsp_front": int(mine["dsp"].sum()),
                "dsp_built": int(cost["dsp"]),
                "ff_front": int(mine["ff"].sum()),
                "ff_built": int(cost["ff"]),
            }
        )
    return pd.DataFrame(rows)


def _ratio(front: int, built: int) -> float:
    return front / built if built else (1.0 if front == 0 else float("inf"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args()
    table = pd.concat([predictions(f) for f in args.folders], ignore_index=True)
    if table.empty:
        sys.exit("no design with all its outputs in a front.csv")
    table["lut_ratio"] = [_ratio(f, b) for f, b in zip(table["lut_front"], table["lut_built"], strict=True)]
    table["dsp_ratio"] = [_ratio(f, b) for f, b in zip(table["dsp_front"], table["dsp_built"], strict=True)]
    columns = [
        "folder",
        "design",
        "source",
        "cycles_front",
        "cycles_built",
        "lut_front",
        "lut_built",
        "lut_ratio",
    ]
    columns += ["dsp_front", "dsp_built", "dsp_ratio", "ff_front", "ff_built"]
    print(table[columns].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    for backend, group in table.groupby("backend"):
        cycles = (group["cycles_front"] == group["cycles_built"]).mean()
        lut = ((group["lut_ratio"] - 1).abs() <= TOLERANCE).mean()
        dsp = ((group["dsp_ratio"] - 1).abs() <= TOLERANCE).mean()
        print(
            f"{backend}: {len(group)} designs; cycles equal {cycles:.0%}, LUT within +-20 % {lut:.0%} "
            f"(ratio {group['lut_ratio'].min():.2f}-{group['lut_ratio'].max():.2f}), DSP within +-20 % {dsp:.0%}"
        )


if __name__ == "__main__":
    main()
