"""Throughput of the jet simulator: matched jets per second, per class and overall, for 1 and 2 workers.

Usage: ``python benchmarks/bench_simulate.py [--per-class 100] [--seed 0] [--no-detector] [--jobs 1 2]``

Per-class rates come from single in-process jobs (one per class, so they include one Pythia
initialisation each, but not the worker start-up). The overall rate is the wall time of a full
``simulate_jets`` run with the given number of workers (process start-up and numba cache loading
included). Numbers depend on what else runs on the machine: report the load with them.
"""

from __future__ import annotations

import argparse
import os
import time

from symtrig.data import CLASSES
from symtrig.simulate import simulate_jets
from symtrig.simulate.runner import PTHAT_MIN, require_sim_extra


def per_class_rates(per_class: int, seed: int, detector: bool) -> dict[str, float]:
    """Jets per second of one in-process job per class."""
    from symtrig.simulate.worker import Job, run_job

    run_job(Job("w", 0, seed, 5, detector, PTHAT_MIN))  # warm-up: numba cache load, imports
    rates = {}
    for i, jet_class in enumerate(CLASSES):
        start = time.perf_counter()
        result = run_job(Job(jet_class, 0, seed + i, per_class, detector, PTHAT_MIN))
        rates[jet_class] = len(result.frame) / (time.perf_counter() - start)
    return rates


def overall_rate(per_class: int, seed: int, detector: bool, jobs: int) -> float:
    """Jets per second of a whole run (all classes) with ``jobs`` worker processes."""
    start = time.perf_counter()
    frame = simulate_jets(per_class, seed, detector=detector, jobs=jobs, progress=False)
    return len(frame) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-detector", action="store_true")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    require_sim_extra()
    detector = not args.no_detector
    print(f"per class {args.per_class}, detector {detector}, load average {os.getloadavg()[0]:.2f}")
    rates = per_class_rates(args.per_class, args.seed, detector)
    print("single job, jets/s: " + ", ".join(f"{c} {r:.1f}" for c, r in rates.items()))
    for jobs in args.jobs:
        rate = overall_rate(args.per_class, args.seed, detector, jobs)
        print(f"all classes, --jobs {jobs}: {rate:.1f} jets/s ({5 * args.per_class / rate:.1f} s wall)")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
