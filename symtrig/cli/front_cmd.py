"""``symtrig front``: every leaderboard expression costed in hardware (``front.csv`` beside the designs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from symtrig.backends import DEFAULT_PART
from symtrig.cli.options import QuietOption, Speaker, VerboseOption
from symtrig.cli.root import app
from symtrig.store import paths


@app.command("front")
def front(
    leaderboard: Annotated[
        Path, typer.Option("--leaderboard", help="Leaderboard CSV written by fit.")
    ] = paths.DEFAULT_LEADERBOARD,
    backend: Annotated[
        str,
        typer.Option(
            "--backend", help="Whose cost model: da4ml (schedule in ns, modelled LUT) or hls4ml (estimate)."
        ),
    ] = "da4ml",
    family: Annotated[str | None, typer.Option("--family", help="Only this operator family.")] = None,
    cmax: Annotated[
        int | None, typer.Option("--cmax", help="Only expressions fitted with this c_max.")
    ] = None,
    part: Annotated[str, typer.Option("--part", help="FPGA part (as for emit-hls).")] = DEFAULT_PART,
    clock: Annotated[float, typer.Option("--clock", help="Clock period in ns.")] = 5.0,
    max_auc_drop: Annotated[
        float, typer.Option("--max-auc-drop", help="da4ml: the tolerance each expression is typed by.")
    ] = 0.001,
    out: Annotated[Path, typer.Option("--out", help="Folder of the designs; front.csv goes there.")] = Path(
        paths.DESIGNS_DIR
    ),
    jobs: Annotated[
        int, typer.Option("--jobs", help="Worker processes sharing the expressions (as fit's --jobs).")
    ] = 1,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Cost every leaderboard expression as a one-output design: latency (cycles, ns), LUT, FF, DSP, fixed AUC."""
    from symtrig.emit import EmitConfig
    from symtrig.emit.front import run_front
    from symtrig.report.front import SUMMARY_BUDGETS_NS, best_within, with_shown_auc

    config = EmitConfig(
        leaderboard=str(leaderboard),
        family=family,
        cmax=cmax,
        backend=backend,
        part=part,
        clock=clock,
        max_auc_drop=max_auc_drop,
        out=str(out),
    )
    speaker = Speaker(quiet, verbose)
    rows, path = run_front(config, progress=speaker.step, jobs=jobs)
    source = rows["cost_source"].iloc[0]
    typer.echo(f"dataset: {rows['dataset'].iloc[0]}; {len(rows)} expressions costed ({source}, {backend})")
    best = best_within(with_shown_auc(rows))
    for budget in SUMMARY_BUDGETS_NS:
        chosen = best[best["budget_ns"] == budget] if len(best) else best
        summary = ", ".join(f"{r['class']} {r['auc_ratio']:.3f}" for _, r in chosen.iterrows())
        typer.echo(
            f"  within {budget:g} ns: best validation-AUC expression's test AUC / teacher: {summary or 'none'}"
        )
    typer.echo(f"front: {path}")
