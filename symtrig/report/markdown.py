"""``summary.md``: the report as text, for people who choose a trigger tagger and for the talk they give next.

Every number is read from the leaderboard, the teacher's card, ``run.json`` or a design record; the best
expressions are :func:`symtrig.select.best_rows` (chosen on validation AUC, never on the test AUC shown here).
Expressions are shown twice: as text a reader can paste back into symtrig (constants rounded for reading; the
CSV keeps them in full) and as LaTeX for a slide, both printed from the one parsed and rounded expression so
they cannot disagree. Table cells go through :func:`cell`, which escapes pipes (a ``|`` splits a cell).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import pandas as pd
import sympy

from symtrig import expr as ex
from symtrig.data import FEATURES
from symtrig.report.inputs import DesignSelection, ReportInputs, as_float, cost_source, source_words
from symtrig.report.plots import Figure
from symtrig.report.style import class_title
from symtrig.select import Budget
from symtrig.store import paths
from symtrig.store.designs import DesignRecord, design_row

DISPLAY_DIGITS = 4
#: Background rejection 1/εB at signal efficiency εS = 50 % (``fit``'s ``rejection50`` columns), test split.
REJECTION_TITLE = "1/εB at εS = 50 %"


def cell(value: Any, digits: int = 3) -> str:
    """A Markdown table cell: floats to ``digits`` decimals, missing values as "–", pipes escaped."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value).replace("|", "\\|")


def rejection_cell(value: Any) -> str:
    """Rejection to one decimal; infinite when no background jet passes the cut (say so, not 'inf')."""
    value = as_float(value)
    return "∞ (no background left)" if math.isinf(value) else cell(value, 1)


def rounded_expression(
    text: str, digits: int = DISPLAY_DIGITS, features: Sequence[str] = FEATURES
) -> sympy.Expr:
    """The leaderboard's text through the whitelist parser, constants rounded to ``digits`` significant
    digits."""
    return ex.round_constants(ex.parse_expression(text, features=features), digits)


def display_expression(text: str, digits: int = DISPLAY_DIGITS, features: Sequence[str] = FEATURES) -> str:
    """The expression as parseable text in feature names, constants rounded for reading."""
    return ex.to_text(rounded_expression(text, digits, features), names=tuple(features), digits=digits)


def latex_expression(text: str, digits: int = DISPLAY_DIGITS, features: Sequence[str] = FEATURES) -> str:
    """The same rounded expression as :func:`display_expression`, as LaTeX (for slides and papers)."""
    return ex.to_latex(rounded_expression(text, digits, features), names=tuple(features))


# ------------------------------------------------------------------------------------------------ summary


def summary_markdown(
    inputs: ReportInputs, best: pd.DataFrame, points: pd.DataFrame, figures: Sequence[Figure]
) -> str:
    """The whole ``summary.md``: dataset, teacher, best expressions, designs, figures."""
    lines = [
        f"# symtrig report: {inputs.dataset_label}",
        "",
        *_header(inputs),
        "",
        *_teacher_section(inputs),
        *_best_section(inputs, best, points),
        *_designs_section(inputs),
        "## Figures",
        "",
        "Every figure is also saved as a PDF next to its PNG.",
        "",
    ]
    for figure in figures:
        lines += [f"![{figure.title}]({figure.png})", "", f"*{figure.caption}* ([PDF]({figure.pdf}))", ""]
    return "\n".join(lines)


def _header(inputs: ReportInputs) -> list[str]:
    run, dataset = inputs.run, inputs.run.dataset
    return [
        f"- Dataset: **{inputs.dataset_label}**, fingerprint `{inputs.fingerprint}`, split seed "
        f"{dataset.get('split_seed', run.seed)}, {dataset.get('n_test', '?')} test jets.",
        f"- Leaderboard: `{inputs.leaderboard_path}` ({len(inputs.frame)} expressions), made by "
        f"`symtrig {run.command}` on {run.created or '?'}.",
        f"- Teacher: `{run.teacher}` (id `{run.teacher_id}`).",
        f"- Hardware figures: {_hardware_sentence(inputs)}",
    ]


def _hardware_sentence(inputs: ReportInputs) -> str:
    used = inputs.designs.used
    if not used:
        return (
            "none: no `symtrig emit-hls` design of these expressions was found"
            f"{f' in `{inputs.designs.folder}`' if inputs.designs.folder else ''}, so AUC is shown against "
            "expression complexity only."
        )
    meanings = "; ".join(f"{word}: {meaning}" for word, meaning in _source_meanings(used))
    return f"{len(used)} design(s), from **{source_words([d.cost.source for d in used])}** ({meanings})."


def _source_meanings(records: Sequence[DesignRecord]) -> list[tuple[str, str]]:
    """(label, meaning) of every cost source the designs use, the raw source named when the word differs."""
    out = []
    for source in sorted({r.cost.source for r in records}):
        word, meaning = cost_source(source)
        out.append((word if word == source else f"{word} ({source})", meaning))
    return out


def _teacher_section(inputs: ReportInputs) -> list[str]:
    teacher = inputs.teacher
    lines = ["## Teacher network", "", f"| class | test AUC | {REJECTION_TITLE} |", "|---|---|---|"]
    for name in inputs.run.outputs:
        auc, rejection = teacher.auc.get(name), teacher.rejection50.get(name)
        lines.append(f"| {cell(class_title(name))} | {cell(auc, 4)} | {rejection_cell(rejection)} |")
    accuracy = "–" if teacher.accuracy is None else cell(teacher.accuracy)
    return [*lines, "", f"5-class accuracy (argmax): {accuracy}. AUCs from the {teacher.source}.", ""]


_BEST_COLUMNS = (
    "class",
    "AUC",
    "AUC / teacher",
    REJECTION_TITLE,
    "fidelity R²",
    "validation AUC (chooses)",
    "complexity",
    "expression (standardized features)",
    "designs",
)


def _best_section(inputs: ReportInputs, best: pd.DataFrame, points: pd.DataFrame) -> list[str]:
    lines = [
        "## Best expression per family, c_max and class",
        "",
        "Chosen by `symtrig.select` (the rule every stage uses): per class, within one family and c_max, "
        "the highest validation AUC. AUCs and the background rejection are one-vs-rest on the test split. "
        "Inputs are standardized features, (x - mean) / scale, with mean and scale in "
        f"`{paths.RUN_FILE}`. Constants are shown to {DISPLAY_DIGITS} significant digits; "
        f"`{paths.LEADERBOARD_FILE}` has them in full. "
        "*designs* lists the designs (below) that compute the expression.",
        "",
    ]
    designs_of = points.groupby("expr_id")["design"].apply(list).to_dict() if len(points) else {}
    for (family, cmax), group in best.groupby(["family", "cmax"], sort=True):
        accuracy = group["accuracy_5class"].dropna() if "accuracy_5class" in group else pd.Series(dtype=float)
        acc_text = cell(float(accuracy.iloc[0])) if len(accuracy) else "– (not every class fitted)"
        lines += [
            f"### {family}, c_max {cmax}",
            "",
            f"5-class accuracy (argmax) of this set: {acc_text}.",
            "",
        ]
        lines += ["| " + " | ".join(_BEST_COLUMNS) + " |", "|" + "---|" * len(_BEST_COLUMNS)]
        latex = []
        for row in group.to_dict("records"):
            cells = _best_cells(row, designs_of.get(row["expr_id"], []), inputs.run.schema.features)
            lines.append("| " + " | ".join(cells) + " |")
            formula = latex_expression(str(row["expression"]), features=inputs.run.schema.features)
            latex += [f"$$y_{{{row['class']}}} = {formula}$$", ""]
        lines += ["", "As LaTeX:", "", *latex]
    return lines


def _best_cells(row: Mapping[Hashable, Any], designs: list[str], features: Sequence[str]) -> list[str]:
    return [
        cell(row["class"]),
        cell(as_float(row.get("auc")), 4),
        cell(as_float(row.get("auc_ratio")), 4),
        rejection_cell(row.get("rejection50")),
        cell(as_float(row.get("fidelity_r2")), 3),
        cell(as_float(row.get("auc_val")), 4),
        str(int(row["complexity"])),
        f"`{cell(display_expression(str(row['expression']), features=features))}`",
        ", ".join(f"`{cell(d)}`" for d in designs) or "–",
    ]


_DESIGN_COLUMNS = (
    "design",
    "backend",
    "family",
    "precision",
    "cycles",
    "latency [ns]",
    "DSP",
    "LUT",
    "FF",
    "BRAM18",
    "source",
    "budget",
    "mean fixed-point AUC",
    "worst |AUC change|",
    "meets tolerance",
)


def _designs_section(inputs: ReportInputs) -> list[str]:
    """One row per design made on these jets from this leaderboard, each with its own cost and AUCs."""
    selection = inputs.designs
    lines = ["## Designs", ""]
    if selection.used:
        meanings = "; ".join(f"*{word}*: {meaning}" for word, meaning in _source_meanings(selection.used))
        lines += [
            f"Every design in `{selection.folder}` made on these jets from this leaderboard's expressions, "
            f"with its own latency and resources ({meanings}). Fixed-point AUCs are one-vs-rest on the test "
            "split, averaged over the design's outputs; the AUC change is the largest |fixed-point - float| "
            "of them.",
            "",
            "| " + " | ".join(cell(c) for c in _DESIGN_COLUMNS) + " |",
            "|" + "---|" * len(_DESIGN_COLUMNS),
            *("| " + " | ".join(_design_cells(r)) + " |" for r in selection.used),
            "",
        ]
        misses = [r for r in selection.used if not r.tolerance.meets]
        if misses:
            names = ", ".join(f"`{r.design}`" for r in misses)
            lines += [f"**Warning: {len(misses)} design(s) miss the AUC tolerance: {names}.**", ""]
    else:
        lines += ["No `symtrig emit-hls` design of these expressions made on these jets was found.", ""]
    return lines + _skipped_lines(selection)


def _skipped_lines(selection: DesignSelection) -> list[str]:
    reasons = (
        (selection.other_jets, "were made on other jets"),
        (selection.other_expressions, "compute expressions this leaderboard does not hold"),
    )
    lines = [
        f"- {len(names)} design(s) {why} and are not used: {', '.join(f'`{n}`' for n in names)}."
        for names, why in reasons
        if names
    ]
    for problem in selection.unreadable:
        lines.append(
            f"- `{cell(problem.path.parent.name)}`: its design.json could not be read ({cell(problem.reason)})."
        )
    return [*lines, ""] if lines else []


def _design_cells(record: DesignRecord) -> list[str]:
    row = design_row(record)
    word = cost_source(record.cost.source)[0]
    budget = Budget(
        record.settings.get("max_latency"),
        record.settings.get("max_latency_ns"),
        record.settings.get("max_lut"),
    )
    return [
        f"`{cell(record.design)}`",
        cell(record.backend),
        cell(row["family"]),
        f"`{cell(record.precision)}`",
        str(row["latency_cycles"]),
        f"{float(row['latency_ns']):.1f}",
        str(row["dsp"]),
        str(row["lut"]),
        str(row["ff"]),
        str(row["bram"]),
        word if word == record.cost.source else f"{word} ({record.cost.source})",
        cell(budget.describe()) if budget else "–",
        cell(float(row["mean_auc_fixed"]), 4),
        cell(float(row["worst_auc_change"]), 5),
        _tolerance_cell(record),
    ]


def _tolerance_cell(record: DesignRecord) -> str:
    tol = record.tolerance
    if tol.meets:
        return f"yes (≤ {tol.max_auc_drop:g})"
    change = "?" if tol.failing_auc_change is None else f"{tol.failing_auc_change:.4f}"
    return f"**NO**: class {cell(tol.failing_class)} changes by {change} > {tol.max_auc_drop:g}"
