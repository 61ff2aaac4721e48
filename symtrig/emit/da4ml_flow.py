"""The da4ml flow: every node its own fixed-point type, exact tables, pipelined RTL measured by Yosys.

lower (:mod:`symtrig.lower.ranges` rewrites, :mod:`symtrig.lower.program` DAG with shared subexpressions,
:mod:`symtrig.lower.node_types` the type space) → tune (:mod:`symtrig.tune.node_types` per-node precision by
the tolerance rule, on symtrig's bit-exact model) → backend
(:mod:`symtrig.backends.da4ml`: trace, write Verilog/VHDL/HLS) → verify (symtrig's own model
:mod:`symtrig.verify.program_model` on the whole test split, checked bit for bit against da4ml's interpreter)
→ cost (:mod:`symtrig.cost.schedule` places the registers in ns, the fewest balanced stages the clock allows;
one Yosys synthesis of the written design gives the counts (:mod:`symtrig.cost.yosys`) and every stage's
modelled delay (:mod:`symtrig.cost.timing`) — a model, no place and route).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import sympy as sp

from symtrig.emit.config import EmitConfig
from symtrig.emit.flows import Build, Candidate, Jets, Outcome
from symtrig.emit.selection import DesignSpec
from symtrig.errors import SymtrigError
from symtrig.lower.ranges import range_rewritten
from symtrig.store.costs import CostReport

if TYPE_CHECKING:
    from symtrig.backends.da4ml.project import Flavor

#: Seconds the per-node precision search may spend after its uniform scan (a 5-output design needs 5-20 s).
SEARCH_SECONDS = 60.0
#: The share of the clock period a stage may not use (da4ml's own ``RTLModel(clock_uncertainty=0.1)``).
CLOCK_UNCERTAINTY = 0.1
#: Seconds the per-node precision search may spend on one candidate costed alone (front, budgets).
BUDGET_SEARCH_SECONDS = 5.0


#: What the da4ml backend writes: Verilog (default), VHDL, or HLS C++ (da4ml's Vitis flavour).
FLAVORS: tuple[str, ...] = ("verilog", "vhdl", "hls")
#: Lattice families ``--place-and-route`` places and routes the Verilog on (Yosys + nextpnr, ``pnr`` extra).
PNR_FAMILIES: tuple[str, ...] = ("nexus", "ecp5")


class Da4mlFlow:
    name = "da4ml"
    own_settings: frozenset[str] = frozenset({"flavor", "place_and_route"})
    options: type | None = None
    folder_suffix: str = "_da4ml"

    def check(self, config: EmitConfig) -> None:
        """The flavor, the place-and-route family and the part (it needs an RTL timing model) are known."""
        from symtrig.cost.targets import target_of

        if config.flavor not in FLAVORS:
            raise SymtrigError(f"unknown flavor {config.flavor!r}; choose from {', '.join(FLAVORS)}")
        if config.place_and_route is not None and (
            config.flavor != "verilog" or config.place_and_route not in PNR_FAMILIES
        ):
            raise SymtrigError(
                f"--place-and-route takes {' or '.join(PNR_FAMILIES)} and applies to --backend da4ml with "
                "--flavor verilog"
            )
        target_of(config.part)  # a part without an RTL timing model fails before any design is built

    def build(
        self, spec: DesignSpec, jets: Jets, folder: Path, config: EmitConfig, warn: Callable[[str], None]
    ) -> Build:
        from symtrig.backends.da4ml import trace_program, write_project
        from symtrig.cost.op_timing import op_timing
        from symtrig.cost.targets import target_of
        from symtrig.cost.timing import da4ml_synthesizer, time_pipeline

        program, types = _lowered(spec.exprs, jets, config.max_auc_drop, SEARCH_SECONDS)
        if not types.complete:
            warn(f"{spec.name}: the per-node precision search hit its {SEARCH_SECONDS:g} s budget")
        logic = trace_program(program, types)
        target = target_of(config.part)  # the part's family: its synthesis, operation timing and delays
        synthesizer = da4ml_synthesizer("symtrig_ip", model=target.model, family=target.family)
        pipeline = time_pipeline(
            logic, config.clock, synthesizer, model=target.model, timing=op_timing(target.family)
        )
        project = write_project(
            logic,
            folder,
            name=config.top_name(folder.name),
            flavor=cast("Flavor", config.flavor),  # check() made sure it is one of FLAVORS
            pipeline=pipeline.schedule.pipeline,
            clock_ns=config.clock,
            part=config.part,
        )
        y_test, wrap, clip = _verified_outputs(program, types, logic, jets.standardize(jets.X_test))
        cost = _cost(pipeline, config)
        if config.place_and_route:
            cost = _with_routed_timing(cost, project, config)
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

    def candidate(self, exprs: Sequence[sp.Expr], jets: Jets, config: EmitConfig) -> Candidate:
        """``exprs`` as one design: stages by the ns schedule, resources by :mod:`symtrig.cost.resources`, and
        each output's test AUC from symtrig's bit-exact model (no synthesis: every figure a model)."""
        from symtrig.backends.da4ml import trace_program
        from symtrig.cost.op_timing import op_timing
        from symtrig.cost.resources import RESOURCE_MODELS, design_resources
        from symtrig.cost.schedule import schedule
        from symtrig.cost.targets import target_of
        from symtrig.verify.program_model import run_program

        target = target_of(config.part)
        program, types = _lowered(tuple(exprs), jets, config.max_auc_drop, BUDGET_SEARCH_SECONDS)
        logic = trace_program(program, types)
        planned = schedule(
            logic, config.clock * (1 - CLOCK_UNCERTAINTY), op_timing(target.family), target.model
        )
        resources = design_resources(logic, list(planned.pipeline.solutions), RESOURCE_MODELS[target.family])
        y_test = run_program(program, types, jets.standardize(jets.X_test)).y
        cost = CostReport(
            latency_cycles=planned.stages,
            latency_ns=planned.stages * config.clock,
            interval=1,
            dsp=resources.dsp,
            lut=resources.lut,
            ff=resources.ff,
            bram=0,
            source="model",
            extra={
                "critical_path_ns": planned.critical_path_ns,
                "max_stage_delay_ns": max(planned.stage_delays_ns),
                "delay_model": target.model.label,
                "resource_model": resources.model.calibration,
                "precision_met": types.met,
            },
        )
        return Candidate(cost, jets.test_aucs(y_test))

    def prepare_budget(self, spec: DesignSpec, jets: Jets, config: EmitConfig) -> None:
        """Nothing to prepare: every candidate is scheduled in ns on its own."""


def _lowered(exprs, jets: Jets, max_auc_drop: float, seconds: float):
    """Range-reduced expressions → program with calibrated ranges → per-node types by the tolerance rule."""
    from symtrig.lower.program import build_program
    from symtrig.tune.node_types import choose_node_types
    from symtrig.verify.program_model import ModelState

    X_calib = jets.standardize(jets.X_calib)
    reduced = [range_rewritten(e, X_calib) for e in exprs]
    program = build_program(reduced, X_calib)
    types = choose_node_types(
        program,
        X_calib,
        jets.labels_calib,
        model=ModelState,
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
            "critical_path_ns": pipeline.critical_path_ns,
            "stage_lower_bound": pipeline.lower_bound,
            "estimated_stage_delays_ns": list(pipeline.estimated_stage_delays_ns),
            "schedule_cut_ns": pipeline.schedule.cut_ns,
            "estimated_critical_path_ns": pipeline.schedule.critical_path_ns,
            "syntheses": pipeline.syntheses,
            "synthesis_seconds": pipeline.synthesis_seconds,
            "delay_model": pipeline.model.label,
            "synthesis": report.note,
            "yosys": report.yosys_version,
            "note": pipeline.note,
        },
    )


def _with_routed_timing(cost: CostReport, project, config: EmitConfig) -> CostReport:
    """The cost with post-route figures of the written Verilog on a Lattice part beside the model's."""
    from symtrig.cost.nextpnr import place_and_route

    assert config.place_and_route is not None
    routed = place_and_route(
        project.folder / "src", project.top, family=config.place_and_route, clock_ns=config.clock
    )
    figures = {
        "source": routed.source,
        "family": routed.family,
        "device": routed.device,
        "fmax_mhz": routed.fmax_mhz,
        "fmax_by_seed": list(routed.fmax_by_seed),
        "stage_delays_ns": list(routed.stage_delays_ns),
        "meets_clock": routed.meets_clock,
        "lut": routed.lut,
        "ff": routed.ff,
        "nextpnr": routed.nextpnr_version,
    }
    return replace(cost, extra={**cost.extra, "place_and_route": figures})


def _details(program, types, project, pipeline) -> dict[str, Any]:
    low, high = types.fraction_range
    return {
        "nodes": len(program.nodes),
        "tables": program.count("table"),
        "table_units": dict(  # how many tables each function unit computes (symtrig.lower.units)
            sorted(
                Counter(
                    t.unit for n, t in zip(program.nodes, types.nodes, strict=True) if n.kind == "table"
                ).items()
            )
        ),
        "products": program.count("mul"),
        "fraction_bits": [low, high],
        "search_seconds": round(types.seconds, 1),
        "search_complete": types.complete,
        "flavor": project.flavor,
        "top": project.top,
        "pipeline_stages": pipeline.stages,
        "stage_lower_bound": pipeline.lower_bound,
        "critical_path_ns": pipeline.critical_path_ns,
        "schedule_tries": [
            {"stages": n, "estimated_worst_ns": e, "measured_worst_ns": m} for n, e, m in pipeline.tries
        ],
    }


def _readme(project, pipeline) -> str:
    flavor = {"verilog": "Verilog", "vhdl": "VHDL", "hls": "Vitis HLS C++"}[project.flavor]
    return (
        f"da4ml design, written as {flavor} (`src/`), top `{project.top}`; every node has its own fixed-point "
        f"type, constants are shift-and-add networks, tables are exact over their quantized inputs.\n\n"
        f"Pipeline: {pipeline.stages} stage(s), registers placed by delay in ns (one-stage critical path "
        f"{pipeline.critical_path_ns:.2f} ns, so at least {pipeline.lower_bound} stage(s) at "
        f"{pipeline.budget_ns} ns per stage); the slowest stage is modelled at {pipeline.max_delay_ns:.2f} ns "
        f"({pipeline.model.label}; no place and route).\n\n"
        f"{_build_notes(project)} Resources above are Yosys post-synthesis cell counts for {project.part}.\n"
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
