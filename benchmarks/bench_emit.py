"""Emulator throughput vs hls4ml's compiled predict(), with a bit-identity check and the compile time.

Run: ``/work/venv/bin/python benchmarks/bench_emit.py --rows 200000 --precision 'ap_fixed<18,8>' --seed 0``.
The model is five expressions, one per family (poly, trig, exp/gauss, log, division), lowered with LUTs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import sympy as sp

from symtrig.hls.emulate import Emulator
from symtrig.hls.lower import lower
from symtrig.hls.project import write_project

X = sp.symbols("x0:16")
GAUSS, LOGABS = sp.Function("gauss"), sp.Function("logabs")
EXPRS = [
    X[3] + 0.09 * X[14] * (2 * X[2] + X[11] - X[14] - X[15]) - 0.53,
    sp.sin(0.25 * X[3] * (X[2] - X[11]) - X[14] + 0.06 * X[15]) + sp.cos(X[1]),
    0.23 * X[2] * (GAUSS(0.63 * X[15]) + 1) - GAUSS(X[2]) + 0.1 * sp.exp(0.5 * X[5]),
    X[3] - 0.1 * X[14] * (X[15] * LOGABS(X[15]) + 2.2) - 0.02 * LOGABS(X[3]),
    X[0] / X[1] + X[5] ** 4 - 3 * X[6] ** 3,
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--precision", default="ap_fixed<18,8>")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    mean, scale = rng.uniform(0, 100, 16), rng.uniform(0.5, 50, 16)
    Xraw = mean + scale * rng.normal(size=(args.rows, 16))
    low = lower(EXPRS, mean=mean, scale=scale, X_calib_raw=Xraw[:20_000])
    Xip = low.ip_inputs(Xraw)
    with tempfile.TemporaryDirectory() as scratch:
        prj = Path(scratch) / "prj"
        t0 = time.perf_counter()
        model = write_project(low, prj, precision=args.precision)
        t_write = time.perf_counter() - t0
        t0 = time.perf_counter()
        model.compile()
        t_compile = time.perf_counter() - t0
        t0 = time.perf_counter()
        predicted = model.predict(Xip)
        t_predict = time.perf_counter() - t0
        t0 = time.perf_counter()
        emulated = Emulator.from_project(prj)(Xip)
        t_emulate = time.perf_counter() - t0
    identical = bool(np.array_equal(predicted, emulated))
    print("| rows | precision | write s | compile s | predict s | emulator s | speed-up | bit-identical |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.rows} | {args.precision} | {t_write:.2f} | {t_compile:.1f} | {t_predict:.2f} | "
        f"{t_emulate:.2f} | {t_predict / t_emulate:.1f}x | {identical} |"
    )


if __name__ == "__main__":
    main()
