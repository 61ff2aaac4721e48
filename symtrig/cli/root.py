"""The Typer application every ``symtrig`` command registers on, and its root options (``--version``).

It is a module of its own so that the command modules import it, and the package imports them, in one
direction (the package importing its commands while they imported the package was an import cycle).
"""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    name="symtrig",
    help="Distil a jet-tagging network into closed-form expressions and fixed-point HLS for L1 triggers.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from symtrig import __version__

        typer.echo(f"symtrig {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Distil a jet-tagging network into closed-form expressions and fixed-point HLS for L1 triggers."""
