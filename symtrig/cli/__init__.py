"""The ``symtrig`` command line: a thin Typer layer over the library.

Each stage's commands live in their own module and register themselves on :data:`app`
(:mod:`symtrig.cli.root`). This module only turns :class:`~symtrig.errors.SymtrigError` (a user mistake) into
one line on stderr and exit code 2, and shows every :class:`~symtrig.errors.SymtrigWarning` the library issues
as one ``warning: ...`` line on stderr.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Iterator
from typing import Any, Protocol, TextIO, cast

import typer

from symtrig.cli.root import app
from symtrig.errors import SymtrigError, SymtrigWarning

# isort: split
# Command modules register on `app` when imported, in pipeline order (the order `symtrig --help` lists).
from symtrig.cli import data_cmds, simulate_cmd, teacher_cmd, fit_cmd, emit_cmd, front_cmd, report_cmd  # noqa: F401,I001


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    try:
        with warnings_on_stderr():
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


@contextlib.contextmanager
def warnings_on_stderr() -> Iterator[None]:
    """Within: each :class:`~symtrig.errors.SymtrigWarning` is one ``warning: <message>`` line on stderr, every
    time it is issued (two designs may warn alike); other warnings keep Python's own display. Restored after."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", SymtrigWarning)
        python_display = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> Any:
            if issubclass(category, SymtrigWarning):
                typer.echo(f"warning: {message}", err=True)
            else:
                python_display(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


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
