"""``symtrig report``: plots and a Markdown summary of a leaderboard, for people who choose a trigger tagger.

The report only *shows* what earlier stages measured. Every number in it is read from the leaderboard, the
teacher's card or ``run.json``; the one thing it evaluates is the ROC curve of the teacher and of the chosen
expressions on the exact test split ``fit`` used (checked by the dataset fingerprint), because a curve is not
stored anywhere. Figures name their dataset and say whether latency/resources are an *estimate* (analytical
cost model) or come from *synthesis*, because a physicist comparing numbers across talks needs both facts.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from symtrig import atomic, leaderboard
from symtrig.data import CLASSES
from symtrig.distill import pareto_mask
from symtrig.errors import SymtrigError
from symtrig.hls.designs import read_designs

REPORT_DIR = "report"
SUMMARY_FILE = "summary.md"
RUN_FILE = "run.json"
TEACHER_DIR = "teacher"
ROC_PLOT = "roc.png"
#: x-axis column of each AUC plot -> its file name.
AUC_PLOTS = {
    "complexity": "auc_vs_complexity.png",
    "latency_ns": "auc_vs_latency.png",
    "dsp": "auc_vs_dsp.png",
    "lut": "auc_vs_lut.png",
}

#: Columns the report reads beyond those every leaderboard has.
REPORT_COLUMNS: tuple[str, ...] = ("best", "auc_val", "auc_ratio", "fidelity_r2", "accuracy_5class")
#: The family settings that define one "best set" (one expression per class), as ``fit`` groups them.
SETTING_COLUMNS: tuple[str, ...] = ("family", "cmax", "seed", "engine", "target", "op_costs")

CLASS_NAMES = {"g": "gluon", "q": "light quark", "t": "top quark", "w": "W boson", "z": "Z boson"}
#: Hardware axes: leaderboard column -> axis wording (the cost source is appended).
HARDWARE_AXES = {"latency_ns": "latency [ns]", "dsp": "DSP slices", "lut": "LUTs"}
#: ``cost_source`` value -> (the word every label uses, what it means).
COST_SOURCES = {
    "estimate": ("estimate", "analytical cost model, not synthesized"),
    "csynth": ("synthesis", "HLS C-synthesis report"),
    "vsynth": ("synthesis", "Vivado synthesis report"),
}
DISPLAY_DIGITS = 4
CAPTION_WIDTH = 58  # characters per caption line in the sixth panel
#: Colour, marker and line style per family: distinct in all three, so overlapping fronts stay readable.
_FAMILY_STYLES = {
    "poly": ("tab:blue", "o", "-"),
    "trig": ("tab:orange", "s", "--"),
    "exp": ("tab:green", "^", "-."),
    "log": ("tab:purple", "D", ":"),
}
_OTHER_STYLE = ("tab:gray", "v", "-")


@dataclass(frozen=True)
class ReportInputs:
    """What the report shows: the leaderboard, the run record beside it and the teacher's headline scores."""

    frame: pd.DataFrame
    run: dict[str, Any]
    leaderboard_path: Path
    dataset_label: str
    fingerprint: str
    teacher_auc: dict[str, float]
    teacher_accuracy: float | None

    @property
    def has_hardware(self) -> bool:
        """True once ``emit-hls`` has filled latency/resources for at least one expression."""
        frame = self.frame
        return "cost_source" in frame and "latency_ns" in frame and frame["cost_source"].notna().any()


@dataclass(frozen=True)
class RocCurve:
    """One tagger's ROC for one class, in the HEP convention (signal efficiency, background mistag rate)."""

    label: str
    signal_eff: np.ndarray = field(repr=False)
    mistag: np.ndarray = field(repr=False)
    auc: float
    n_background: int


@dataclass(frozen=True)
class ReportResult:
    """Where the report went and what it contains."""

    folder: Path
    files: list[Path]
    dataset_label: str
    has_hardware: bool


# ------------------------------------------------------------------------------------------------ inputs


def load_inputs(leaderboard_path: str | Path) -> ReportInputs:
    """Read the leaderboard and its ``run.json``, and refuse them if they describe different jets."""
    path = Path(leaderboard_path)
    frame = leaderboard.read(path)
    missing = [c for c in REPORT_COLUMNS if c not in frame.columns]
    if missing:
        raise SymtrigError(f"{path.name}: missing column(s) {', '.join(missing)}; rerun `symtrig fit`")
    frame = frame.assign(best=_as_bool(frame["best"], path.name))
    source_word(frame)  # an unknown cost_source fails here, before any work
    run = read_run(path.parent / RUN_FILE)
    dataset = run["dataset"]
    fingerprints = set(frame.get("dataset_fingerprint", pd.Series(dtype=str)).dropna().astype(str))
    if fingerprints - {dataset["fingerprint"]}:
        raise SymtrigError(
            f"{path.name} was made on dataset {sorted(fingerprints)[0]} but {RUN_FILE} describes "
            f"{dataset['fingerprint']}; rerun `symtrig fit` into one folder"
        )
    card = _teacher_card(path.parent, run)
    teacher_auc = _teacher_aucs(card, frame)
    accuracy = card.get("accuracy") if card else None
    return ReportInputs(frame, run, path, dataset["label"], dataset["fingerprint"], teacher_auc, accuracy)


def read_run(path: Path) -> dict[str, Any]:
    """``run.json`` with the fields the report needs, or a one-line error saying what is wrong."""
    if not path.is_file():
        raise SymtrigError(
            f"{path}: no run record next to the leaderboard; run `symtrig fit` into that folder"
        )
    try:
        run = json.loads(path.read_text())
        dataset = run["dataset"]
        _ = dataset["label"], dataset["fingerprint"], run["settings"]["data"], run["settings"]["seed"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise SymtrigError(f"{path}: not a readable run record ({type(exc).__name__}: {exc})") from exc
    return run


def _as_bool(column: pd.Series, name: str) -> pd.Series:
    """The ``best`` flags as booleans, whether pandas read them as bools or as text."""
    if column.dtype == bool:
        return column
    text = column.astype(str).str.strip().str.lower()
    if not text.isin(["true", "false", "1", "0"]).all():
        raise SymtrigError(f"{name}: column best must be True/False")
    return text.isin(["true", "1"])


def _teacher_card(folder: Path, run: dict[str, Any]) -> dict[str, Any] | None:
    from symtrig.teacher import CARD_FILE

    for candidate in (
        folder / TEACHER_DIR / CARD_FILE,
        Path(str(run.get("teacher", ""))).with_suffix(".json"),
    ):
        if candidate.is_file():
            try:
                return json.loads(candidate.read_text())
            except (OSError, json.JSONDecodeError):
                return None
    return None


def _teacher_aucs(card: dict[str, Any] | None, frame: pd.DataFrame) -> dict[str, float]:
    """The teacher's test AUC per class: from its card, else the ``auc_teacher`` column ``fit`` wrote."""
    if card and isinstance(card.get("auc"), dict):
        return {str(k): float(v) for k, v in card["auc"].items()}
    return _first_per_class(frame, "auc_teacher")


def _first_per_class(frame: pd.DataFrame, column: str) -> dict[str, float]:
    """A per-class figure ``fit`` repeats on every row of the class (the teacher's), once per class."""
    if column not in frame:
        return {}
    return frame.groupby("class")[column].first().dropna().astype(float).to_dict()


# ------------------------------------------------------------------------------------------ selection


def best_expressions(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per family and class: the ``best`` set of the family setting with the best validation AUC.

    ``fit`` marks a best set (one expression per class, chosen by validation AUC) per family setting; when a
    folder holds several settings (other c_max, seeds), the set with the highest mean validation AUC is shown,
    so the test AUCs in the report are never used to pick what the report shows.
    """
    best = frame[frame["best"]]
    if best.empty:
        raise SymtrigError("the leaderboard marks no best expression; rerun `symtrig fit`")
    settings = [c for c in SETTING_COLUMNS if c in best.columns]
    chosen = []
    for _, group in best.groupby("family", sort=True):
        scores = group.groupby(settings, dropna=False)["auc_val"].mean()
        key = scores.idxmax()
        key = key if isinstance(key, tuple) else (key,)
        mask = np.logical_and.reduce([_same(group[c], v) for c, v in zip(settings, key, strict=True)])
        chosen.append(group[mask])
    result = pd.concat(chosen)
    order = result["class"].map({c: i for i, c in enumerate(CLASSES)})
    return result.assign(_order=order).sort_values(["family", "_order"]).drop(columns="_order")


def _same(column: pd.Series, value: Any) -> np.ndarray:
    return (column.isna() if pd.isna(value) else column == value).to_numpy()


def pareto_front(cost: Sequence[float], auc: Sequence[float]) -> np.ndarray:
    """Indices of the non-dominated points (lower cost, higher AUC), in increasing cost.

    At equal cost only the highest AUC can be on the front, so points are ordered by cost, then AUC down.
    """
    cost, auc = np.asarray(cost, dtype=float), np.asarray(auc, dtype=float)
    order = np.lexsort((-auc, cost))
    mask = pareto_mask(cost[order].tolist(), auc[order].tolist(), higher_is_better=True)
    return order[np.asarray(mask, dtype=bool)]


# ----------------------------------------------------------------------------------------------- wording


def source_word(frame: pd.DataFrame) -> str:
    """'estimate', 'synthesis' or 'estimate and synthesis': how the hardware figures were obtained."""
    if "cost_source" not in frame:
        return "not measured"
    words = sorted({_source(s)[0] for s in frame["cost_source"].dropna().astype(str)})
    return " and ".join(words) if words else "not measured"


def _source(value: str) -> tuple[str, str]:
    if value not in COST_SOURCES:
        raise SymtrigError(f"unknown cost_source {value!r}; expected one of {', '.join(COST_SOURCES)}")
    return COST_SOURCES[value]


def _source_details(frame: pd.DataFrame) -> str:
    """What the source means: 'analytical cost model, ...', or per source when several are mixed."""
    values = sorted(set(frame["cost_source"].dropna().astype(str)))
    if len(values) == 1:
        return _source(values[0])[1]
    parts = []
    for value in values:
        word, meaning = _source(value)
        parts.append(f"{word}{'' if word == value else f' ({value})'}: {meaning}")
    return "; ".join(parts)


def class_title(name: str) -> str:
    return f"{name} ({CLASS_NAMES.get(name, name)}) vs rest"


# ------------------------------------------------------------------------------------------------- plots


def _pyplot():
    """matplotlib with the file-only Agg backend, imported only when a plot is drawn (CLI start stays fast)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _class_grid(plt, classes: list[str], title: str):
    """Five class panels and a sixth for the legend and the caption, so every panel keeps full width."""
    fig, axes = plt.subplots(2, 3, figsize=(14, 8.5), dpi=100, layout="constrained")
    axes = axes.ravel()
    fig.suptitle(title, fontsize=13)
    panels = dict(zip(classes, axes, strict=False))
    for ax in axes[len(classes) :]:
        ax.axis("off")
    return fig, panels, axes[-1]


def _save(fig, path: Path) -> Path:
    """Render to a temporary sibling, then rename: a reader never sees half a PNG."""
    plt = _pyplot()
    with atomic.atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return path


def plot_auc_vs(inputs: ReportInputs, x_column: str, path: str | Path) -> Path:
    """Test AUC against ``x_column`` (complexity, latency_ns, dsp or lut) per family, one panel per class.

    Every point is one leaderboard expression; the step line joins the family's non-dominated points, so it
    reads as "the best AUC this family reaches at this cost or less". The teacher's AUC is the dashed line.
    """
    plt = _pyplot()
    hardware = x_column in HARDWARE_AXES
    points = _plot_points(inputs.frame, x_column)
    if points.empty:
        raise SymtrigError(f"the leaderboard has no expression with a value in column {x_column}")
    y_column, y_label = _y_axis(points, hardware)
    x_label = _x_label(points, x_column)
    classes = [c for c in CLASSES if c in set(points["class"])]
    fig, panels, legend_ax = _class_grid(plt, classes, f"{inputs.dataset_label}: test AUC vs {x_label}")
    for name, ax in panels.items():
        _draw_class(ax, points[points["class"] == name], x_column, y_column, inputs.teacher_auc.get(name))
        ax.set_title(class_title(name))
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.grid(alpha=0.3)
    families = sorted(set(points["family"].astype(str)))
    handles, labels = _legend_entries(families, mixed=hardware and " and " in source_word(points))
    legend_ax.legend(handles, labels, loc="upper left", frameon=False, fontsize=10)
    legend_ax.text(0.0, 0.0, _auc_caption(inputs, points, x_column, y_column), fontsize=9, va="bottom")
    return _save(fig, Path(path))


def _plot_points(frame: pd.DataFrame, x_column: str) -> pd.DataFrame:
    if x_column not in frame:
        return frame.iloc[0:0]
    values = pd.to_numeric(frame[x_column], errors="coerce")
    return frame[np.isfinite(values)].assign(**{x_column: values})


def _y_axis(points: pd.DataFrame, hardware: bool) -> tuple[str, str]:
    """Hardware plots show the AUC of the fixed-point design when every plotted point has one."""
    if (
        hardware
        and "auc_fixed" in points
        and pd.to_numeric(points["auc_fixed"], errors="coerce").notna().all()
    ):
        return "auc_fixed", "test AUC, fixed-point design"
    return "auc", "test AUC (float expression)"


def _x_label(points: pd.DataFrame, x_column: str) -> str:
    if x_column in HARDWARE_AXES:
        return f"{HARDWARE_AXES[x_column]} of the HLS design ({source_word(points)})"
    return "complexity (PySR node count)" if x_column == "complexity" else x_column


def _draw_class(ax, points: pd.DataFrame, x: str, y: str, teacher_auc: float | None) -> None:
    """One class panel: each family's expressions (filled = synthesized), its Pareto front, the teacher."""
    for family, group in points.groupby("family", sort=True):
        color, marker, line = _FAMILY_STYLES.get(str(family), _OTHER_STYLE)
        xs, ys = group[x].to_numpy(float), pd.to_numeric(group[y], errors="coerce").to_numpy(float)
        keep = np.isfinite(ys)
        xs, ys, filled = xs[keep], ys[keep], _filled(group)[keep]
        ax.scatter(xs[filled], ys[filled], s=24, marker=marker, color=color, alpha=0.7)
        ax.scatter(xs[~filled], ys[~filled], s=24, marker=marker, facecolors="none", edgecolors=color)
        front = pareto_front(xs, ys)
        ax.plot(xs[front], ys[front], drawstyle="steps-post", color=color, ls=line, lw=1.8)
    if teacher_auc is not None:
        ax.axhline(teacher_auc, color="black", ls=(0, (5, 3)), lw=1.2)


def _filled(group: pd.DataFrame) -> np.ndarray:
    """Synthesized points are drawn filled, estimated (and complexity-only) points hollow."""
    if "cost_source" not in group:
        return np.ones(len(group), dtype=bool)
    source = group["cost_source"].astype(str)
    return (source.isin(["csynth", "vsynth"]) | group["cost_source"].isna()).to_numpy()


def _legend_entries(families: list[str], mixed: bool) -> tuple[list, list[str]]:
    """One legend for all panels; with mixed cost sources, grey markers explain filled vs hollow."""
    from matplotlib.lines import Line2D

    handles, labels = [], []
    for family in families:
        color, marker, line = _FAMILY_STYLES.get(family, _OTHER_STYLE)
        handles.append(Line2D([], [], color=color, marker=marker, ls=line, lw=1.8))
        labels.append(f"{family}: expressions and Pareto front")
    handles.append(Line2D([], [], color="black", ls=(0, (5, 3)), lw=1.2))
    labels.append("teacher network (float)")
    if mixed:
        marker = {"marker": "o", "ls": "none", "color": "grey"}
        handles += [Line2D([], [], **marker), Line2D([], [], markerfacecolor="none", **marker)]
        labels += ["synthesis (filled)", "estimate (hollow)"]
    return handles, labels


def _auc_caption(inputs: ReportInputs, points: pd.DataFrame, x: str, y: str) -> str:
    lines = [
        f"Dataset: {inputs.dataset_label}, test split.",
        "Each point is one expression of the leaderboard. Step line: the family's Pareto front, i.e. the best "
        "AUC reached at this cost or less.",
    ]
    if x in HARDWARE_AXES:
        lines.append(f"Latency/resources: {source_word(points)} ({_source_details(points)}).")
        if "estimate" in source_word(points) and "synthesis" in source_word(points):
            lines.append("Filled markers: synthesis; hollow: estimate.")
        if "design" in points and points["design"].dropna().duplicated().any():
            lines.append(
                "A design computing several classes (one IP for a family's best set) has one cost, "
                "shown at each of its expressions."
            )
    if y == "auc_fixed" and "precision" in points:
        precisions = sorted(set(points["precision"].dropna().astype(str)))
        which = ", ".join(precisions) if len(precisions) <= 3 else "each design's own; see summary.md"
        lines.append(
            f"AUC of the fixed-point design (precision: {which}); the teacher's is in floating point."
        )
    return "\n".join(textwrap.fill(line, CAPTION_WIDTH) for line in lines)


def roc_curves(
    inputs: ReportInputs, best: pd.DataFrame, data: Any, teacher: Any
) -> dict[str, list[RocCurve]]:
    """ROC of the teacher and of each family's best expression per class, on the ``fit`` test split."""
    from sklearn.metrics import roc_curve

    from symtrig import expr as ex
    from symtrig.metrics import finite_scores

    X_std = data.standardize(data.X_test)
    y = np.asarray(data.y_test)
    proba = teacher.predict_proba(X_std)
    curves: dict[str, list[RocCurve]] = {}
    for name in [c for c in CLASSES if c in set(best["class"])]:
        k = CLASSES.index(name)
        is_signal = y == k
        scored = [("teacher network", proba[:, k], inputs.teacher_auc.get(name, math.nan))]
        for _, row in best[best["class"] == name].iterrows():
            score = ex.evaluate(ex.parse_expression(row["expression"]), X_std)
            scored.append(
                (f"{row['family']} (complexity {int(row['complexity'])})", score, float(row["auc"]))
            )
        curves[name] = []
        for label, score, auc in scored:
            fpr, tpr, _ = roc_curve(is_signal, finite_scores(score))
            curves[name].append(RocCurve(label, tpr, fpr, auc, int((~is_signal).sum())))
    return curves


def plot_roc(inputs: ReportInputs, curves: dict[str, list[RocCurve]], path: str | Path) -> Path:
    """Signal efficiency (x) vs background mistag rate (y, log): lower curves are better taggers.

    A finite test set cannot show a mistag rate below one background jet; that limit is drawn, and a curve
    starts where the first background jet passes (zero has no place on a log axis).
    """
    plt = _pyplot()
    fig, panels, legend_ax = _class_grid(plt, list(curves), f"{inputs.dataset_label}: ROC curves, test split")
    for name, ax in panels.items():
        for curve in curves[name]:
            shown = curve.mistag > 0
            ax.plot(curve.signal_eff[shown], curve.mistag[shown], **_curve_style(curve.label), lw=1.6,
                    label=f"{curve.label}, AUC {curve.auc:.4f}")  # fmt: skip
        n_background = max(curves[name][0].n_background, 1)
        eff = np.linspace(1.0 / n_background, 1, 200)
        ax.plot(eff, eff, color="grey", ls=":", lw=1, label="random tagger")
        ax.axhline(1.0 / n_background, color="grey", ls="--", lw=0.8, label="1 background jet (stat. limit)")
        ax.set_yscale("log")
        ax.set_xlim(0, 1.01)
        ax.set_ylim(0.5 / n_background, 1.3)
        ax.set_title(class_title(name))
        ax.set_xlabel("signal efficiency $\\varepsilon_S$")
        ax.set_ylabel("background mistag rate $\\varepsilon_B$")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8, loc="lower right")
    legend_ax.text(0.0, 0.5, _roc_caption(inputs, curves), fontsize=10, va="center")
    return _save(fig, Path(path))


def _curve_style(label: str) -> dict[str, Any]:
    if label.startswith("teacher"):
        return {"color": "black", "ls": "-"}
    color, _, line = _FAMILY_STYLES.get(label.split(" ")[0], _OTHER_STYLE)
    return {"color": color, "ls": line}


def _roc_caption(inputs: ReportInputs, curves: dict[str, list[RocCurve]]) -> str:
    counts = ", ".join(f"{name} {c[0].n_background}" for name, c in curves.items())
    lines = [
        f"Dataset: {inputs.dataset_label}, test split.",
        "Signal: jets of the panel's class; background: all others. A lower curve accepts fewer background "
        "jets at the same signal efficiency.",
        "Expressions: per family, the best one of each class (chosen on validation AUC), in floating point. "
        "Legend AUCs are the leaderboard's.",
        f"Background jets per panel: {counts}. Below the dashed line no background jet passes; a curve starts "
        "where the first one does.",
    ]
    return "\n\n".join(textwrap.fill(line, CAPTION_WIDTH) for line in lines)


# ----------------------------------------------------------------------------------------------- summary


def _md_cell(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or pd.isna(value):
        return "–"
    if isinstance(value, (float, np.floating)):
        return f"{value:.{digits}f}"
    return str(value).replace("|", "\\|")


def summary_markdown(
    inputs: ReportInputs, best: pd.DataFrame, images: dict[str, str], designs: pd.DataFrame | None = None
) -> str:
    """The report as Markdown: dataset, teacher, each family's best expressions, the HLS designs (when
    ``designs`` is given, e.g. from :func:`symtrig.hls.designs.read_designs`) and the figures."""
    dataset = inputs.run["dataset"]
    lines = [
        f"# symtrig report: {inputs.dataset_label}",
        "",
        f"- Dataset: **{inputs.dataset_label}**, fingerprint `{inputs.fingerprint}`, split seed "
        f"{dataset.get('split_seed', inputs.run['settings']['seed'])}, {dataset.get('n_test', '?')} test jets.",
        f"- Leaderboard: `{inputs.leaderboard_path}` ({len(inputs.frame)} expressions), "
        f"made by `symtrig fit` on {inputs.run.get('created', '?')}.",
        f"- Hardware figures: {_hardware_sentence(inputs)}",
        "",
        *_teacher_section(inputs),
        *_best_section(inputs, best),
        *(_designs_section(inputs, designs) if designs is not None else []),
        "## Figures",
        "",
    ]
    for file, caption in images.items():
        lines += [f"![{caption}]({file})", "", f"*{caption}*", ""]
    return "\n".join(lines)


def _hardware_sentence(inputs: ReportInputs) -> str:
    if not inputs.has_hardware:
        return (
            "none: `symtrig emit-hls` has not been run, so there is no latency or resource figure; "
            "AUC is shown against expression complexity."
        )
    frame = inputs.frame[inputs.frame["cost_source"].notna()]
    return f"**{source_word(frame)}** ({_source_details(frame)}), for {len(frame)} expressions."


def _teacher_section(inputs: ReportInputs) -> list[str]:
    rejection = _first_per_class(inputs.frame, "rejection50_teacher")
    lines = ["## Teacher network", "", f"| class | test AUC | {REJECTION_TITLE} |", "|---|---|---|"]
    lines += [
        f"| {class_title(c)} | {_md_cell(inputs.teacher_auc.get(c), 4)} | {_rejection_cell(rejection.get(c))} |"
        for c in CLASSES
    ]
    lines += ["", f"5-class accuracy (argmax): {_md_cell(inputs.teacher_accuracy)}", ""]
    return lines


#: Background rejection 1/εB at signal efficiency εS = 50 % (``fit``'s ``rejection50`` columns), test split.
REJECTION_TITLE = "1/εB at εS = 50 %"


def _rejection_cell(value: Any) -> str:
    """Rejection to one decimal; infinite when no background jet passes the cut (say so, not 'inf')."""
    value = _float(value)
    if math.isinf(value):
        return "∞ (no background left)"
    return _md_cell(value, 1)


_BASE_COLUMNS = [
    ("class", "class"),
    ("expression", "expression (standardized features)"),
    ("complexity", "complexity"),
    ("auc", "AUC"),
    ("auc_ratio", "AUC / teacher"),
    ("rejection50", REJECTION_TITLE),
    ("fidelity_r2", "fidelity R²"),
]
_HARDWARE_COLUMNS = [
    ("precision", "precision"),
    ("auc_fixed", "fixed-point AUC"),
    ("latency_ns", "latency [ns]"),
    ("latency_cycles", "cycles"),
    ("dsp", "DSP"),
    ("lut", "LUT"),
    ("ff", "FF"),
    ("bram", "BRAM"),
    ("cost_source", "source"),
    ("design", "design"),
]
#: Per-design figures: shown once per design, not once per output.
_DESIGN_COLUMNS = ("latency_ns", "latency_cycles", "dsp", "lut", "ff", "bram", "cost_source", "design")


def _best_section(inputs: ReportInputs, best: pd.DataFrame) -> list[str]:
    lines = [
        "## Best expression per family and class",
        "",
        "Per family, the expression of each class that `fit` marked best (highest validation AUC); AUCs are "
        "one-vs-rest on the test split, as is the background rejection 1/εB at 50 % signal efficiency. "
        "Inputs are standardized features, (x - mean) / scale, with mean and "
        f"scale in `{RUN_FILE}`. Constants are shown to {DISPLAY_DIGITS} significant digits; "
        "`leaderboard.csv` has them in full. Latency and resources belong to the HLS design (IP) that "
        "computes the expression; when several designs compute it, the leaderboard keeps the figures of the "
        "last one emitted, and the HLS designs section lists each design's own.",
        "",
    ]
    columns = list(_BASE_COLUMNS)
    if inputs.has_hardware:
        columns += [(c, t) for c, t in _HARDWARE_COLUMNS if c in best and best[c].notna().any()]
    for family, group in best.groupby("family", sort=True):
        first = group.iloc[0]
        setting = ", ".join(f"{c} {first[c]}" for c in SETTING_COLUMNS[1:] if c in group)
        accuracy = group["accuracy_5class"].dropna()
        acc_text = _md_cell(accuracy.iloc[0]) if len(accuracy) else "– (not all five classes fitted)"
        lines += [f"### {family}", "", f"Setting: {setting}. 5-class accuracy (argmax): {acc_text}.", ""]
        shown = columns
        design = _shared_design(group)
        if design is not None:  # one multi-output IP: its cost once, not repeated per class
            lines += [_design_line(first, design, len(group)), ""]
            shown = [(c, t) for c, t in columns if c not in _DESIGN_COLUMNS]
        lines += ["| " + " | ".join(t for _, t in shown) + " |", "|" + "---|" * len(shown)]
        for _, row in group.iterrows():
            lines.append("| " + " | ".join(_best_cell(row, c) for c, _ in shown) + " |")
        lines.append("")
    return lines


_DESIGN_TABLE = [
    ("design", "design"),
    ("family", "family"),
    ("precision", "precision"),
    ("latency_cycles", "cycles"),
    ("latency_ns", "latency [ns]"),
    ("dsp", "DSP"),
    ("lut", "LUT"),
    ("ff", "FF"),
    ("bram", "BRAM18"),
    ("cost_source", "source"),
    ("max_latency", "--max-latency"),
    ("mean_auc_fixed", "mean fixed-point AUC"),
    ("worst_auc_change", "worst \\|AUC change\\|"),
]


def _designs_section(inputs: ReportInputs, designs: pd.DataFrame) -> list[str]:
    """One row per HLS design made on the report's jets, each with its own cost and fixed-point AUCs."""
    mine = designs[designs["dataset_fingerprint"] == inputs.fingerprint]
    if mine.empty:
        return ["## HLS designs", "", "No `emit-hls` design made on these jets was found.", ""]
    lines = [
        "## HLS designs",
        "",
        "Every `emit-hls` design (one IP each) made on these jets, with its own latency and resources "
        f"({source_word(mine)}: {_source_details(mine)}). Fixed-point AUCs are one-vs-rest on the test split, "
        "averaged over the design's outputs; the AUC change is the largest |fixed-point - float| over them.",
        "",
        "| " + " | ".join(t for _, t in _DESIGN_TABLE) + " |",
        "|" + "---|" * len(_DESIGN_TABLE),
    ]
    for _, row in mine.iterrows():
        lines.append("| " + " | ".join(_design_cell(row, c) for c, _ in _DESIGN_TABLE) + " |")
    others = len(designs) - len(mine)
    if others:
        lines += ["", f"{others} design(s) in the folder were made on other jets and are not shown."]
    return [*lines, ""]


def _design_cell(row: pd.Series, column: str) -> str:
    if column == "max_latency":
        value = row.get(column)
        return "–" if pd.isna(value) else f"{int(float(value))} cycles"
    if column == "worst_auc_change":
        return _md_cell(_float(row.get(column)), 5)
    if column == "mean_auc_fixed":
        return _md_cell(_float(row.get(column)), 4)
    return _best_cell(row, column)


def _shared_design(group: pd.DataFrame) -> str | None:
    """The design name when all of the set's expressions are outputs of one HLS design, else None."""
    if "design" not in group or len(group) < 2 or group["design"].isna().any():
        return None
    names = set(group["design"].astype(str))
    return names.pop() if len(names) == 1 else None


_DESIGN_UNITS = (
    ("latency_ns", "ns"),
    ("latency_cycles", "cycles"),
    ("dsp", "DSP"),
    ("lut", "LUT"),
    ("ff", "FF"),
    ("bram", "BRAM"),
)


def _design_line(row: pd.Series, design: str, n_outputs: int) -> str:
    cost = ", ".join(f"{_best_cell(row, c)} {unit}" for c, unit in _DESIGN_UNITS if c in row)
    source = row.get("cost_source")
    how = f"**{_source(source)[0]}** ({_source(source)[1]})" if isinstance(source, str) else "source unknown"
    return f"HLS design `{design}`, one IP with {n_outputs} outputs: {cost}; {how}."


def _best_cell(row: pd.Series, column: str) -> str:
    value = row.get(column)
    if column == "expression":
        return f"`{_md_cell(display_expression(str(value)))}`"
    if column == "precision" and isinstance(value, str):
        return f"`{value}`"
    if column == "cost_source" and isinstance(value, str):
        return _source(value)[0]
    if column in ("complexity", "latency_cycles", "dsp", "lut", "ff", "bram") and not pd.isna(value):
        return str(int(float(value)))
    if column == "latency_ns" and not pd.isna(value):
        return f"{float(value):.1f}"
    if column == "rejection50":
        return _rejection_cell(value)
    return _md_cell(value if column != "auc_fixed" else _float(value), 4 if "auc" in column else 3)


def display_expression(text: str, digits: int = DISPLAY_DIGITS) -> str:
    """The leaderboard's expression with constants rounded for reading (the CSV keeps them in full)."""
    from symtrig import expr as ex

    return ex.to_text(ex.parse_expression(text), names="features", digits=digits)


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


# ------------------------------------------------------------------------------------------- the report


def load_evaluation(inputs: ReportInputs, data: str | None = None, data_home: str | Path | None = None):
    """The jets and teacher of the run, checked to be the ones the leaderboard was scored on."""
    from symtrig.data import load_jet_data
    from symtrig.teacher import load_teacher

    settings = inputs.run["settings"]
    source = data or settings["data"]
    jets = load_jet_data(source, seed=int(settings["seed"]), data_home=data_home or settings.get("data_home"))
    if jets.fingerprint != inputs.fingerprint:
        raise SymtrigError(
            f"data {source} has fingerprint {jets.fingerprint}, but the leaderboard was scored on "
            f"{inputs.fingerprint} ({inputs.dataset_label}); pass --data with the jets `fit` used"
        )
    folder = inputs.leaderboard_path.parent / TEACHER_DIR
    teacher = load_teacher(folder if folder.is_dir() else inputs.run.get("teacher", folder))
    return jets, teacher


def make_report(
    leaderboard_path: str | Path,
    out: str | Path | None = None,
    *,
    data: str | None = None,
    data_home: str | Path | None = None,
    hdl_out: str | Path | None = None,
) -> ReportResult:
    """``symtrig report``: write the AUC-vs-cost and ROC figures and ``summary.md`` into ``out``.

    ``out`` defaults to ``report/`` next to the leaderboard; ``data`` overrides the jets recorded in
    ``run.json`` (e.g. the file moved) and must have the same fingerprint. ``hdl_out`` is the folder of
    ``emit-hls`` projects whose designs (made on the same jets) the summary lists one by one.
    """
    inputs = load_inputs(leaderboard_path)
    designs = read_designs(hdl_out) if hdl_out is not None and Path(hdl_out).is_dir() else None
    folder = Path(out) if out is not None else inputs.leaderboard_path.parent / REPORT_DIR
    best = best_expressions(inputs.frame)
    jets, teacher = load_evaluation(inputs, data, data_home)  # before writing: a mismatch leaves no files
    columns = auc_plot_columns(inputs)
    files = [plot_auc_vs(inputs, c, folder / AUC_PLOTS[c]) for c in columns]
    files.append(plot_roc(inputs, roc_curves(inputs, best, jets, teacher), folder / ROC_PLOT))
    summary = summary_markdown(inputs, best, figure_captions(inputs), designs)
    files.append(atomic.write_text(folder / SUMMARY_FILE, summary))
    return ReportResult(folder, files, inputs.dataset_label, inputs.has_hardware)


def auc_plot_columns(inputs: ReportInputs) -> list[str]:
    """The x axes of the AUC plots: complexity always, latency/DSP/LUT where ``emit-hls`` filled them."""
    return ["complexity", *(c for c in HARDWARE_AXES if not _plot_points(inputs.frame, c).empty)]


def figure_captions(inputs: ReportInputs) -> dict[str, str]:
    """File name -> caption of every figure, in the order the summary shows them."""
    captions = {}
    for column in auc_plot_columns(inputs):
        if column == "complexity":
            axis = "expression complexity"
        else:
            axis = f"{HARDWARE_AXES[column]} ({source_word(_plot_points(inputs.frame, column))})"
        captions[AUC_PLOTS[column]] = (
            f"Test AUC vs {axis} per family on {inputs.dataset_label}: Pareto fronts as step lines, the "
            "teacher's AUC dashed; one panel per class."
        )
    captions[ROC_PLOT] = (
        f"ROC curves on {inputs.dataset_label} (test split): signal efficiency vs background mistag rate "
        "(log scale) for the teacher and each family's best expression; one panel per class."
    )
    return captions


__all__ = [
    "ReportInputs",
    "ReportResult",
    "RocCurve",
    "auc_plot_columns",
    "best_expressions",
    "display_expression",
    "figure_captions",
    "load_evaluation",
    "load_inputs",
    "make_report",
    "pareto_front",
    "plot_auc_vs",
    "plot_roc",
    "roc_curves",
    "source_word",
    "summary_markdown",
]
