"""Function units: how a table node computes its function in hardware, chosen from its argument's range.

A flat table over the quantized argument is exact, but it pays for every code of the argument's window, and for
``log|u|`` it cannot resolve ``|u|`` near zero at any size up to the table cap (the window's grid is set by its
width, and log changes without bound at 0). Two reduced forms replace it where they pay; the rule for each is
one function here, and the unit a node gets is recorded in its :class:`~symtrig.lower.program.NodeType`:

* **periodic** (sin, cos): the argument is computed in *turns*, ``t = u / 2π``. The ``1/2π`` is folded into the
  linear combination that computes ``u`` (no hardware when ``u`` is a sum; one constant multiplication
  otherwise), ``t`` wraps to ``[0, 1)`` by dropping its integer bits (wires), and the table covers one period:
  ``2**F`` entries however many periods the argument spans (a phase accumulator's trick). A trig argument of the
  sample's fits spans up to 8 periods, which a flat table pays for with 8192 entries.
* **leading-one** (``log|u|``): ``|u|`` (``W`` bits, ``F`` of them fraction) is normalized by a binary-search
  shifter — per level ``s`` (a power of two), if the top ``s`` bits are zero, shift left by ``s`` and count ``s``
  — so ``|u| = m * 2**(W - F - L)`` with ``m`` in ``[1/2, 1)`` and ``L`` the shift count. Then
  ``log|u| = log m + (W - F) ln 2 - L ln 2``: one table of the top ``M`` bits of ``m`` (the constant folded in)
  and one small table of ``L ln 2`` indexed by the levels' bits, subtracted. Every nonzero ``|u|`` down to the
  argument's LSB is resolved; ``|u| = 0`` shifts at every level and saturates to the output's minimum, as the flat
  table's ``log(0)`` does.

Both are bit-exact by construction: :class:`LeadingOneLog` is the integer definition that symtrig's model
evaluates and the da4ml trace builds, and a periodic table is an ordinary table of ``sin(2πt)`` over a wrapped
input. exp and gauss keep flat tables: their arguments span a few units and their windows are already cut where
the function is below the finest LSB.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

Unit = Literal["flat", "periodic", "leading-one"]

#: A trig function and the same function of an argument in turns (its table node's function).
TURNS = {"sin": "sinturn", "cos": "costurn"}
TURN_FUNCTIONS = {
    "sinturn": lambda t: np.sin(2 * np.pi * t),
    "costurn": lambda t: np.cos(2 * np.pi * t),
}
#: Fraction bits the log unit's two tables carry below the output's LSB (their rounding stays below a quarter of
#: an output LSB).
GUARD_BITS = 3
#: A log argument whose window comes within this share of its span to zero gets the leading-one unit.
NEAR_ZERO_SHARE = 1 / 64


def periodic_pays(lo: float, hi: float) -> bool:
    """A trig argument spanning more than 4 radians: its flat window (a power-of-two span, 8 or more) covers
    more than the one period (2π) a periodic table holds at the same resolution."""
    return hi - lo > 4.0


def leading_one_pays(lo: float, hi: float) -> bool:
    """A log argument that reaches (or comes within :data:`NEAR_ZERO_SHARE` of its span to) zero: there a flat
    table cannot resolve ``|u|``, so its output clamps to the wrong edge on the jets with small ``|u|``."""
    nearest = 0.0 if lo <= 0.0 <= hi else min(abs(lo), abs(hi))
    return nearest <= NEAR_ZERO_SHARE * (hi - lo)


def unit_of(function: str, lo: float, hi: float) -> Unit:
    """The unit of a table node computing ``function`` (a :data:`~symtrig.lower.program.TABLE_FUNCTIONS` key)
    of an argument calibrated to ``[lo, hi]``."""
    if function in TURN_FUNCTIONS:
        return "periodic"
    if function == "logabs" and leading_one_pays(lo, hi):
        return "leading-one"
    return "flat"


@dataclass(frozen=True)
class LeadingOneLog:
    """The integer definition of the leading-one ``log|u|`` unit.

    Input: ``|u|`` as a ``width``-bit unsigned code with ``fraction`` fraction bits. Output: codes of a type with
    ``out_fraction`` fraction bits, saturated to ``[out_min, out_max]``. ``mantissa``: bits of ``m`` indexing
    the table (``M``; at most ``width``).
    """

    width: int
    fraction: int
    mantissa: int
    out_fraction: int
    out_min: int
    out_max: int
    guard: int = GUARD_BITS

    @property
    def shifts(self) -> tuple[int, ...]:
        """The shifter's levels, largest first: powers of two whose sum reaches ``width - 1``."""
        levels = max(0, math.ceil(math.log2(self.width))) if self.width > 1 else 0
        return tuple(1 << j for j in reversed(range(levels)))

    @functools.cached_property
    def exponent(self) -> np.ndarray:
        """``L ln 2`` at ``out_fraction + guard`` bits, indexed by ``N``, the sum of the levels that did *not*
        shift (``L = 2**levels - 1 - N``): one small table beside the mantissa's, so the shifter's levels cost one
        table and no adders on the way to the result."""
        levels = len(self.shifts)
        scale = 2.0 ** (self.out_fraction + self.guard)
        counts = (1 << levels) - 1 - np.arange(1 << levels, dtype=np.float64)
        table = np.round(counts * math.log(2) * scale).astype(np.int64)
        table.flags.writeable = False
        return table

    @functools.cached_property
    def table(self) -> np.ndarray:
        """``log m + (width - fraction) ln 2`` for every ``M``-bit ``m`` with its top bit set, at
        ``out_fraction + guard`` bits; the lower half is reached only by ``|u| = 0``, which shifts at every level:
        its entry minus the largest exponent entry is exactly the output's minimum, so no result leaves the output
        type (``log(0)`` lands on its minimum and the hardware needs no saturation logic)."""
        scale = 2.0 ** (self.out_fraction + self.guard)
        codes = np.arange(1 << self.mantissa, dtype=np.float64)
        with np.errstate(divide="ignore"):
            values = np.log(codes * 2.0**-self.mantissa) + (self.width - self.fraction) * math.log(2)
        table = np.round(values * scale)
        table[: 1 << (self.mantissa - 1)] = (self.out_min << self.guard) + int(self.exponent[0])
        table = table.astype(np.int64)
        table.flags.writeable = False
        return table

    def normalize(self, magnitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The shifter on ``|u|`` codes: the normalized codes and, per level, which rows shifted."""
        x = np.asarray(magnitude, dtype=np.int64)
        mask = (1 << self.width) - 1
        shifted = []
        for s in self.shifts:
            zero_top = (x >> (self.width - s)) == 0
            x = np.where(zero_top, (x << s) & mask, x)
            shifted.append(zero_top)
        return x, np.array(shifted, dtype=bool).reshape(len(self.shifts), len(x))

    def evaluate(self, magnitude: np.ndarray) -> np.ndarray:
        """Output codes of ``|u|`` codes, as the hardware computes them."""
        x, shifted = self.normalize(magnitude)
        kept = sum((~rows).astype(np.int64) * s for s, rows in zip(self.shifts, shifted, strict=True))
        total = self.table[x >> (self.width - self.mantissa)] - self.exponent[kept]
        return np.clip(total >> self.guard, self.out_min, self.out_max)
