"""PySR engine, and import of PySR hall-of-fame files written by any run (ours or someone else's).

PySR drives a Julia back-end (SymbolicRegression.jl) through juliacall, and ``import pysr`` downloads Julia
when none is found. So nothing here imports pysr until :meth:`PySREngine.search` runs, and
:meth:`PySREngine.available` only looks for an installed package and an already present Julia.

Hall-of-fame format (checked in PySR 2.7.2 ``sr.py`` and SymbolicRegression.jl ``save_to_file``; see
``tests/fixtures/pysr/README.md``): a CSV with header ``Complexity,Loss,Equation``, one Pareto-optimal
expression per line, the equation double-quoted and printed Julia-style (``(x0 * -0.5)``, ``sin(x1)``,
``square(u)``, user operators by name), with Julia float literals such as ``1.0f-5`` possible.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from symtrig.engines.base import Candidate, SearchSpec, check_training_data
from symtrig.errors import SymtrigError
from symtrig.expr.functions import SYMTRIG_FUNCTIONS
from symtrig.families import Family

#: symtrig op name -> PySR operator name (custom unary operators keep their Julia function name).
_PYSR_NAMES: dict[str, str] = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "^"}
#: PySR's per-loss Julia objects; ``l2margin`` is the published recipe's (1 - y·ŷ)² on ±1 labels.
_LOSSES: dict[str, str] = {"mse": "L2DistLoss()", "l2margin": "L2MarginLoss()"}
#: PySR rejects smaller ``maxsize`` values.
PYSR_MIN_MAXSIZE = 7
#: Julia float literals (``1.5f0``, ``1.0f-5``): Float32 printing uses ``f`` as the exponent marker.
_JULIA_FLOAT = re.compile(r"\b(\d+\.\d+)[fF]([+-]?\d+)\b")
_COLUMNS = ("complexity", "loss", "equation")


def _pysr_name(op: str) -> str:
    return _PYSR_NAMES.get(op, op)


def pysr_family_kwargs(family: Family) -> dict[str, Any]:
    """Keyword arguments for ``PySRRegressor`` selecting ``family``'s operators.

    ``extra_sympy_mappings`` maps PySR's custom operators straight to symtrig's sympy functions, so its
    ``sympy_format`` column already holds ``gauss``/``logabs`` nodes. (PySR's vocabulary lives with the PySR
    engine, not in :mod:`symtrig.families`, which :mod:`symtrig.expr` builds on.)
    """
    return {
        "binary_operators": list(family.pysr_binary),
        "unary_operators": list(family.pysr_unary),
        "extra_sympy_mappings": {name: SYMTRIG_FUNCTIONS[name] for name in family.pysr_extra_names},
    }


def pysr_options(spec: SearchSpec, output_directory: str | os.PathLike[str]) -> dict[str, Any]:
    """``PySRRegressor`` keyword arguments for one search (pure: testable without Julia).

    Determinism: PySR is only reproducible with ``deterministic=True`` *and* ``parallelism='serial'`` (and a
    ``random_state``); it refuses ``deterministic`` otherwise. A generation limit (``niterations``) asks for
    that; so does a single thread, where serial costs nothing.
    """
    family = spec.family
    if spec.c_max < PYSR_MIN_MAXSIZE:
        raise SymtrigError(f"PySR needs c_max >= {PYSR_MIN_MAXSIZE}, got {spec.c_max}")
    serial = spec.generations is not None or spec.n_threads == 1
    costs: Mapping[str, int] = spec.op_costs or {}
    transcendental = [_pysr_name(op) for op in family.unary]
    options: dict[str, Any] = {
        **pysr_family_kwargs(family),
        "model_selection": "accuracy",
        "maxsize": spec.c_max,
        "niterations": spec.generations if spec.generations is not None else 10**6,
        "timeout_in_seconds": float(spec.budget_s),
        "elementwise_loss": _LOSSES[spec.loss],
        "complexity_of_operators": {_pysr_name(op): int(costs.get(op, 1)) for op in sorted(family.operators)},
        "complexity_of_constants": int(costs.get("const", 1)),
        "complexity_of_variables": int(costs.get("var", 1)),
        # As in the published recipe: no transcendental inside a transcendental, arguments at most c_max/2.
        "nested_constraints": {op: dict.fromkeys(transcendental, 0) for op in transcendental} or None,
        "constraints": {op: max(1, spec.c_max // 2) for op in transcendental} or None,
        "random_state": spec.seed,
        "deterministic": serial,
        "parallelism": "serial" if serial else "multithreading",
        "output_directory": str(output_directory),
        "run_id": f"symtrig_{family.name}_seed{spec.seed}",
        "temp_equation_file": False,
        "verbosity": 0,
        "progress": False,
    }
    return {key: value for key, value in options.items() if value is not None}


def _juliapkg_project() -> Path:
    """Where juliapkg (PySR's Julia installer) keeps its environment; mirrors juliapkg's own lookup."""
    if os.environ.get("PYTHON_JULIAPKG_PROJECT"):
        return Path(os.environ["PYTHON_JULIAPKG_PROJECT"])
    prefix = sys.prefix if sys.prefix != sys.base_prefix else os.environ.get("CONDA_PREFIX")
    if prefix:
        return Path(prefix) / "julia_env"
    depot = os.environ.get("JULIA_DEPOT_PATH", "").split(os.pathsep)[0] or str(Path.home() / ".julia")
    return Path(depot) / "environments" / "pyjuliapkg"


def julia_executable() -> str | None:
    """A Julia PySR can use without downloading one: juliapkg's override, its recorded install, or PATH."""
    override = os.environ.get("PYTHON_JULIAPKG_EXE")
    if override:
        return shutil.which(override) or (override if Path(override).is_file() else None)
    meta = _juliapkg_project() / "pyjuliapkg" / "meta.json"
    try:
        recorded = json.loads(meta.read_text(encoding="utf-8")).get("executable")
    except (OSError, ValueError, AttributeError):
        recorded = None
    if isinstance(recorded, str) and Path(recorded).is_file():
        return recorded
    return shutil.which("julia")


class PySREngine:
    """Symbolic regression with PySR >= 1.0 (optional: ``pip install symtrig[pysr]`` plus Julia)."""

    name = "pysr"

    def available(self) -> bool:
        return importlib.util.find_spec("pysr") is not None and julia_executable() is not None

    def unavailable_reason(self) -> str:
        if importlib.util.find_spec("pysr") is None:
            return "pysr is not installed (pip install 'symtrig[pysr]')"
        return "no Julia found (put julia on PATH, set PYTHON_JULIAPKG_EXE, or run `python -c 'import pysr'` once)"

    def search(self, X: np.ndarray, y: np.ndarray, spec: SearchSpec) -> list[Candidate]:
        X64, y64 = check_training_data(X, y)
        # Julia's thread count is fixed when juliacall starts; PySR defaults it to "auto" (all cores).
        os.environ.setdefault("PYTHON_JULIACALL_THREADS", str(spec.n_threads))
        from pysr import PySRRegressor

        names = [f"x{i}" for i in range(X64.shape[1])]
        with tempfile.TemporaryDirectory(prefix="symtrig-pysr-") as workdir:
            model = PySRRegressor(**pysr_options(spec, workdir))
            model.fit(X64, y64, variable_names=names)
            table = model.equations_
        return [
            Candidate(
                expr=parse_equation(str(row.equation), spec.family, X64.shape[1], where="PySR result"),
                engine=self.name,
                engine_complexity=int(row.complexity),
                engine_loss=float(row.loss),
            )
            for row in table.itertuples()
        ]


def parse_equation(text: str, family: Family | None, n_features: int, where: str) -> sp.Expr:
    """Parse one PySR equation with symtrig's safe parser, after turning Julia float literals into Python's."""
    from symtrig.expr.parser import parse_expression

    try:
        return parse_expression(_JULIA_FLOAT.sub(r"\1e\2", text), allowed=family, n_features=n_features)
    except SymtrigError as exc:
        raise SymtrigError(f"{where}: equation {text[:80]!r}: {exc}") from exc


@dataclass(frozen=True)
class HallOfFameEntry:
    """One row of a PySR hall of fame: PySR's own complexity and training loss, and the expression."""

    complexity: int
    loss: float
    expr: sp.Expr


def read_hall_of_fame(
    path: str | os.PathLike[str], family: Family | None = None, n_features: int = 16
) -> list[HallOfFameEntry]:
    """Read a PySR ``hall_of_fame*.csv`` (or ``.bak``/``.bkup``) file; strict, errors name file and line.

    ``family`` restricts the operators allowed in the equations. Variables may be ``x0..`` or feature names.
    """
    path = Path(path)
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise SymtrigError(
            f"{path}: empty file; expected a PySR hall of fame with header Complexity,Loss,Equation"
        )
    index = {cell.strip().lower(): i for i, cell in enumerate(header)}
    missing = [c.capitalize() for c in _COLUMNS if c not in index]
    if missing:
        raise SymtrigError(
            f"{path}: missing column(s) {', '.join(missing)}; expected Complexity,Loss,Equation"
        )
    entries = [
        _entry(row, index, path, reader.line_num, family, n_features)
        for row in reader
        if any(c.strip() for c in row)
    ]
    if not entries:
        raise SymtrigError(f"{path}: no equations below the header")
    return entries


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SymtrigError(f"cannot read hall-of-fame file {path}: {exc.strerror or exc}") from exc
    if b"\x00" in data:
        raise SymtrigError(f"{path}: binary data, not a PySR hall-of-fame CSV (a pickle? give the .csv file)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SymtrigError(
            f"{path}: not UTF-8 text at byte {exc.start}; expected a PySR hall-of-fame CSV"
        ) from exc


def _entry(
    row: list[str], index: dict[str, int], path: Path, line: int, family: Family | None, n_features: int
) -> HallOfFameEntry:
    where = f"{path}, line {line}"
    if len(row) < len(index):
        raise SymtrigError(
            f"{where}: {len(row)} fields, expected {len(index)} (unquoted comma in the equation?)"
        )
    raw = {name: row[index[name]].strip() for name in _COLUMNS}
    try:
        complexity_value = float(_JULIA_FLOAT.sub(r"\1e\2", raw["complexity"]))
        loss = float(_JULIA_FLOAT.sub(r"\1e\2", raw["loss"]))
    except ValueError:
        raise SymtrigError(
            f"{where}: complexity {raw['complexity']!r} / loss {raw['loss']!r} not numeric"
        ) from None
    if not complexity_value.is_integer() or complexity_value < 1:
        raise SymtrigError(f"{where}: complexity {raw['complexity']!r} is not a positive integer")
    if np.isnan(loss):
        raise SymtrigError(f"{where}: loss is NaN")
    return HallOfFameEntry(
        int(complexity_value), loss, parse_equation(raw["equation"], family, n_features, where)
    )
