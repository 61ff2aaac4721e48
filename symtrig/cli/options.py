"""Command-line options shared by several commands, defined once so every command spells them the same.

Choices are enumerations (``--help`` lists them and the shell completes them); comma lists (``--families
poly,trig``) complete each item. ``--quiet``/``--verbose`` exist on every command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from symtrig.data import CLASSES
from symtrig.families import FAMILIES
from symtrig.targets import TARGETS


class Engine(str, Enum):
    operon = "operon"
    pysr = "pysr"


Target = Enum("Target", {name.replace("-", "_"): name for name in TARGETS}, type=str)  # type: ignore[misc]


class Flavor(str, Enum):
    verilog = "verilog"
    vhdl = "vhdl"
    hls = "hls"


def _complete_list(choices: tuple[str, ...]) -> Callable[[str], Iterator[str]]:
    """Shell completion for a comma list: the text so far plus each choice not in it yet."""

    def complete(incomplete: str) -> Iterator[str]:
        *done, current = incomplete.split(",")
        for choice in choices:
            if choice.startswith(current) and choice not in done:
                yield ",".join([*done, choice])

    return complete


FamiliesOption = Annotated[
    str,
    typer.Option(
        "--families",
        help=f"Comma list of {', '.join(FAMILIES)}.",
        autocompletion=_complete_list(tuple(FAMILIES)),
    ),
]
ClassesOption = Annotated[
    str,
    typer.Option(
        "--classes",
        help=f"Comma list of the classes to distil (jets: {', '.join(CLASSES)}); default: every class.",
        autocompletion=_complete_list(CLASSES),
    ),
]
#: ``--families`` default: every family.
ALL_FAMILIES = ",".join(FAMILIES)
DataOption = Annotated[
    str,
    typer.Option(
        "--data",
        help="'sample' (bundled simulated jets), 'openml' (id 42468) or a .parquet/.csv/.feather/.root file.",
    ),
]
DataHomeOption = Annotated[
    Path | None,
    typer.Option("--data-home", help="Cache folder for the OpenML download (scikit-learn data_home)."),
]
FeaturesOption = Annotated[
    str,
    typer.Option(
        "--features",
        help="A table of one's own: comma list of its feature columns (default: every column but the label).",
    ),
]
LabelOption = Annotated[
    str | None,
    typer.Option(
        "--label", help="A table of one's own: its label column (default 'class'; 'none' for no labels)."
    ),
]
TreeOption = Annotated[
    str | None, typer.Option("--tree", help="The TTree or RNTuple of a .root file (when it holds several).")
]
TeacherOption = Annotated[
    str | None, typer.Option("--teacher", help="Teacher folder, .skops or .onnx file (default: train one).")
]
TeacherOutputsOption = Annotated[
    str,
    typer.Option(
        "--teacher-outputs",
        help="Names of an ONNX teacher's output columns, in order (classes match by name).",
    ),
]
SeedOption = Annotated[
    int, typer.Option("--seed", min=0, help="Seed of the split and of every random choice.")
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print only results and errors: no progress, no notes.")
]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Print details of every step.")]


def names(text: str) -> tuple[str, ...]:
    """A comma list as a tuple of its non-empty items."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


class Speaker:
    """Where a command's side output goes: notes and progress on stderr, unless ``--quiet``.

    Progress bars are drawn only when stderr is a terminal (``progress`` is None then: tqdm decides), so a log
    file gets no bar frames; ``--quiet`` turns them off, ``--verbose`` adds details.
    """

    def __init__(self, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet, self.verbose = quiet, verbose and not quiet

    @property
    def progress(self) -> bool | None:
        """For ``tqdm(disable=...)``-style switches: False when quiet, else None (only on a terminal)."""
        return False if self.quiet else None

    def note(self, line: str) -> None:
        if not self.quiet:
            typer.echo(line, err=True)

    def step(self, line: str) -> None:
        """A progress line (one per design, say): on a terminal, or in any log with ``--verbose``."""
        if self.verbose or (not self.quiet and sys.stderr.isatty()):
            typer.echo(line, err=True)

    def detail(self, line: str) -> None:
        if self.verbose:
            typer.echo(line, err=True)

    def warn(self, line: str) -> None:
        """Warnings are never silenced: a result that misses its tolerance must not pass unnoticed. Shown as
        :func:`symtrig.cli.warnings_on_stderr` shows a :class:`~symtrig.errors.SymtrigWarning`."""
        typer.echo(f"warning: {line}", err=True)
