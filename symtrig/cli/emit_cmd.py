"""``symtrig emit-hls``: turn leaderboard expressions into fixed-point hls4ml projects with cost figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from symtrig.backends import DEFAULT_PART
from symtrig.cli.options import Flavor, QuietOption, Speaker, VerboseOption
from symtrig.cli.root import app
from symtrig.emit.hls4ml_flow import AUTO_LUT_SIZES
from symtrig.store import paths


@app.command("emit-hls")
def emit_hls(
    leaderboard: Annotated[
        Path, typer.Option("--leaderboard", help="Leaderboard CSV written by fit.")
    ] = paths.DEFAULT_LEADERBOARD,
    select: Annotated[
        str,
        typer.Option(
            "--select",
            help="best (one IP per family and c_max, an output per class), pareto, or ID,ID,...",
            autocompletion=lambda incomplete: [c for c in ("best", "pareto") if c.startswith(incomplete)],
        ),
    ] = "best",
    family: Annotated[str | None, typer.Option("--family", help="Only this operator family.")] = None,
    cmax: Annotated[
        int | None, typer.Option("--cmax", help="Only expressions fitted with this c_max.")
    ] = None,
    backend: Annotated[
        str,
        typer.Option(
            "--backend",
            help="hls4ml (HLS C++, one ap_fixed type, default), da4ml (pipelined RTL, a type per node), or a "
            "registered backend.",
        ),
    ] = "hls4ml",
    backend_option: Annotated[
        list[str] | None,
        typer.Option(
            "--backend-option", help="KEY=VALUE: an option of the chosen backend's own (repeatable)."
        ),
    ] = None,
    flavor: Annotated[
        Flavor, typer.Option("--flavor", help="da4ml output: verilog (default), vhdl or hls (C++).")
    ] = Flavor.verilog,
    precision: Annotated[str, typer.Option("--precision", help="ap_fixed<W,I> or auto (hls4ml).")] = "auto",
    max_auc_drop: Annotated[
        float, typer.Option("--max-auc-drop", help="auto precision: allowed AUC loss per class.")
    ] = 0.001,
    lut_size: Annotated[
        str,
        typer.Option(
            "--lut-size",
            help=f"Entries of every lookup table, or auto ({AUTO_LUT_SIZES[0]}, doubled up to "
            f"{AUTO_LUT_SIZES[-1]} while auto precision cannot keep the AUC within tolerance).",
        ),
    ] = "auto",
    max_latency: Annotated[
        int | None,
        typer.Option(
            "--max-latency",
            help="With --select best: per class, the best expression whose estimated latency fits this many "
            "clock cycles (each candidate costed as a one-output IP, as `symtrig front` costs it).",
        ),
    ] = None,
    max_latency_ns: Annotated[
        float | None,
        typer.Option(
            "--max-latency-ns",
            help="With --select best: per class, the best expression whose latency (cycles x --clock) fits "
            "this many ns; a built design that measures over it is chosen again and rebuilt.",
        ),
    ] = None,
    max_lut: Annotated[
        int | None,
        typer.Option(
            "--max-lut",
            help="With --select best: per class, the best expression whose one-output design fits this many LUTs.",
        ),
    ] = None,
    part: Annotated[
        str,
        typer.Option(
            "--part",
            help="FPGA part. da4ml: an UltraScale+, Lattice LIFCL-... or LFE5U-... part; it picks the synthesis, "
            "operation timing and delay model.",
        ),
    ] = DEFAULT_PART,
    clock: Annotated[float, typer.Option("--clock", help="Clock period in ns.")] = 5.0,
    synth: Annotated[
        bool, typer.Option("--synth", help="Run C synthesis (needs vivado_hls or vitis_hls).")
    ] = False,
    place_and_route: Annotated[
        str | None,
        typer.Option(
            "--place-and-route",
            help="da4ml: also place and route the Verilog on a Lattice part (nexus or ecp5; Yosys + nextpnr, "
            "the pnr extra) and record routed Fmax and stage delays (source: nextpnr post-route).",
        ),
    ] = None,
    project_name: Annotated[
        str | None,
        typer.Option(
            "--project-name",
            help="IP top function/module and file names: NAME with --select ID,...; NAME_<design> with "
            "best or pareto (which may make several IPs), so no two collide. Default: each design's name "
            "(as an identifier).",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Exit 1 when a design misses the AUC tolerance (it is still written and marked)."
        ),
    ] = False,
    out: Annotated[Path, typer.Option("--out", help="Folder of the HLS projects.")] = Path(paths.DESIGNS_DIR),
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Lower expressions to quantized HLS, emulate them bit-exactly and attach latency/resources."""
    from symtrig.emit import EmitConfig, emit
    from symtrig.emit.config import parse_lut_size
    from symtrig.emit.registry import parse_backend_options

    config = EmitConfig(
        leaderboard=str(leaderboard),
        select=select,
        family=family,
        cmax=cmax,
        backend=backend,
        backend_options=parse_backend_options(backend_option or []),
        flavor=flavor.value,
        precision=precision,
        max_auc_drop=max_auc_drop,
        lut_size=parse_lut_size(lut_size),
        max_latency=max_latency,
        max_latency_ns=max_latency_ns,
        max_lut=max_lut,
        part=part,
        clock=clock,
        synth=synth,
        place_and_route=place_and_route,
        strict=strict,
        project_name=project_name,
        out=str(out),
    )
    speaker = Speaker(quiet, verbose)
    result = emit(config, warn=speaker.warn, progress=speaker.step)
    typer.echo(f"dataset: {result.dataset_label}")
    for design in result.designs:
        cost = design.cost
        aucs = ", ".join(f"{o.class_name} {o.auc_fixed:.3f}" for o in design.outputs)
        typer.echo(
            f"  {design.design}: {design.precision}, fixed-point AUC {aucs}; {cost.latency_cycles} cycle(s) "
            f"({cost.latency_ns:g} ns), DSP {cost.dsp}, LUT {cost.lut}, FF {cost.ff}, BRAM18 {cost.bram} "
            f"({cost.source})"
        )
    typer.echo(f"designs: {out}/, every design there: {result.designs_table}")
