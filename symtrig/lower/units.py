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
  ``log|u| = log m + (W - F) ln 2 - L ln 2``: one table of the top ``M`` bits of ``m`` (the constant folded in;
  from :data:`BIPARTITE_FROM_BITS` bits a bipartite table-and-add, :func:`leading_one_log`) and one small table
  of ``L ln 2`` indexed by the levels' bits, subtracted. A narrow mantissa leaves out the shifter's smallest
  levels and indexes its table by the leading zeros they leave (:func:`leading_one_log`). Every nonzero ``|u|``
  down to the argument's LSB is resolved; ``|u| = 0`` shifts at every level and lands on the output's minimum,
  as the flat table's ``log(0)`` does (the output type holds every other result, so no saturation logic is
  built).

Both are bit-exact by construction: :class:`LeadingOneLog` is the integer definition that symtrig's model
evaluates and the da4ml trace builds, and a periodic table is an ordinary table of ``sin(2πt)`` over a wrapped
input. exp and gauss keep flat tables: their arguments span a few units and their windows are already cut where
the function is below the finest LSB.
"""

from __future__ import annotations

import dataclasses
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
    ``out_fraction`` fraction bits in ``[out_min, out_max]``. ``mantissa``: bits of ``m`` indexing
    the table (``M``; at most ``width``).
    """

    width: int
    fraction: int
    mantissa: int
    out_fraction: int
    out_min: int
    out_max: int
    guard: int = GUARD_BITS
    #: ``(high, middle, low)`` bits of the ``M - 1`` below ``m``'s leading one: the table becomes a table of
    #: (high, middle) plus one of (high, low), added (a bipartite table, :func:`leading_one_log`); None: one table.
    split: tuple[int, int, int] | None = None
    #: The shifter's smallest levels left out (0: it normalizes fully). Without the levels ``2**skip / 2, ...,
    #: 1`` the leading one ends within the top ``2**skip`` bits, so the table is indexed by ``2**skip - 1`` more
    #: bits (:attr:`index_bits`) and every index a nonzero ``|u|`` reaches still holds ``M`` significant bits.
    skip: int = 0

    def __post_init__(self) -> None:
        if self.skip and (self.split is not None or self.skip >= self.levels):
            raise ValueError("a leading-one unit skips levels of a one-table shifter and keeps at least one")

    @property
    def levels(self) -> int:
        """Levels a full binary-search shifter of ``width`` bits has."""
        return max(0, math.ceil(math.log2(self.width))) if self.width > 1 else 0

    @property
    def shifts(self) -> tuple[int, ...]:
        """The shifter's levels, largest first: powers of two from ``2**skip`` whose sum reaches at least
        ``width - 2**skip``."""
        return tuple(1 << j for j in reversed(range(self.skip, self.levels)))

    @property
    def index_bits(self) -> int:
        """Bits of the normalized ``|u|`` indexing the mantissa table: ``M``, plus the leading zeros the
        skipped levels leave."""
        return min(self.width, self.mantissa + (1 << self.skip) - 1)

    @functools.cached_property
    def exponent(self) -> np.ndarray:
        """``L ln 2`` at ``out_fraction + guard`` bits, indexed by ``N``, the sum of the levels that did *not*
        shift (``L = sum(shifts) - N``): one small table beside the mantissa's, so the shifter's levels cost one
        table and no adders on the way to the result."""
        total = sum(self.shifts)
        scale = 2.0 ** (self.out_fraction + self.guard)
        counts = total - np.arange(total + 1, dtype=np.float64)
        table = np.round(counts * math.log(2) * scale).astype(np.int64)
        table.flags.writeable = False
        return table

    @functools.cached_property
    def table(self) -> np.ndarray:
        """``log m + (width - fraction) ln 2`` for every index a nonzero ``|u|`` reaches (its leading one within
        the top ``2**skip`` bits), at ``out_fraction + guard`` bits; the indices below are reached only by
        ``|u| = 0`` (:attr:`zero_entry`)."""
        lower = np.full(1 << self._reached_from, self.zero_entry, dtype=np.int64)
        table = np.concatenate([lower, np.round(self._scaled_log()).astype(np.int64)])
        table.flags.writeable = False
        return table

    @property
    def _reached_from(self) -> int:
        """``log2`` of the smallest index a nonzero ``|u|`` reaches."""
        return max(0, self.index_bits - (1 << self.skip))

    @property
    def zero_entry(self) -> int:
        """The table entry ``|u| = 0`` reads (it shifts at every level): minus the largest exponent entry it is
        exactly the output's minimum, so no result leaves the output type (``log(0)`` lands on its minimum and
        the hardware needs no saturation logic)."""
        return (self.out_min << self.guard) + int(self.exponent[0])

    def _scaled_log(self) -> np.ndarray:
        """``log m + (width - fraction) ln 2`` at ``out_fraction + guard`` bits (unrounded) for every index a
        nonzero ``|u|`` reaches (``m``: the index over ``2**index_bits``)."""
        codes = np.arange(1 << self._reached_from, 1 << self.index_bits, dtype=np.float64)
        values = np.log(codes * 2.0**-self.index_bits) + (self.width - self.fraction) * math.log(2)
        return values * 2.0 ** (self.out_fraction + self.guard)

    @functools.cached_property
    def parts(self) -> tuple[np.ndarray, np.ndarray]:
        """The bipartite tables: ``initial`` over (leading bit, high, middle) — the value at the centre of the low
        bits — and ``offset`` over (leading bit, high, low) — the low bits' offset from that centre, averaged over
        the middle bits (Das Sarma and Matula's table-and-add); the leading bit 0 (``|u| = 0``) reads
        :attr:`zero_entry` and 0."""
        if self.split is None:
            raise ValueError("a one-table unit has no bipartite parts")
        high, middle, low = self.split
        exact = self._scaled_log().reshape(1 << high, 1 << middle, 1 << low)
        centre = exact.mean(axis=2)
        initial = np.round(centre).reshape(-1)
        offset = np.round((exact - centre[:, :, None]).mean(axis=1)).reshape(-1)
        initial = np.concatenate([np.full(len(initial), self.zero_entry), initial]).astype(np.int64)
        offset = np.concatenate([np.zeros(len(offset)), offset]).astype(np.int64)
        initial.flags.writeable = offset.flags.writeable = False
        return initial, offset

    def mantissa_log(self, mantissa: np.ndarray) -> np.ndarray:
        """The table part of the result for :attr:`index_bits`-bit codes (one table, or the two parts added)."""
        if self.split is None:
            return self.table[mantissa]
        _, middle, low = self.split
        initial, offset = self.parts
        rest = mantissa & ((1 << low) - 1)
        return initial[mantissa >> low] + offset[((mantissa >> (middle + low)) << low) | rest]

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
        total = self.mantissa_log(x >> (self.width - self.index_bits)) - self.exponent[kept]
        return np.clip(total >> self.guard, self.out_min, self.out_max)


#: Mantissas of at least this many bits try a bipartite table: below, one table is a few LUTs per output bit.
BIPARTITE_FROM_BITS = 9
#: A one-table unit leaves out its shifter's smallest levels while its table stays indexed by at most this many
#: bits: one LUT6 and two MUXF per output bit, no slower than the level it replaces (an OR and a multiplexer;
#: the last, one-bit level a subtraction and a multiplexer, in the operation model).
SKIP_TABLE_BITS = 8


def leading_one_log(width: int, fraction: int, mantissa: int, out: tuple[int, int, int]) -> LeadingOneLog:
    """The cheapest leading-one unit for these widths (``out``: fraction bits, minimum and maximum code).

    One mantissa table, without the shifter levels :data:`SKIP_TABLE_BITS` lets it take over, or — from
    :data:`BIPARTITE_FROM_BITS` mantissa bits — the bipartite split with the fewest table bits (entries x output
    bits) whose sum stays within half an output LSB of the one table on every mantissa (checked exhaustively;
    ``log`` is smooth on [1/2, 1), so a 13-bit mantissa needs about a tenth of the entries).
    """
    one = LeadingOneLog(width, fraction, min(mantissa, width), *out)
    if one.mantissa < BIPARTITE_FROM_BITS:
        return _skipping(one)
    reference, bits = one.table[1 << (one.mantissa - 1) :], one.mantissa - 1
    codes = np.arange(1 << bits) + (1 << bits)  # every mantissa with its leading bit set
    best, best_cost = one, float(len(one.table) * _bits(one.table))
    for high in range(1, bits - 1):
        for middle in range(1, bits - high):
            candidate = LeadingOneLog(
                width, fraction, one.mantissa, *out, split=(high, middle, bits - high - middle)
            )
            initial, offset = candidate.parts
            cost = len(initial) * _bits(initial) + len(offset) * _bits(offset)
            if cost >= best_cost:
                continue
            if np.abs(candidate.mantissa_log(codes) - reference).max() <= 1 << (one.guard - 1):
                best, best_cost = candidate, cost
    return best


def _skipping(unit: LeadingOneLog) -> LeadingOneLog:
    """``unit`` without the shifter's smallest levels, while its table stays indexed by at most
    :data:`SKIP_TABLE_BITS` bits (and one level stays)."""
    best = unit
    for skip in range(1, unit.levels):
        candidate = dataclasses.replace(unit, skip=skip)
        if candidate.index_bits > SKIP_TABLE_BITS or candidate.index_bits < 1 << skip:
            break
        best = candidate
    return best


def _bits(table: np.ndarray) -> int:
    """Bits a table's entries span (its output width)."""
    span = int(table.max()) - int(table.min())
    return max(1, span.bit_length())
