"""The one exception type that means "the user can fix this", and the one warning type that means "look at this".

Every stage raises :class:`SymtrigError` for bad input (a malformed file, an unknown class, an impossible
setting). The CLI turns it into a single line on stderr and exit code 2, so a user never sees a traceback for
their own mistake, while genuine bugs still surface with a full traceback.

A result that is made but that an engineer must look at before shipping it (a design that misses its AUC
tolerance, a precision search that hit its time budget) is a :class:`SymtrigWarning`, issued with
:func:`warnings.warn` (:func:`warn`): a library never prints, so a notebook or a test can filter, record or
raise it like any other warning, and the CLI shows each as one ``warning: ...`` line on stderr.
"""

from __future__ import annotations

import warnings


class SymtrigError(Exception):
    """A user-facing error; its message is one line that says what to fix."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


class ToleranceError(SymtrigError):
    """A result was made but misses its stated tolerance, and the user asked for that to fail (``--strict``).

    Exit code 1, not 2: the input was fine and the outputs are written (and marked); the check failed.
    """

    exit_code = 1


class SymtrigWarning(UserWarning):
    """Something about a result the user must know (the message is one line, without a ``warning:`` prefix)."""


def warn(message: str) -> None:
    """Issue ``message`` as a :class:`SymtrigWarning` (the emit stage's default for every warning line)."""
    warnings.warn(SymtrigWarning(" ".join(str(message).split())), stacklevel=2)
