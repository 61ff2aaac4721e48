"""``symtrig front``: every leaderboard expression costed in hardware, for AUC against latency over the whole front.

Why: emit-hls builds the validation-best expression of each family, so "AUC against latency" had four points
per class. A trigger designer asks "what is the best AUC within 10 ns and 2,000 LUT?" and wants to see where the
front bends. Every row of the leaderboard (all classes, families and complexities) is costed alone as a
one-output design by its backend's own model, without writing a project (:meth:`~symtrig.emit.flows.Flow.
candidate`: the da4ml flow types it by the tolerance rule, schedules it in ns and models its resources, and runs
its bit-exact model on the test split; the hls4ml flow chooses its precision as ``emit-hls`` would for it alone,
estimates it there and runs its emulator on the test split). The rows go to
``front.csv`` beside the designs (hardware results; the leaderboard stays fit's), joined by ``expr_id``, one set
of rows per backend, part and clock, with a ``front.json`` run record per set (settings, versions, dataset, seconds).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from symtrig import atomic
from symtrig.emit.config import EmitConfig
from symtrig.emit.flows import Candidate, Flow, Jets
from symtrig.emit.registry import flow_for
from symtrig.emit.selection import Board, parse_row
from symtrig.errors import SymtrigError
from symtrig.provenance import utc_now, versions
from symtrig.store import paths
from symtrig.targets import signals

#: What makes one set of front rows: rows of another backend, part or clock are kept when a front is rewritten.
SETTING_COLUMNS = ("backend", "part", "clock_ns")
#: Leaderboard columns carried into the front (what the plots and the budget rule read).
LEADERBOARD_COLUMNS = (
    "expr_id",
    "class",
    "family",
    "cmax",
    "complexity",
    "auc_val",
    "auc",
    "auc_teacher",
    "pareto",
)


def cost_front(
    config: EmitConfig, progress: Callable[[str], None] | None = None, jobs: int = 1
) -> pd.DataFrame:
    """One row per leaderboard expression (after ``config.family``/``cmax``): its cost and fixed-point AUC;
    ``jobs`` worker processes (joblib) share the rows."""
    if jobs < 1:
        raise SymtrigError(f"--jobs must be at least 1, got {jobs}")
    config = config.validated()
    flow = flow_for(config)
    board = Board.read(config.leaderboard)
    frame, features = board.frame, board.features
    if config.family:
        frame = frame[frame["family"] == config.family]
    if config.cmax is not None:
        frame = frame[frame["cmax"] == config.cmax]
    if frame.empty:
        raise SymtrigError(f"no expression in {board.path} matches --family/--cmax")
    run, data, teacher = board.fitted(frame)
    tasks = []
    for class_name, group in frame.groupby("class", sort=False):
        jets = Jets.of(data, signals(run.target, data, [str(class_name)], teacher))
        tasks += [(chunk, jets) for chunk in _chunks(group, jobs)]
    from joblib import Parallel, delayed

    rows: list[dict[str, Any]] = []
    label, fingerprint = data.label, data.fingerprint
    work = (
        delayed(_cost_rows)(flow, chunk, jets, config, board.path.name, features) for chunk, jets in tasks
    )
    for costed in Parallel(n_jobs=jobs, return_as="generator")(work):
        for row, candidate in costed:
            rows.append(_front_row(row, candidate, config, label, fingerprint))
        if progress:
            progress(f"[{len(rows)}/{len(frame)}] expressions costed")
    order = {expr_id: position for position, expr_id in enumerate(frame["expr_id"])}
    costed = pd.DataFrame(rows)
    return costed.sort_values("expr_id", key=lambda ids: ids.map(order)).reset_index(drop=True)


def _chunks(group: pd.DataFrame, jobs: int) -> list[pd.DataFrame]:
    """A class's rows in ``jobs`` interleaved chunks (complexities mixed, so the workers finish together)."""
    return [part for part in (group.iloc[k::jobs] for k in range(jobs)) if len(part)]


def _cost_rows(
    flow: Flow, rows: pd.DataFrame, jets: Jets, config: EmitConfig, board: str, features: Sequence[str]
) -> list[tuple[pd.Series, Candidate]]:
    """Each row's expression costed alone (in a worker process when ``jobs`` > 1)."""
    return [
        (row, flow.candidate([parse_row(row, board, features)], jets, config)) for _, row in rows.iterrows()
    ]


def _front_row(
    row: pd.Series, candidate: Candidate, config: EmitConfig, dataset: str, fingerprint: str
) -> dict[str, Any]:
    cost = candidate.cost
    return {
        **{column: row.get(column) for column in LEADERBOARD_COLUMNS},
        "auc_fixed": candidate.auc_fixed[0] if candidate.auc_fixed else None,
        "backend": config.backend,
        "part": config.part,
        "clock_ns": config.clock,
        "latency_cycles": cost.latency_cycles,
        "latency_ns": cost.latency_ns,
        "lut": cost.lut,
        "ff": cost.ff,
        "dsp": cost.dsp,
        "bram": cost.bram,
        "cost_source": cost.source,
        "critical_path_ns": cost.extra.get("critical_path_ns"),
        "precision": cost.extra.get("precision"),  # hls4ml's one type; da4ml types each node (empty)
        "dataset": dataset,
        "dataset_fingerprint": fingerprint,
    }


def write_front(front: pd.DataFrame, config: EmitConfig, seconds: float, jobs: int = 1) -> Path:
    """``front.csv`` in ``config.out`` with these rows replacing those of the same backend, part and clock."""
    path = Path(config.out) / paths.FRONT_FILE
    kept = read_front(path) if path.exists() else front.iloc[:0]
    if not kept.empty:
        same = (
            (kept["backend"] == config.backend)
            & (kept["part"] == config.part)
            & (kept["clock_ns"].astype(float) == float(config.clock))
        )
        kept = kept[~same]
    atomic.write_csv(path, pd.concat([kept, front], ignore_index=True))
    record = {
        "settings": asdict(config),
        "jobs": jobs,
        "rows": len(front),
        "seconds": round(seconds, 1),
        "dataset": str(front["dataset"].iloc[0]) if len(front) else None,
        "versions": versions((config.backend,)),
        "created": utc_now(),
    }
    record_path = Path(config.out) / paths.FRONT_RECORD
    atomic.write_json(record_path, {"runs": [*_other_runs(record_path, config), record]})
    return path


def _other_runs(record_path: Path, config: EmitConfig) -> list[dict[str, Any]]:
    """The run records of ``front.json`` for other backends, parts or clocks (their rows stay in front.csv)."""
    try:
        runs = json.loads(record_path.read_text())["runs"]
    except (OSError, ValueError, KeyError, TypeError):
        return []  # no record yet, or one this symtrig did not write: the rows it described were replaced too
    mine = (config.backend, config.part, float(config.clock))
    return [
        r
        for r in runs
        if (r["settings"]["backend"], r["settings"]["part"], float(r["settings"]["clock"])) != mine
    ]


def read_front(path: str | Path) -> pd.DataFrame:
    """A ``front.csv`` as written; a file that is not one is a one-line error."""
    try:
        frame = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SymtrigError(f"cannot read front {path}: {exc}") from None
    missing = [c for c in (*LEADERBOARD_COLUMNS, *SETTING_COLUMNS, "latency_ns", "lut") if c not in frame]
    if missing:
        raise SymtrigError(f"{path} is not a symtrig front (no {', '.join(missing)} column)")
    return frame


def front(config: EmitConfig | None = None, *, jobs: int = 1, **settings: Any) -> pd.DataFrame:
    """The Python API: every leaderboard expression costed (``symtrig.front(backend="da4ml", clock=5.0)``).

    ``settings`` are :class:`~symtrig.emit.EmitConfig` fields (leaderboard, backend, part, clock, family,
    cmax, ...); nothing is written.
    """
    return cost_front(EmitConfig(**settings) if config is None else config, jobs=jobs)


def run_front(
    config: EmitConfig, progress: Callable[[str], None] | None = None, jobs: int = 1
) -> tuple[pd.DataFrame, Path]:
    """``symtrig front``: cost the front and write it; returns the rows and the file."""
    started = time.perf_counter()
    rows = cost_front(config, progress, jobs)
    return rows, write_front(rows, config, time.perf_counter() - started, jobs)
