"""Which expressions become which IP, and the jets they were fitted on.

``--select best`` builds one multi-output IP per family and c_max from the best expression of every class by
the one rule of :mod:`symtrig.select`; ``pareto`` one single-output IP per Pareto-front row; ``ID,ID,...`` one IP
of exactly those rows. Every expression goes through the whitelist parser, restricted to its family.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sympy as sp

from symtrig import expr as ex
from symtrig.data import CLASSES, JetData, load_jet_data
from symtrig.emit.config import EmitConfig
from symtrig.errors import SymtrigError
from symtrig.families import get_family
from symtrig.select import best_sets
from symtrig.store import paths
from symtrig.store.runs import read_run


@dataclass(frozen=True)
class DesignSpec:
    """One IP to build: its folder name, the leaderboard rows of its outputs (in order) and their expressions."""

    name: str
    rows: pd.DataFrame
    exprs: tuple[sp.Expr, ...]

    @property
    def class_indices(self) -> list[int]:
        return [CLASSES.index(c) for c in self.rows["class"]]

    @property
    def family(self) -> str:
        return "+".join(sorted(set(self.rows["family"].astype(str))))


def select_designs(frame: pd.DataFrame, config: EmitConfig, board: str) -> list[DesignSpec]:
    """The designs ``config.select`` asks for (after the ``--family``/``--cmax`` filters)."""
    rows = frame
    if config.family:
        rows = rows[rows["family"] == config.family]
    if config.cmax is not None:
        rows = rows[rows["cmax"] == config.cmax]
    if config.select == "best":
        sets = best_sets(rows, CLASSES)
        if not sets:
            raise SymtrigError(
                "no family/c_max in the leaderboard has an expression for all five classes; "
                "use --select ID,... or --select pareto"
            )
        return [spec(f"{family}_c{cmax}", chosen, board) for (family, cmax), chosen in sets.items()]
    if config.select == "pareto":
        front = rows[rows["pareto"]] if "pareto" in rows else rows.iloc[:0]
        return [spec(str(front.at[i, "expr_id"]), front.loc[[i]], board) for i in front.index]
    ids = [part.strip() for part in config.select.split(",") if part.strip()]
    unknown = [i for i in ids if i not in set(frame["expr_id"])]
    if unknown:
        raise SymtrigError(f"unknown expression ID(s) {', '.join(unknown[:3])} in {board}")
    return [spec("selection", frame.set_index("expr_id").loc[ids].reset_index(), board)]


def spec(name: str, rows: pd.DataFrame, board: str) -> DesignSpec:
    rows = rows.reset_index(drop=True)
    return DesignSpec(name, rows, tuple(parse_row(row, board) for row in rows.itertuples()))


def parse_row(row, board: str) -> sp.Expr:
    """The row's expression through the whitelist parser, restricted to its family's operators."""
    try:
        return ex.parse_expression(str(row.expression), allowed=get_family(str(row.family)))
    except SymtrigError as exc:
        raise SymtrigError(f"{board}: {row.expr_id}: {exc}") from exc


def fit_data(board_path: Path, frame: pd.DataFrame) -> JetData:
    """The exact split the expressions were fitted on, from the fit's ``run.json`` next to the leaderboard."""
    run = read_run(paths.run_file(board_path))
    data = load_jet_data(run.data_source, seed=run.seed, data_home=run.data_home)
    wanted = set(frame["dataset_fingerprint"].dropna()) if "dataset_fingerprint" in frame else set()
    if wanted and wanted != {data.fingerprint}:
        raise SymtrigError(
            f"{board_path.name} was fitted on {sorted(wanted)}, but {run.data_source} is {data.fingerprint}"
        )
    return data
