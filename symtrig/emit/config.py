"""What ``symtrig emit-hls`` was asked to do: one frozen, validated record, kept in every ``design.json``."""

from __future__ import annotations

from dataclasses import dataclass

from symtrig.errors import SymtrigError
from symtrig.store import paths

#: The backends a design can be built with; hls4ml's symbolic-expression backend is the default.
BACKENDS: tuple[str, ...] = ("hls4ml", "da4ml")
#: What the da4ml backend writes: Verilog (default), VHDL, or HLS C++ (da4ml's Vitis flavour).
FLAVORS: tuple[str, ...] = ("verilog", "vhdl", "hls")


@dataclass(frozen=True)
class EmitConfig:
    """Every setting of emit-hls."""

    leaderboard: str = f"{paths.EXPRESSIONS_DIR}/{paths.LEADERBOARD_FILE}"
    select: str = "best"
    family: str | None = None
    cmax: int | None = None
    backend: str = "hls4ml"
    flavor: str = "verilog"
    precision: str = "auto"
    max_auc_drop: float = 0.001
    lut_size: int | None = (
        None  # hls4ml: entries per table; None: auto (symtrig.emit.hls4ml_flow.AUTO_LUT_SIZES)
    )
    max_latency: int | None = None  # cycles; with select 'best': best expression per class that fits
    part: str = "xcvu9p-flga2577-2-e"
    clock: float = 5.0
    synth: bool = False
    strict: bool = False  # a design that misses the tolerance fails the command (exit 1) instead of a warning
    out: str = paths.DESIGNS_DIR

    def validated(self) -> EmitConfig:
        """Check every setting before any design is built."""
        if self.backend not in BACKENDS:
            raise SymtrigError(f"unknown backend {self.backend!r}; choose from {', '.join(BACKENDS)}")
        if self.flavor not in FLAVORS:
            raise SymtrigError(f"unknown flavor {self.flavor!r}; choose from {', '.join(FLAVORS)}")
        if self.flavor != "verilog" and self.backend != "da4ml":
            raise SymtrigError("--flavor applies to --backend da4ml (hls4ml writes HLS C++)")
        if not 0 < self.clock <= 100:
            raise SymtrigError(f"--clock must be in (0, 100] ns, got {self.clock}")
        if not 0 < self.max_auc_drop < 0.5:
            raise SymtrigError(f"--max-auc-drop must be in (0, 0.5), got {self.max_auc_drop}")
        if self.lut_size is not None and not 2 <= self.lut_size <= 65535:
            raise SymtrigError(f"--lut-size must be auto or between 2 and 65535, got {self.lut_size}")
        if self.max_latency is not None and (self.max_latency < 0 or self.select != "best"):
            raise SymtrigError("--max-latency takes a number of cycles >= 0 and works with --select best")
        if self.backend == "da4ml" and (self.precision != "auto" or self.lut_size is not None):
            raise SymtrigError(
                "--precision and --lut-size apply to --backend hls4ml (da4ml types every node)"
            )
        return self


def parse_lut_size(text: str) -> int | None:
    """``--lut-size``: ``auto`` (None) or a whole number of entries; anything else is a user error."""
    if text.strip().lower() == "auto":
        return None
    try:
        return int(text)
    except ValueError:
        raise SymtrigError(f"--lut-size must be auto or a whole number of entries, got {text!r}") from None
