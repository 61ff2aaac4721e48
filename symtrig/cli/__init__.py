"""The ``symtrig`` command line: a thin Typer layer over the library.

Each stage's commands live in their own module and register themselves on :data:`app`. This module only
turns :class:`~symtrig.errors.SymtrigError` (a user mistake) into one line on stderr and exit code 2.
"""

from __future__ import annotations

import sys
from typing import Annotated, Protocol, cast

import typer

from symtrig.errors import SymtrigError

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


# Command modules register on `app` when imported, in pipeline order (the order `symtrig --help` lists).
from symtrig.cli import data_cmds, simulate_cmd, teacher_cmd, fit_cmd, emit_cmd, front_cmd, report_cmd  # noqa: E402,F401,I001


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    try:
        result = app(args=argv, prog_name="symtrig", standalone_mode=False)
    except SymtrigError as exc:
        typer.echo(f"symtrig: error: {exc}", err=True)
        return exc.exit_code
    except typer.Abort:
        typer.echo("symtrig: aborted", err=True)
        return 130
    except KeyboardInterrupt:
        typer.echo("symtrig: interrupted; finished work is kept, rerun the same command to resume", err=True)
        return 130
    except _click_usage_errors() as exc:  # bad flags or values: click's own one-line message
        typer.echo(f"symtrig: error: {cast(_ClickError, exc).format_message()}", err=True)
        return 2
    return result if isinstance(result, int) else 0


class _ClickError(Protocol):
    """What the CLI uses of Click's exception: the vendored and the standalone class both have it."""

    def format_message(self) -> str: ...


def _click_usage_errors() -> tuple[type[Exception], ...]:
    """Click's own user-error type: recent Typer vendors Click, older Typer uses the click package."""
    try:
        from typer._click.exceptions import ClickException as VendoredClickException
    except ImportError:  # pragma: no cover - depends on the installed Typer
        from click.exceptions import ClickException

        return (ClickException,)
    return (VendoredClickException,)


def run() -> None:  # pragma: no cover - thin wrapper for `python -m symtrig`
    sys.exit(main())
