"""The report's figures in the conventions a trigger physicist expects, each saved as PNG (150 dpi) and PDF.

mplhep's CMS style, a "symtrig" label that says *Simulation* for simulated jets, the dataset in every title,
ROC curves as signal efficiency vs background mistag rate on a log axis. Every hardware axis says where its
figures came from (:data:`symtrig.cost.report.COST_SOURCES`: estimate / synthesis / yosys), because a number
from an analytical model and one from a synthesis report are not the same claim. hls4ml and da4ml designs are
told apart by marker fill and line style, families by colour and marker. matplotlib is imported only when a
figure is drawn, with the file-only Agg backend: the CLI starts fast and needs no display.
"""

from __future__ import annotations

import contextlib
import math
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from symtrig import atomic
from symtrig.data import CLASSES
from symtrig.families import FAMILIES
from symtrig.report.inputs import ReportInputs, RocCurve, source_words
from symtrig.select import pareto_mask

#: Resolution of every PNG (the PDF is vector).
PNG_DPI = 150
CLASS_NAMES = {"g": "gluon", "q": "light quark", "t": "top quark", "w": "W boson", "z": "Z boson"}
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
#: Backend -> (filled markers?, line style): hls4ml solid and filled, da4ml dashed and hollow.
BACKEND_STYLES: dict[str, tuple[bool, str]] = {"hls4ml": (True, "-"), "da4ml": (False, "--")}
_OTHER_BACKEND = (True, ":")
#: mplhep's CMS colours (colour-blind safe) and a marker per family, in ``symtrig.families.FAMILIES`` order.
_PALETTE = ("#5790fc", "#f89c20", "#e42536", "#964a8b")
_MARKERS = ("o", "s", "^", "D")
_OTHER_FAMILY = ("#9c9ca1", "v")
_ROC_LINES = ("-", "--", "-.", ":")
_TEACHER_LINE: dict[str, Any] = {"color": "black", "ls": (0, (5, 3)), "lw": 1.6}
#: The CMS style is made for one 10"x10" panel; five class panels and a legend need smaller type.
_GRID_STYLE: dict[str, Any] = {
    "font.size": 15,
    "figure.figsize": (19.0, 11.5),
    "axes.linewidth": 1.4,
    "lines.linewidth": 2.0,
    "xtick.major.size": 8,
    "ytick.major.size": 8,
    "xtick.minor.size": 4,
    "ytick.minor.size": 4,
}
CAPTION_WIDTH = 60


@dataclass(frozen=True)
class SeriesStyle:
    """How one series is drawn: colour and marker say the family, fill and line style the backend."""

    color: str
    marker: str
    filled: bool
    line: str
    size: float  # later families smaller, so a point two families share shows both

    def scatter(self) -> dict[str, Any]:
        face = self.color if self.filled else "none"
        return {
            "marker": self.marker,
            "s": self.size,
            "edgecolors": self.color,
            "facecolors": face,
            "linewidths": 1.6,
        }


def series_style(family: str, backend: str | None = None) -> SeriesStyle:
    """The style of a family's expressions (``backend`` None) or of its designs on one backend."""
    names = list(FAMILIES)
    index = names.index(family) if family in names else len(_PALETTE)
    color, marker = (_PALETTE[index], _MARKERS[index]) if index < len(_PALETTE) else _OTHER_FAMILY
    filled, line = (True, "-") if backend is None else BACKEND_STYLES.get(backend, _OTHER_BACKEND)
    return SeriesStyle(color, marker, filled, line, size=110.0 - 20.0 * min(index, len(_PALETTE)))


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


def class_title(name: str) -> str:
    """``t (top) vs rest`` for the jet classes; a class of one's own table is shown by its own name."""
    long_name = CLASS_NAMES.get(name)
    return f"{name} ({long_name}) vs rest" if long_name else f"{name} vs rest"


def status_text(inputs: ReportInputs) -> str:
    """The word after "symtrig" in every figure's label: "Simulation" for simulated jets, else nothing."""
    return "Simulation" if inputs.simulated else ""


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


# ------------------------------------------------------------------------------------------- machinery


def _pyplot():
    """matplotlib with the file-only Agg backend, imported only when a figure is drawn."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


@contextlib.contextmanager
def _hep_style() -> Iterator[Any]:
    """pyplot inside mplhep's CMS style (sized for a grid of panels), restored afterwards."""
    import mplhep as hep

    plt = _pyplot()
    with plt.style.context([hep.style.CMS, _GRID_STYLE]):
        yield plt


def save_figure(fig: Any, png: Path) -> list[Path]:
    """Write ``fig`` as ``png`` (:data:`PNG_DPI`) and as the PDF beside it, each atomically; close it."""
    pdf = png.with_suffix(".pdf")
    try:
        with atomic.atomic_path(png) as tmp:
            fig.savefig(tmp, format="png", dpi=PNG_DPI)
        with atomic.atomic_path(pdf) as tmp:
            fig.savefig(tmp, format="pdf")
    finally:
        _pyplot().close(fig)
    return [png, pdf]


def _class_grid(plt: Any, inputs: ReportInputs, classes: Sequence[str], title: str) -> tuple[Any, dict, Any]:
    """Five class panels and a sixth (the key) for the HEP label, the legend and the caption.

    One mplhep label per figure, on the key: each call measures the whole figure (about a second), so one
    per panel would make a report take a minute.
    """
    import mplhep as hep

    fig, axes = plt.subplots(2, 3, layout="constrained")
    fig.suptitle(f"{inputs.dataset_label}: {title}")
    axes = axes.ravel()
    panels = dict(zip(classes, axes, strict=False))
    for name, ax in panels.items():
        ax.set_title(class_title(name), fontsize=15)
    for ax in axes[len(panels) :]:
        ax.axis("off")
    key = axes[-1]
    hep.label.exp_label(
        exp="symtrig", text=status_text(inputs), data=True, rlabel=inputs.dataset_label, loc=0, ax=key
    )
    return fig, panels, key


def pareto_front(cost: ArrayLike, auc: ArrayLike) -> np.ndarray:
    """Indices of the non-dominated points (lower cost, higher AUC) in increasing cost, by
    :func:`symtrig.select.pareto_mask`; at equal cost only the highest AUC can be on the front."""
    costs, aucs = np.asarray(cost, dtype=float), np.asarray(auc, dtype=float)
    order = np.lexsort((-aucs, costs))
    mask = pareto_mask(costs[order].tolist(), aucs[order].tolist(), higher_is_better=True)
    return order[np.asarray(mask, dtype=bool)]


def _draw_series(ax: Any, xs: np.ndarray, ys: np.ndarray, style: SeriesStyle) -> None:
    """The points of one series and its Pareto front as a step line ("best AUC at this cost or less")."""
    ax.scatter(xs, ys, alpha=0.85, zorder=3, **style.scatter())
    front = pareto_front(xs, ys)
    fx, fy = xs[front], ys[front]
    if len(fx) and xs.max() > fx[-1]:  # the best AUC holds up to the series' costliest point
        fx, fy = np.append(fx, xs.max()), np.append(fy, fy[-1])
    ax.plot(fx, fy, drawstyle="steps-post", color=style.color, ls=style.line, zorder=2)


def _teacher_line(ax: Any, auc: float | None) -> None:
    if auc is not None and math.isfinite(auc):
        ax.axhline(auc, **_TEACHER_LINE)


def _legend_panel(ax: Any, entries: list[tuple[Any, str]], caption: list[str]) -> None:
    if entries:
        handles, labels = zip(*entries, strict=True)
        ax.legend(list(handles), list(labels), loc="upper left", fontsize=13)
    text = "\n".join(textwrap.fill(line, CAPTION_WIDTH) for line in caption)
    ax.text(0.0, 0.0, text, fontsize=11, va="bottom", transform=ax.transAxes)


def _handle(style: SeriesStyle) -> Any:
    from matplotlib.lines import Line2D

    face = style.color if style.filled else "none"
    return Line2D([], [], color=style.color, marker=style.marker, markerfacecolor=face, ls=style.line, ms=9)


def _teacher_handle() -> tuple[Any, str]:
    from matplotlib.lines import Line2D

    return Line2D([], [], **_TEACHER_LINE), "teacher network (float)"


def _classes_of(frame: pd.DataFrame, outputs: Sequence[str] = CLASSES) -> list[str]:
    return [c for c in outputs if c in set(frame["class"])]


# -------------------------------------------------------------------------------------------- figures


def plot_auc_vs_complexity(inputs: ReportInputs, path: Path) -> list[Path]:
    """Test AUC of every leaderboard expression vs its complexity, a Pareto front per family."""
    frame = inputs.frame
    families = sorted(set(frame["family"].astype(str)))
    with _hep_style() as plt:
        fig, panels, legend_ax = _class_grid(
            plt, inputs, _classes_of(frame, inputs.run.outputs), COMPLEXITY_TITLE
        )
        for name, ax in panels.items():
            rows = frame[frame["class"] == name]
            for family, group in rows.groupby("family", sort=True):
                xs, ys = group["complexity"].to_numpy(float), group["auc"].to_numpy(float)
                _draw_series(ax, xs, ys, series_style(str(family)))
            _teacher_line(ax, inputs.teacher.auc.get(name))
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.set_xlabel("complexity (node count)")
            ax.set_ylabel("test AUC (float expression)")
        entries = [(_handle(series_style(f)), f"{f}: expressions and Pareto front") for f in families]
        caption = [
            f"Dataset: {inputs.dataset_label}, test split.",
            "Each point is one leaderboard expression; the step line is its family's Pareto front.",
        ]
        _legend_panel(legend_ax, [*entries, _teacher_handle()], caption)
        return save_figure(fig, path)


def plot_auc_vs_hardware(inputs: ReportInputs, points: pd.DataFrame, column: str, path: Path) -> list[Path]:
    """Fixed-point AUC of every design output vs the design's ``column`` (latency_ns, lut or dsp).

    One series per (family, backend); a design's cost is that of the whole IP, shown at each of its outputs.
    """
    from matplotlib.lines import Line2D

    axis = HARDWARE_AXES[column][0]
    x_label = f"design {axis} ({source_words(points['source'])})"
    series_keys = sorted(set(zip(points["family"], points["backend"], strict=True)))
    with _hep_style() as plt:
        fig, panels, legend_ax = _class_grid(
            plt, inputs, _classes_of(points, inputs.run.outputs), hardware_title(column)
        )
        for name, ax in panels.items():
            rows = points[points["class"] == name]
            for (family, backend), series in rows.groupby(["family", "backend"], sort=True):
                xs, ys = series[column].to_numpy(float), series["auc_fixed"].to_numpy(float)
                _draw_series(ax, xs, ys, series_style(str(family), str(backend)))
            misses = rows[~rows["meets_tolerance"].astype(bool)]
            ax.scatter(misses[column], misses["auc_fixed"], marker="x", s=160, color="black", zorder=4)
            _teacher_line(ax, inputs.teacher.auc.get(name))
            ax.set_xlabel(x_label)
            ax.set_ylabel("test AUC (fixed-point design)")
        entries = []
        for family, backend in series_keys:
            chosen = points[(points["family"] == family) & (points["backend"] == backend)]
            label = f"{family}, {backend} ({source_words(chosen['source'])})"
            entries.append((_handle(series_style(family, backend)), label))
        miss = Line2D([], [], marker="x", color="black", ls="none", ms=12)
        caption = [
            f"Dataset: {inputs.dataset_label}, test split.",
            f"Hardware figures: {source_words(points['source'])}; a design's cost is its whole IP's, shown "
            "at every output. The teacher's AUC is in floating point.",
        ]
        _legend_panel(
            legend_ax, [*entries, (miss, "design misses the AUC tolerance"), _teacher_handle()], caption
        )
        return save_figure(fig, path)


def plot_roc(inputs: ReportInputs, curves: dict[str, list[RocCurve]], path: Path) -> list[Path]:
    """Signal efficiency (x) vs background mistag rate (y, log): lower curves are better taggers.

    A finite test set cannot show a mistag rate below one background jet; that limit is drawn, and a curve
    starts where the first background jet passes (zero has no place on a log axis).
    """
    with _hep_style() as plt:
        fig, panels, legend_ax = _class_grid(plt, inputs, list(curves), ROC_TITLE)
        for name, ax in panels.items():
            seen: dict[str, int] = {}
            for curve in curves[name]:
                shown = curve.mistag > 0
                style = {"color": "black", "ls": "-"}
                if curve.family is not None:  # a family's c_max settings: one colour, one line style each
                    seen[curve.family] = seen.get(curve.family, -1) + 1
                    style = {
                        "color": series_style(curve.family).color,
                        "ls": _ROC_LINES[seen[curve.family] % 4],
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
        _legend_panel(legend_ax, [], caption)
        return save_figure(fig, path)
