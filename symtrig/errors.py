"""The one exception type that means "the user can fix this".

Every stage raises :class:`SymtrigError` for bad input (a malformed file, an unknown class, an impossible
setting). The CLI turns it into a single line on stderr and exit code 2, so a user never sees a traceback for
their own mistake, while genuine bugs still surface with a full traceback.
"""

from __future__ import annotations


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
