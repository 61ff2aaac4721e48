"""Jets in, validated arrays out: loading, schema checks, splits, standardization and the dataset fingerprint.

This stage knows nothing about symbolic regression or HLS. Every later output records the fingerprint
computed here, so a leaderboard can always be traced back to the exact jets it was measured on.
"""

from __future__ import annotations

#: The 16 jet-substructure features of OpenML 42468 (``hls4ml_lhc_jets_hlf``), in column order x0..x15.
FEATURES: tuple[str, ...] = (
    "zlogz",
    "c1_b0_mmdt",
    "c1_b1_mmdt",
    "c1_b2_mmdt",
    "c2_b1_mmdt",
    "c2_b2_mmdt",
    "d2_b1_mmdt",
    "d2_b2_mmdt",
    "d2_a1_b1_mmdt",
    "d2_a1_b2_mmdt",
    "m2_b1_mmdt",
    "m2_b2_mmdt",
    "n2_b1_mmdt",
    "n2_b2_mmdt",
    "mass_mmdt",
    "multiplicity",
)

#: The five jet classes; alphabetical, as LabelEncoder orders them, so output index 0..4 = g, q, t, w, z.
CLASSES: tuple[str, ...] = ("g", "q", "t", "w", "z")

#: Name of the label column in the OpenML layout.
LABEL_COLUMN = "class"
