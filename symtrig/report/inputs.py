"""What the report reads, checked before anything is written: the leaderboard, its run record and teacher
card, the designs emit-hls made from it, and (for the ROC curves) the jets and the teacher of the fit.

Why all checks live here: a report mixes numbers from four places, and a figure that puts one dataset's AUC
next to another dataset's latency is worse than no figure. So every source is tied to the run record's dataset
fingerprint first, and :func:`~symtrig.report.make_report` writes nothing until all of them agree.
Hardware results live per design (``<hdl_out>/<design>/design.json``), never in the leaderboard: the report
joins them to leaderboard rows by ``expr_id``, so an expression built twice (two backends, or once more under
``--max-latency``) keeps both designs' figures.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from symtrig.data import CLASSES
from symtrig.errors import SymtrigError
from symtrig.select import best_rows
from symtrig.store import leaderboard, paths
from symtrig.store.costs import COST_SOURCES
from symtrig.store.designs import DesignRecord, Unreadable, scan_designs
from symtrig.store.runs import RunRecord, read_run

if TYPE_CHECKING:
    from symtrig.data import Dataset
    from symtrig.teacher import Teacher

#: One row per (design, output) in :func:`hardware_points`: a leaderboard row joined to a design's figures.
POINT_COLUMNS: tuple[str, ...] = (
    "design",
    "backend",
    "family",
    "cmax",
    "class",
    "expr_id",
    "complexity",
    "auc",
    "auc_fixed",
    "auc_change",
    "latency_cycles",
    "latency_ns",
    "dsp",
    "lut",
    "ff",
    "bram",
    "source",
    "meets_tolerance",
)


@dataclass(frozen=True)
class TeacherFigures:
    """The teacher's test-split headline figures: per-class AUC and rejection at εS = 50 %, 5-class accuracy.

    ``source`` says where the AUCs come from: the teacher's card (when it was scored on these jets) or, for a
    teacher whose card is missing or describes other jets, the ``auc_teacher`` column ``fit`` measured.
    """

    auc: Mapping[str, float]
    rejection50: Mapping[str, float]
    accuracy: float | None
    source: str


@dataclass(frozen=True)
class DesignSelection:
    """The designs in ``hdl_out`` the report uses, and the names of those it leaves out (and why)."""

    folder: Path | None
    used: tuple[DesignRecord, ...] = ()
    other_jets: tuple[str, ...] = ()  # made on jets with another fingerprint
    other_expressions: tuple[str, ...] = ()  # compute an expression this leaderboard does not hold
    unreadable: tuple[Unreadable, ...] = ()  # design.json files that could not be read, with why


@dataclass(frozen=True, eq=False)
class ReportInputs:
    """Everything the report shows, already checked to describe one dataset."""

    frame: pd.DataFrame
    run: RunRecord
    leaderboard_path: Path
    teacher: TeacherFigures
    designs: DesignSelection

    @property
    def dataset_label(self) -> str:
        return self.run.dataset_label

    @property
    def fingerprint(self) -> str:
        return self.run.fingerprint

    @property
    def simulated(self) -> bool:
        return is_simulated(self.dataset_label)

    @property
    def has_hardware(self) -> bool:
        """True when at least one design made from this leaderboard's expressions on these jets was found."""
        return bool(self.designs.used)


def is_simulated(dataset_label: str) -> bool:
    """True when the jets are simulated: :attr:`symtrig.data.Dataset.label` says ``(simulated)``."""
    return "(simulated)" in dataset_label


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The fit's own split (checked by fingerprint) and the teacher it distilled (checked by its id)."""

    data: Dataset
    teacher: Teacher


@dataclass(frozen=True, eq=False)
class RocCurve:
    """One tagger's ROC for one class in the HEP convention; ``auc`` is the stored AUC it must reproduce."""

    label: str
    family: str | None  # None: the teacher
    signal_eff: np.ndarray = field(repr=False)
    mistag: np.ndarray = field(repr=False)
    auc: float
    n_background: int


def load_inputs(leaderboard_path: str | Path, hdl_out: str | Path | None = None) -> ReportInputs:
    """Read the leaderboard, its ``run.json``, the teacher's card and the designs; refuse what disagrees."""
    path = Path(leaderboard_path)
    frame = leaderboard.read(path, classes=None)
    run = read_run(paths.run_file(path))
    leaderboard.check_classes(frame, run.outputs, path.name)
    if "dataset_fingerprint" in frame:
        theirs = sorted(set(frame["dataset_fingerprint"].dropna().astype(str)) - {run.fingerprint})
        if theirs:
            raise SymtrigError(
                f"{path.name} was made on dataset {theirs[0]} but {paths.RUN_FILE} describes "
                f"{run.fingerprint}; rerun `symtrig fit` into one folder"
            )
    teacher = teacher_figures(path.parent, run, frame)
    designs = select_designs(hdl_out, run.fingerprint, frame)
    return ReportInputs(frame, run, path, teacher, designs)


def teacher_figures(folder: Path, run: RunRecord, frame: pd.DataFrame) -> TeacherFigures:
    """The teacher's AUCs and accuracy from its card when the card was scored on these jets, else from the
    leaderboard; the rejection always from the leaderboard (``fit`` measured it on this test split)."""
    rejection = _first_per_class(frame, "rejection50_teacher")
    card = read_teacher_card(folder, run)
    card_jets = (card or {}).get("dataset") or {}
    if (
        card is not None
        and card_jets.get("fingerprint") == run.fingerprint
        and isinstance(card.get("auc"), dict)
    ):
        auc = {str(k): float(v) for k, v in card["auc"].items()}
        accuracy = card.get("accuracy")
        return TeacherFigures(auc, rejection, None if accuracy is None else float(accuracy), "teacher card")
    return TeacherFigures(_first_per_class(frame, "auc_teacher"), rejection, None, "leaderboard")


def read_teacher_card(folder: Path, run: RunRecord) -> dict[str, Any] | None:
    """``<folder>/teacher/teacher.json``, else the card beside the teacher ``run.json`` names, else None."""
    for candidate in (
        folder / paths.TEACHER_DIR / paths.TEACHER_CARD_FILE,
        Path(run.teacher).with_suffix(".json"),
    ):
        if candidate.is_file():
            try:
                card = json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise SymtrigError(
                    f"teacher card {candidate} is not readable JSON ({type(exc).__name__})"
                ) from exc
            return card if isinstance(card, dict) else None
    return None


def _first_per_class(frame: pd.DataFrame, column: str) -> dict[str, float]:
    """A per-class figure ``fit`` repeats on every row of the class (the teacher's), once per class."""
    if column not in frame:
        return {}
    return {str(k): float(v) for k, v in frame.groupby("class")[column].first().dropna().items()}


def select_designs(folder: str | Path | None, fingerprint: str, frame: pd.DataFrame) -> DesignSelection:
    """The designs of ``folder`` made on these jets from this leaderboard's expressions (same ``expr_id`` and
    the same text), in name order; the others are named so the summary can say what it left out."""
    if folder is None or not Path(folder).is_dir():
        return DesignSelection(None if folder is None else Path(folder))
    scan = scan_designs(folder)
    records = scan.records
    expressions = dict(zip(frame["expr_id"].astype(str), frame["expression"].astype(str), strict=True))
    used, other_jets, other_expressions = [], [], []
    for record in records:
        if str(record.dataset.get("fingerprint")) != fingerprint:
            other_jets.append(record.design)
        elif not record.outputs or any(expressions.get(o.expr_id) != o.expression for o in record.outputs):
            other_expressions.append(record.design)
        else:
            cost_source(record.cost.source, record.design)
            used.append(record)
    return DesignSelection(
        Path(folder), tuple(used), tuple(other_jets), tuple(other_expressions), scan.unreadable
    )


def cost_source(value: str, design: str = "") -> tuple[str, str]:
    """(the word every label uses, what it means) of a cost source; an unknown source is a user error."""
    if value not in COST_SOURCES:
        where = f"design {design}: " if design else ""
        raise SymtrigError(f"{where}unknown cost source {value!r}; expected one of {', '.join(COST_SOURCES)}")
    return COST_SOURCES[value]


def source_words(sources: pd.Series | list[str]) -> str:
    """The words of a set of cost sources, e.g. ``estimate`` or ``estimate, yosys``."""
    return ", ".join(sorted({cost_source(str(s))[0] for s in sources})) or "not measured"


def best_expressions(frame: pd.DataFrame, outputs: Sequence[str] = CLASSES) -> pd.DataFrame:
    """:func:`symtrig.select.best_rows` (the one rule: validation AUC), ordered by family, c_max, class."""
    best = best_rows(frame)
    order = best["class"].map({c: i for i, c in enumerate(outputs)})
    return (
        best.assign(_order=order)
        .sort_values(["family", "cmax", "_order"], kind="stable")
        .drop(columns="_order")
    )


def hardware_points(inputs: ReportInputs) -> pd.DataFrame:
    """The join: one row per output of every used design, with its leaderboard row's family, c_max and
    complexity, the design's fixed-point AUC for that output and the design's (whole IP's) cost."""
    # expr_id is unique (leaderboard.read checks it): one record per id
    rows = {row["expr_id"]: row for row in inputs.frame.to_dict("records")}
    points = []
    for record in inputs.designs.used:
        cost = record.cost
        for output in record.outputs:
            row = rows[output.expr_id]
            points.append(
                {
                    "design": record.design,
                    "backend": record.backend,
                    "family": str(row["family"]),
                    "cmax": int(row["cmax"]),
                    "class": str(row["class"]),
                    "expr_id": output.expr_id,
                    "complexity": int(row["complexity"]),
                    "auc": float(row["auc"]),
                    "auc_fixed": output.auc_fixed,
                    "auc_change": output.auc_change,
                    "latency_cycles": cost.latency_cycles,
                    "latency_ns": cost.latency_ns,
                    "dsp": cost.dsp,
                    "lut": cost.lut,
                    "ff": cost.ff,
                    "bram": cost.bram,
                    "source": cost.source,
                    "meets_tolerance": record.tolerance.meets,
                }
            )
    return pd.DataFrame(points, columns=list(POINT_COLUMNS))


def load_evaluation(
    inputs: ReportInputs, data: str | None = None, data_home: str | Path | None = None
) -> Evaluation:
    """The jets ``fit`` used (``data`` overrides the recorded source, e.g. after a move) and its teacher.

    The jets must have the run's fingerprint and the teacher the run's ``teacher_id``: a ROC curve of other
    jets or another network would silently disagree with every number beside it.
    """
    from symtrig.data import load_data

    run = inputs.run
    source = data or run.data_source
    home = data_home if data_home is not None else run.data_home
    try:
        jets = load_data(source, **{**run.load_options(), "data_home": home})
    except SymtrigError as exc:
        raise SymtrigError(f"{exc}; pass --data with the jets `fit` used") from exc
    if jets.fingerprint != run.fingerprint:
        raise SymtrigError(
            f"data {source} has fingerprint {jets.fingerprint}, but the leaderboard was scored on "
            f"{run.fingerprint} ({run.dataset_label}); pass --data with the jets `fit` used"
        )
    return Evaluation(jets, _fit_teacher(inputs))


def _fit_teacher(inputs: ReportInputs) -> Teacher:
    """``<leaderboard folder>/teacher/`` when it holds a model, else the teacher ``run.json`` names."""
    from symtrig.teacher import load_teacher, teacher_fingerprint

    folder = inputs.leaderboard_path.parent / paths.TEACHER_DIR
    where = folder if (folder / paths.TEACHER_MODEL_FILE).is_file() else Path(inputs.run.teacher)
    outputs = inputs.run.settings.get("teacher_outputs")
    teacher = load_teacher(where, outputs=outputs, n_features=len(inputs.run.schema.features))
    found = teacher_fingerprint(teacher)
    if found != inputs.run.teacher_id:
        raise SymtrigError(
            f"teacher {where} is {found}, but the fit distilled {inputs.run.teacher_id}; "
            "restore the fit's teacher folder or rerun `symtrig fit`"
        )
    return teacher


def roc_curves(inputs: ReportInputs, best: pd.DataFrame, evaluation: Evaluation) -> dict[str, list[RocCurve]]:
    """ROC of the teacher and of every best expression (per family and c_max) on the fit's test split.

    Signal: the rows of the panel's class (or the teacher's top scores of a ``teacher-score`` fit).
    """
    from sklearn.metrics import roc_curve

    from symtrig import expr as ex
    from symtrig.metrics import finite_scores
    from symtrig.targets import signals

    data, teacher, run = evaluation.data, evaluation.teacher, inputs.run
    X = data.standardize(data.X_test)
    names = [c for c in run.outputs if c in set(best["class"])]
    signal = signals(run.target, data, names, teacher)["test"]
    reference = teacher.scores(X) if run.target == "teacher-score" else teacher.predict_proba(X)
    columns = teacher.columns_of(names)
    curves: dict[str, list[RocCurve]] = {}
    for k, name in enumerate(names):
        scored: list[tuple[str, str | None, np.ndarray, float]] = [
            ("teacher network", None, reference[:, columns[k]], inputs.teacher.auc.get(name, math.nan))
        ]
        for row in best[best["class"] == name].to_dict("records"):
            label = f"{row['family']}, c_max {row['cmax']} (complexity {row['complexity']})"
            score = ex.evaluate(ex.parse_expression(str(row["expression"]), features=data.features), X)
            scored.append((label, str(row["family"]), score, float(row["auc"])))
        curves[name] = []
        for label, family, score, auc in scored:
            fpr, tpr, _ = roc_curve(signal[:, k], finite_scores(score))
            curves[name].append(RocCurve(label, family, tpr, fpr, auc, int((~signal[:, k]).sum())))
    return curves


def as_float(value: Any) -> float:
    """``value`` as a float, NaN when it is missing or not a number (a cell a leaderboard left empty)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan
