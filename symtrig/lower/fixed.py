"""The one fixed-point type every stage speaks: :class:`FixedFormat`.

Why one type: the per-node types of the RTL path (da4ml's ``k, i, f``: sign, integer and fraction bits), the one
``ap_fixed<W,I>`` of the HLS path, the bit-exact emulator and the cost model's width formulas all describe the
same thing, a two's-complement grid. Two classes (one counting the sign among the integer bits, one not) invited
off-by-one mix-ups, so there is one, with both readings named: ``integer`` never counts the sign bit (da4ml's
``i``), :attr:`FixedFormat.ap_integer` is the ``I`` of ``ap_fixed<W,I>`` (sign included). ``str()`` is the C++
type (``ap_fixed<W,I>`` or ``ap_ufixed<W,I>``), the name HLS users read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from symtrig.errors import SymtrigError

__all__ = ["FixedFormat"]

_SPEC = re.compile(r"\s*ap_(u?)fixed\s*<\s*(\d+)\s*,\s*(-?\d+)\s*(,[^>]*)?>\s*")


@dataclass(frozen=True)
class FixedFormat:
    """A two's-complement fixed-point type: ``signed`` sign bit, ``integer`` bits, ``fraction`` bits (da4ml's
    ``k, i, f``); values ``-2**integer * signed`` to ``2**integer - 2**-fraction`` in steps of ``2**-fraction``.

    ``integer`` may be negative (a value below 1/2 needs no integer bit) and, as pure type arithmetic of the
    cost model, ``fraction`` too.
    """

    signed: bool
    integer: int
    fraction: int

    @classmethod
    def ap_fixed(cls, width: int, integer: int) -> FixedFormat:
        """``ap_fixed<width, integer>``: signed, ``integer`` bits counting the sign."""
        return cls(True, integer - 1, width - integer)

    @classmethod
    def ap_with_fraction(cls, width: int, fraction: int) -> FixedFormat:
        """The signed type of ``width`` bits with ``fraction`` of them after the binary point."""
        return cls(True, width - fraction - 1, fraction)

    @classmethod
    def parse(cls, text: str) -> FixedFormat:
        """Strict parse for bit-exact emulation: plain ``ap_fixed<W,I>`` (TRN/WRAP), 2 <= W <= 52, 1 <= I <= W.

        W <= 52 keeps every code exact in a float64; other quantization modes are not emulated.
        """
        match = _SPEC.fullmatch(text)
        if not match or match[1] or match[4]:
            raise SymtrigError(f"precision {text!r} is not of the form ap_fixed<W,I> (e.g. ap_fixed<18,8>)")
        width, integer = int(match[2]), int(match[3])
        if not 2 <= width <= 52 or not 1 <= integer <= width:
            raise SymtrigError(f"precision {text!r}: need 2 <= W <= 52 and 1 <= I <= W")
        return cls.ap_fixed(width, integer)

    @classmethod
    def parse_lenient(cls, text: str) -> FixedFormat:
        """Any ``ap_[u]fixed<W,I[,...]>`` with W >= 1, read as a signed type of its W/I widths (cost estimates
        need only the widths)."""
        match = _SPEC.fullmatch(text)
        if not match:
            raise SymtrigError(f"precision {text!r} is not of the form ap_fixed<W,I>")
        width, integer = int(match[2]), int(match[3])
        if width < 1:
            raise SymtrigError(f"precision {text!r} must have at least 1 bit")
        return cls.ap_fixed(width, integer)

    @property
    def width(self) -> int:
        return int(self.signed) + self.integer + self.fraction

    @property
    def ap_integer(self) -> int:
        """The ``I`` of ``ap_fixed<W,I>``: integer bits with the sign bit."""
        return int(self.signed) + self.integer

    @property
    def min_code(self) -> int:
        return -(1 << (self.integer + self.fraction)) if self.signed else 0

    @property
    def max_code(self) -> int:
        return (1 << (self.integer + self.fraction)) - 1

    @property
    def kif(self) -> tuple[int, int, int]:
        return int(self.signed), self.integer, self.fraction

    def __str__(self) -> str:
        return f"ap_{'' if self.signed else 'u'}fixed<{self.width},{self.ap_integer}>"
