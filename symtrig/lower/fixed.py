"""The one ``ap_fixed<W, I>`` value type shared by the emulator, the cost model and the project writer.

Why one type: the emulator (bit-exact arithmetic) and the cost model (type propagation, bit widths) talk about
the same C++ types; two classes with different field orders invited mix-ups. ``width``/``integer``/``frac`` are
the names hls4ml's documentation uses; ``w``/``i``/``f`` are the short names of the cost model's formulas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from symtrig.errors import SymtrigError

__all__ = ["FixedType"]

_SPEC = re.compile(r"\s*ap_(u?)fixed\s*<\s*(\d+)\s*,\s*(-?\d+)\s*(,[^>]*)?>\s*")


@dataclass(frozen=True)
class FixedType:
    """A signed ``ap_fixed<width, integer>``; ``integer`` may be <= 0 or > width (pure type arithmetic)."""

    width: int
    integer: int

    @property
    def frac(self) -> int:
        return self.width - self.integer

    # short names used by the cost model's width formulas
    @property
    def w(self) -> int:
        return self.width

    @property
    def i(self) -> int:
        return self.integer

    @property
    def f(self) -> int:
        return self.frac

    @classmethod
    def with_frac(cls, width: int, frac: int) -> FixedType:
        """The type of ``width`` bits with ``frac`` of them after the binary point."""
        return cls(width, width - frac)

    @classmethod
    def parse(cls, text: str) -> FixedType:
        """Strict parse for bit-exact emulation: plain ``ap_fixed<W,I>`` (TRN/WRAP), 2 <= W <= 52, 1 <= I <= W.

        W <= 52 keeps every code exact in a float64; other quantization modes are not emulated.
        """
        match = _SPEC.fullmatch(text)
        if not match or match[1] or match[4]:
            raise SymtrigError(f"precision {text!r} is not of the form ap_fixed<W,I> (e.g. ap_fixed<18,8>)")
        width, integer = int(match[2]), int(match[3])
        if not 2 <= width <= 52 or not 1 <= integer <= width:
            raise SymtrigError(f"precision {text!r}: need 2 <= W <= 52 and 1 <= I <= W")
        return cls(width, integer)

    @classmethod
    def parse_lenient(cls, text: str) -> FixedType:
        """Any ``ap_[u]fixed<W,I[,...]>`` with W >= 1, read as its signed W/I widths (for cost estimates)."""
        match = _SPEC.fullmatch(text)
        if not match:
            raise SymtrigError(f"precision {text!r} is not of the form ap_fixed<W,I>")
        width, integer = int(match[2]), int(match[3])
        if width < 1:
            raise SymtrigError(f"precision {text!r} must have at least 1 bit")
        return cls(width, integer)

    def __str__(self) -> str:
        return f"ap_fixed<{self.width},{self.integer}>"
