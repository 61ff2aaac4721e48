"""Which flow builds each backend: the one table emit-hls looks a backend name up in.

The flows import :mod:`symtrig.emit.flows` (the protocol and records they share); this table imports the flows,
so the seam and its implementations import one another in one direction only. A flow's heavy dependencies
(hls4ml, da4ml, Yosys wrappers) are imported inside its methods, so loading the table stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from symtrig.emit.da4ml_flow import Da4mlFlow
from symtrig.emit.flows import Flow
from symtrig.emit.hls4ml_flow import Hls4mlFlow
from symtrig.errors import SymtrigError

#: Backend name -> the flow that builds it (the names :data:`symtrig.emit.config.BACKENDS` accepts).
FLOWS: Mapping[str, Callable[[], Flow]] = MappingProxyType({"hls4ml": Hls4mlFlow, "da4ml": Da4mlFlow})


def get_flow(backend: str) -> Flow:
    """The flow of a backend name (validated by :class:`~symtrig.emit.config.EmitConfig`)."""
    try:
        return FLOWS[backend]()
    except KeyError:
        raise SymtrigError(f"no flow for backend {backend!r}; known: {', '.join(FLOWS)}") from None
