"""Real synthesis figures of an hls4ml project: read Vitis/Vivado HLS reports, or run the HLS tool.

Why: when a user has Xilinx tools, measured numbers beat the analytical estimate of :mod:`symtrig.cost.hls_estimate`.
Reading is delegated to hls4ml's own ``parse_vivado_report`` (it knows the report layout of every tool
version it supports); this module only maps its dictionary onto :class:`~symtrig.cost.hls_params.CostReport` and
returns ``None`` whenever the figures are absent or incomplete, so callers can fall back to the estimate.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from symtrig.cost.hls_params import CostReport
from symtrig.errors import SymtrigError

__all__ = ["BUILD_SCRIPTS", "HLS_TOOLS", "find_hls_tool", "read_synthesis_report", "synthesize"]

#: The HLS compilers ``--synth`` runs, preferred first, each with the build script of the project it reads:
#: Vitis HLS replaced Vivado HLS; ``build_vitis.tcl`` is symtrig's (:mod:`symtrig.backends.hls4ml.project`),
#: ``build_prj.tcl`` hls4ml's. Both name everything after ``project.tcl``'s ``project_name``, and so does
#: hls4ml's report parser (``<name>_prj/solution1/syn/report/<name>_csynth.xml``).
HLS_TOOLS = ("vitis_hls", "vivado_hls")
BUILD_SCRIPTS = {"vitis_hls": "build_vitis.tcl", "vivado_hls": "build_prj.tcl"}
_CSYNTH_KEYS = ("BestLatency", "WorstLatency", "IntervalMax", "DSP", "LUT", "FF", "BRAM_18K")
_VSYNTH_KEYS = ("LUT", "FF", "DSP48E", "BRAM_18K")


def _number(text: object) -> float | None:
    try:
        return float(str(text).strip().replace(",", ""))
    except ValueError:
        return None


def _hls4ml_report(project_dir: Path) -> dict:
    """hls4ml's parser prints progress and raises on half-written projects; both are muted here."""
    from hls4ml.report import parse_vivado_report

    with contextlib.redirect_stdout(io.StringIO()):
        try:
            report = parse_vivado_report(str(project_dir))
        except (OSError, ValueError, KeyError, AttributeError, TypeError, UnboundLocalError, IndexError):
            return {}
    return report or {}


def _numbers(section: dict, keys: Iterable[str]) -> dict[str, float] | None:
    """The numbers under ``keys``, or None when any is missing or unreadable (an incomplete report)."""
    values: dict[str, float] = {}
    for key in keys:
        value = _number(section.get(key))
        if value is None:
            return None
        values[key] = value
    return values


def _from_csynth(csynth: dict, clock_period: float) -> CostReport | None:
    values = _numbers(csynth, _CSYNTH_KEYS)
    if values is None:
        return None
    latency = int(values["WorstLatency"])
    return CostReport(
        latency_cycles=latency,
        latency_ns=latency * clock_period,
        interval=int(values["IntervalMax"]),
        dsp=int(values["DSP"]),
        lut=int(values["LUT"]),
        ff=int(values["FF"]),
        bram=int(values["BRAM_18K"]),
        source="csynth",
    )


def read_synthesis_report(project_dir: str | Path) -> CostReport | None:
    """Figures of a synthesized project, or None when no complete csynth report exists.

    The report is where hls4ml's parser looks, under the name the project's ``project.tcl`` gives
    (``<name>_prj/solution1/syn/report/<name>_csynth.xml``), written by Vivado HLS or Vitis HLS alike.

    Latency and interval always come from the HLS csynth report; when ``vivado_synth.rpt`` (hls4ml's
    ``vsynth=1``) is complete, DSP/LUT/FF/BRAM are Vivado's post-synthesis counts and ``source='vsynth'``
    (BRAM in 18 Kb units: twice the "Block RAM Tile" count that hls4ml reports under ``BRAM_18K``).
    """
    root = Path(project_dir)
    if not root.is_dir():
        return None
    report = _hls4ml_report(root)
    csynth = report.get("CSynthesisReport") or {}
    period = _number(csynth.get("TargetClockPeriod")) or 0.0
    result = _from_csynth(csynth, period)
    if result is None:
        return None
    vsynth = report.get("VivadoSynthReport") or {}
    v = _numbers(vsynth, _VSYNTH_KEYS)
    if v is not None:
        result = CostReport(
            latency_cycles=result.latency_cycles,
            latency_ns=result.latency_ns,
            interval=result.interval,
            dsp=int(v["DSP48E"]),
            lut=int(v["LUT"]),
            ff=int(v["FF"]),
            bram=int(2 * v["BRAM_18K"]),  # hls4ml files Vivado's 36 Kb "Block RAM Tile" count under BRAM_18K
            source="vsynth",
        )
    return result


def find_hls_tool() -> str | None:
    """Path of the first HLS compiler of :data:`HLS_TOOLS` on PATH (Vitis HLS first)."""
    for tool in HLS_TOOLS:
        path = shutil.which(tool)
        if path:
            return path
    return None


def _build_command(root: Path) -> tuple[str, str]:
    """(tool, build script): the first tool on PATH whose script the project holds."""
    if find_hls_tool() is None:
        raise SymtrigError("--synth needs vivado_hls or vitis_hls on PATH")
    for tool in HLS_TOOLS:
        path = shutil.which(tool)
        if path and (root / BUILD_SCRIPTS[tool]).is_file():
            return path, BUILD_SCRIPTS[tool]
    raise SymtrigError(
        f"{root} has no build script for the HLS tool on PATH ({' or '.join(BUILD_SCRIPTS.values())}); "
        "write the hls4ml project first"
    )


def synthesize(
    project_dir: str | Path, *, vsynth: bool = False, timeout_s: float | None = None
) -> CostReport:
    """Run C synthesis (and optionally Vivado synthesis) of a written project, then read its report.

    Runs ``vitis_hls -f build_vitis.tcl`` when Vitis HLS is on PATH, else ``vivado_hls -f build_prj.tcl`` (the
    command hls4ml's ``build()`` issues), with the options hls4ml passes.
    """
    root = Path(project_dir)
    tool, script = _build_command(root)
    args = f"reset=1 csim=0 synth=1 cosim=0 validation=0 export=0 vsynth={int(vsynth)}"
    try:
        done = subprocess.run(
            [tool, "-f", script, args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SymtrigError(f"{Path(tool).name} did not finish within {timeout_s} s") from exc
    report = read_synthesis_report(root)
    if report is None:
        tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
        raise SymtrigError(
            f"{Path(tool).name} produced no complete csynth report (exit {done.returncode}): "
            + " | ".join(tail)
        )
    return report
