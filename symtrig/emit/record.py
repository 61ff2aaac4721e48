"""From a built design to its record: fixed-point AUCs on the test split, the tolerance verdict, the README.

Every figure here is measured on the whole test split with the flow's bit-exact model; the tolerance verdict
combines it with the calibration rule that chose the precision, so a design that misses is marked (and warned
about, or fails the command with ``--strict``), never shipped silently.
"""

from __future__ import annotations

from dataclasses import asdict

from symtrig import expr as ex
from symtrig.data import Dataset
from symtrig.emit.config import EmitConfig
from symtrig.emit.flows import Build, Jets
from symtrig.emit.selection import DesignSpec
from symtrig.select import Budget
from symtrig.store.designs import DesignOutput, DesignRecord, Tolerance

#: emit-hls warns when a design clamps a table argument to an edge that misses the function by more than one
#: LSB on more than this fraction of test jets (any wrap-around is warned about).
CLIP_WARN_RATE = 0.001


def design_record(
    name: str, spec: DesignSpec, build: Build, jets: Jets, data: Dataset, config: EmitConfig
) -> DesignRecord:
    aucs_fixed = jets.test_aucs(build.y_test)
    outputs = tuple(
        DesignOutput(
            index=k,
            class_name=str(row["class"]),
            expr_id=str(row["expr_id"]),
            family=str(row["family"]),
            expression=str(row["expression"]),
            lowered_expression=ex.to_text(build.lowered[k], names="features"),
            auc_float=float(row["auc"]),
            auc_fixed=aucs_fixed[k],
            auc_change_calibration=float(build.outcome.changes[k]),
            overflow_rate=float(build.overflow_rate[k]),
            lut_clip_rate=float(build.clip_rate[k]),
        )
        for k, (_, row) in enumerate(spec.rows.iterrows())
    )
    return DesignRecord(
        design=name,
        backend=config.backend,
        outputs=outputs,
        precision=build.precision,
        tolerance=tolerance(outputs, build, config.max_auc_drop),
        cost=build.cost,
        clock_ns=config.clock,
        part=config.part,
        inputs=f"standardized features z = (x - mean) / scale of x0..x{len(data.features) - 1} = "
        + ", ".join(data.features),
        mean=tuple(float(v) for v in jets.mean),
        scale=tuple(float(v) for v in jets.scale),
        dataset=data.describe(),
        settings=asdict(config),
        integer_bits_set_by=build.outcome.widest,
        details=build.details,
    )


def tolerance(outputs: tuple[DesignOutput, ...], build: Build, max_auc_drop: float) -> Tolerance:
    """Whether every class stays within ``max_auc_drop`` of float, by the calibration rule that chose the
    precision and on the test split; else the class that misses it most.

    A class misses when its test |AUC change| exceeds the tolerance, or when the calibration rule's AUC part
    failed and the class has the largest calibration change; ``failing_auc_change`` is that class's test
    change. Table clamps beyond the calibration limit are recorded apart (``calibration_clip_rate``): they are
    wrong values on some jets, not necessarily a changed AUC.
    """
    largest = max(o.auc_change_calibration for o in outputs)
    auc_rule_met = build.outcome.score <= max_auc_drop
    misses = [
        o
        for o in outputs
        if o.auc_change > max_auc_drop or (not auc_rule_met and o.auc_change_calibration >= largest)
    ]
    worst = max(misses, key=lambda o: (o.auc_change, o.auc_change_calibration), default=None)
    return Tolerance(
        max_auc_drop=max_auc_drop,
        calibration_rule_met=bool(build.outcome.met),
        calibration_clip_rate=float(build.outcome.clip_rate),
        meets=worst is None,
        failing_class=None if worst is None else worst.class_name,
        failing_auc_change=None if worst is None else worst.auc_change,
    )


def warnings_of(record: DesignRecord) -> list[str]:
    """One line per thing an engineer must know before shipping the design: a missed tolerance, a latency
    over budget, any wrap-around and table clamps beyond :data:`CLIP_WARN_RATE` of the test jets."""
    name, tol, cost = record.design, record.tolerance, record.cost
    lines = []
    if not tol.meets:
        lines.append(
            f"{name} misses the AUC tolerance {tol.max_auc_drop}: class {tol.failing_class} changes "
            f"by {tol.failing_auc_change:.4f} on the test split"
        )
    budget = Budget(
        record.settings.get("max_latency"),
        record.settings.get("max_latency_ns"),
        record.settings.get("max_lut"),
    )
    if budget and not budget.fits(cost):
        lines.append(
            f"{name}: the whole IP needs {cost.latency_cycles} cycles ({cost.latency_ns:g} ns) and "
            f"{cost.lut} LUT ({cost.source}), over {budget.describe()}: its final precision, shared "
            "subexpressions or synthesized netlist differ from the costed figures"
        )
    for o in record.outputs:
        where = f"{name} y[{o.index}] ({o.class_name})"
        if o.overflow_rate > 0:
            lines.append(f"{where}: fixed-point wrap-around on {o.overflow_rate:.2%} of test jets")
        if o.lut_clip_rate > CLIP_WARN_RATE:
            lines.append(
                f"{where}: table argument clamped to a wrong edge on {o.lut_clip_rate:.2%} of test jets"
            )
    return lines


def readme(record: DesignRecord, backend_notes: str) -> str:
    """The design folder's README: what the IP computes, how well, at what cost (and its source), how to build."""
    from symtrig.store.costs import COST_SOURCES

    cost = record.cost
    kind = COST_SOURCES.get(cost.source, (cost.source, cost.source))[1]
    lines = [
        f"# {record.design}: {record.backend} design made by symtrig",
        "",
        f"Inputs: {record.inputs}. Precision: `{record.precision}`.",
        f"Dataset of every figure: {record.dataset['label']} (fingerprint {record.dataset['fingerprint']}).",
        "",
        "| output | class | AUC float | AUC fixed | wrap-around | wrong-edge clamps | expression (standardized inputs) |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in record.outputs:
        lines.append(
            f"| y[{o.index}] | {o.class_name} | {o.auc_float:.4f} | {o.auc_fixed:.4f} | "
            f"{o.overflow_rate:.4f} | {o.lut_clip_rate:.4f} | `{o.expression}` |"
        )
    verdict = "meets" if record.tolerance.meets else "MISSES"
    lines += [
        "",
        f"{verdict} the tolerance |AUC change| <= {record.tolerance.max_auc_drop} for every class.",
        "",
        f"Latency {cost.latency_cycles} cycles = {cost.latency_ns:g} ns at {record.clock_ns} ns, DSP {cost.dsp}, "
        f"LUT {cost.lut}, FF {cost.ff}, BRAM18 {cost.bram} on {record.part}: {cost.source} ({kind}).",
        f"Every source behind these figures: {'; '.join(cost.sources)}.",
        "",
        backend_notes,
    ]
    return "\n".join(lines)
