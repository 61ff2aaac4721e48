"""The C++ include folder handed to hls4ml as ``hls_include_path`` so ``compile()`` works with plain g++.

hls4ml's symbolic writer copies ``HLSIncludePath`` verbatim to ``firmware/ap_types/``, the only ``-I`` of its
``build_lib.sh``; Vivado's ``build_prj.tcl`` adds no ``-I``, so nothing here reaches synthesis. The folder is
hls4ml's own ``templates/vivado/ap_types`` plus two changes that are ours:

* ``hls_math.h`` (shipped in ``symtrig/hls/include/``): Vivado-style ``hls::f<W,I>`` overloads plus class-T
  overloads for ``nnet::lookup_table``; hls4ml's stub lacks log, fabs, recip, pow and sqrt, so printed
  expressions would not compile.
* a guard in ``ap_fixed_base.h``'s C-simulation division so ``x/0`` yields 0 instead of raising SIGFPE, which
  would kill the Python process that loaded the compiled model.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from symtrig.errors import SymtrigError

OUR_INCLUDE = Path(__file__).resolve().parent / "include"

# The one line of hls4ml 1.3.0's ap_fixed_base.h (non-synthesis branch of operator/) that divides.
_DIV_LINE = "    r.V = ((_AP_S||_AP_S2) ? dividend.V.sdiv(divisior.V): dividend.V.udiv(divisior.V));\n"
_DIV_GUARDED = (
    "    // symtrig: x/0 -> 0 in C simulation (native integer division by zero raises SIGFPE).\n"
    "    if (divisior == 0) { r.V = 0; } else {\n"
    "  " + _DIV_LINE + "    }\n"
)


def hls4ml_ap_types() -> Path:
    """hls4ml's bundled ``templates/vivado/ap_types`` folder (the Xilinx-licensed open ap_* headers)."""
    import hls4ml

    src = Path(hls4ml.__file__).resolve().parent / "templates" / "vivado" / "ap_types"
    if not (src / "ap_fixed_base.h").is_file():
        raise SymtrigError(f"hls4ml installation lacks {src}/ap_fixed_base.h; reinstall hls4ml==1.3.0")
    return src


def guard_division(text: str) -> str:
    """Return ``ap_fixed_base.h`` text with the zero-divisor guard; fail loudly if upstream changed."""
    count = text.count(_DIV_LINE)
    if count != 1:
        raise RuntimeError(
            f"ap_fixed_base.h: expected the division line exactly once, found {count}; "
            "hls4ml's ap_types changed, update symtrig/backends/hls4ml/include.py"
        )
    return text.replace(_DIV_LINE, _DIV_GUARDED)


def make_include_dir(dest: Path) -> Path:
    """Create ``dest`` (must not exist yet) as the include folder; return it for ``hls_include_path``."""
    dest = Path(dest)
    if dest.exists():
        raise SymtrigError(f"{dest} already exists; pass a fresh folder for the HLS include copy")
    shutil.copytree(hls4ml_ap_types(), dest)
    base = dest / "ap_fixed_base.h"
    base.write_text(guard_division(base.read_text()))
    for header in OUR_INCLUDE.glob("*.h"):
        shutil.copyfile(header, dest / header.name)
    return dest
