"""hls4ml log tables: one table against two chained ones (fine + coarse), per table size.

Run: ``python benchmarks/bench_hls_log.py [--precision ap_fixed<26,8>] [--rows 20000]``

One one-output design ``log|x0 + x1|`` (x0, x1 standard normal, so ``|u|`` reaches 0 with a density of about
0.28 per unit there; calibrated on the first half of the rows, measured on the second) is lowered at each table
size twice: as one table (the chain switched off) and as :func:`symtrig.lower.tables.chained_log` builds it.
Printed per design:

* ``tables`` and ``entries``: the lookup tables and their entries;
* ``reach``: the smallest ``|u|`` a table entry holds (every smaller one is served ``log(reach)``);
* ``clamped``: the share of rows whose table clamp misses log by more than one LSB (the emulator's count);
* ``err_max`` and ``err_p99``: the largest and the 99th-percentile |output - log|u|| over the rows both forms
  cover (``|u|`` at or above the one table's reach); near its reach a table's step is a large part of ``|u|``,
  so the largest error is there;
* ``cycles``, ``lut``, ``bram18``: symtrig's analytical estimate of the hls4ml project (no Vivado here).

Every figure is measured on synthetic arguments; the design-level effect is measured by ``emit-hls``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import sympy as sp

from symtrig.backends.hls4ml.project import write_project
from symtrig.cost.hls_estimate import estimate_project
from symtrig.lower.tables import lower
from symtrig.verify.hls4ml_emulator import emulator_for

SIZES = (1024, 4096, 16384, 32768)
LOGABS = sp.Function("logabs")


def lowered(size: int, calibration: np.ndarray, chained: bool):
    """``log|x0 + x1|`` lowered at ``size`` entries, as one table or chained."""
    x = sp.symbols("x0:2")
    args = dict(mean=np.zeros(2), scale=np.ones(2), X_calib_raw=calibration, lut_size=size)
    if chained:
        return lower([LOGABS(x[0] + x[1])], **args)
    with mock.patch("symtrig.lower.tables.chained_log", return_value=None):
        return lower([LOGABS(x[0] + x[1])], **args)


def measure(low, rows: np.ndarray, precision: str, common_from: float) -> dict:
    result = emulator_for(low, precision).run(low.ip_inputs(rows))
    u = np.abs(rows[:, 0] + rows[:, 1])
    covered = u >= common_from
    error = np.abs(result.y[covered, 0] - np.log(u[covered]))
    with tempfile.TemporaryDirectory() as scratch:
        write_project(low, Path(scratch) / "p", precision=precision, project_name="p", X_tb=None, y_tb=None)
        estimate = estimate_project(Path(scratch) / "p")
    return {
        "tables": len(low.luts),
        "entries": sum(spec.table_size for spec in low.luts),
        "reach": min(spec.range_start for spec in low.luts),
        "clamped": float(result.lut_clip_rate[0]),
        "err_max": float(error.max()),
        "err_p99": float(np.quantile(error, 0.99)),
        "cycles": estimate.latency_cycles,
        "lut": estimate.lut,
        "bram18": estimate.bram,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--precision", default="ap_fixed<26,8>", help="the design's one ap_fixed")
    parser.add_argument("--rows", type=int, default=20000, help="rows (half calibrate, half measure)")
    args = parser.parse_args(argv)
    rows = np.random.default_rng(0).normal(size=(args.rows, 2))
    calibration, measured = rows[: args.rows // 2], rows[args.rows // 2 :]
    print(f"# log|x0 + x1|, x standard normal, {len(measured)} measured rows, {args.precision}; estimate")
    print("size\tform\ttables\tentries\treach\tclamped\terr_max\terr_p99\tcycles\tlut\tbram18")
    for size in SIZES:
        single, chained = (lowered(size, calibration, chain) for chain in (False, True))
        common_from = min(spec.range_start for spec in single.luts)
        rows_of = {}
        for form, low in (("one", single), ("chained", chained)):
            r = rows_of[form] = measure(low, measured, args.precision, common_from)
            print(
                f"{size}\t{form}\t{r['tables']}\t{r['entries']}\t{r['reach']:.2e}\t{r['clamped']:.4%}\t"
                f"{r['err_max']:.4f}\t{r['err_p99']:.5f}\t{r['cycles']}\t{r['lut']}\t{r['bram18']}"
            )
        one, two = rows_of["one"], rows_of["chained"]
        print(
            f"#   {size}: reach x{one['reach'] / two['reach']:.0f} closer to 0, clamps {one['clamped']:.4%} -> "
            f"{two['clamped']:.4%}, BRAM18 {one['bram18']} -> {two['bram18']}, cycles {one['cycles']} -> "
            f"{two['cycles']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
