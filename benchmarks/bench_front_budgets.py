"""Best AUC within a latency budget over several fronts: the tables of the README and ``docs/front.md``, one command.

Run: ``python benchmarks/bench_front_budgets.py HDL_OUT [HDL_OUT ...]`` or, to compare groups of fronts (say a
node-count search against a hardware-weighted one, one folder per seed), ``--group NAME=DIR,DIR,...`` repeated.

Each folder holds a ``front.csv`` (``symtrig front``). Per group, backend, budget (5, 10, 20 ns) and class: the
expression the selection rule picks among the rows costed within the budget
(:func:`symtrig.report.front.best_within`, what ``symtrig report`` shows per front), as the ratio of its test AUC
(fixed-point where the front has it) to the teacher's. Printed as a Markdown table: the range over the group's
folders and, in brackets, their mean. Every figure is the front's model or estimate (its ``cost_source``), on
the data each front was made from; nothing is synthesized here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from symtrig.emit.front import read_front
from symtrig.errors import SymtrigError
from symtrig.report.front import SUMMARY_BUDGETS_NS, best_within, with_shown_auc
from symtrig.store import paths


def best_over(folders: list[Path]) -> pd.DataFrame:
    """Per folder, the best row within each budget per backend and class (``best_within``), folder-labelled."""
    tables = []
    for folder in folders:
        table = best_within(with_shown_auc(read_front(folder / paths.FRONT_FILE)))
        tables.append(table.assign(folder=str(folder)))
    return pd.concat(tables, ignore_index=True)


def markdown(groups: dict[str, list[Path]]) -> list[str]:
    """One row per group, backend and budget; one cell per class: ``min–max (mean)`` of the AUC ratio."""
    best = pd.concat([best_over(folders).assign(group=name) for name, folders in groups.items()])
    classes = sorted(set(best["class"]))
    lines = [
        f"| group | backend | within | {' | '.join(classes)} |",
        "|---|---|---|" + "---|" * len(classes),
    ]
    for (backend, budget), table in best.groupby(["backend", "budget_ns"], sort=True):
        for name in groups:
            rows = table[table["group"] == name]
            cells = []
            for cls in classes:
                ratio = rows.loc[rows["class"] == cls, "auc_ratio"]
                cells.append(
                    f"{ratio.min():.3f}–{ratio.max():.3f} ({ratio.mean():.3f})" if len(ratio) else "–"
                )
            count = rows["folder"].nunique()
            lines.append(f"| {name} ({count}) | {backend} | {budget:g} ns | {' | '.join(cells)} |")
    return lines


def _groups(args: argparse.Namespace) -> dict[str, list[Path]]:
    groups = {"fronts": [Path(f) for f in args.folders]} if args.folders else {}
    for spec in args.group:
        name, _, folders = spec.partition("=")
        if not name or not folders:
            raise SystemExit(f"--group takes NAME=DIR,DIR,... (got {spec!r})")
        groups[name] = [Path(f) for f in folders.split(",")]
    if not groups:
        raise SystemExit("give front folders, or --group NAME=DIR,DIR,...")
    return groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", help="folders holding a front.csv (one group)")
    parser.add_argument("--group", action="append", default=[], help="NAME=DIR,DIR,... (repeatable)")
    args = parser.parse_args(argv)
    try:
        lines = markdown(_groups(args))
    except SymtrigError as exc:  # a folder without a readable front.csv: one line, not a traceback
        print(f"bench_front_budgets: {exc}", file=sys.stderr)
        return 2
    print(f"# best AUC ratio to the teacher within {', '.join(f'{b:g}' for b in SUMMARY_BUDGETS_NS)} ns")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
