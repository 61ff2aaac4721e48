"""Which expressions become which IP, and the jets they were fitted on.

``--select best`` builds one multi-output IP per family and c_max from the best expression of every class by
the one rule of :mod:`symtrig.select`; ``pareto`` one single-output IP per Pareto-front row; ``ID,ID,...`` one IP
of exactly those rows. Every expression goes through the whitelist parser, restricted to its family.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sympy as sp

from symtrig import expr as ex
from symtrig.data import CLASSES, FEATURES, Dataset, load_data
from symtrig.emit.config import EmitConfig
from symtrig.errors import SymtrigError
from symtrig.families import get_family
from symtrig.select import best_sets
from symtrig.store import leaderboard, paths
from symtrig.store.runs import RunRecord, read_run
from symtrig.teacher import Teacher


@dataclass(frozen=True)
class DesignSpec:
    """One IP to build: its folder name, the leaderboard rows of its outputs (in order) and their expressions."""

    name: str
    rows: pd.DataFrame
    exprs: tuple[sp.Expr, ...]

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.rows["class"]]

    @property
    def family(self) -> str:
        return "+".join(sorted(set(self.rows["family"].astype(str))))


def select_designs(
    frame: pd.DataFrame, config: EmitConfig, board: str, outputs: Sequence[str], features: Sequence[str]
) -> list[DesignSpec]:
    """The designs ``config.select`` asks for (after the ``--family``/``--cmax`` filters): ``outputs`` are the
    run's classes in output order, ``features`` the names of the expressions' variables."""
    rows = frame
    if config.family:
        rows = rows[rows["family"] == config.family]
    if config.cmax is not None:
        rows = rows[rows["cmax"] == config.cmax]
    if config.select == "best":
        sets = best_sets(rows, outputs)
        if not sets:
            raise SymtrigError(
                f"no family/c_max in the leaderboard has an expression for every class ({', '.join(outputs)}); "
                "use --select ID,... or --select pareto"
            )
        return [spec(f"{family}_c{cmax}", chosen, board, features) for (family, cmax), chosen in sets.items()]
    if config.select == "pareto":
        front = rows[rows["pareto"]] if "pareto" in rows else rows.iloc[:0]
        return [spec(str(front.at[i, "expr_id"]), front.loc[[i]], board, features) for i in front.index]
    ids = [part.strip() for part in config.select.split(",") if part.strip()]
    unknown = [i for i in ids if i not in set(frame["expr_id"])]
    if unknown:
        raise SymtrigError(f"unknown expression ID(s) {', '.join(unknown[:3])} in {board}")
    return [spec("selection", frame.set_index("expr_id").loc[ids].reset_index(), board, features)]


def spec(name: str, rows: pd.DataFrame, board: str, features: Sequence[str]) -> DesignSpec:
    rows = rows.reset_index(drop=True)
    return DesignSpec(name, rows, tuple(parse_row(row, board, features) for row in rows.itertuples()))


def parse_row(row, board: str, features: Sequence[str]) -> sp.Expr:
    """The row's expression through the whitelist parser, restricted to its family's operators."""
    try:
        return ex.parse_expression(
            str(row.expression), allowed=get_family(str(row.family)), features=features
        )
    except SymtrigError as exc:
        raise SymtrigError(f"{board}: {row.expr_id}: {exc}") from exc


@dataclass(frozen=True)
class Board:
    """A leaderboard as emit-hls and ``symtrig front`` read it: its rows, and the run's classes (in output order)
    and feature names (the sample's when the run record cannot be read yet)."""

    path: Path
    frame: pd.DataFrame
    hint: RunRecord | None
    outputs: tuple[str, ...]
    features: tuple[str, ...]

    @classmethod
    def read(cls, path: str | Path) -> Board:
        path = Path(path)
        hint = run_hint(path)
        outputs, features = (hint.outputs, hint.schema.features) if hint else (CLASSES, FEATURES)
        return cls(path, leaderboard.read(path, classes=outputs), hint, tuple(outputs), tuple(features))

    def fitted(self, frame: pd.DataFrame | None = None) -> tuple[RunRecord, Dataset, Teacher | None]:
        """The run, the exact split ``frame``'s expressions (default: all) were fitted on, and the teacher that
        picks the signal rows when the target was its score."""
        run, data = fit_data(self.path, self.frame if frame is None else frame, self.hint)
        return run, data, score_teacher(run, data)


def run_hint(board_path: Path) -> RunRecord | None:
    """The fit's run record when it is readable (its classes and feature names), else None: the leaderboard's
    own problems are reported first, the run record's when the data is loaded."""
    try:
        return read_run(paths.run_file(board_path))
    except SymtrigError:
        return None


def fit_data(
    board_path: Path, frame: pd.DataFrame, run: RunRecord | None = None
) -> tuple[RunRecord, Dataset]:
    """The fit's run record (``run`` when already read, e.g. by :func:`run_hint`) and the exact split the
    expressions were fitted on."""
    run = run if run is not None else read_run(paths.run_file(board_path))
    data = load_data(run.data_source, **run.load_options())
    wanted = set(frame["dataset_fingerprint"].dropna()) if "dataset_fingerprint" in frame else set()
    if wanted and wanted != {data.fingerprint}:
        raise SymtrigError(
            f"{board_path.name} was fitted on {sorted(wanted)}, but {run.data_source} is {data.fingerprint}"
        )
    return run, data


def score_teacher(run: RunRecord, data: Dataset) -> Teacher | None:
    """The fit's teacher when its target was ``teacher-score`` (its top scores are the signal rows)."""
    if run.target != "teacher-score":
        return None
    from symtrig.teacher import load_teacher

    outputs = run.settings.get("teacher_outputs")
    return load_teacher(run.teacher, outputs=outputs, n_features=len(data.features))
