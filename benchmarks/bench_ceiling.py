"""How far a c_max-bounded expression is from what the features allow, and how noisy the AUC ratio is.

Two parts (each a minute or two on 2 cores; every figure is on the dataset printed in the header):

  ceiling   Reference models fitted to the teacher's one-vs-rest log-odds of one class (the fit's default
            target) on the training split, reported as test AUC ratio to the teacher:
            - boosted trees on 3 features (``--features``, default the random forest's top 3): unrestricted,
              restricted to one pairwise interaction plus an additive third feature (each pairing), and
              purely additive;
            - quadratic ridge regression on all 16 features (153 terms);
            - a greedy sparse search (FFX-like) over the 16 features and their 136 pairwise products: add the
              term that lowers the training MSE most, refit all coefficients, stop before the sum's complexity
              (symtrig's PySR-like count) exceeds c_max. This is the kind of shape a c_max-node expression holds.
  noise     Bootstrap standard deviation of the test AUC ratio of each class's best expression in a
            leaderboard (the ``best`` row with the highest validation AUC), teacher and expression resampled on
            the same jets.

    python benchmarks/bench_ceiling.py ceiling --teacher expressions/teacher --class t
    python benchmarks/bench_ceiling.py ceiling --class t --features mass_mmdt,multiplicity,d2_a1_b2_mmdt
    python benchmarks/bench_ceiling.py noise --leaderboard expressions/leaderboard.csv
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import sympy as sp
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import Ridge
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures

from symtrig import expr as ex
from symtrig.data import CLASSES, FEATURES, Dataset, load_data
from symtrig.fronts import select_features
from symtrig.targets import make_targets
from symtrig.teacher import Teacher, load_teacher, train_teacher


def teacher_for(data: Dataset, path: str | None, seed: int) -> Teacher:
    """The given teacher, or one trained like ``symtrig fit`` trains it."""
    if path and Path(path).exists():
        return load_teacher(path)
    print("# no --teacher given or found: training one", flush=True)
    model, _ = train_teacher(data, seed=seed)
    return model


def _ratio(score: np.ndarray, is_signal: np.ndarray, teacher_auc: float) -> float:
    return roc_auc_score(is_signal, score) / teacher_auc


def tree_references(
    X_train, y, X_test, is_signal, teacher_auc, columns: list[int]
) -> list[tuple[str, float]]:
    """Boosted trees on three columns: free, one pairwise interaction + additive third, purely additive."""
    names = [FEATURES[c] for c in columns]
    structures = {"unrestricted": None, "additive": [[0], [1], [2]]}
    for a, b in itertools.combinations(range(3), 2):
        (rest,) = set(range(3)) - {a, b}
        structures[f"f({names[a]}, {names[b]}) + g({names[rest]})"] = [[a, b], [rest]]
    rows = []
    for label, constraint in structures.items():
        model = HistGradientBoostingRegressor(
            max_depth=3, max_iter=400, interaction_cst=constraint, random_state=0
        )
        model.fit(X_train[:, columns], y)
        rows.append(
            (f"boosted trees, {label}", _ratio(model.predict(X_test[:, columns]), is_signal, teacher_auc))
        )
    return rows


def greedy_sparse(X_train, y, X_test, c_max: int) -> list[tuple[int, np.ndarray]]:
    """(complexity, test score) after each greedy step of a sparse least-squares fit over x_i and x_i·x_j."""
    symbols = [ex.variable(i) for i in range(X_train.shape[1])]
    pairs = list(itertools.combinations_with_replacement(range(X_train.shape[1]), 2))
    terms = [(i,) for i in range(X_train.shape[1])] + pairs
    library = np.column_stack([np.prod(X_train[:, list(t)], axis=1) for t in terms])
    test_library = np.column_stack([np.prod(X_test[:, list(t)], axis=1) for t in terms])
    chosen: list[int] = []
    steps = []
    while True:
        best = None
        for k in range(len(terms)):
            if k in chosen:
                continue
            design = np.column_stack([np.ones(len(y)), library[:, [*chosen, k]]])
            coef, *_ = np.linalg.lstsq(design, y, rcond=None)
            loss = float(np.mean((design @ coef - y) ** 2))
            if best is None or loss < best[0]:
                best = (loss, k, coef)
        if best is None:
            break
        _, k, coef = best
        candidate = [*chosen, k]
        expr = sp.Float(coef[0]) + sum(
            sp.Float(c) * sp.Mul(*(symbols[i] for i in terms[j]))
            for c, j in zip(coef[1:], candidate, strict=True)
        )
        complexity = ex.complexity(expr)
        if complexity > c_max:
            break
        chosen = candidate
        steps.append((complexity, np.column_stack([np.ones(len(X_test)), test_library[:, chosen]]) @ coef))
    return steps


def ceiling(args: argparse.Namespace) -> None:
    data = load_data(args.data, seed=args.seed)
    teacher = teacher_for(data, args.teacher, args.seed)
    targets = make_targets("teacher-logodds", teacher, data)
    k = CLASSES.index(args.class_name)
    y = targets.train[:, k]
    is_signal = data.y_test == k
    teacher_auc = roc_auc_score(is_signal, targets.teacher_proba_test[:, k])
    if args.features:
        columns, how = [FEATURES.index(name) for name in args.features.split(",")], "given"
    else:
        columns, how = [int(c) for c in select_features(targets.X_train, y, 3, args.seed)], "random forest"
    print(
        f"# {data.label}, class {args.class_name}: teacher test AUC {teacher_auc:.4f}; ratios on the test split"
    )
    print(f"# 3 features ({how}): {', '.join(FEATURES[c] for c in columns)}")
    rows = tree_references(targets.X_train, y, targets.X_test, is_signal, teacher_auc, columns)
    quad = make_pipeline(PolynomialFeatures(2), Ridge(1e-3)).fit(targets.X_train, y)
    rows.append(
        ("quadratic ridge, 16 features", _ratio(quad.predict(targets.X_test), is_signal, teacher_auc))
    )
    for label, ratio in rows:
        print(f"{label:70s} {ratio:.4f}")
    for complexity, score in greedy_sparse(targets.X_train, y, targets.X_test, args.cmax):
        print(
            f"{f'greedy sparse x_i, x_i*x_j, complexity {complexity}':70s} {_ratio(score, is_signal, teacher_auc):.4f}"
        )


def noise(args: argparse.Namespace) -> None:
    board = Path(args.leaderboard)
    frame = pd.read_csv(board)
    run = json.loads((board.parent / "run.json").read_text())
    data = load_data(run["settings"]["data"], seed=run["settings"]["seed"])
    teacher = load_teacher(board.parent / "teacher")
    X_test = data.standardize(data.X_test)
    proba = teacher.predict_proba(X_test)
    rng = np.random.default_rng(args.seed)
    draws = [rng.integers(0, len(X_test), len(X_test)) for _ in range(args.draws)]
    print(f"# {data.label}: {len(X_test)} test jets, {args.draws} bootstrap draws; leaderboard {board}")
    best = frame[frame["best"]]
    for name in CLASSES:
        rows = best[best["class"] == name]
        if rows.empty:
            continue
        row = rows.sort_values("auc_val").iloc[-1]
        k = CLASSES.index(name)
        is_signal = data.y_test == k
        score = ex.evaluate(ex.parse_expression(row["expression"]), X_test)
        ratios = [
            roc_auc_score(is_signal[i], score[i]) / roc_auc_score(is_signal[i], proba[i, k]) for i in draws
        ]
        ratio = roc_auc_score(is_signal, score) / roc_auc_score(is_signal, proba[:, k])
        print(
            f"{name} ({row['family']}, complexity {row['complexity']}): ratio {ratio:.4f}, bootstrap sd "
            f"{np.std(ratios):.4f}, {int(is_signal.sum())} signal jets"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parts = parser.add_subparsers(dest="part", required=True)
    one = parts.add_parser("ceiling")
    one.add_argument("--data", default="sample")
    one.add_argument("--teacher", default="expressions/teacher")
    one.add_argument("--class", dest="class_name", default="t", choices=CLASSES)
    one.add_argument("--cmax", type=int, default=40)
    one.add_argument(
        "--features", default=None, help="3 comma-separated feature names (default: forest top 3)"
    )
    one.add_argument("--seed", type=int, default=0)
    two = parts.add_parser("noise")
    two.add_argument("--leaderboard", default="expressions/leaderboard.csv")
    two.add_argument("--draws", type=int, default=300)
    two.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    ceiling(args) if args.part == "ceiling" else noise(args)


if __name__ == "__main__":
    main()
