"""The hls4ml backend: a lowered program printed as an hls4ml project (HLS C++), compiled for C simulation.

It is tested with hls4ml 1.3.0 only: the lowering relies on that release's symbolic printer and writer (see
:mod:`symtrig.lower.tables`) and :mod:`~symtrig.backends.hls4ml.include` patches one exact line of its
``ap_fixed_base.h``. pyproject.toml allows the compatible range ``>=1.3.0,<1.4``, so a later patch release can be
installed; :func:`check_hls4ml_version` says so once, when the backend is first used. Nothing here imports hls4ml:
``import symtrig`` stays fast and works without it.
"""

from __future__ import annotations

import functools
import warnings
from importlib import metadata

from symtrig.errors import SymtrigError

#: The hls4ml release the backend's tests run on (the only one they have run on).
TESTED_HLS4ML = "1.3.0"

__all__ = ["TESTED_HLS4ML", "check_hls4ml_version"]


@functools.cache
def check_hls4ml_version() -> str:
    """The installed hls4ml version; warns once per process when it is not :data:`TESTED_HLS4ML`.

    A warning, not an error: a patch release may well work, and what would break (printed C++ that does not
    compile, the ``ap_fixed_base.h`` patch) fails loudly on its own. Reads the package metadata, so it costs
    no hls4ml import.
    """
    try:
        installed = metadata.version("hls4ml")
    except metadata.PackageNotFoundError as exc:
        raise SymtrigError("the hls4ml backend needs hls4ml: pip install 'hls4ml>=1.3.0,<1.4'") from exc
    if installed != TESTED_HLS4ML:
        warnings.warn(
            f"hls4ml {installed} is installed, but symtrig's hls4ml backend is tested with hls4ml "
            f"{TESTED_HLS4ML} only; if its projects fail to build or disagree with the emulator, "
            f"pip install hls4ml=={TESTED_HLS4ML}",
            UserWarning,
            stacklevel=2,
        )
    return installed
