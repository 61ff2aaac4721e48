"""What ``symtrig fit`` was asked to do: one frozen, validated record, written into ``run.json``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from symtrig.distill import DEFAULT_BUDGET
from symtrig.engines import get_engine
from symtrig.errors import SymtrigError
from symtrig.families import FAMILIES, get_op_costs, parse_family_list
from symtrig.fronts import check_c_max
from symtrig.store import paths
from symtrig.targets import TARGETS

if TYPE_CHECKING:
    from symtrig.data import Dataset


@dataclass(frozen=True)
class FitConfig:
    """Every setting of a fit; :meth:`validated` checks them all before any work starts."""

    cmax: int = 40
    families: tuple[str, ...] = tuple(FAMILIES)
    classes: tuple[str, ...] | None = None  # None: every class of the data (or output of a score teacher)
    data: str = "sample"
    data_home: str | None = None
    features: tuple[str, ...] | None = (
        None  # a table of one's own: its feature columns (None: all but the label)
    )
    label: str | None = None  # ... and its label column ('none': unlabelled; None: the jet layout or 'class')
    tree: str | None = None  # the TTree or RNTuple of a ROOT file
    teacher: str | None = None
    teacher_outputs: tuple[str, ...] | None = None  # names of an ONNX teacher's output columns, in order
    target: str = "teacher-logodds"  # see symtrig.targets for the measured comparison
    engine: str = "operon"
    budget: float = DEFAULT_BUDGET
    generations: int | None = None
    seed: int = 0
    jobs: int = 1
    scheduler: str | None = None
    op_costs: str = "unit"
    max_rows: int = 10_000
    refit: bool = True  # refit each front member's constants on all training rows (symtrig.refit)
    select_features: int | None = 6  # columns each search sees (random-forest ranked); None: all
    out: str = paths.EXPRESSIONS_DIR

    def validated(self) -> FitConfig:
        """Check every setting up front, so a mistake fails before minutes of searching."""
        check_c_max(self.cmax)
        parse_family_list(",".join(self.families))
        if self.classes is not None and not self.classes:
            raise SymtrigError("--classes is empty; name at least one class, or leave it out for all")
        if self.target not in TARGETS:
            raise SymtrigError(f"unknown target {self.target!r}; use one of {', '.join(TARGETS)}")
        if self.teacher_outputs and self.teacher is None:
            raise SymtrigError("--teacher-outputs names the outputs of a teacher given with --teacher")
        if not self.budget > 0:
            raise SymtrigError(f"--budget must be a positive number of seconds, got {self.budget}")
        if self.jobs < 1:
            raise SymtrigError(f"--jobs must be at least 1, got {self.jobs}")
        if self.max_rows < 100:
            raise SymtrigError(f"--max-rows must be at least 100, got {self.max_rows}")
        if self.select_features is not None and self.select_features < 1:
            raise SymtrigError(
                f"--select-features must be at least 1 (0 for all), got {self.select_features}"
            )
        get_op_costs(self.op_costs)
        get_engine(self.engine)  # unknown or unavailable (PySR without Julia) fails before any work
        return self

    def outputs(self, available: tuple[str, ...]) -> tuple[str, ...]:
        """The classes to distil: ``--classes`` (each must be one of ``available``), or all of them."""
        if self.classes is None:
            return available
        unknown = [c for c in self.classes if c not in available]
        if unknown:
            raise SymtrigError(
                f"unknown class(es) {', '.join(unknown)}; choose from {', '.join(available) or '(none)'}"
            )
        return self.classes

    def load_data(self) -> Dataset:
        """The data this fit reads, split by its seed: one place that turns the settings into a dataset."""
        from symtrig.data import load_data  # the data stack (pandas, pyarrow) only when data is read

        return load_data(
            self.data,
            seed=self.seed,
            data_home=self.data_home,
            features=self.features,
            label=self.label,
            tree=self.tree,
        )
