"""What every symbolic-regression engine receives and returns.

The engines are interchangeable search back-ends. They get the same :class:`SearchSpec` and hand back plain
sympy :class:`Candidate` expressions; they never score, filter or choose. Keeping the engines that dumb is what
lets the core apply one complexity counter and one Pareto filter to the union of all engines' candidates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import sympy as sp

from symtrig.errors import SymtrigError

if TYPE_CHECKING:
    from symtrig.families import Family

#: Losses an engine may be asked to minimise: plain squared error, or PySR's L2 margin loss (1 - y·ŷ)² that the
#: published recipe used on ±1 labels.
LOSSES: tuple[str, ...] = ("mse", "l2margin")


@dataclass(frozen=True)
class SearchSpec:
    """One search request: which operators, how large, how long, which seed.

    ``generations`` set means a deterministic generation/iteration limit; ``budget_s`` is then only a safety cap.
    Without it the engine runs for ``budget_s`` seconds, which is faster to reason about but not reproducible.
    """

    family: Family
    c_max: int
    budget_s: float
    seed: int
    n_threads: int = 1
    generations: int | None = None
    op_costs: Mapping[str, int] | None = None
    loss: str = "mse"

    def __post_init__(self) -> None:
        if self.c_max < 1:
            raise SymtrigError(f"c_max must be a positive node count, got {self.c_max}")
        if not self.budget_s > 0:
            raise SymtrigError(f"the time budget must be positive, got {self.budget_s} s")
        if self.n_threads < 1:
            raise SymtrigError(f"n_threads must be at least 1, got {self.n_threads}")
        if self.generations is not None and self.generations < 1:
            raise SymtrigError(f"generations must be at least 1 when given, got {self.generations}")
        if self.loss not in LOSSES:
            raise SymtrigError(f"unknown loss {self.loss!r}; use one of {', '.join(LOSSES)}")


@dataclass(frozen=True)
class Candidate:
    """One expression proposed by an engine, over the symbols ``x0..x{n-1}`` (column order of ``X``).

    ``engine_complexity``/``engine_loss`` are the engine's own numbers, kept for diagnostics only: the core
    recounts complexity with its own counter and rescores on held-out data.
    """

    expr: sp.Expr
    engine: str
    engine_complexity: int | None = None
    engine_loss: float | None = field(default=None)


@runtime_checkable
class SREngine(Protocol):
    """A symbolic-regression back-end."""

    name: str

    def available(self) -> bool:
        """Whether the engine can run here; cheap, must not import the heavy library."""
        ...

    def search(self, X: np.ndarray, y: np.ndarray, spec: SearchSpec) -> list[Candidate]:
        """Search expressions for ``y ≈ f(X)`` and return every candidate worth considering (a whole front)."""
        ...


def feature_symbols(n_features: int) -> tuple[sp.Symbol, ...]:
    """The symbols ``x0..x{n-1}`` every engine must use, so candidates from all engines are comparable."""
    from symtrig.expr.functions import variable

    return tuple(variable(i) for i in range(n_features))


def check_training_data(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return float64 C-contiguous copies of ``X``/``y`` after checking shapes and finiteness.

    float64 C arrays matter for pyoperon: its Dataset wraps float32 Fortran arrays without copying, and a
    temporary freed underneath it gives garbage results (see docs on engine pitfalls).
    """
    X = np.array(X, dtype=np.float64, order="C", copy=True)
    y = np.array(y, dtype=np.float64, order="C", copy=True)
    if X.ndim != 2 or y.ndim != 1:
        raise SymtrigError(
            f"expected a 2-D feature array and a 1-D target, got shapes {X.shape} and {y.shape}"
        )
    if X.shape[0] != y.shape[0]:
        raise SymtrigError(f"features have {X.shape[0]} rows but the target has {y.shape[0]}")
    if X.shape[0] < 2:
        raise SymtrigError("need at least 2 rows to search for an expression")
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise SymtrigError("features or target contain NaN or infinite values; clean or impute them first")
    return X, y
