"""``symtrig simulate``: make an offline jets file in the OpenML 42468 layout with Pythia 8 and FastJet."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from symtrig.cli.options import QuietOption, VerboseOption
from symtrig.cli.root import app


@app.command("simulate")
def simulate(
    out: Annotated[Path, typer.Option("--out", help="Output file (.parquet).")],
    per_class: Annotated[int, typer.Option("--per-class", help="Jets per class (g, q, t, w, z).")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed; the same seed gives the same file.")] = 0,
    detector: Annotated[
        bool, typer.Option("--detector/--no-detector", help="Emulate the r1_h022_e0175_t220 detector.")
    ] = True,
    jobs: Annotated[int, typer.Option("--jobs", help="Worker processes (does not change the result).")] = 1,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show a progress bar (on a terminal).")
    ] = True,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Simulate jets of the five classes (g, q, t, w, z) and write them as Parquet."""
    # the library is imported here so that `symtrig --help` stays fast and needs no sim extra
    from symtrig.simulate.runner import (
        check_output_path,
        require_sim_extra,
        simulate_jets,
        validate_request,
        write_jets_parquet,
    )

    validate_request(per_class, jobs, seed)
    check_output_path(out)  # fail before minutes of generation, not after
    require_sim_extra()
    shown = progress and not quiet and sys.stderr.isatty()  # no bar frames in a log file
    frame = simulate_jets(per_class, seed, detector=detector, jobs=jobs, progress=shown)
    metadata = {**frame.attrs["symtrig"], "command": "symtrig " + shlex.join(sys.argv[1:])}
    frame.attrs = {}
    write_jets_parquet(frame, out, metadata)
    dropped = sum(metadata["n_nonfinite_dropped"].values())
    typer.echo(
        f"wrote {len(frame)} jets ({per_class} per class) to {out} in {metadata['wall_seconds']:.0f} s; "
        f"{dropped} non-finite jets dropped"
    )
