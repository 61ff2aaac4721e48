"""Command-line options shared by several commands, defined once so every command spells them the same."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DataOption = Annotated[
    str,
    typer.Option(
        "--data",
        help="Jets: 'sample' (bundled, simulated), 'openml' (id 42468) or a .parquet/.csv/.feather path.",
    ),
]
DataHomeOption = Annotated[
    Path | None,
    typer.Option("--data-home", help="Cache folder for the OpenML download (scikit-learn data_home)."),
]
SeedOption = Annotated[
    int, typer.Option("--seed", min=0, help="Seed of the split and of every random choice.")
]
