"""How the fixed-point AUC change splits into table resolution and sampling noise, per table size and width.

For one family's best 5-output design of a fitted leaderboard: lower it with 1024 ... 8192 table entries, and
at a few widths print the worst per-class |AUC(fixed) - AUC(float)| on all calibration jets (train +
validation), on each of their test-sized slices, and on the test split. This is the measurement behind the
``--precision auto`` rule (half the tolerance on all calibration jets and on every test-sized slice)
and ``--lut-size auto``.

    python benchmarks/bench_precision.py --leaderboard expressions/leaderboard.csv --family log

Every figure is on the dataset of the leaderboard's fit (the bundled sample is simulated, not OpenML data).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from symtrig.emit.config import EmitConfig
from symtrig.emit.flows import Jets
from symtrig.emit.hls4ml_flow import AUTO_LUT_SIZES
from symtrig.emit.selection import fit_data, select_designs
from symtrig.lower.fixed import FixedFormat
from symtrig.lower.single_type import ap_integer_bits, float_outputs
from symtrig.lower.tables import lower
from symtrig.lower.tolerance import calibration_slices, worst_auc_change
from symtrig.store import leaderboard
from symtrig.verify.hls4ml_emulator import emulator_for


def changes(low, X_raw, labels, slices, fixed: FixedFormat) -> tuple[float, float]:
    """(worst change on all rows, worst change over the slices) at ``fixed``."""
    X_ip = low.ip_inputs(X_raw)
    y_float = np.nan_to_num(float_outputs(low, X_ip))
    y_fixed = emulator_for(low, fixed)(X_ip)
    per_slice = [worst_auc_change(y_float, y_fixed, labels, rows) for rows in slices]
    return per_slice[0], max(per_slice[1:], default=per_slice[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaderboard", default="expressions/leaderboard.csv")
    parser.add_argument("--family", default="log")
    parser.add_argument("--extra-frac", default="0,4", help="fraction bits beyond the tables' minimum")
    args = parser.parse_args()
    board = Path(args.leaderboard)
    run, data = fit_data(board, leaderboard.read(board))
    frame = leaderboard.read(board, classes=run.outputs)
    config = EmitConfig(leaderboard=str(board), family=args.family)
    design = select_designs(frame, config, board.name, run.outputs, data.features)[0]
    exprs = list(design.exprs)
    jets = Jets.for_classes(data, design.classes)
    X_cal, y_cal, y_test = jets.X_calib, jets.labels_calib, jets.labels_test
    slices = calibration_slices(len(y_cal), len(y_test))
    print(
        f"# {design.name} on {data.label}: {len(y_cal)} calibration jets, {len(slices) - 1} slices of {len(y_test)}"
    )
    print("| entries | precision | all calibration jets | worst slice | test split |")
    print("|---|---|---|---|---|")
    for size in AUTO_LUT_SIZES:
        low = lower(exprs, mean=data.mean_, scale=data.scale_, X_calib_raw=data.X_train, lut_size=size)
        X_ip = low.ip_inputs(X_cal)
        n_int = ap_integer_bits(low, X_ip)[0]
        min_frac = low.table_frac_bits(4)
        for extra in (int(e) for e in args.extra_frac.split(",")):
            fixed = FixedFormat.ap_fixed(min(32, n_int + min_frac + extra), n_int)
            whole, worst_slice = changes(low, X_cal, y_cal, slices, fixed)
            test, _ = changes(low, data.X_test, y_test, [np.arange(len(y_test))], fixed)
            print(f"| {size} | {fixed} | {whole:.5f} | {worst_slice:.5f} | {test:.5f} |", flush=True)


if __name__ == "__main__":
    main()
