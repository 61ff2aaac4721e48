"""The look every report figure shares: colours and markers per family, fill and line per backend, mplhep's CMS
style sized for a grid of class panels, the legend panel, Pareto step lines, and atomic PNG + PDF output.

Kept apart from :mod:`symtrig.report.plots` (which figures exist and what each shows) so that a new figure
reuses the conventions instead of restating them. matplotlib is imported only when a figure is drawn, with
the file-only Agg backend: the CLI starts fast and needs no display.
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
from symtrig.report.inputs import ReportInputs
from symtrig.select import pareto_mask

#: Resolution of every PNG (the PDF is vector).
PNG_DPI = 150
CLASS_NAMES = {"g": "gluon", "q": "light quark", "t": "top quark", "w": "W boson", "z": "Z boson"}
#: Backend -> (filled markers?, line style): hls4ml solid and filled, da4ml dashed and hollow.
BACKEND_STYLES: dict[str, tuple[bool, str]] = {"hls4ml": (True, "-"), "da4ml": (False, "--")}
_OTHER_BACKEND = (True, ":")
#: mplhep's CMS colours (colour-blind safe) and a marker per family, in ``symtrig.families.FAMILIES`` order.
_PALETTE = ("#5790fc", "#f89c20", "#e42536", "#964a8b")
_MARKERS = ("o", "s", "^", "D")
_OTHER_FAMILY = ("#9c9ca1", "v")
ROC_LINES = ("-", "--", "-.", ":")
TEACHER_LINE: dict[str, Any] = {"color": "black", "ls": (0, (5, 3)), "lw": 1.6}
#: The CMS style is made for one 10"x10" panel; five class panels and a legend need smaller type.
GRID_STYLE: dict[str, Any] = {
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


def class_title(name: str) -> str:
    """``t (top) vs rest`` for the jet classes; a class of one's own table is shown by its own name."""
    long_name = CLASS_NAMES.get(name)
    return f"{name} ({long_name}) vs rest" if long_name else f"{name} vs rest"


def status_text(inputs: ReportInputs) -> str:
    """The word after "symtrig" in every figure's label: "Simulation" for simulated jets, else nothing."""
    return "Simulation" if inputs.simulated else ""


def pyplot():
    """matplotlib with the file-only Agg backend, imported only when a figure is drawn."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


@contextlib.contextmanager
def hep_style() -> Iterator[Any]:
    """pyplot inside mplhep's CMS style (sized for a grid of panels), restored afterwards."""
    import mplhep as hep

    plt = pyplot()
    with plt.style.context([hep.style.CMS, GRID_STYLE]):
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
        pyplot().close(fig)
    return [png, pdf]


def class_grid(plt: Any, inputs: ReportInputs, classes: Sequence[str], title: str) -> tuple[Any, dict, Any]:
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


def draw_series(ax: Any, xs: np.ndarray, ys: np.ndarray, style: SeriesStyle) -> None:
    """The points of one series and its Pareto front as a step line ("best AUC at this cost or less")."""
    ax.scatter(xs, ys, alpha=0.85, zorder=3, **style.scatter())
    front = pareto_front(xs, ys)
    fx, fy = xs[front], ys[front]
    if len(fx) and xs.max() > fx[-1]:  # the best AUC holds up to the series' costliest point
        fx, fy = np.append(fx, xs.max()), np.append(fy, fy[-1])
    ax.plot(fx, fy, drawstyle="steps-post", color=style.color, ls=style.line, zorder=2)


def teacher_line(ax: Any, auc: float | None) -> None:
    if auc is not None and math.isfinite(auc):
        ax.axhline(auc, **TEACHER_LINE)


def legend_panel(ax: Any, entries: list[tuple[Any, str]], caption: list[str]) -> None:
    if entries:
        handles, labels = zip(*entries, strict=True)
        ax.legend(list(handles), list(labels), loc="upper left", fontsize=13)
    text = "\n".join(textwrap.fill(line, CAPTION_WIDTH) for line in caption)
    ax.text(0.0, 0.0, text, fontsize=11, va="bottom", transform=ax.transAxes)


def series_handle(style: SeriesStyle) -> Any:
    from matplotlib.lines import Line2D

    face = style.color if style.filled else "none"
    return Line2D([], [], color=style.color, marker=style.marker, markerfacecolor=face, ls=style.line, ms=9)


def teacher_handle() -> tuple[Any, str]:
    from matplotlib.lines import Line2D

    return Line2D([], [], **TEACHER_LINE), "teacher network (float)"


def classes_of(frame: pd.DataFrame, outputs: Sequence[str] = CLASSES) -> list[str]:
    return [c for c in outputs if c in set(frame["class"])]
