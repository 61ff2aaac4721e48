"""What ``symtrig emit-hls`` was asked to do: one frozen, validated record, kept in every ``design.json``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from symtrig.backends import DEFAULT_PART
from symtrig.errors import SymtrigError
from symtrig.store import paths

#: ``--project-name``: a C, Verilog and VHDL identifier short enough for every tool that prefixes it.
PROJECT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}")
#: The ``select`` recorded for a design built by :func:`symtrig.emit.emit_design` from expressions in hand: one
#: IP, whose top is exactly ``project_name`` when one is given (see :meth:`EmitConfig.top_name`).
GIVEN_EXPRESSIONS = "expressions"
#: Names an hls4ml project already gives its own files (``firmware/<name>.h`` would overwrite them).
RESERVED_NAMES = frozenset({"defines", "parameters"})


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
    max_latency_ns: float | None = None  # ns (cycles x clock); the same rule
    max_lut: int | None = None  # LUTs of the one-output design; the same rule
    part: str = DEFAULT_PART
    clock: float = 5.0
    synth: bool = False
    place_and_route: str | None = (
        None  # da4ml: a Lattice family of PNR_FAMILIES, routed timing beside the model
    )
    strict: bool = False  # a design that misses the tolerance fails the command (exit 1) instead of a warning
    project_name: str | None = None  # IP top and file names; None: each design's name (see top_name)
    out: str = paths.DESIGNS_DIR
    backend_options: tuple[tuple[str, str], ...] = ()  # --backend-option KEY=VALUE: the backend's own options

    def validated(self) -> EmitConfig:
        """Check every setting every backend shares; the backend's own are checked by
        :func:`symtrig.emit.registry.flow_for` (which settings are whose, and their values)."""
        if not 0 < self.clock <= 100:
            raise SymtrigError(f"--clock must be in (0, 100] ns, got {self.clock}")
        if not 0 < self.max_auc_drop < 0.5:
            raise SymtrigError(f"--max-auc-drop must be in (0, 0.5), got {self.max_auc_drop}")
        if self.lut_size is not None and not 2 <= self.lut_size <= 65535:
            raise SymtrigError(f"--lut-size must be auto or between 2 and 65535, got {self.lut_size}")
        if self.max_latency is not None and (self.max_latency < 0 or self.select != "best"):
            raise SymtrigError("--max-latency takes a number of cycles >= 0 and works with --select best")
        for option, limit in (("--max-latency-ns", self.max_latency_ns), ("--max-lut", self.max_lut)):
            if limit is not None and (not limit > 0 or self.select != "best"):
                raise SymtrigError(f"{option} takes a number > 0 and works with --select best")
        if self.precision != "auto":
            from symtrig.lower.fixed import FixedFormat

            FixedFormat.parse(self.precision)  # a malformed precision fails before any design is built
        if self.project_name is not None and (
            not PROJECT_NAME.fullmatch(self.project_name) or self.project_name.lower() in RESERVED_NAMES
        ):
            raise SymtrigError(
                f"--project-name {self.project_name!r} must be a letter, then letters, digits or _, at most "
                f"63 characters, and not {' or '.join(sorted(RESERVED_NAMES))}"
            )
        return self

    def top_name(self, design: str) -> str:
        """The IP's top function/module and file-name stem for ``design``, unique among the IPs of one run.

        Why: two IPs with the same top (hls4ml's default ``myproject``) collide in one block design. Without
        ``--project-name`` it is the design name made an identifier; with it, exactly that name when the run
        makes one IP (``--select ID,...``), else ``NAME_<design>``: ``best`` and ``pareto`` may make several,
        and the names must not depend on how many the leaderboard yields.
        """
        own = re.sub(r"[^A-Za-z0-9_]", "_", design)
        own = own if own[:1].isalpha() else f"ip_{own}"
        if self.project_name is None:
            top = own
        elif self.select in ("best", "pareto"):
            top = f"{self.project_name}_{own}"
        else:
            top = self.project_name
        if not PROJECT_NAME.fullmatch(top):
            raise SymtrigError(
                f"the IP name {top!r} of design {design} is longer than 63 characters; "
                "use a shorter --project-name"
            )
        return top


def parse_lut_size(text: str) -> int | None:
    """``--lut-size``: ``auto`` (None) or a whole number of entries; anything else is a user error."""
    if text.strip().lower() == "auto":
        return None
    try:
        return int(text)
    except ValueError:
        raise SymtrigError(f"--lut-size must be auto or a whole number of entries, got {text!r}") from None
