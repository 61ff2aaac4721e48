"""symtrig: distil a tagger network into closed-form expressions and fixed-point FPGA designs.

The pipeline, one stage per place: :mod:`symtrig.data` → :mod:`symtrig.teacher` → :mod:`symtrig.fit` (searches
with :class:`SymbolicDistiller`) → :mod:`symtrig.store` (typed records) → :mod:`symtrig.select` (the one rule
for "best") → :mod:`symtrig.emit` (lower → backend → verify → cost) → :mod:`symtrig.report`.

Names below are imported on first use, so ``import symtrig`` (and the CLI's start-up) stays fast.
"""

from __future__ import annotations

from importlib import import_module, metadata
from typing import TYPE_CHECKING, Any

try:
    __version__ = metadata.version("symtrig")
except metadata.PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"

#: Public name -> the module that defines it.
_EXPORTS = {
    "SymbolicDistiller": "symtrig.distill",
    "FitConfig": "symtrig.fit",
    "FitResult": "symtrig.fit",
    "fit": "symtrig.fit",
    "EmitConfig": "symtrig.emit",
    "EmitResult": "symtrig.emit",
    "emit": "symtrig.emit",
    "emit_design": "symtrig.emit",
    "front": "symtrig.emit.front",
    "make_report": "symtrig.report",
    "load_data": "symtrig.data",
    "parse_expression": "symtrig.expr",
    "best_rows": "symtrig.select",
    "best_sets": "symtrig.select",
    "read_designs": "symtrig.store.designs",
    "SymtrigError": "symtrig.errors",
}

__all__ = [
    "EmitConfig",
    "EmitResult",
    "FitConfig",
    "FitResult",
    "SymbolicDistiller",
    "SymtrigError",
    "__version__",
    "best_rows",
    "best_sets",
    "emit",
    "emit_design",
    "fit",
    "front",
    "load_data",
    "make_report",
    "parse_expression",
    "read_designs",
]

if TYPE_CHECKING:
    from symtrig.data import load_data
    from symtrig.distill import SymbolicDistiller
    from symtrig.emit import EmitConfig, EmitResult, emit, emit_design
    from symtrig.emit.front import front
    from symtrig.errors import SymtrigError
    from symtrig.expr import parse_expression
    from symtrig.fit import FitConfig, FitResult, fit
    from symtrig.report import make_report
    from symtrig.select import best_rows, best_sets
    from symtrig.store.designs import read_designs


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'symtrig' has no attribute {name!r}")
