"""The report's view of the whole front: every expression's AUC against its costed latency and LUTs.

``symtrig front`` writes ``front.csv`` beside the designs (one row per leaderboard expression, per backend, part
and clock). The report shows the rows of this leaderboard's expressions on these jets: per class, AUC and
background rejection at 50 % signal efficiency against latency in ns and against LUTs, a Pareto front per
family, the teacher's line and the designs emit-hls built marked as stars; and, in the summary, the best AUC
per class within a few latency budgets (validation AUC chooses, the test AUC is shown: :mod:`symtrig.select`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from symtrig.report.inputs import ReportInputs, source_words
from symtrig.report.style import (
    class_grid,
    classes_of,
    draw_series,
    hep_style,
    legend_panel,
    save_figure,
    series_handle,
    series_style,
    teacher_handle,
    teacher_line,
)
from symtrig.select import ranked
from symtrig.store import paths

#: Latency budgets (ns) the summary states the best AUC within.
SUMMARY_BUDGETS_NS = (5.0, 10.0, 20.0)


@dataclass(frozen=True)
class FrontFigure:
    """One figure of the front: its file stem, x and y columns and axis words."""

    stem: str
    x: str
    y: str
    x_words: str
    y_words: str


FRONT_FIGURES = (
    FrontFigure("front_auc_vs_latency", "latency_ns", "auc_shown", "latency [ns]", "test AUC"),
    FrontFigure("front_auc_vs_lut", "lut", "auc_shown", "LUTs", "test AUC"),
    FrontFigure(
        "front_rejection_vs_latency",
        "latency_ns",
        "rejection50",
        "latency [ns]",
        "rejection at 50 % signal eff.",
    ),
)


def load_front(hdl_out: str | Path | None, inputs: ReportInputs) -> pd.DataFrame:
    """The ``front.csv`` rows of this leaderboard's expressions on these jets (empty when there are none).

    ``auc_shown`` is the fixed-point test AUC where the front has it (both backends write it; a front from an
    older symtrig may not), else the float expression's.
    """
    path = None if hdl_out is None else Path(hdl_out) / paths.FRONT_FILE
    if path is None or not path.exists():
        return pd.DataFrame()
    from symtrig.emit.front import read_front

    front = read_front(path)
    front = front[front["dataset_fingerprint"].astype(str) == inputs.fingerprint]
    board = (
        inputs.frame[["expr_id", "rejection50"]]
        if "rejection50" in inputs.frame
        else inputs.frame[["expr_id"]]
    )
    return with_shown_auc(front.merge(board, on="expr_id", how="inner"))


def with_shown_auc(front: pd.DataFrame) -> pd.DataFrame:
    """``front`` with ``auc_shown``: the fixed-point test AUC where the front has it, else the float one."""
    fixed = front["auc_fixed"] if "auc_fixed" in front else pd.Series(float("nan"), index=front.index)
    return front.assign(auc_shown=fixed.fillna(front["auc"]))


def best_within(front: pd.DataFrame, budgets_ns: Sequence[float] = SUMMARY_BUDGETS_NS) -> pd.DataFrame:
    """Per backend, budget and class: the expression the selection rule picks among rows costed within it."""
    rows = []
    for (backend, clock), group in front.groupby(["backend", "clock_ns"], sort=True):
        for budget in budgets_ns:
            fitting = group[group["latency_ns"] <= budget + 1e-9]
            for name, candidates in fitting.groupby("class", sort=True):
                best = ranked(candidates).iloc[0]
                rows.append(
                    {
                        "backend": backend,
                        "clock_ns": clock,
                        "budget_ns": budget,
                        "class": name,
                        "expr_id": best["expr_id"],
                        "family": best["family"],
                        "auc": best["auc_shown"],
                        "auc_ratio": best["auc_shown"] / best["auc_teacher"],
                        "latency_ns": best["latency_ns"],
                        "lut": best["lut"],
                    }
                )
    return pd.DataFrame(rows)


def front_markdown(front: pd.DataFrame, dataset: str) -> list[str]:
    """The summary's section: best AUC (ratio to the teacher) per class within each latency budget."""
    if front.empty:
        return []
    table = best_within(front)
    lines = [
        "## The whole front: best AUC within a latency budget",
        "",
        f"Every expression of the leaderboard costed alone by `symtrig front` ({source_words(front['cost_source'])}) "
        f"on {dataset}; per class the best validation AUC among those within the budget, shown as its test AUC "
        "(fixed-point where the front has it) / the teacher's. Figures: "
        + ", ".join(f"`{f.stem}.png`" for f in FRONT_FIGURES)
        + ".",
        "",
    ]
    classes = sorted(set(table["class"])) if len(table) else []
    lines += ["| backend | budget | " + " | ".join(classes) + " |", "|---|---|" + "---|" * len(classes)]
    for (backend, clock, budget), group in table.groupby(["backend", "clock_ns", "budget_ns"], sort=True):
        cells = dict(zip(group["class"], group["auc_ratio"], strict=True))
        ratio = " | ".join(f"{cells[c]:.3f}" if c in cells else "–" for c in classes)
        lines.append(f"| {backend} ({clock:g} ns clock) | ≤ {budget:g} ns | {ratio} |")
    return [*lines, ""]


def draw_front_figures(
    inputs: ReportInputs, front: pd.DataFrame, points: pd.DataFrame, folder: Path
) -> list[Path]:
    """Every :data:`FRONT_FIGURES` figure into ``folder`` (old ones removed when there is no front)."""
    files: list[Path] = []
    for figure in FRONT_FIGURES:
        png = folder / f"{figure.stem}.png"
        if front.empty:
            for stale in (png, png.with_suffix(".pdf")):
                stale.unlink(missing_ok=True)
            continue
        files += plot_front(inputs, front, points, figure, png)
    return files


def plot_front(
    inputs: ReportInputs, front: pd.DataFrame, points: pd.DataFrame, figure: FrontFigure, path: Path
) -> list[Path]:
    """One panel per class: every front row, a Pareto front per family and backend, built designs as stars."""
    from matplotlib.lines import Line2D

    title = f"whole front: {figure.y_words} vs {figure.x_words}"
    sources = source_words(front["cost_source"])
    with hep_style() as plt:
        fig, panels, legend_ax = class_grid(plt, inputs, classes_of(front, inputs.run.outputs), title)
        for name, ax in panels.items():
            rows = front[front["class"] == name].dropna(subset=[figure.x, figure.y])
            for (family, backend), series in rows.groupby(["family", "backend"], sort=True):
                style = series_style(str(family), str(backend))
                draw_series(ax, series[figure.x].to_numpy(float), series[figure.y].to_numpy(float), style)
            built = points[points["class"] == name] if len(points) else points
            if figure.y == "auc_shown" and len(built):
                ax.scatter(built[figure.x], built["auc_fixed"], marker="*", s=260, color="black", zorder=5)
            if figure.y == "auc_shown":
                teacher_line(ax, inputs.teacher.auc.get(name))
            if figure.x == "lut":
                ax.set_xscale("symlog", linthresh=10)
            ax.set_xlabel(f"{figure.x_words} ({sources}, one-output design)")
            ax.set_ylabel(figure.y_words)
        keys = sorted(set(zip(front["family"], front["backend"], strict=True)))
        entries = [
            (series_handle(series_style(f, b)), f"{f}, {b}: expressions and Pareto front") for f, b in keys
        ]
        star = Line2D([], [], marker="*", color="black", ls="none", ms=16)
        caption = [
            f"Dataset: {inputs.dataset_label}, test split.",
            f"Each point is one leaderboard expression costed alone ({sources}); stars are the designs emit-hls "
            "built (their measured figures, whole IP). AUC is fixed-point where the front has it (da4ml), "
            "else the float expression's.",
        ]
        extra = [(star, "built design (measured)")] if figure.y == "auc_shown" else []
        teacher = [teacher_handle()] if figure.y == "auc_shown" else []
        legend_panel(legend_ax, [*entries, *extra, *teacher], caption)
        return save_figure(fig, path)
