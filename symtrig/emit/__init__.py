"""``symtrig emit-hls``: leaderboard expressions → verified, costed fixed-point designs (hls4ml HLS or da4ml RTL).

select (:mod:`~symtrig.emit.selection`, the one rule of :mod:`symtrig.select`; latency/LUT budgets:
:mod:`~symtrig.emit.budget`) → a backend's flow (:mod:`~symtrig.emit.flows`: lower → backend → verify → cost)
→ the design record (:mod:`~symtrig.emit.record`, ``design.json`` + README) → ``designs.csv``. The leaderboard
is read, never written: hardware results live per design.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import sympy as sp

from symtrig import atomic, errors
from symtrig.data import Dataset
from symtrig.emit.budget import BudgetChoice, budget_of, build_within_budget, within_budget
from symtrig.emit.config import GIVEN_EXPRESSIONS, PROJECT_NAME, EmitConfig
from symtrig.emit.flows import Flow, Jets
from symtrig.emit.given import given_expressions, spec_of_expressions
from symtrig.emit.record import design_record, readme, warnings_of
from symtrig.emit.registry import flow_for, get_flow
from symtrig.emit.selection import Board, DesignSpec, select_designs
from symtrig.errors import SymtrigError, ToleranceError
from symtrig.store import paths
from symtrig.store.designs import DesignRecord, write_design, write_designs_table
from symtrig.targets import signals

if TYPE_CHECKING:
    from symtrig.distill import SymbolicDistiller


@dataclass(frozen=True)
class EmitResult:
    """The designs one emit-hls made, the dataset they were measured on and the designs table."""

    designs: tuple[DesignRecord, ...]
    dataset_label: str
    designs_table: Path


def emit(
    config: EmitConfig,
    warn: Callable[[str], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> EmitResult:
    """Run the stage; ``progress`` (if given) gets a line per design started.

    Every warning line is issued as a :class:`~symtrig.errors.SymtrigWarning` (:func:`warnings.warn`), or
    handed to ``warn`` when one is given (a sink of one's own, e.g. a log).
    """
    config = config.validated()
    flow = flow_for(config)
    warn = warn or errors.warn
    board = Board.read(config.leaderboard)
    frame, features = board.frame, board.features
    designs = select_designs(frame, config, board.path.name, board.outputs, features)
    run, data, teacher = board.fitted()
    records = []
    for number, spec in enumerate(designs, start=1):
        jets = Jets.of(data, signals(run.target, data, spec.classes, teacher))
        choice = (
            within_budget(spec, frame, flow, jets, config, board.path.name, features)
            if budget_of(config)
            else None
        )
        spec = choice.spec() if choice else spec
        if progress:
            progress(
                f"[{number}/{len(designs)}] {_folder_name(spec, flow)}: {len(spec.exprs)} output(s), "
                f"{config.backend}"
            )
        record, lines = _built(spec, choice, jets, data, config, flow, warn)
        for line in lines:
            warn(line)
        records.append(record)
    table = write_designs_table(config.out)
    if config.strict:
        require_tolerance(records)
    return EmitResult(tuple(records), data.label, table)


def _folder_name(spec: DesignSpec, flow: Flow) -> str:
    """The design's folder (and record) name: the spec's, with the backend's suffix."""
    return f"{spec.name}{flow.folder_suffix}"


def _built(
    spec: DesignSpec,
    choice: BudgetChoice | None,
    jets: Jets,
    data: Dataset,
    config: EmitConfig,
    flow: Flow,
    warn: Callable[[str], None],
) -> tuple[DesignRecord, list[str]]:
    """The design built (within a budget: built again while it measures over it), with its warning lines."""

    def build(chosen: DesignSpec) -> tuple[DesignRecord, list[str]]:
        lines: list[str] = []
        return build_design(_folder_name(chosen, flow), chosen, jets, data, config, lines.append), lines

    return build_within_budget(choice, flow, jets, config, build, warn) if choice else build(spec)


def build_design(
    name: str, spec: DesignSpec, jets: Jets, data: Dataset, config: EmitConfig, warn: Callable[[str], None]
) -> DesignRecord:
    """One design through its backend's flow, recorded and written (``design.json``, README), warnings said."""
    folder = Path(config.out) / name
    build = get_flow(config.backend).build(spec, jets, folder, config, warn)
    record = design_record(name, spec, build, jets, data, config)
    write_design(folder, record)
    atomic.write_text(folder / paths.DESIGN_README, readme(record, build.readme))
    for line in warnings_of(record):
        warn(line)
    return record


def emit_design(
    expressions: SymbolicDistiller | Sequence[sp.Expr | str],
    data: Dataset,
    *,
    outputs: Sequence[str] | None = None,
    name: str = "design",
    config: EmitConfig | None = None,
    warn: Callable[[str], None] | None = None,
) -> DesignRecord:
    """One design from expressions in hand, without a leaderboard: the notebook's way to emit-hls.

    ``expressions`` is a fitted :class:`~symtrig.distill.SymbolicDistiller` (its chosen expressions), sympy
    expressions over ``x0, x1, ...`` or text (read by the whitelist parser, in ``data``'s feature names). They
    must take the *standardized* features of ``data`` (``data.standardize(X)``, what the teacher and ``fit``
    see) in ``data.features`` order. ``outputs`` names the class each one scores (default: the distiller's
    ``output_names_``, else all of ``data.classes``). The design goes through the same flow, verification and
    record as ``symtrig emit-hls`` (``config``: backend, tolerance, clock, ...; ``--max-latency`` does not
    apply) into ``config.out/name``; the record is returned. Warnings are issued as
    :class:`~symtrig.errors.SymtrigWarning` unless ``warn`` takes them (as in :func:`emit`).
    """
    config = replace((config or EmitConfig()).validated(), select=GIVEN_EXPRESSIONS)
    flow_for(config)  # the backend's own settings checked before anything is built
    if budget_of(config):
        raise SymtrigError(
            "a latency/LUT budget chooses among leaderboard rows; emit_design builds what it is given"
        )
    if not PROJECT_NAME.fullmatch(name):
        raise SymtrigError(f"design name {name!r} must be a letter, then letters, digits or _")
    exprs, outputs, family = given_expressions(expressions, data, outputs)
    jets = Jets.for_classes(data, outputs)
    spec = spec_of_expressions(name, exprs, outputs, family, data.features, jets)
    return build_design(name, spec, jets, data, config, warn or errors.warn)


def require_tolerance(records: list[DesignRecord]) -> None:
    """``--strict``: the first design that misses its AUC tolerance ends the command with exit code 1."""
    for record in records:
        tol = record.tolerance
        if not tol.meets:
            raise ToleranceError(
                f"{record.design}: class {tol.failing_class} changes AUC by {tol.failing_auc_change:.4f} on the "
                f"test split, over --max-auc-drop {tol.max_auc_drop} (the design is written and marked "
                "meets_tolerance=false)"
            )


__all__ = ["EmitConfig", "EmitResult", "build_design", "emit", "emit_design"]
