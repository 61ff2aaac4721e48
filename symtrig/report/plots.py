"""The report's figures in the conventions a trigger physicist expects, each saved as PNG (150 dpi) and PDF.

mplhep's CMS style, a "symtrig" label that says *Simulation* for simulated jets, the dataset in every title,
ROC curves as signal efficiency vs background mistag rate on a log axis. Every hardware axis says where its
figures came from (:data:`symtrig.store.costs.COST_SOURCES`: estimate / synthesis / yosys), because a number
from an analytical model and one from a synthesis report are not the same claim. hls4ml and da4ml designs are
told apart by marker fill and line style, families by colour and marker. matplotlib is imported only when a
figure is drawn, with the file-only Agg backend: the CLI starts fast and needs no display. This module says
which figures exist and what each shows; the look they share is :mod:`symtrig.report.style`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from symtrig.report.inputs import ReportInputs, RocCurve, source_words
from symtrig.report.style import (
    ROC_LINES,
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

COMPLEXITY_STEM = "auc_vs_complexity"
COMPLEXITY_TITLE = "test AUC vs expression complexity"
ROC_STEM = "roc"
ROC_TITLE = "ROC curves, test split"
#: Hardware x axis (a :data:`~symtrig.report.inputs.POINT_COLUMNS` column) -> (axis wording, file stem).
HARDWARE_AXES: dict[str, tuple[str, str]] = {
    "latency_ns": ("latency [ns]", "auc_vs_latency"),
    "lut": ("LUTs", "auc_vs_lut"),
    "dsp": ("DSP slices", "auc_vs_dsp"),
}


@dataclass(frozen=True)
class Figure:
    """One figure of the report: its file stem, what it plots (``kind``) and its caption."""

    stem: str
    kind: str  # "complexity", "roc" or a key of HARDWARE_AXES
    title: str
    caption: str

    @property
    def png(self) -> str:
        return f"{self.stem}.png"

    @property
    def pdf(self) -> str:
        return f"{self.stem}.pdf"


def hardware_title(column: str) -> str:
    return f"fixed-point AUC vs design {HARDWARE_AXES[column][0]}"


def figures(inputs: ReportInputs, points: pd.DataFrame) -> tuple[Figure, ...]:
    """Every figure of the report in the order the summary shows them; hardware ones only with designs."""
    label = inputs.dataset_label
    items = [
        Figure(
            COMPLEXITY_STEM,
            "complexity",
            COMPLEXITY_TITLE,
            f"Test AUC vs expression complexity on {label}: every leaderboard expression, each family's "
            "Pareto front as a step line, the teacher's AUC dashed; one panel per class.",
        )
    ]
    if len(points):
        sources = source_words(points["source"])
        for column, (axis, stem) in HARDWARE_AXES.items():
            items.append(
                Figure(
                    stem,
                    column,
                    hardware_title(column),
                    f"Fixed-point test AUC of every design output vs the design's {axis} ({sources}) on "
                    f"{label}: one series per family and backend (hls4ml filled markers and solid lines, "
                    "da4ml hollow markers and dashed lines), Pareto fronts as step lines, designs that miss "
                    "the AUC tolerance crossed out; one panel per class.",
                )
            )
    items.append(
        Figure(
            ROC_STEM,
            "roc",
            ROC_TITLE,
            f"ROC curves on {label} (test split): signal efficiency vs background mistag rate (log scale) "
            "for the teacher and the best expression of every family and c_max; one panel per class.",
        )
    )
    return tuple(items)


def draw_figures(
    inputs: ReportInputs, points: pd.DataFrame, curves: dict[str, list[RocCurve]], folder: Path
) -> list[Path]:
    """Draw every figure of :func:`figures` into ``folder``; returns the PNG and PDF of each.

    A hardware figure an earlier report left in ``folder`` is removed when this one has none (the designs
    are gone or were made on other jets): beside the new summary it would show figures nothing vouches for.
    """
    files: list[Path] = []
    drawn = figures(inputs, points)
    for stem in {stem for _, stem in HARDWARE_AXES.values()} - {f.stem for f in drawn}:
        for suffix in (".png", ".pdf"):
            (folder / stem).with_suffix(suffix).unlink(missing_ok=True)
    for figure in drawn:
        path = folder / figure.png
        if figure.kind == "complexity":
            files += plot_auc_vs_complexity(inputs, path)
        elif figure.kind == "roc":
            files += plot_roc(inputs, curves, path)
        else:
            files += plot_auc_vs_hardware(inputs, points, figure.kind, path)
    return files


def plot_auc_vs_complexity(inputs: ReportInputs, path: Path) -> list[Path]:
    """Test AUC of every leaderboard expression vs its complexity, a Pareto front per family."""
    frame = inputs.frame
    families = sorted(set(frame["family"].astype(str)))
    with hep_style() as plt:
        fig, panels, legend_ax = class_grid(
            plt, inputs, classes_of(frame, inputs.run.outputs), COMPLEXITY_TITLE
        )
        for name, ax in panels.items():
            rows = frame[frame["class"] == name]
            for family, group in rows.groupby("family", sort=True):
                xs, ys = group["complexity"].to_numpy(float), group["auc"].to_numpy(float)
                draw_series(ax, xs, ys, series_style(str(family)))
            teacher_line(ax, inputs.teacher.auc.get(name))
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.set_xlabel("complexity (node count)")
            ax.set_ylabel("test AUC (float expression)")
        entries = [(series_handle(series_style(f)), f"{f}: expressions and Pareto front") for f in families]
        caption = [
            f"Dataset: {inputs.dataset_label}, test split.",
            "Each point is one leaderboard expression; the step line is its family's Pareto front.",
        ]
        legend_panel(legend_ax, [*entries, teacher_handle()], caption)
        return save_figure(fig, path)


def plot_auc_vs_hardware(inputs: ReportInputs, points: pd.DataFrame, column: str, path: Path) -> list[Path]:
    """Fixed-point AUC of every design output vs the design's ``column`` (latency_ns, lut or dsp).

    One series per (family, backend); a design's cost is that of the whole IP, shown at each of its outputs.
    """
    from matplotlib.lines import Line2D

    axis = HARDWARE_AXES[column][0]
    x_label = f"design {axis} ({source_words(points['source'])})"
    series_keys = sorted(set(zip(points["family"], points["backend"], strict=True)))
    with hep_style() as plt:
        fig, panels, legend_ax = class_grid(
            plt, inputs, classes_of(points, inputs.run.outputs), hardware_title(column)
        )
        for name, ax in panels.items():
            rows = points[points["class"] == name]
            for (family, backend), series in rows.groupby(["family", "backend"], sort=True):
                xs, ys = series[column].to_numpy(float), series["auc_fixed"].to_numpy(float)
                draw_series(ax, xs, ys, series_style(str(family), str(backend)))
            misses = rows[~rows["meets_tolerance"].astype(bool)]
            ax.scatter(misses[column], misses["auc_fixed"], marker="x", s=160, color="black", zorder=4)
            teacher_line(ax, inputs.teacher.auc.get(name))
            ax.set_xlabel(x_label)
            ax.set_ylabel("test AUC (fixed-point design)")
        entries = []
        for family, backend in series_keys:
            chosen = points[(points["family"] == family) & (points["backend"] == backend)]
            label = f"{family}, {backend} ({source_words(chosen['source'])})"
            entries.append((series_handle(series_style(family, backend)), label))
        miss = Line2D([], [], marker="x", color="black", ls="none", ms=12)
        caption = [
            f"Dataset: {inputs.dataset_label}, test split.",
            f"Hardware figures: {source_words(points['source'])}; a design's cost is its whole IP's, shown "
            "at every output. The teacher's AUC is in floating point.",
        ]
        legend_panel(
            legend_ax, [*entries, (miss, "design misses the AUC tolerance"), teacher_handle()], caption
        )
        return save_figure(fig, path)


def plot_roc(inputs: ReportInputs, curves: dict[str, list[RocCurve]], path: Path) -> list[Path]:
    """Signal efficiency (x) vs background mistag rate (y, log): lower curves are better taggers.

    A finite test set cannot show a mistag rate below one background jet; that limit is drawn, and a curve
    starts where the first background jet passes (zero has no place on a log axis).
    """
    with hep_style() as plt:
        fig, panels, legend_ax = class_grid(plt, inputs, list(curves), ROC_TITLE)
        for name, ax in panels.items():
            seen: dict[str, int] = {}
            for curve in curves[name]:
                shown = curve.mistag > 0
                style = {"color": "black", "ls": "-"}
                if curve.family is not None:  # a family's c_max settings: one colour, one line style each
                    seen[curve.family] = seen.get(curve.family, -1) + 1
                    style = {
                        "color": series_style(curve.family).color,
                        "ls": ROC_LINES[seen[curve.family] % 4],
                    }
                label = f"{curve.label}, AUC {curve.auc:.4f}"
                ax.plot(curve.signal_eff[shown], curve.mistag[shown], **style, label=label)
            n_background = max(curves[name][0].n_background, 1)
            eff = np.linspace(1.0 / n_background, 1, 200)
            ax.plot(eff, eff, color="grey", ls=":", lw=1.2, label="random tagger")
            ax.axhline(1.0 / n_background, color="grey", ls="--", lw=1.0, label="one background jet")
            ax.set_yscale("log")
            ax.set_xlim(0, 1.01)
            ax.set_ylim(0.5 / n_background, 1.5)
            ax.set_xlabel(r"signal efficiency $\varepsilon_S$")
            ax.set_ylabel(r"background mistag rate $\varepsilon_B$")
            ax.legend(fontsize=10, loc="upper left")
        counts = ", ".join(f"{name} {c[0].n_background}" for name, c in curves.items())
        caption = [
            f"Dataset: {inputs.dataset_label}, test split.",
            "Signal: jets of the panel's class; background: all others. Expressions in floating point; "
            "legend AUCs are the leaderboard's and the teacher's card's.",
            f"Background jets per panel: {counts}.",
        ]
        legend_panel(legend_ax, [], caption)
        return save_figure(fig, path)
