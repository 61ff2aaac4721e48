"""``symtrig report``: figures and a Markdown summary of a leaderboard and the designs made from it.

The report shows what earlier stages measured; the one thing it evaluates is the ROC curve of the teacher and
of the best expressions on the exact test split ``fit`` used, because a curve is stored nowhere. Reading and
every consistency check (:mod:`~symtrig.report.inputs`) come before any file is written; then the figures
(:mod:`~symtrig.report.plots`, PNG and PDF) and ``summary.md`` (:mod:`~symtrig.report.markdown`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from symtrig import atomic
from symtrig.report.front import draw_front_figures, front_markdown, load_front
from symtrig.report.inputs import (
    DesignSelection,
    Evaluation,
    ReportInputs,
    RocCurve,
    TeacherFigures,
    best_expressions,
    hardware_points,
    load_evaluation,
    load_inputs,
    roc_curves,
)
from symtrig.report.markdown import display_expression, latex_expression, summary_markdown
from symtrig.report.plots import Figure, draw_figures, figures
from symtrig.report.style import PNG_DPI, pareto_front, series_style
from symtrig.store import paths


@dataclass(frozen=True)
class ReportResult:
    """Where the report went and what it contains."""

    folder: Path
    files: tuple[Path, ...]
    dataset_label: str
    has_hardware: bool


def make_report(
    leaderboard_path: str | Path,
    out: str | Path | None = None,
    *,
    data: str | None = None,
    data_home: str | Path | None = None,
    hdl_out: str | Path | None = None,
) -> ReportResult:
    """Write the figures and ``summary.md`` of a leaderboard into ``out`` (default: ``report/`` beside it).

    ``data`` overrides the jets recorded in ``run.json`` (e.g. the file moved) and must have the same
    fingerprint; ``hdl_out`` is the folder of ``emit-hls`` designs whose figures (on the same jets, of this
    leaderboard's expressions) are joined to the expressions by ``expr_id``. Nothing is written unless every
    input agrees.
    """
    inputs = load_inputs(leaderboard_path, hdl_out)
    best = best_expressions(inputs.frame, inputs.run.outputs)
    evaluation = load_evaluation(inputs, data, data_home)
    points = hardware_points(inputs)
    curves = roc_curves(inputs, best, evaluation)
    front = load_front(hdl_out, inputs)
    summary = summary_markdown(inputs, best, points, figures(inputs, points))  # before writing: it may fail
    summary = (
        "\n".join([summary.rstrip("\n"), "", *front_markdown(front, inputs.dataset_label)]).rstrip() + "\n"
    )
    folder = Path(out) if out is not None else inputs.leaderboard_path.parent / paths.REPORT_DIR
    files = draw_figures(inputs, points, curves, folder)
    files += draw_front_figures(inputs, front, points, folder)
    files.append(atomic.write_text(folder / paths.SUMMARY_FILE, summary))
    return ReportResult(folder, tuple(files), inputs.dataset_label, inputs.has_hardware)


__all__ = [
    "PNG_DPI",
    "DesignSelection",
    "Evaluation",
    "Figure",
    "ReportInputs",
    "ReportResult",
    "RocCurve",
    "TeacherFigures",
    "best_expressions",
    "display_expression",
    "draw_figures",
    "figures",
    "hardware_points",
    "latex_expression",
    "load_evaluation",
    "load_inputs",
    "make_report",
    "pareto_front",
    "roc_curves",
    "series_style",
    "summary_markdown",
]
