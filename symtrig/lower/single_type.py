"""The values one ``ap_fixed<W,I>`` for a whole design must hold (the hls4ml path): its float reference and its
integer bits from observed ranges.

Integer bits come from observed value ranges: the IP inputs, every LUT range end and the float outputs on the
calibration rows (one sign bit plus enough bits for the largest magnitude). The fraction bits are chosen by the
tune stage (:mod:`symtrig.tune.single_type`) against the backend's bit-exact model.
"""

from __future__ import annotations

import numpy as np

from symtrig import expr as ex
from symtrig.lower.ranges import HEADROOM_BITS, WidestValue, signed_int_bits, widest_value
from symtrig.lower.tables import Lowered


def float_outputs(lowered: Lowered, X_ip: np.ndarray) -> np.ndarray:
    """Float64 outputs of the *original* functions (LUT names mapped back to their math function)."""
    functions = lowered.float_functions()
    return np.stack([ex.node_values(e, X_ip, functions)[e] for e in lowered.exprs], axis=1)


def ap_integer_bits(lowered: Lowered, X_ip: np.ndarray) -> tuple[int, WidestValue]:
    """The ``I`` of the design's ``ap_fixed<W,I>`` (sign bit included, :attr:`FixedFormat.ap_integer
    <symtrig.lower.fixed.FixedFormat.ap_integer>`) that holds every value the design computes on the
    calibration rows, with headroom.

    Every node of every lowered expression counts (inputs, constants, sums, products, table arguments and
    table outputs), and so do the tables' range ends and spans, which hls4ml stores in ``result_t`` too; the
    largest magnitude gets :data:`~symtrig.lower.ranges.HEADROOM_BITS` more. Returns the bits and the value
    that set them. Intermediate sums and products of the generated C++ do not wrap (ap_fixed grows them), so
    this is conservative for them, and exact for what is cast to ``result_t``.
    """
    widest = widest_value(lowered.exprs, X_ip, lowered.float_functions())
    tables = lowered.value_range()
    if tables > widest.magnitude:
        widest = WidestValue(tables, "a lookup table's range", -1)
    return signed_int_bits(widest.magnitude) + HEADROOM_BITS, widest
