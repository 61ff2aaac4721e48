"""``symtrig data info``: what a jets source holds, before any training."""

from __future__ import annotations

import typer

from symtrig import data as jets
from symtrig.cli import app
from symtrig.cli.options import DataHomeOption, DataOption

data_app = typer.Typer(help="Inspect jet datasets.", no_args_is_help=True)
app.add_typer(data_app, name="data")


@data_app.command("info")
def info(data: DataOption = "sample", data_home: DataHomeOption = None) -> None:
    """Print class counts and feature ranges of a jets source."""
    table = jets.load_jet_table(data, data_home=data_home)
    counts = {c: int((table.y == i).sum()) for i, c in enumerate(jets.CLASSES)}
    typer.echo(f"dataset: {table.source} ({table.provenance}), fingerprint {table.fingerprint}")
    typer.echo(f"jets: {len(table.y)} ({table.n_dropped} dropped for non-finite features)")
    typer.echo("per class: " + ", ".join(f"{c}={n}" for c, n in counts.items()))
    typer.echo(jets.summarize(table).to_string(float_format=lambda v: f"{v:.4g}"))
