"""Which flow builds each backend: the one table emit-hls, ``symtrig front`` and budgets look a backend up in.

A backend is one flow (:class:`~symtrig.emit.flows.Flow`) registered by name. The built-in two are here; another
registers itself with :func:`register_backend` (from a notebook, a test or its own package), or is found through
the ``symtrig.backends`` entry-point group of an installed package (``name = "pkg.module:FlowClass"``), without
touching symtrig. :func:`flow_for` is the one place settings meet a backend: a setting another backend owns is
refused, the backend checks its own, and ``--backend-option KEY=VALUE`` pairs become its typed options.

The flows import :mod:`symtrig.emit.flows` (the protocol and records they share); this table imports the flows,
so the seam and its implementations import one another in one direction only. A flow's heavy dependencies
(hls4ml, da4ml, Yosys wrappers) are imported inside its methods, so loading the table stays cheap.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from importlib import metadata
from typing import Any

from symtrig.emit.config import EmitConfig
from symtrig.emit.da4ml_flow import Da4mlFlow
from symtrig.emit.flows import Flow
from symtrig.emit.hls4ml_flow import Hls4mlFlow
from symtrig.errors import SymtrigError

#: The entry-point group an installed package registers a backend in.
ENTRY_POINT_GROUP = "symtrig.backends"
_FLOWS: dict[str, Callable[[], Flow]] = {"hls4ml": Hls4mlFlow, "da4ml": Da4mlFlow}
_DEFAULTS = EmitConfig()


def register_backend(name: str, flow: Callable[[], Flow]) -> None:
    """Make ``--backend name`` build with ``flow`` (a class or factory of a :class:`~symtrig.emit.flows.Flow`)."""
    if name in _FLOWS:
        raise SymtrigError(f"backend {name!r} is already registered")
    _FLOWS[name] = flow


def unregister_backend(name: str) -> None:
    """Remove a backend :func:`register_backend` added (the built-ins stay)."""
    if name in ("hls4ml", "da4ml"):
        raise SymtrigError(f"backend {name!r} is built in")
    _FLOWS.pop(name, None)


def backend_names() -> tuple[str, ...]:
    """Every backend a design can be built with: the built-ins, registered ones, then installed ones."""
    return tuple(_all_flows())


def get_flow(backend: str) -> Flow:
    """The flow of a backend name; an unknown name is a one-line error listing the known ones."""
    flows = _all_flows()
    if backend not in flows:
        raise SymtrigError(f"unknown backend {backend!r}; choose from {', '.join(flows)}")
    return flows[backend]()


def flow_for(config: EmitConfig) -> Flow:
    """The flow of ``config.backend`` once the settings are checked against it (before any design is built)."""
    flow = get_flow(config.backend)
    for setting in _owned_by_others(flow):
        if getattr(config, setting) != getattr(_DEFAULTS, setting):
            owners = [name for name in _all_flows() if setting in get_flow(name).own_settings]
            flag = "--" + setting.replace("_", "-")
            raise SymtrigError(f"{flag} applies to --backend {' or '.join(owners)}, not {flow.name}")
    options_of(flow, config)
    flow.check(config)
    return flow


def options_of(flow: Flow, config: EmitConfig) -> Any:
    """``config.backend_options`` as the backend's own options (its ``options`` dataclass), typed and checked."""
    pairs = dict(config.backend_options)
    if flow.options is None:
        if pairs:
            raise SymtrigError(f"--backend {flow.name} takes no --backend-option (got {', '.join(pairs)})")
        return None
    fields = {f.name: f for f in dataclasses.fields(flow.options)}
    unknown = sorted(set(pairs) - set(fields))
    if unknown:
        raise SymtrigError(
            f"--backend {flow.name} has no option {', '.join(unknown)}; its options: {', '.join(fields)}"
        )
    return flow.options(**{key: _typed(fields[key], value, flow.name) for key, value in pairs.items()})


def parse_backend_options(texts: list[str]) -> tuple[tuple[str, str], ...]:
    """``KEY=VALUE`` texts as pairs; anything else is a one-line error."""
    pairs = []
    for text in texts:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise SymtrigError(f"--backend-option takes KEY=VALUE, got {text!r}")
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def _typed(field: dataclasses.Field, value: str, backend: str) -> Any:
    """A string option as its field's type (bool, int, float or str)."""
    kind = (
        field.type
        if isinstance(field.type, type)
        else {"bool": bool, "int": int, "float": float}.get(str(field.type), str)
    )
    try:
        if kind is bool:
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(value)
            return value.lower() in ("true", "1", "yes")
        return kind(value)
    except ValueError:
        raise SymtrigError(
            f"--backend {backend}: option {field.name} must be a {kind.__name__}, got {value!r}"
        ) from None


def _owned_by_others(flow: Flow) -> set[str]:
    others = {name for name in _all_flows() if name != flow.name}
    return set().union(*(get_flow(name).own_settings for name in others)) - set(flow.own_settings)


def _all_flows() -> dict[str, Callable[[], Flow]]:
    return {**_installed(), **_FLOWS}


@functools.cache
def _installed() -> dict[str, Callable[[], Flow]]:
    """The backends installed packages declare in :data:`ENTRY_POINT_GROUP` (read once; a broken one is a
    one-line error, not a traceback)."""
    found = {}
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            found[entry.name] = entry.load()
        except Exception as exc:  # a third-party import failure must not be a traceback
            raise SymtrigError(f"backend {entry.name!r} ({entry.value}) cannot be loaded: {exc}") from None
    return found
