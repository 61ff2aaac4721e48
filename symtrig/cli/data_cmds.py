"""``symtrig data info``: what a data source holds, before any training."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from symtrig import data as datasets
from symtrig.cli.options import DataHomeOption, DataOption, FeaturesOption, LabelOption, TreeOption, names
from symtrig.cli.root import app
from symtrig.errors import SymtrigError

data_app = typer.Typer(help="Inspect datasets.", no_args_is_help=True)
app.add_typer(data_app, name="data")


@data_app.command("info")
def info(
    data: DataOption = "sample",
    data_home: DataHomeOption = None,
    features: FeaturesOption = "",
    label: LabelOption = None,
    tree: TreeOption = None,
) -> None:
    """Print class counts and feature ranges of a data source."""
    table = datasets.load_table(
        data, data_home=data_home, features=names(features) or None, label=label, tree=tree
    )
    schema = table.schema
    typer.echo(f"dataset: {table.source} ({table.provenance}), fingerprint {table.fingerprint}")
    typer.echo(f"rows: {len(table.y)} ({table.n_dropped} dropped for non-finite features)")
    typer.echo(f"features ({len(schema.features)}): {', '.join(schema.features)}")
    if schema.label is not None:
        counts = {c: int((table.y == i).sum()) for i, c in enumerate(schema.classes)}
        typer.echo(f"label {schema.label!r}, per class: " + ", ".join(f"{c}={n}" for c, n in counts.items()))
    else:
        typer.echo("no label column (a regression on a teacher's score)")
    typer.echo(datasets.summarize(table).to_string(float_format=lambda v: f"{v:.4g}"))


@data_app.command("example")
def example(
    out: Annotated[Path, typer.Option("--out", help="Where to write the table (.parquet or .csv).")],
    rows_per_class: Annotated[
        int, typer.Option("--rows-per-class", min=20, help="Rows of each class.")
    ] = 1500,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed; the same seed gives the same table.")] = 0,
) -> None:
    """Write the worked example's table: 8 toy tau-trigger features, classes electron, qcd and tau."""
    from symtrig import atomic
    from symtrig.data.examples import EXAMPLE_FEATURES, EXAMPLE_LABEL, make_example_table

    table = make_example_table(rows_per_class, seed)
    if out.suffix.lower() not in (".parquet", ".csv"):
        raise SymtrigError(f"{out}: write the example as .parquet or .csv")
    with atomic.atomic_path(out) as tmp:
        if out.suffix.lower() == ".csv":
            table.to_csv(tmp, index=False)
        else:
            table.to_parquet(tmp, index=False)
    typer.echo(f"{out}: {len(table)} rows, features {', '.join(EXAMPLE_FEATURES)}, label {EXAMPLE_LABEL!r}")
