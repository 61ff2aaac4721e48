"""Symbolic-regression engines behind one interface, imported only when asked for.

``import symtrig`` must stay fast and must not need pyoperon or Julia, so the registry maps a name to a module
path and imports it on first use. Engines return candidates; choosing among them is the core's job.
"""

from __future__ import annotations

import importlib

from symtrig.engines.base import Candidate, SearchSpec, SREngine
from symtrig.errors import SymtrigError

#: Engine name -> "module:class". The modules themselves import their heavy library lazily too.
ENGINES: dict[str, str] = {
    "operon": "symtrig.engines.operon:OperonEngine",
    "pysr": "symtrig.engines.pysr:PySREngine",
}

__all__ = ["ENGINES", "Candidate", "SREngine", "SearchSpec", "get_engine"]


def get_engine(name: str) -> SREngine:
    """Return a ready engine called ``name``; SymtrigError if the name is unknown or it cannot run here."""
    target = ENGINES.get(name)
    if target is None:
        raise SymtrigError(f"unknown engine {name!r}; choose one of {', '.join(sorted(ENGINES))}")
    module_name, class_name = target.split(":")
    engine: SREngine = getattr(importlib.import_module(module_name), class_name)()
    if not engine.available():
        reason = getattr(engine, "unavailable_reason", lambda: "its dependencies are missing")()
        raise SymtrigError(f"engine {name!r} is not available: {reason}")
    return engine
