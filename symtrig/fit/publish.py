"""From stored searches to the leaderboard and the run record: the only place that writes them.

The leaderboard is always rebuilt from every stored search of this dataset and teacher (``searches/*.json``
is the source of truth), so runs with other c_max or seeds accumulate and a resumed fit equals an uninterrupted
one. The best expression per class comes from :mod:`symtrig.select`; the 5-class accuracy of each best set is
measured here on the test split (reported, never used to choose).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from symtrig import expr as ex
from symtrig.data import Dataset
from symtrig.fit.config import FitConfig
from symtrig.metrics import multiclass_accuracy
from symtrig.select import best_sets
from symtrig.store import leaderboard, paths
from symtrig.store.runs import RunRecord, write_run
from symtrig.store.searches import SearchRecord, searches_of


@dataclass(frozen=True)
class FitResult:
    """What ``fit`` and ``import-pysr`` produced: the run record, the leaderboard and where it is."""

    run: RunRecord
    leaderboard: pd.DataFrame
    leaderboard_path: Path
    data: Dataset


def leaderboard_rows(records: list[SearchRecord], data: Dataset) -> pd.DataFrame:
    """One row per front member of every record, best flags set, each best set's accuracy measured."""
    rows = []
    for record in records:
        job = record.job
        for member in record.front:
            rows.append(
                {
                    "expr_id": f"{record.search_id}-k{member.cost}",
                    "class": job.class_name,
                    "family": job.family,
                    "cmax": job.cmax,
                    "complexity": member.complexity,
                    "cost": member.cost,
                    "op_costs": job.op_costs,
                    "expression": member.expression,
                    "inputs": record.inputs,
                    "target": job.target,
                    "loss": member.loss,
                    "auc": member.auc,
                    "auc_val": member.auc_val,
                    "auc_teacher": record.auc_teacher,
                    "auc_ratio": member.auc / record.auc_teacher,
                    "fidelity_r2": member.fidelity_r2,
                    "rejection50": member.rejection50,
                    "rejection50_teacher": record.rejection50_teacher,
                    "engine": member.engine,
                    "seed": job.seed,
                    "dataset": data.label,
                    "dataset_fingerprint": job.dataset_fingerprint,
                    "search_id": record.search_id,
                    "created": record.created,
                }
            )
    frame = leaderboard.build(rows, data.classes)
    frame["accuracy_5class"] = best_set_accuracy(frame, data)
    return leaderboard.typed(frame)


def best_set_accuracy(frame: pd.DataFrame, data: Dataset) -> pd.Series:
    """For each family and c_max with a best expression for every class: the test accuracy of the argmax over
    them (the ``accuracy_5class`` column of the jets), parsed back from the table's own text, on the rows of
    that set (NaN elsewhere, and for a regression on a teacher score, which has no classes to pick)."""
    accuracy = pd.Series(np.nan, index=frame.index, dtype="float64")
    if frame.empty or not data.classes or set(frame["class"]) - set(data.classes):
        return accuracy
    X_test = data.standardize(data.X_test)
    for rows in best_sets(frame, data.classes).values():
        texts = rows["expression"]
        scores = np.column_stack(
            [ex.evaluate(ex.parse_expression(t, features=data.features), X_test) for t in texts]
        )
        accuracy[frame["expr_id"].isin(rows["expr_id"])] = multiclass_accuracy(scores, data.y_test)
    return accuracy


def publish(
    config: FitConfig,
    data: Dataset,
    teacher_source: str,
    teacher_id: str,
    command: str,
    outputs: tuple[str, ...],
    counts: Mapping[str, int] | None = None,
    files: tuple[str, ...] = (),
) -> FitResult:
    """Rebuild the leaderboard from every stored search of this data and teacher; record the run."""
    out = Path(config.out)
    frame = leaderboard_rows(searches_of(out, data.fingerprint, teacher_id), data)
    path = leaderboard.write(frame, out / paths.LEADERBOARD_FILE)
    run = RunRecord(
        command=command,
        settings=_settings(config),
        dataset=data.describe(),
        teacher=teacher_source,
        teacher_id=teacher_id,
        mean=tuple(float(v) for v in data.mean_),
        scale=tuple(float(v) for v in data.scale_),
        counts=dict(counts or {}),
        files=files,
        outputs=outputs,
    )
    write_run(out / paths.RUN_FILE, run)
    return FitResult(run, frame, path, data)


def _settings(config: FitConfig) -> dict[str, Any]:
    settings = asdict(config)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()}
