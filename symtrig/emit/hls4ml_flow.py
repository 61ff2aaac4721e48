"""The hls4ml flow: one ``ap_fixed<W,I>`` for every node, uniform lookup tables, hls4ml's symbolic backend.

lower (:mod:`symtrig.lower.tables`, range-reduced forms and calibrated tables) → precision
(:mod:`symtrig.tune.single_type` on the emulator, with the table size when ``--lut-size auto``) → backend
(:mod:`symtrig.backends.hls4ml.project`; top function and file names from
:meth:`~symtrig.emit.config.EmitConfig.top_name`) → verify (:mod:`symtrig.verify.hls4ml_emulator` on the whole
test split) → cost (a synthesis report when one exists or ``--synth`` runs Vitis HLS or else Vivado HLS, else
:mod:`symtrig.cost.hls_estimate`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path

import sympy as sp

from symtrig.emit.config import EmitConfig
from symtrig.emit.flows import Build, Candidate, Jets, Outcome
from symtrig.emit.selection import DesignSpec
from symtrig.lower.fixed import FixedFormat
from symtrig.lower.tables import Lowered, lower
from symtrig.lower.tolerance import MAX_CALIBRATION_CLIP_RATE
from symtrig.store.costs import CostReport
from symtrig.tune.single_type import (
    PrecisionChoice,
    assess_precision,
    choose_precision,
)

#: ``--lut-size auto``: tables start at 1024 entries (one BRAM18 at <= 18 bits) and double while no precision
#: keeps the AUC within tolerance, or while more than :data:`MAX_CALIBRATION_CLIP_RATE` of the calibration
#: jets clamp to a wrong table edge. A sin over a 64-wide argument span has a step of 1/16 at 1024 entries, an
#: error no fraction bit can repair; a log|u| table's first entry serves every |u| below one step, where log
#: still falls (a log reaching 0 is two chained tables, :func:`~symtrig.lower.tables.chained_log`, which reach up
#: to 128x closer to 0 at the same entries). 32768 entries (the largest power of two hls4ml's 16-bit table
#: index holds) cost about 44 BRAM18 per table at 22 bits.
AUTO_LUT_SIZES = (1024, 2048, 4096, 8192, 16384, 32768)
#: Test-bench rows written to ``tb_data/`` (a Vivado C-simulation reads them all; keep it quick).
TB_ROWS = 1000


class Hls4mlFlow:
    name = "hls4ml"
    own_settings: frozenset[str] = frozenset({"precision", "lut_size", "synth"})
    options: type | None = None
    folder_suffix: str = ""  # the first backend: its designs keep the plain names

    def check(self, config: EmitConfig) -> None:
        """Nothing beyond the common checks: any part and clock go into the project."""

    def build(
        self, spec: DesignSpec, jets: Jets, folder: Path, config: EmitConfig, warn: Callable[[str], None]
    ) -> Build:
        from symtrig.backends.hls4ml import check_hls4ml_version
        from symtrig.backends.hls4ml.project import write_project
        from symtrig.verify.hls4ml_emulator import emulator_for

        check_hls4ml_version()
        lowered, choice = choose(list(spec.exprs), jets, config, warn)
        precision = str(choice.precision)
        assert choice.changes is not None  # set by every precision search (assess_ and choose_precision)
        top = config.top_name(folder.name)
        X_tb = lowered.ip_inputs(jets.X_test[:TB_ROWS])
        emulator = emulator_for(lowered, choice.precision)
        write_project(
            lowered,
            folder,
            precision=precision,
            part=config.part,
            clock_period=config.clock,
            project_name=top,
            X_tb=X_tb,
            y_tb=emulator(X_tb),  # the test bench expects the bit-exact model's outputs
        )
        result = emulator.run(lowered.ip_inputs(jets.X_test))
        cost = _cost(folder, top, config)
        return Build(
            precision=precision,
            outcome=Outcome(
                choice.met,
                choice.score,
                choice.changes,
                choice.clip_rate,
                choice.widest.describe() if choice.widest else None,
            ),
            lowered=tuple(lowered.reduced),
            y_test=result.y,
            overflow_rate=result.overflow_rate,
            clip_rate=result.lut_clip_rate,
            cost=cost,
            readme=_readme(precision, top),
            details={"top": top, "luts": [asdict(spec) for spec in lowered.luts]},
        )

    def prepare_budget(self, spec: DesignSpec, jets: Jets, config: EmitConfig) -> None:
        """Nothing: each candidate is costed on its own, at the precision it would be built at alone."""

    def candidate(self, exprs: Sequence[sp.Expr], jets: Jets, config: EmitConfig) -> Candidate:
        """``exprs`` as one IP at the precision and table size :func:`choose` gives them (what ``emit-hls``
        builds them at when they are the whole design), estimated, with each output's test AUC from the
        bit-exact emulator at that precision.

        A design of several classes shares one type: it is built at least as wide as its widest class needs,
        so a class costed alone can come out narrower than inside the design (the front's rows are summed as
        an estimate of the whole IP; ``benchmarks/bench_front.py`` measures how close that is).
        """
        from symtrig.backends.hls4ml.project import write_project
        from symtrig.cost.hls_estimate import estimate_project
        from symtrig.verify.hls4ml_emulator import emulator_for

        lowered, choice = choose(list(exprs), jets, config, warn=lambda _: None)
        with tempfile.TemporaryDirectory(prefix="symtrig-candidate-") as scratch:
            write_project(
                lowered,
                Path(scratch) / "candidate",
                precision=str(choice.precision),
                clock_period=config.clock,
            )
            estimate = estimate_project(Path(scratch) / "candidate")
        extra = {**estimate.extra, "precision": str(choice.precision), "precision_met": choice.met}
        cost = replace(estimate, extra=extra)
        y_test = emulator_for(lowered, choice.precision).run(lowered.ip_inputs(jets.X_test)).y
        return Candidate(cost, jets.test_aucs(y_test))


def choose(
    exprs: list[sp.Expr], jets: Jets, config: EmitConfig, warn: Callable[[str], None]
) -> tuple[Lowered, PrecisionChoice]:
    """Lower the expressions and pick ``ap_fixed<W,I>``; with ``--lut-size auto`` also the table size.

    Explicit precision: the given type, tables of ``--lut-size`` (auto: 1024) entries, measured by the same
    rule. ``auto``: the narrowest width that meets the rule at the smallest table size of
    :data:`AUTO_LUT_SIZES` (or the given one) where any width does; if none does, the closest design, with a
    warning. Every candidate is measured on the bit-exact emulator of the project hls4ml would write.
    """
    from symtrig.verify.hls4ml_emulator import emulator_for

    def lowered_with(size: int, max_fraction: int | None = None) -> Lowered:
        return lower(
            exprs,
            mean=jets.mean,
            scale=jets.scale,
            X_calib_raw=jets.X_calib,
            lut_size=size,
            max_fraction=max_fraction,
        )

    drop, slices = config.max_auc_drop, jets.slice_size
    if config.precision != "auto":
        fixed = FixedFormat.parse(config.precision)
        lowered = lowered_with(config.lut_size or AUTO_LUT_SIZES[0], fixed.fraction)
        choice = assess_precision(
            lowered,
            fixed,
            jets.X_calib,
            jets.labels_calib,
            model=emulator_for,
            max_auc_drop=drop,
            slice_size=slices,
        )
        return lowered, choice
    sizes = AUTO_LUT_SIZES if config.lut_size is None else (config.lut_size,)
    closest: tuple[Lowered, PrecisionChoice] | None = None
    for size in sizes:
        lowered = lowered_with(size)
        choice = choose_precision(
            lowered, jets.X_calib, jets.labels_calib, model=emulator_for, max_auc_drop=drop, slice_size=slices
        )
        if choice.met:
            return lowered, choice
        shortfall = choice.shortfall(config.max_auc_drop)
        if closest is None or shortfall < closest[1].shortfall(config.max_auc_drop):
            closest = (lowered, choice)
        if not lowered.luts:
            break
    assert closest is not None
    lowered, choice = closest
    tables = f" with {lowered.luts[0].table_size}-entry tables" if lowered.luts else ""
    warn(
        f"no ap_fixed up to 32 bits (tables up to {max(sizes)} entries) keeps the AUC within "
        f"{config.max_auc_drop} of float and table clamps below {MAX_CALIBRATION_CLIP_RATE:.2%}; using "
        f"{choice.precision}{tables} (worst AUC change {choice.drop:.4f} on train+validation jets and their "
        f"test-sized slices, wrong-edge clamps on {choice.clip_rate:.2%} of them)"
    )
    return lowered, choice


def _cost(folder: Path, top: str, config: EmitConfig) -> CostReport:
    """Synthesis figures when asked for (or already there), else the calibrated analytical estimate."""
    from symtrig.cost.hls_estimate import estimate_project
    from symtrig.cost.hls_reports import read_synthesis_report, synthesize

    if config.synth:
        return synthesize(folder)
    return read_synthesis_report(folder) or estimate_project(folder, project_name=top)


def _readme(precision: str, top: str) -> str:
    options = '"reset=1 csim=0 synth=1 cosim=0 validation=0 export=0 vsynth=0"'
    return (
        f"hls4ml symbolic-expression IP: one type `{precision}` for inputs, constants, tables and outputs. "
        f"Top function `{top}` (`firmware/{top}.cpp`); name, part and clock are set in `project.tcl`.\n\n"
        "Build in this folder (C synthesis only with the options shown; without options both scripts also "
        "run C simulation, cosimulation and their comparison on `tb_data/`: test-split rows and the "
        f"bit-exact expected outputs; `export=1` packages the IP). Either tool writes `{top}_prj/solution1/`.\n\n"
        f"- Vitis HLS: `vitis_hls -f build_vitis.tcl {options}` (Vitis 2024.2 and later: "
        "`vitis-run --mode hls --tcl build_vitis.tcl`, as hls4ml runs Vitis).\n"
        f"- Vivado HLS: `vivado_hls -f build_prj.tcl {options}` (hls4ml's script).\n"
    )
