"""What a table holds: its feature columns, its label column and the classes, in output order.

The hls4ml LHC jet dataset is the default layout (:data:`JETS`: 16 jet-substructure features, classes g, q, t,
w, z); any other tabular problem names its own columns (``--features``, ``--label``) and takes its classes
from the label values. Everything downstream (teacher inputs, expression variables x0..x{n-1}, IP ports,
outputs) follows the schema, never a constant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from symtrig.errors import SymtrigError

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

#: Name of the label column in the OpenML layout (and the default label column of any table).
LABEL_COLUMN = "class"

#: ``--label none``: a table without labels (a regression on a teacher's score, judged against its top scores).
NO_LABEL = "none"


@dataclass(frozen=True)
class Schema:
    """Feature columns (x0..x{n-1} in this order), the label column and the classes (output order).

    ``label`` is None for an unlabelled table; its ``classes`` are then empty.
    """

    features: tuple[str, ...]
    label: str | None = LABEL_COLUMN
    classes: tuple[str, ...] = ()

    @property
    def is_jets(self) -> bool:
        return self == JETS

    def index(self, class_name: str) -> int:
        """Output index of a class; a one-line error names the valid ones."""
        if class_name not in self.classes:
            raise SymtrigError(
                f"unknown class {class_name!r}; the data has {', '.join(self.classes) or 'none'}"
            )
        return self.classes.index(class_name)

    def describe(self) -> dict[str, object]:
        return {"features": list(self.features), "label": self.label, "classes": list(self.classes)}


JETS = Schema(FEATURES, LABEL_COLUMN, CLASSES)


def check_jet_columns(columns: Sequence[str], name: str) -> None:
    """Exactly the 16 features and the label, in any order; names in the message are clipped to one line."""
    missing = [c for c in (*FEATURES, LABEL_COLUMN) if c not in columns]
    extra = [c for c in columns if c not in (*FEATURES, LABEL_COLUMN)]
    if missing:
        raise SymtrigError(f"{name}: missing column(s) {', '.join(missing)}")
    if extra:
        shown = ", ".join(clip(c) for c in extra[:5])
        more = f" and {len(extra) - 5} more" if len(extra) > 5 else ""
        raise SymtrigError(f"{name}: unexpected column(s) {shown}{more}; expected the 16 features + 'class'")


def chosen_columns(
    columns: Sequence[str], name: str, features: Sequence[str] | None, label: str | None
) -> tuple[tuple[str, ...], str | None]:
    """The feature and label columns of a table of one's own: as named, or every other column as a feature.

    ``label`` is the label column (default ``class``; :data:`NO_LABEL` for none). Without ``features``, every
    column but the label is a feature (non-numeric ones are refused when the values are read).
    """
    label = LABEL_COLUMN if label is None else label
    label_column = None if label == NO_LABEL else label
    if label_column is not None and label_column not in columns:
        raise SymtrigError(
            f"{name}: no label column {clip(label_column)!r}; pass --label COLUMN or --label none"
        )
    chosen = tuple(c for c in columns if c != label_column) if features is None else tuple(features)
    missing = [c for c in chosen if c not in columns]
    if missing:
        raise SymtrigError(f"{name}: missing feature column(s) {', '.join(clip(c) for c in missing[:5])}")
    if not chosen:
        raise SymtrigError(f"{name}: no feature columns besides the label")
    if len(set(chosen)) != len(chosen) or label_column in chosen:
        raise SymtrigError(f"{name}: a feature is named twice, or the label is also a feature")
    return chosen, label_column


def clip(text: object, limit: int = 40) -> str:
    """A user-supplied value short enough for a one-line error (a 1 MB label must not become a 1 MB line)."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
