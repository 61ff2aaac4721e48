"""``symtrig emit-hls``: leaderboard expressions → fixed-point hls4ml projects with AUC, latency and resources.

The stage reads the leaderboard (never trusting its text: every expression goes through the whitelist parser
and must stay within its family), reproduces the exact data split of the fit from ``run.json``, lowers the
selected expressions (:mod:`symtrig.hls.lower`; with ``--max-latency`` the selection is the best expression per
class that fits the budget, :mod:`symtrig.hls.budget`), chooses the precision and table size
(:mod:`symtrig.hls.precision`), writes one hls4ml project per design
(:mod:`symtrig.hls.project`), emulates the fixed-point design bit-exactly on the whole test split
(:mod:`symtrig.hls.emulate`) and attaches a latency/resource figure: a synthesis report when one exists (or
``--synth`` runs Vivado/Vitis HLS), otherwise the calibrated estimate (:mod:`symtrig.hls.cost`). The
leaderboard gains the HLS columns; each project folder gets ``design.json`` and a README, and ``designs.csv``
in the output folder lists every design there, one row per IP.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from symtrig import atomic, leaderboard
from symtrig import expr as ex
from symtrig.data import CLASSES, JetData, load_jet_data
from symtrig.errors import SymtrigError
from symtrig.hls.designs import write_designs_table
from symtrig.metrics import one_vs_rest_auc
from symtrig.provenance import utc_now, versions

#: ``--lut-size auto``: tables start at 1024 entries (one BRAM18 at <= 18 bits) and double while no precision
#: keeps the AUC within tolerance, or while more than :data:`~symtrig.hls.precision.MAX_CALIBRATION_CLIP_RATE`
#: of the calibration jets clamp to a wrong table edge. A sin over a 64-wide argument span has a step of 1/16
#: at 1024 entries, an error no fraction bit can repair; a log|u| table's first entry serves every |u| below
#: one step, where log still falls. 32768 entries (the largest power of two hls4ml's 16-bit table index
#: holds) cost about 44 BRAM18 per table at 22 bits.
AUTO_LUT_SIZES = (1024, 2048, 4096, 8192, 16384, 32768)

#: Test-bench rows written to ``tb_data/`` (a Vivado C-simulation reads them all; keep it quick).
TB_ROWS = 1000
#: emit-hls warns when a design clamps a LUT argument to a table edge that misses the function by more than one
#: LSB on more than this fraction of test jets (any wrap-around is warned about).
CLIP_WARN_RATE = 0.001


@dataclass(frozen=True)
class EmitConfig:
    """Everything ``symtrig emit-hls`` was asked to do; recorded in each design's ``design.json``."""

    leaderboard: str = "expressions/leaderboard.csv"
    select: str = "best"
    family: str | None = None
    cmax: int | None = None
    precision: str = "auto"
    max_auc_drop: float = 0.001
    lut_size: int | None = None  # entries per table; None: auto (see AUTO_LUT_SIZES)
    max_latency: int | None = None  # cycles; with select 'best': best expression per class that fits
    part: str = "xcvu9p-flga2577-2-e"
    clock: float = 5.0
    synth: bool = False
    strict: bool = False  # a design that misses the tolerance fails the command (exit 1) instead of a warning
    out: str = "hdl_out"


def parse_lut_size(text: str) -> int | None:
    """``--lut-size``: ``auto`` (None) or a whole number of entries; anything else is a user error."""
    if text.strip().lower() == "auto":
        return None
    try:
        return int(text)
    except ValueError:
        raise SymtrigError(f"--lut-size must be auto or a whole number of entries, got {text!r}") from None


@dataclass(frozen=True)
class Design:
    """One IP: its folder name and the leaderboard rows that become its outputs, in output order."""

    name: str
    rows: pd.DataFrame


def emit_hls(config: EmitConfig, warn=print) -> dict[str, Any]:
    """Run the stage; returns the updated leaderboard and a summary per design."""
    if not 0 < config.clock <= 100:
        raise SymtrigError(f"--clock must be in (0, 100] ns, got {config.clock}")
    if config.lut_size is not None and not 2 <= config.lut_size <= 65535:
        raise SymtrigError(f"--lut-size must be auto or between 2 and 65535, got {config.lut_size}")
    if config.max_latency is not None and (config.max_latency < 0 or config.select != "best"):
        raise SymtrigError("--max-latency takes a number of cycles >= 0 and works with --select best")
    board_path = Path(config.leaderboard)
    frame = leaderboard.read(board_path)
    designs = select_designs(frame, config)
    exprs = {row.expr_id: _parse_row(row, board_path.name) for d in designs for row in d.rows.itertuples()}
    data = _fit_data(board_path, frame)
    summaries, columns = [], []
    for design in designs:
        if config.max_latency is None:
            summary, rows = emit_design(
                design, [exprs[i] for i in design.rows["expr_id"]], data, config, warn
            )
        else:
            summary, rows = _emit_within_budget(design, frame, data, config, board_path.name, warn)
        summaries.append(summary)
        columns.extend(rows)
        for line in _warnings(summary):
            warn(line)
    updated = _merge_columns(frame, pd.DataFrame(columns))
    leaderboard.write(updated, board_path)
    write_designs_table(config.out)
    if config.strict:
        _require_tolerance(summaries)
    return {"designs": summaries, "frame": updated, "data": data}


def _require_tolerance(summaries: list[dict[str, Any]]) -> None:
    """``--strict``: the first design that misses its AUC tolerance ends the command with exit code 1."""
    from symtrig.errors import ToleranceError

    for summary in summaries:
        tolerance = summary["tolerance"]
        if not tolerance["meets"]:
            raise ToleranceError(
                f"{summary['design']}: class {tolerance['failing_class']} changes AUC by "
                f"{tolerance['failing_auc_change']:.4f} on the test split, over --max-auc-drop "
                f"{tolerance['max_auc_drop']} (the design is written and marked meets_tolerance=false)"
            )


def select_designs(frame: pd.DataFrame, config: EmitConfig) -> list[Design]:
    """Which expressions become which IP: the best set per family and c_max, each Pareto row, or given IDs."""
    rows = frame
    if config.family:
        rows = rows[rows["family"] == config.family]
    if config.cmax is not None:
        rows = rows[rows["cmax"] == config.cmax]
    if config.select == "best":
        return _best_designs(rows)
    if config.select == "pareto":
        chosen = rows[rows["pareto"].astype(str).str.lower() == "true"] if "pareto" in rows else rows.iloc[:0]
        return [Design(str(chosen.at[i, "expr_id"]), chosen.loc[[i]]) for i in chosen.index]
    ids = [part.strip() for part in config.select.split(",") if part.strip()]
    unknown = [i for i in ids if i not in set(frame["expr_id"])]
    if unknown:
        raise SymtrigError(f"unknown expression ID(s) {', '.join(unknown[:3])} in {config.leaderboard}")
    picked = frame.set_index("expr_id").loc[ids].reset_index()
    return [Design("selection", picked)]


def _best_designs(rows: pd.DataFrame) -> list[Design]:
    """Per family and c_max: the best expression of each class (the ``best`` flag of fit, else the top AUC),
    as one 5-output IP in the fixed order g, q, t, w, z."""
    designs = []
    for (family, cmax), group in rows.groupby(["family", "cmax"], sort=True):
        flagged = (
            group[group["best"].astype(str).str.lower() == "true"] if "best" in group else group.iloc[:0]
        )
        source = flagged if len(flagged) else group
        best = source.loc[source.groupby("class")["auc"].idxmax()]
        if set(best["class"]) != set(CLASSES):
            continue
        best = best.set_index("class").loc[list(CLASSES)].reset_index()
        designs.append(Design(f"{family}_c{int(cmax)}", best))
    if not designs:
        raise SymtrigError(
            "no family/c_max in the leaderboard has an expression for all five classes; "
            "use --select ID,... or --select pareto"
        )
    return designs


def _emit_within_budget(
    design: Design, frame: pd.DataFrame, data: JetData, config: EmitConfig, board: str, warn=print
) -> tuple[dict, list[dict]]:
    """The family's IP rebuilt from the best expression per class whose estimate fits ``--max-latency``.

    The whole IP then gets its own auto precision and estimate; when that misses the budget (a wider final
    precision than the candidates were costed at), :func:`_warnings` says so. A second selection at the
    final width was tried and rejected: on the sample it picked weaker expressions and still missed.
    """
    from symtrig.hls.budget import within_budget

    family, cmax = design.rows["family"].iloc[0], design.rows["cmax"].iloc[0]
    candidates = frame[(frame["family"] == family) & (frame["cmax"] == cmax)]
    rows = within_budget(
        candidates,
        int(config.max_latency),
        data,
        lambda row: _parse_row(row, board),
        lut_size=config.lut_size or AUTO_LUT_SIZES[0],
        clock=config.clock,
    )
    chosen = Design(f"{design.name}_max{config.max_latency}cyc", rows)
    return emit_design(chosen, [_parse_row(row, board) for row in rows.itertuples()], data, config, warn)


def _parse_row(row: Any, board: str):
    """The row's expression through the whitelist parser, restricted to its family's operators."""
    from symtrig.families import get_family

    try:
        return ex.parse_expression(str(row.expression), allowed=get_family(str(row.family)))
    except SymtrigError as exc:
        raise SymtrigError(f"{board}: {row.expr_id}: {exc}") from exc


def _fit_data(board_path: Path, frame: pd.DataFrame) -> JetData:
    """The exact split the expressions were fitted on, from the fit's ``run.json`` next to the leaderboard."""
    run_path = board_path.parent / "run.json"
    try:
        run = json.loads(run_path.read_text())
        source, seed = run["settings"]["data"], int(run["settings"]["seed"])
        home = run["settings"].get("data_home")
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise SymtrigError(
            f"{run_path}: missing or unreadable; emit-hls needs the run.json of the fit"
        ) from exc
    data = load_jet_data(source, seed=seed, data_home=home)
    wanted = set(frame.get("dataset_fingerprint", pd.Series([data.fingerprint])).dropna())
    if wanted and wanted != {data.fingerprint}:
        raise SymtrigError(
            f"{board_path.name} was fitted on {sorted(wanted)}, but {source} is {data.fingerprint}"
        )
    return data


def emit_design(
    design: Design, exprs: list, data: JetData, config: EmitConfig, warn=print
) -> tuple[dict, list[dict]]:
    """Lower, choose the precision, write the project, emulate on test, cost it; return summary and columns."""
    from symtrig.hls.project import emulator_for, write_project

    classes = [CLASSES.index(c) for c in design.rows["class"]]
    lowered, choice = _lower_and_quantize(exprs, data, classes, config, warn)
    precision = str(choice.precision)
    folder = Path(config.out) / design.name
    X_tb = lowered.ip_inputs(data.X_test[:TB_ROWS])
    write_project(
        lowered, folder, precision=precision, part=config.part, clock_period=config.clock, X_tb=X_tb
    )
    result = emulator_for(lowered, precision).run(lowered.ip_inputs(data.X_test))
    cost = _cost(folder, config)
    columns = []
    for k, row in enumerate(design.rows.itertuples()):
        auc_fixed = one_vs_rest_auc(data.y_test, result.y[:, k], classes[k])
        columns.append(
            {
                "expr_id": row.expr_id,
                "precision": precision,
                "auc_fixed": auc_fixed,
                "auc_fixed_drop": float(row.auc) - auc_fixed,
                "auc_change_calibration": float(choice.changes[k]),
                "overflow_rate": float(result.overflow_rate[k]),
                "lut_clip_rate": float(result.lut_clip_rate[k]),
                **_cost_columns(cost),
                "design": design.name,
            }
        )
    summary = _describe(design, lowered, choice, cost, columns, data, config)
    atomic.write_json(folder / "design.json", summary)
    atomic.write_text(folder / "README.md", _readme(summary))
    return summary, columns


def _lower_and_quantize(exprs: list, data: JetData, classes: list[int], config: EmitConfig, warn=print):
    """Lower the expressions and pick ``ap_fixed<W,I>``; with ``--lut-size auto`` also the table size.

    Explicit precision: the given type, tables of ``--lut-size`` (auto: 1024) entries, measured by the same
    rule. ``auto`` precision: the narrowest width within tolerance at the smallest table size of
    :data:`AUTO_LUT_SIZES` (or the given one) where any width is; if none is, the closest design found, with a
    warning. Returns the lowered design and its :class:`~symtrig.hls.precision.PrecisionChoice`.
    """
    from symtrig.hls.fixed import FixedType
    from symtrig.hls.lower import lower
    from symtrig.hls.precision import MAX_CALIBRATION_CLIP_RATE, assess_precision

    X_calib, labels = calibration_jets(data, classes)

    def lowered_with(size: int):
        return lower(exprs, mean=data.mean_, scale=data.scale_, X_calib_raw=X_calib, lut_size=size)

    if config.precision != "auto":
        lowered = lowered_with(config.lut_size or AUTO_LUT_SIZES[0])
        fixed = FixedType.parse(config.precision)
        return lowered, assess_precision(
            lowered, fixed, X_calib, labels, max_auc_drop=config.max_auc_drop, slice_size=len(data.y_test)
        )
    sizes = AUTO_LUT_SIZES if config.lut_size is None else (config.lut_size,)
    closest = None
    for size in sizes:
        lowered = lowered_with(size)
        choice = _auto_precision(lowered, data, classes, config)
        if choice.met:
            return lowered, choice
        shortfall = choice.shortfall(config.max_auc_drop)
        if closest is None or shortfall < closest[1].shortfall(config.max_auc_drop):
            closest = (lowered, choice)
        if not lowered.luts:
            break
    lowered, choice = closest
    tables = f" with {lowered.luts[0].table_size}-entry tables" if lowered.luts else ""
    warn(
        f"warning: no ap_fixed up to 32 bits (tables up to {max(sizes)} entries) keeps the AUC within "
        f"{config.max_auc_drop} of float and table clamps below {MAX_CALIBRATION_CLIP_RATE:.2%}; using "
        f"{choice.precision}{tables} (worst AUC change {choice.drop:.4f} on train+validation jets and their "
        f"test-sized slices, wrong-edge clamps on {choice.clip_rate:.2%} of them)"
    )
    return lowered, choice


def output_labels(y: np.ndarray, classes: list[int]) -> np.ndarray:
    """Labels as output indices: a jet of ``classes[k]`` gets ``k``, any other jet ``-1`` (background).

    Precision and AUC code scores output column ``k`` against label ``k``.
    """
    remap = np.full(len(CLASSES), -1)
    remap[classes] = np.arange(len(classes))
    return remap[np.asarray(y)]


def calibration_jets(data: JetData, classes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Training + validation jets (raw features) and their :func:`output_labels`: what auto precision sees."""
    X = np.vstack([data.X_train, data.X_val])
    return X, output_labels(np.concatenate([data.y_train, data.y_val]), classes)


def _auto_precision(lowered, data: JetData, classes: list[int], config: EmitConfig):
    """Chosen on the training and validation jets (never the test split, whose fixed-point AUC is what the
    leaderboard reports): within half the tolerance on all of them and on every slice as large as the test
    split, so the choice holds on a new test-sized set of jets (see :mod:`symtrig.hls.precision`)."""
    from symtrig.hls.precision import choose_precision

    X, labels = calibration_jets(data, classes)
    return choose_precision(lowered, X, labels, max_auc_drop=config.max_auc_drop, slice_size=len(data.y_test))


def _cost(folder: Path, config: EmitConfig):
    """Synthesis figures when asked for (or already there), else the calibrated analytical estimate."""
    from symtrig.hls.cost import estimate_project
    from symtrig.hls.report_parse import read_synthesis_report, synthesize

    if config.synth:
        return synthesize(folder)
    return read_synthesis_report(folder) or estimate_project(folder)


def _cost_columns(cost) -> dict[str, Any]:
    return {
        "latency_cycles": cost.latency_cycles,
        "latency_ns": cost.latency_ns,
        "dsp": cost.dsp,
        "lut": cost.lut,
        "ff": cost.ff,
        "bram": cost.bram,
        "cost_source": cost.source,
    }


def _describe(
    design: Design, lowered, choice, cost, columns: list[dict], data: JetData, config: EmitConfig
) -> dict[str, Any]:
    outputs = [
        {
            "index": k,
            "class": row["class"],
            "expr_id": row["expr_id"],
            "family": row["family"],
            "expression": row["expression"],
            "lowered_expression": ex.to_text(lowered.reduced[k], names="features"),
            "hls_expression": str(lowered.exprs[k]),
            "auc_float": float(row["auc"]),
            **{c: columns[k][c] for c in ("auc_fixed", "overflow_rate", "lut_clip_rate")},
            "auc_change": abs(columns[k]["auc_fixed"] - float(row["auc"])),
            "auc_change_calibration": columns[k]["auc_change_calibration"],
        }
        for k, (_, row) in enumerate(design.rows.iterrows())
    ]
    return {
        "design": design.name,
        "outputs": outputs,
        "inputs": "standardized features z = (x - mean) / scale, in x0..x15 = FEATURES order"
        if not lowered.fold_standardization
        else "raw features in x0..x15 = FEATURES order",
        "standardization": {"mean": lowered.mean, "scale": lowered.scale},
        "precision": str(choice.precision),
        "integer_bits_set_by": choice.widest.describe() if choice.widest else None,
        "tolerance": _tolerance(outputs, choice, config.max_auc_drop),
        "luts": [asdict(spec) for spec in lowered.luts],
        "cost": {**asdict(cost), "clock_ns": config.clock, "part": config.part},
        "dataset": data.describe(),
        "settings": asdict(config),
        "versions": versions(),
        "created": utc_now(),
    }


def _tolerance(outputs: list[dict], choice, max_auc_drop: float) -> dict[str, Any]:
    """Whether the design keeps every class within ``max_auc_drop`` of float, by the calibration rule that chose
    its precision (:mod:`symtrig.hls.precision`) and on the test split; else the class that misses it most.

    A class misses when its test |AUC change| exceeds the tolerance, or when the calibration rule's AUC part
    failed and the class has the largest calibration change. ``failing_auc_change`` is that class's test
    change. Table clamps beyond the calibration limit are recorded apart (``calibration_clip_rate``): they are
    wrong values on some jets, not necessarily a changed AUC.
    """
    largest = max(o["auc_change_calibration"] for o in outputs)
    auc_rule_met = choice.score <= max_auc_drop
    misses = [
        o
        for o in outputs
        if o["auc_change"] > max_auc_drop or (not auc_rule_met and o["auc_change_calibration"] >= largest)
    ]
    worst = max(misses, key=lambda o: (o["auc_change"], o["auc_change_calibration"]), default=None)
    return {
        "max_auc_drop": max_auc_drop,
        "calibration_rule_met": bool(choice.met),
        "calibration_clip_rate": choice.clip_rate,
        "meets": worst is None,
        "failing_class": None if worst is None else worst["class"],
        "failing_auc_change": None if worst is None else worst["auc_change"],
    }


def _readme(summary: dict[str, Any]) -> str:
    cost = summary["cost"]
    kind = (
        "estimate (analytical model, no Vivado run)"
        if cost["source"] == "estimate"
        else f"{cost['source']} report"
    )
    lines = [
        f"# {summary['design']}: hls4ml symbolic-expression IP made by symtrig",
        "",
        f"Inputs: {summary['inputs']}. Precision: `{summary['precision']}` for inputs, constants, LUTs and outputs.",
        f"Dataset of every figure: {summary['dataset']['label']} (fingerprint {summary['dataset']['fingerprint']}).",
        "",
        "| output | class | AUC float | AUC fixed | overflow rate | LUT clip rate | expression (standardized inputs) |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in summary["outputs"]:
        lines.append(
            f"| y[{o['index']}] | {o['class']} | {o['auc_float']:.4f} | {o['auc_fixed']:.4f} | "
            f"{o['overflow_rate']:.4f} | {o['lut_clip_rate']:.4f} | `{o['expression']}` |"
        )
    lines += [
        "",
        f"Latency {cost['latency_cycles']} cycles = {cost['latency_ns']:g} ns at {cost['clock_ns']} ns, "
        f"DSP {cost['dsp']}, LUT {cost['lut']}, FF {cost['ff']}, BRAM18 {cost['bram']} on {cost['part']}: {kind}.",
        "",
        'Build with Vivado HLS: `vivado_hls -f build_prj.tcl "reset=1 synth=1 csim=0 cosim=0 validation=0 '
        'export=0 vsynth=0"`; `tb_data/` holds test-split rows and the bit-exact expected outputs.',
        "",
    ]
    return "\n".join(lines)


def _warnings(summary: dict[str, Any]) -> list[str]:
    """One line per thing an engineer must know before shipping the design: a missed tolerance, a latency
    over budget, any wrap-around and table clamps beyond :data:`CLIP_WARN_RATE` of the test jets."""
    name, tolerance = summary["design"], summary["tolerance"]
    lines = []
    if not tolerance["meets"]:
        lines.append(
            f"warning: {name} misses the AUC tolerance {tolerance['max_auc_drop']}: class "
            f"{tolerance['failing_class']} changes by {tolerance['failing_auc_change']:.4f} on the test split"
        )
    budget, cycles = summary["settings"].get("max_latency"), summary["cost"]["latency_cycles"]
    if budget is not None and cycles > budget:
        lines.append(
            f"warning: {name}: the whole IP needs {cycles} cycles (estimate), over --max-latency "
            f"{budget}: its final precision or shared subexpressions differ from the one-output estimates"
        )
    for o in summary["outputs"]:
        where = f"warning: {name} y[{o['index']}] ({o['class']})"
        if o["overflow_rate"] > 0:
            lines.append(f"{where}: fixed-point wrap-around on {o['overflow_rate']:.2%} of test jets")
        if o["lut_clip_rate"] > CLIP_WARN_RATE:
            lines.append(
                f"{where}: LUT argument clamped to a wrong table edge on {o['lut_clip_rate']:.2%} of test jets"
            )
    return lines


def _merge_columns(frame: pd.DataFrame, columns: pd.DataFrame) -> pd.DataFrame:
    """Replace the HLS columns of the emitted rows; other rows keep what an earlier emit gave them."""
    frame = frame.copy()
    for column in leaderboard.HLS_COLUMNS:
        if column not in frame:
            frame[column] = pd.Series([None] * len(frame), dtype=object)
    frame[list(leaderboard.HLS_COLUMNS)] = frame[list(leaderboard.HLS_COLUMNS)].astype(object)
    if len(columns):
        index = frame.reset_index().set_index("expr_id")["index"]
        for record in columns.to_dict("records"):
            i = index[record["expr_id"]]
            for column in leaderboard.HLS_COLUMNS:
                frame.at[i, column] = record[column]
    return frame
