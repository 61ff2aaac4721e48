"""Tune the pyoperon engine's settings by measurement on a distillation proxy.

Why a proxy: the real jet sample and teacher may not exist yet, and a tuning run must be cheap. The proxy
mimics the task: a (64, 32, 32) MLP teacher on 16 standardized features and 5 classes (make_classification
with two warped features), and the SR target is the teacher's centred pre-softmax logit of one class. The
engine sees a 10k-row subsample; the best front member with *our* complexity <= 40 is chosen on a validation
split and reported on a separate test split (R² to the teacher logit, one-vs-rest ROC AUC against the labels).

Parts (run separately; each stays within ~5 minutes on 2 cores). The machine is shared, so comparisons use
process CPU time, not wall time, wherever contention would distort them:
  settings              population / L-BFGS iterations / batch size, each with the same CPU budget
  time-vs-generations   a max_time run, then a run limited to the generations the first one reached
  generations           generations reached after 30 s and 60 s (wall and CPU) per family, 1 or 2 threads

    python benchmarks/bench_operon_settings.py settings --budget 15 --threads 1 --classes 0,2 --seeds 0,1
    python benchmarks/bench_operon_settings.py time-vs-generations --budget 15 --threads 2
    python benchmarks/bench_operon_settings.py generations --threads 2
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

import numpy as np
import sympy as sp
from sklearn.datasets import make_classification
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from symtrig.engines.base import SearchSpec, feature_symbols
from symtrig.engines.operon import OperonEngine, OperonSettings, front_candidates, regressor_kwargs
from symtrig.expr.complexity import complexity
from symtrig.families import FAMILIES, get_family

C_MAX = 40
SEED = 0


def make_proxy(seed: int = SEED) -> dict[str, np.ndarray]:
    """Features, labels and centred teacher logits for train (10k SR rows) / validation / test."""
    X, labels = make_classification(
        n_samples=60_000,
        n_features=16,
        n_informative=10,
        n_redundant=3,
        n_classes=5,
        n_clusters_per_class=2,
        flip_y=0.01,
        random_state=seed,
    )
    X[:, 0] = np.sign(X[:, 0]) * X[:, 0] ** 2
    X[:, 1] = np.exp(X[:, 1] / 2)
    scaler = StandardScaler().fit(X[:30_000])
    X = scaler.transform(X)
    teacher = MLPClassifier((64, 32, 32), max_iter=60, early_stopping=True, random_state=seed)
    teacher.fit(X[:30_000], labels[:30_000])
    logits = _logits(teacher, X)
    rng = np.random.default_rng(seed)
    sr_rows = rng.choice(30_000, size=10_000, replace=False)
    return {
        "X_sr": X[sr_rows],
        "z_sr": logits[sr_rows],
        "X_val": X[30_000:45_000],
        "z_val": logits[30_000:45_000],
        "y_val": labels[30_000:45_000],
        "X_test": X[45_000:],
        "z_test": logits[45_000:],
        "y_test": labels[45_000:],
        "teacher_auc": np.array([roc_auc_score(labels[45_000:] == k, logits[45_000:, k]) for k in range(5)]),
    }


def _logits(model: MLPClassifier, X: np.ndarray) -> np.ndarray:
    """Pre-softmax outputs from the weights (ReLU hidden layers), centred per row."""
    h = X
    for W, b in zip(model.coefs_[:-1], model.intercepts_[:-1], strict=True):
        h = np.maximum(h @ W + b, 0.0)
    z = h @ model.coefs_[-1] + model.intercepts_[-1]
    return z - z.mean(axis=1, keepdims=True)


def _evaluate(expr: sp.Expr, X: np.ndarray) -> np.ndarray:
    modules = [{"logabs": lambda u: np.log(np.abs(u)), "gauss": lambda u: np.exp(-(u**2))}, "numpy"]
    f = sp.lambdify(feature_symbols(X.shape[1]), expr, modules=modules)
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(f(*X.T), dtype=float), (X.shape[0],))


def score_front(cands, data, k: int) -> dict[str, float]:
    """Best candidate with our complexity <= C_MAX, chosen on validation R², scored on test."""
    best = None
    for cand in cands:
        c = complexity(cand.expr)
        if c > C_MAX:
            continue
        pred = _evaluate(cand.expr, data["X_val"])
        if not np.isfinite(pred).all():
            continue
        r2 = r2_score(data["z_val"][:, k], pred)
        if best is None or r2 > best[0]:
            best = (r2, c, cand.expr)
    if best is None:
        return {"r2": float("nan"), "auc": float("nan"), "c": -1, "front": len(cands)}
    test = _evaluate(best[2], data["X_test"])
    return {
        "r2": r2_score(data["z_test"][:, k], test),
        "auc": roc_auc_score(data["y_test"] == k, test),
        "c": best[1],
        "front": len(cands),
    }


_POP1000 = OperonSettings(population_size=1000, pool_size=1000)
CONFIGS: dict[str, OperonSettings] = {
    "pop1000 lbfgs5 bs1000": _POP1000,
    "pop500 lbfgs5 bs1000": dataclasses.replace(_POP1000, population_size=500, pool_size=500),
    "pop1000 lbfgs2 bs1000": dataclasses.replace(_POP1000, optimizer_iterations=2),
    "pop1000 lbfgs10 bs1000": dataclasses.replace(_POP1000, optimizer_iterations=10),
    "pop1000 lbfgs5 bs250": dataclasses.replace(_POP1000, optimizer_batch_size=250),
}


def run_settings(cpu_budget: float, threads: int, classes: list[int], seeds: list[int], family: str) -> None:
    """Each setting gets the same *CPU* budget (contention-proof), in warm-started one-generation chunks."""
    t0 = time.time()
    data = make_proxy()
    print(f"proxy + teacher: {time.time() - t0:.1f} s; teacher test AUC {np.round(data['teacher_auc'], 4)}")
    print(f"family {family}, {cpu_budget} CPU-s per thread, {threads} thread(s), c <= {C_MAX}")
    print("| setting | class | seed | gens | CPU s | wall s | front | c | test R² | test AUC |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for k in classes:
        for seed in seeds:
            for label, settings in CONFIGS.items():
                spec = SearchSpec(get_family(family), C_MAX, budget_s=3600, seed=seed, n_threads=threads)
                regressor, log = chunked_fit(
                    settings, spec, data, k, 1, lambda log: log[-1][2] >= cpu_budget * threads
                )
                row = score_front(front_candidates(regressor, 16), data, k)
                gens, wall, cpu = log[-1]
                print(
                    f"| {label} | {k} | {seed} | {gens} | {cpu:.1f} | {wall:.1f} | {row['front']} | {row['c']} "
                    f"| {row['r2']:.3f} | {row['auc']:.3f} |",
                    flush=True,
                )
    print(f"total {time.time() - t0:.0f} s")


def run_time_vs_generations(budget: float, threads: int, k: int, family: str) -> None:
    """A wall-time run, then a generation-limited run with the generation count the timed run reached."""
    data = make_proxy()
    print("| mode | gens | wall s | front | c | test R² | test AUC |")
    print("|---|---|---|---|---|---|---|")
    spec = SearchSpec(get_family(family), C_MAX, budget_s=budget, seed=SEED, n_threads=threads)
    for label in ("max_time", "generations"):
        engine = OperonEngine()
        t = time.time()
        regressor = engine.fit(data["X_sr"], data["z_sr"][:, k], spec)
        wall, gens = time.time() - t, engine.last_stats["generations"]
        row = score_front(front_candidates(regressor, 16), data, k)
        print(
            f"| {label} | {gens} | {wall:.1f} | {row['front']} | {row['c']} | {row['r2']:.3f} | {row['auc']:.3f} |"
        )
        spec = dataclasses.replace(spec, budget_s=20 * budget, generations=gens)


def chunked_fit(settings: OperonSettings, spec: SearchSpec, data, k: int, step: int, stop):
    """Warm-started chunks of ``step`` generations until ``stop(log)``; log rows are (gens, wall s, CPU s).

    Each chunk gets its own seed (seed·1000 + chunk), else every chunk would replay the same random stream.
    """
    from pyoperon.sklearn import SymbolicRegressor

    X, z = np.ascontiguousarray(data["X_sr"]), np.ascontiguousarray(data["z_sr"][:, k])
    regressor = SymbolicRegressor(
        **{**regressor_kwargs(spec, settings), "generations": step}, warm_start=True
    )
    log, gens, wall0, cpu0 = [], 0, time.perf_counter(), time.process_time()
    while not log or not stop(log):
        regressor.set_params(random_state=spec.seed * 1000 + len(log))
        regressor.fit(X, z)
        gens += regressor.stats_["generations"]
        log.append((gens, time.perf_counter() - wall0, time.process_time() - cpu0))
    return regressor, log


def run_generations(threads: int, k: int, step: int, cap_s: float) -> None:
    """Generations reached after 30 s and 60 s, per family, on the 10k SR rows with default settings.

    Logs wall *and* process CPU time, so on a shared, loaded machine it also reports the count at
    30·threads and 60·threads CPU-seconds: what an otherwise idle machine reaches in 30 s / 60 s of wall
    time (assuming near-linear threading; the engine study measured 1.9x on 2 cores).
    """
    data = make_proxy()
    print(f"{threads} thread(s), 10k rows, class {k}, default settings, chunks of {step} generations")
    print(
        "| family | threads | gens @ wall 30 s | gens @ wall 60 s | gens @ CPU 30·t s | gens @ CPU 60·t s | load |"
    )
    print("|---|---|---|---|---|---|---|")
    for family in FAMILIES:
        spec = SearchSpec(get_family(family), C_MAX, budget_s=3600, seed=SEED, n_threads=threads)

        def stop(log, threads=threads):
            return (log[-1][1] >= 60 and log[-1][2] >= 60 * threads) or log[-1][1] >= cap_s

        _, log = chunked_fit(OperonSettings(), spec, data, k, step, stop)
        cells = [
            _gens_at(log, 1, 30),
            _gens_at(log, 1, 60),
            _gens_at(log, 2, 30 * threads),
            _gens_at(log, 2, 60 * threads),
        ]
        print(
            f"| {family} | {threads} | {' | '.join(cells)} | {os.getloadavg()[0]:.1f} |",
            flush=True,
        )


def _gens_at(log: list[tuple[int, float, float]], column: int, limit: float) -> str:
    """Generations done when ``log[column]`` (1 = wall, 2 = CPU seconds) reached ``limit``; ">= n" if it never did."""
    done = max([entry[0] for entry in log if entry[column] <= limit], default=0)
    return str(done) if log[-1][column] >= limit else f">= {done} (not reached)"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("part", choices=["settings", "generations", "time-vs-generations"])
    parser.add_argument(
        "--budget", type=float, default=15.0, help="CPU-s per thread (settings), wall s (time-vs-gen)"
    )
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--classes", default="0,2")
    parser.add_argument("--family", default="poly", choices=list(FAMILIES))
    parser.add_argument("--step", type=int, default=2, help="generations per warm-started chunk")
    parser.add_argument(
        "--cap", type=float, default=100.0, help="wall-time cap per family (generations part)"
    )
    args = parser.parse_args()
    classes = [int(c) for c in args.classes.split(",")]
    if args.part == "settings":
        run_settings(args.budget, args.threads, classes, [int(x) for x in args.seeds.split(",")], args.family)
    elif args.part == "time-vs-generations":
        run_time_vs_generations(args.budget, args.threads, classes[0], args.family)
    else:
        run_generations(args.threads, classes[0], args.step, args.cap)


if __name__ == "__main__":
    main()
