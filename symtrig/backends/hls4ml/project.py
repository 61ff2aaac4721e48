"""Write (and optionally compile) the hls4ml project of a :class:`~symtrig.lower.tables.Lowered` model.

The project is a standard hls4ml SymbolicExpression project: a Vivado HLS user runs ``build_prj.tcl``
unchanged (Vivado adds no ``-I`` and so uses Xilinx's own math headers). hls4ml writes only that Vivado HLS
script for this backend, so ``build_vitis.tcl`` (:data:`VITIS_TCL`) builds the same firmware with Vitis HLS,
which replaced Vivado HLS. ``project_name`` names the top function and the files (``firmware/<name>.cpp``,
``<name>_prj/``). For Python-side ``compile()``/``predict()`` with plain g++ the project's
``firmware/ap_types`` is our include folder (see :mod:`symtrig.backends.hls4ml.include`), which also turns
``x/0`` into 0 so a quantized zero divisor cannot kill the Python process with SIGFPE.

The folder is built in a temporary sibling and renamed into place (``symtrig.atomic``); the returned object is
hls4ml's ``FilesystemModelGraph`` linked to the final folder, which offers ``compile()``, ``predict()`` and
``build()``.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

import numpy as np
import yaml

from symtrig.atomic import atomic_directory
from symtrig.backends import DEFAULT_PART
from symtrig.backends.hls4ml.include import make_include_dir
from symtrig.errors import SymtrigError
from symtrig.lower.fixed import FixedFormat
from symtrig.lower.tables import Lowered

#: Vitis HLS build of the project: hls4ml 1.3.0's ``templates/vitis/build_prj.tcl`` for this project's files.
#: Like hls4ml's scripts it reads ``project.tcl`` (name, part, clock, uncertainty) and runs in the project
#: folder; the options are ``build_prj.tcl``'s (``"reset=1 csim=0 ..."`` after the script). The same
#: ``-std=c++0x`` cflags and no ``-I``: Vitis HLS uses its own ap_types and hls_math. Cosimulation is Vitis's plain
#: ``cosim_design`` (hls4ml's ``-setup`` detour serves its FIFO-depth optimizer, unused here).
VITIS_TCL = """\
# Vitis HLS build of this hls4ml project, written by symtrig from hls4ml's Vitis template.
#   vitis_hls -f build_vitis.tcl "reset=1 csim=0 synth=1 cosim=0 validation=0 export=0 vsynth=0"
array set opt {
    reset      0
    csim       1
    synth      1
    cosim      1
    validation 1
    export     0
    vsynth     0
}
foreach arg $::argv {
    foreach o [lsort [array names opt]] {
        regexp "$o=+(\\\\w+)" $arg unused opt($o)
    }
}
source [file join [file dirname [info script]] project.tcl]

proc same_file_contents {a b} {
    if {!([file exists $a] && [file exists $b])} { return 0 }
    set fa [open $a r]
    set fb [open $b r]
    set same [string equal [read $fa] [read $fb]]
    close $fa
    close $fb
    return $same
}

file mkdir tb_data
if {$opt(reset)} { open_project -reset ${project_name}_prj } else { open_project ${project_name}_prj }
set_top ${project_name}
add_files firmware/${project_name}.cpp -cflags "-std=c++0x"
add_files -tb ${project_name}_test.cpp -cflags "-std=c++0x"
add_files -tb tb_data
if {$opt(reset)} { open_solution -reset "solution1" } else { open_solution "solution1" }
config_compile -name_max_length 80
set_part $part
config_schedule -enable_dsp_full_reg=false
create_clock -period $clock_period -name default
set_clock_uncertainty $clock_uncertainty default

if {$opt(csim)} { csim_design }
if {$opt(synth)} { csynth_design }
if {$opt(cosim)} {
    add_files -tb ${project_name}_test.cpp -cflags "-std=c++0x -DRTL_SIM"
    cosim_design
}
if {$opt(validation)} {
    if {![same_file_contents tb_data/csim_results.log tb_data/rtl_cosim_results.log]} {
        puts "ERROR: C simulation and RTL cosimulation results differ (tb_data/*_results.log)"
        exit 1
    }
    puts "INFO: C simulation and RTL cosimulation results are identical"
}
if {$opt(export)} { export_design -format ip_catalog -version $version }
if {$opt(vsynth)} { exec vivado -mode batch -source vivado_synth.tcl >@ stdout }
exit
"""


def check_precision(lowered: Lowered, precision: FixedFormat) -> None:
    """Refuse precisions whose grid cannot hold a LUT's start/step or range (the table would degenerate)."""
    for spec in lowered.luts:
        if spec.required_frac_bits() > precision.fraction:
            raise SymtrigError(
                f"{precision} has {precision.fraction} fraction bits but table {spec.name} needs "
                f"{spec.required_frac_bits()} (step {spec.step:g}); raise W-I or lower lut_size"
            )
        if spec.required_int_bits() > precision.ap_integer:
            raise SymtrigError(
                f"{precision} has {precision.ap_integer} integer bits but table {spec.name} spans "
                f"[{spec.range_start:g}, {spec.range_end:g}); raise I"
            )


def write_project(
    lowered: Lowered,
    out_dir: Path,
    *,
    precision: str = "ap_fixed<18,8>",
    part: str = DEFAULT_PART,
    clock_period: float = 5,
    project_name: str = "myproject",
    X_tb: np.ndarray | None = None,
    y_tb: np.ndarray | None = None,
):
    """Write the hls4ml project to ``out_dir`` and return a ModelGraph-backed handle to it.

    ``X_tb`` are IP input rows for ``tb_data/`` (use ``lowered.ip_inputs(X_raw)``) and ``y_tb`` the outputs the
    test bench expects of them, given together: the caller computes them with the bit-exact model
    (:func:`symtrig.verify.hls4ml_emulator.emulator_for`), which reads what this backend writes, so the
    backend does not import it back.
    """
    import hls4ml

    fixed = FixedFormat.parse(precision)
    check_precision(lowered, fixed)
    out_dir = Path(out_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="symtrig-hls-") as scratch:
        scratch_dir = Path(scratch)
        include = make_include_dir(scratch_dir / "include")
        tb_in, tb_out = _tb_files(lowered, scratch_dir, X_tb, y_tb)
        with atomic_directory(out_dir) as tmp, _quiet():
            model = hls4ml.converters.convert_from_symbolic_expression(
                list(lowered.exprs),  # a fresh list: hls4ml rewrites entries in place; a set would reorder
                n_symbols=lowered.n_inputs,
                lut_functions=[spec.to_hls4ml() for spec in lowered.luts],
                use_built_in_lut_functions=False,
                output_dir=str(tmp),
                project_name=project_name,
                input_data_tb=tb_in,
                output_data_tb=tb_out,
                precision=str(fixed),
                part=part,
                clock_period=clock_period,
                hls_include_path=str(include),
                hls_libs_path="",
            )
            model.write()
            (tmp / "build_vitis.tcl").write_text(VITIS_TCL)
            _relocate_config(tmp, out_dir)
    return hls4ml.converters.link_existing_project(str(out_dir))


def _tb_files(
    lowered: Lowered, scratch: Path, X_tb: np.ndarray | None, y_tb: np.ndarray | None
) -> tuple[str | None, str | None]:
    """Save test-bench rows as .npy for hls4ml to convert into ``tb_data/*.dat``."""
    if X_tb is None or y_tb is None:
        if X_tb is not None or y_tb is not None:
            raise SymtrigError(
                "the test bench needs both X_tb (input rows) and y_tb (their expected outputs)"
            )
        return None, None
    X_tb = np.ascontiguousarray(X_tb, dtype=np.float64)
    if X_tb.ndim != 2 or X_tb.shape[1] != lowered.n_inputs:
        raise SymtrigError(f"X_tb must have shape (rows, {lowered.n_inputs})")
    y_tb = np.asarray(y_tb, dtype=np.float64).reshape(len(X_tb), -1)
    np.save(scratch / "tb_input.npy", X_tb)
    np.save(scratch / "tb_output.npy", y_tb)
    return str(scratch / "tb_input.npy"), str(scratch / "tb_output.npy")


#: The project name of the scratch project :func:`printed_cpp` prints; the statements do not depend on it.
PRINT_NAME = "symtrig_print"


def printed_cpp(lowered: Lowered):
    """The C++ hls4ml prints for ``lowered``, read by :func:`symtrig.backends.hls4ml.cpp.read_project`.

    hls4ml's printed statements and table definitions depend neither on the precision (only ``defines.h``
    does) nor on the project name (:data:`PRINT_NAME` stands in for any), so it is printed once per lowered
    design and cached on it; every candidate precision of a search reuses it.
    """
    import hls4ml

    from symtrig.backends.hls4ml.cpp import read_project

    cached = lowered.__dict__.get("_printed")
    if cached is not None:
        return cached
    with tempfile.TemporaryDirectory(prefix="symtrig-emu-") as scratch, _quiet():
        model = hls4ml.converters.convert_from_symbolic_expression(
            list(lowered.exprs),
            n_symbols=lowered.n_inputs,
            lut_functions=[spec.to_hls4ml() for spec in lowered.luts],
            output_dir=str(Path(scratch) / "prj"),
            project_name=PRINT_NAME,
            precision="ap_fixed<32,16>",
            hls_include_path="",
            hls_libs_path="",
        )
        model.write()
        project = read_project(Path(scratch) / "prj", PRINT_NAME, require=("parameters.h",))
    lowered.__dict__["_printed"] = project
    return project


def _quiet() -> contextlib.AbstractContextManager:
    """hls4ml prints progress and a misleading include-path hint on every write; the CLI reports instead."""
    return contextlib.redirect_stdout(io.StringIO())


def _relocate_config(tmp: Path, final: Path) -> None:
    """Point the written ``hls4ml_config.yml`` at the final folder (it is renamed there after writing)."""
    path = tmp / "hls4ml_config.yml"
    config = yaml.safe_load(path.read_text())
    config["OutputDir"] = str(final)
    config["HLSIncludePath"] = str(final / "firmware" / "ap_types")
    path.write_text(yaml.safe_dump(config, sort_keys=True))
