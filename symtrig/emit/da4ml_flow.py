"""The da4ml flow: every node its own fixed-point type, exact tables, pipelined RTL measured by Yosys.

lower (:mod:`symtrig.lower.ranges` rewrites, :mod:`symtrig.lower.program` DAG with shared subexpressions,
:mod:`symtrig.lower.node_types` per-node precision by the tolerance rule) → backend
(:mod:`symtrig.backends.da4ml`: trace, write Verilog/VHDL/HLS) → verify (symtrig's own model
:mod:`symtrig.verify.program_model` on the whole test split, checked bit for bit against da4ml's interpreter)
→ cost (:mod:`symtrig.cost.yosys` post-synthesis counts; cycles from :mod:`symtrig.cost.timing`: the fewest
pipeline stages whose modelled stage delay fits the clock — a model, no place and route).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import sympy as sp

from symtrig.cost.report import CostReport
from symtrig.emit.config import EmitConfig
from symtrig.emit.flows import Build, Jets, Outcome
from symtrig.emit.selection import DesignSpec
from symtrig.errors import SymtrigError
from symtrig.lower.ranges import range_rewritten

if TYPE_CHECKING:
    from symtrig.backends.da4ml.project import Flavor

#: The delay model that turns Yosys stage depths into nanoseconds (symtrig.cost.timing documents both).
DELAY_MODEL = "ultrascale_plus"
#: Seconds the per-node precision search may spend after its uniform scan (a 5-output design needs 5-20 s).
SEARCH_SECONDS = 60.0
#: Stage count da4ml's own delay units give per cycle when a candidate is costed for ``--max-latency``.
BUDGET_TIME_SECONDS = 5.0


class Da4mlFlow:
    name = "da4ml"

    def __init__(self) -> None:
        self._budget_cutoff: dict[tuple[str, float], int] = {}

    def build(
        self, spec: DesignSpec, jets: Jets, folder: Path, config: EmitConfig, warn: Callable[[str], None]
    ) -> Build:
        from symtrig.backends.da4ml import trace_program, write_project
        from symtrig.cost.timing import choose_cutoff, da4ml_synthesizer, delay_model

        program, types = _lowered(spec.exprs, jets, config.max_auc_drop, SEARCH_SECONDS)
        if not types.complete:
            warn(f"warning: {spec.name}: the per-node precision search hit its {SEARCH_SECONDS:g} s budget")
        logic = trace_program(program, types)
        model = delay_model(DELAY_MODEL)
        pipeline = choose_cutoff(
            logic, config.clock, da4ml_synthesizer("symtrig_ip", model=model), model=model
        )
        project = write_project(
            logic,
            folder,
            name=config.top_name(folder.name),
            flavor=cast("Flavor", config.flavor),  # EmitConfig.validated() checked it is one of FLAVORS
            latency_cutoff=pipeline.cutoff,
            clock_ns=config.clock,
            part=config.part,
        )
        y_test, wrap, clip = _verified_outputs(program, types, logic, jets.standardize(jets.X_test))
        cost = _cost(pipeline, config)
        low, high = types.fraction_range
        return Build(
            precision=f"per node: {low} to {high} fraction bits",
            outcome=Outcome(types.met, types.score, np.asarray(types.changes), float(max(types.clip_rate))),
            lowered=tuple(program.exprs),
            y_test=y_test,
            overflow_rate=wrap,
            clip_rate=clip,
            cost=cost,
            readme=_readme(project, pipeline),
            details=_details(program, types, project, pipeline),
        )

    def candidate_latency(self, expr: sp.Expr, jets: Jets, config: EmitConfig) -> int:
        """Pipeline stages of ``expr`` alone at the cutoff the clock gets (:func:`prepare_budget`)."""
        from da4ml.trace import to_pipeline

        from symtrig.backends.da4ml import trace_program

        program, types = _lowered((expr,), jets, config.max_auc_drop, BUDGET_TIME_SECONDS)
        cutoff = self._budget_cutoff.get((config.part, config.clock))
        if cutoff is None:
            raise SymtrigError("the da4ml flow must be prepared for --max-latency before costing candidates")
        return len(to_pipeline(trace_program(program, types), cutoff, verbose=False).solutions)

    def prepare_budget(self, spec: DesignSpec, jets: Jets, config: EmitConfig) -> None:
        """The cutoff (da4ml delay units per stage) this clock gets, found once on the family's best design."""
        from symtrig.backends.da4ml import trace_program
        from symtrig.cost.timing import choose_cutoff, da4ml_synthesizer, delay_model

        key = (config.part, config.clock)
        if key not in self._budget_cutoff:
            program, types = _lowered(spec.exprs, jets, config.max_auc_drop, BUDGET_TIME_SECONDS)
            model = delay_model(DELAY_MODEL)
            logic = trace_program(program, types)
            choice = choose_cutoff(
                logic, config.clock, da4ml_synthesizer("symtrig_ip", model=model), model=model
            )
            self._budget_cutoff[key] = choice.cutoff


def _lowered(exprs, jets: Jets, max_auc_drop: float, seconds: float):
    """Range-reduced expressions → program with calibrated ranges → per-node types by the tolerance rule."""
    from symtrig.lower.node_types import choose_node_types
    from symtrig.lower.program import build_program

    X_calib = jets.standardize(jets.X_calib)
    reduced = [range_rewritten(e, X_calib) for e in exprs]
    program = build_program(reduced, X_calib)
    types = choose_node_types(
        program,
        X_calib,
        jets.labels_calib,
        max_auc_drop=max_auc_drop,
        slice_size=jets.slice_size,
        time_budget=seconds,
    )
    return program, types


def _verified_outputs(program, types, logic, X_test: np.ndarray):
    """symtrig's model of the design on the test split, which must equal da4ml's interpreter bit for bit."""
    from symtrig.verify.program_model import run_program
    from symtrig.verify.rtl import interpreter_predict

    run = run_program(program, types, X_test)
    interpreted = interpreter_predict(logic, X_test)
    if not np.array_equal(run.y, interpreted):
        rows = int(np.any(run.y != interpreted, axis=1).sum())
        raise SymtrigError(
            f"symtrig's model and da4ml's interpreter differ on {rows} test rows; please report"
        )
    return run.y, run.wrap_rate, run.clip_rate


def _cost(pipeline, config: EmitConfig) -> CostReport:
    report = pipeline.report
    return CostReport(
        latency_cycles=pipeline.cycles,
        latency_ns=pipeline.cycles * config.clock,
        interval=1,
        dsp=report.dsp,
        lut=report.lut + report.inv,
        ff=report.ff + report.srl,
        bram=report.bram,
        source="yosys",
        extra={
            "lutram": report.lutram,
            "muxf": report.muxf,
            "carry": report.carry,
            "srl": report.srl,
            "stage_delays_ns": list(pipeline.stage_delays_ns),
            "max_stage_delay_ns": pipeline.max_delay_ns,
            "stage_budget_ns": pipeline.budget_ns,
            "fits_clock": pipeline.fits,
            "latency_cutoff": pipeline.cutoff,
            "delay_model": pipeline.model.label,
            "yosys": report.yosys_version,
            "note": pipeline.note,
        },
    )


def _details(program, types, project, pipeline) -> dict[str, Any]:
    low, high = types.fraction_range
    return {
        "nodes": len(program.nodes),
        "tables": program.count("table"),
        "products": program.count("mul"),
        "fraction_bits": [low, high],
        "search_seconds": round(types.seconds, 1),
        "search_complete": types.complete,
        "flavor": project.flavor,
        "top": project.top,
        "pipeline_stages": pipeline.stages,
        "latency_cutoff": pipeline.cutoff,
        "cutoff_trials": [
            {"cutoff": t.cutoff, "stages": t.stages, "max_delay_ns": t.max_delay_ns, "fits": t.fits}
            for t in pipeline.trials
        ],
    }


def _readme(project, pipeline) -> str:
    flavor = {"verilog": "Verilog", "vhdl": "VHDL", "hls": "Vitis HLS C++"}[project.flavor]
    return (
        f"da4ml design, written as {flavor} (`src/`), top `{project.top}`; every node has its own fixed-point "
        f"type, constants are shift-and-add networks, tables are exact over their quantized inputs.\n\n"
        f"Pipeline: {pipeline.stages} stage(s) at latency_cutoff {pipeline.cutoff} (da4ml delay units); the "
        f"slowest stage is modelled at {pipeline.max_delay_ns:.2f} ns against {pipeline.budget_ns} ns "
        f"({pipeline.model.label}; no place and route).\n\n"
        f"{_build_notes(project)} Resources above are Yosys `synth_xilinx -family xcup` cell counts.\n"
    )


def _build_notes(project) -> str:
    """How to build with da4ml's own scripts, which this folder holds as da4ml wrote them."""
    if project.flavor == "hls":
        return (
            "Build with Vitis HLS: `vitis_hls -f build_vitis_prj.tcl` (C synthesis of the out-of-context top "
            f"`{project.top}_fn`, then Vivado implementation through `build_vivado_hls_prj.tcl`)."
        )
    return (
        "Build with Vivado: `vivado -mode batch -source build_vivado_prj.tcl` (synthesis, place and route of "
        f"`src/`, reports in `output_{project.top}/reports/`). Build with Quartus: "
        f"`quartus_sh -t build_quartus_prj.tcl`, after setting `device` in it to an Intel part (it holds "
        f"`{project.part}`)."
    )
