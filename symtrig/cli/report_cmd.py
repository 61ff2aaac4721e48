"""``symtrig report``: figures and a Markdown summary of a leaderboard and its designs (reads, never fits)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from symtrig.cli.options import DataHomeOption, QuietOption, VerboseOption
from symtrig.cli.root import app
from symtrig.store import paths


@app.command("report")
def report(
    leaderboard: Annotated[
        Path, typer.Option("--leaderboard", help="Leaderboard CSV written by `symtrig fit` / `import-pysr`.")
    ] = paths.DEFAULT_LEADERBOARD,
    out: Annotated[
        Path | None, typer.Option("--out", help="Report folder (default: report/ next to the leaderboard).")
    ] = None,
    data: Annotated[
        str | None,
        typer.Option("--data", help="The jets `fit` used, if run.json's source moved (fingerprint-checked)."),
    ] = None,
    data_home: DataHomeOption = None,
    hdl_out: Annotated[
        Path,
        typer.Option(
            "--hdl-out", help="Folder of `emit-hls` designs; those of these expressions and jets are shown."
        ),
    ] = Path(paths.DESIGNS_DIR),
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """AUC vs complexity, latency, LUT and DSP with Pareto fronts, ROC curves (PNG + PDF), and summary.md."""
    from symtrig.report import make_report

    result = make_report(leaderboard, out, data=data, data_home=data_home, hdl_out=hdl_out)
    hardware = "with" if result.has_hardware else "without (run `symtrig emit-hls` for latency/resources)"
    typer.echo(f"report on {result.dataset_label}, {hardware} hardware figures:")
    for path in result.files:
        typer.echo(f"  {path}")
