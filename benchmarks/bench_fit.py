"""AUC ratio to the teacher against the search budget, per family and class, at c_max 40 on the bundled data.

Prints one table row per (target, budget, family, class): the best expression by validation AUC, its test AUC,
the ratio to the teacher's test AUC, fidelity R² and the search wall time. Also the best family per class.

    python benchmarks/bench_fit.py                                   # the fit defaults: 20 searches x 40 s
    python benchmarks/bench_fit.py --budgets 30,60,120               # a budget ladder
    python benchmarks/bench_fit.py --budgets 60 --families trig,exp  # a subset
    python benchmarks/bench_fit.py --targets teacher,teacher-logit,teacher-logodds,truth   # the target comparison

Every figure is on the dataset printed in the header (the bundled sample is simulated, not OpenML data).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from symtrig.data import CLASSES
from symtrig.families import FAMILIES
from symtrig.fit import FitConfig, fit


def _csv(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(",") if t.strip())


def run(args: argparse.Namespace) -> pd.DataFrame:
    rows = []
    work = Path(args.out or tempfile.mkdtemp(prefix="bench_fit_"))
    teacher = None
    for target in _csv(args.targets):
        for budget in (float(b) for b in _csv(args.budgets)):
            out = work / f"{target}-b{int(budget)}"
            config = FitConfig(
                cmax=args.cmax,
                families=_csv(args.families),
                classes=_csv(args.classes),
                data=args.data,
                target=target,
                budget=budget,
                seed=args.seed,
                jobs=args.jobs,
                teacher=teacher,
                out=str(out),
            )
            start = time.perf_counter()
            result = fit(config, progress=False)
            wall = time.perf_counter() - start
            teacher = teacher or str(out / "teacher")
            best = result.leaderboard[result.leaderboard["best"]]
            print(
                f"# target={target} budget={budget:.0f}s: {result.run.counts['run']} searches in {wall:.0f} s "
                f"on {result.data.label}",
                flush=True,
            )
            for _, row in best.iterrows():
                rows.append(
                    {
                        "target": target,
                        "budget_s": budget,
                        "family": row["family"],
                        "class": row["class"],
                        "complexity": row["complexity"],
                        "auc": row["auc"],
                        "auc_teacher": row["auc_teacher"],
                        "auc_ratio": row["auc_ratio"],
                        "fidelity_r2": row["fidelity_r2"],
                        "accuracy_5class": row["accuracy_5class"],
                        "dataset": row["dataset"],
                    }
                )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--budgets", default="40")
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--classes", default=",".join(CLASSES))
    parser.add_argument("--targets", default="teacher-logodds")
    parser.add_argument("--cmax", type=int, default=40)
    parser.add_argument("--data", default="sample")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--out", default=None, help="keep the runs here (default: a temporary folder)")
    table = run(parser.parse_args())
    pd.set_option("display.width", 160)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    best = table.loc[table.groupby(["target", "budget_s", "class"])["auc_ratio"].idxmax()]
    print("\nbest family per class (by test AUC ratio):")
    print(
        best[["target", "budget_s", "class", "family", "complexity", "auc", "auc_ratio"]].to_string(
            index=False, float_format=lambda v: f"{v:.4f}"
        )
    )


if __name__ == "__main__":
    main()
