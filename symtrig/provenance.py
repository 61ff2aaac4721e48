"""What a result was made with: package versions and a timestamp, recorded next to every output."""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from importlib import metadata

_TRACKED = (
    "symtrig",
    "numpy",
    "pandas",
    "scikit-learn",
    "sympy",
    "pyoperon",
    "pysr",
    "hls4ml",
    "skops",
    "onnxruntime",
    "pythia8mc",
    "fastjet",
)


def versions(extra: tuple[str, ...] = ()) -> dict[str, str]:
    """Installed versions of the packages that shape a result (missing ones are left out)."""
    found = {"python": platform.python_version()}
    for name in (*_TRACKED, *extra):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def utc_now() -> str:
    """An ISO-8601 UTC timestamp with second resolution."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
