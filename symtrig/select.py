"""The one rule for "best": per class, within one family and c_max, the highest *validation* AUC.

Why one module: fit flags the best expressions, emit-hls builds them into IPs, a latency/LUT budget walks down the
same ranking until one fits, the report shows them and the Python API returns them. With four rules (as this
project once had) a folder holding several seeds could show one expression in the report and ship another, and a
fallback let the test split choose the hardware. The test split is only ever reported, never used to choose.

Ties (equal validation AUC) go to the simpler expression, then to the smaller ``expr_id``, so the choice is
deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from symtrig.errors import SymtrigError

#: The column that chooses, and the groups within which one expression per class is chosen.
CHOOSE_BY = "auc_val"
GROUP_BY: tuple[str, ...] = ("family", "cmax")


def ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` ordered best first by the rule: validation AUC down, then complexity up, then ``expr_id``."""
    if CHOOSE_BY not in frame or frame[CHOOSE_BY].isna().any():
        raise SymtrigError(
            f"every expression needs a {CHOOSE_BY} (validation AUC) to be chosen; rerun `symtrig fit`"
        )
    return frame.sort_values(
        [CHOOSE_BY, "complexity", "expr_id"], ascending=[False, True, True], kind="stable"
    )


class CostFigures(Protocol):
    """What a budget reads of a cost (a :class:`symtrig.store.costs.CostReport`, named by its shape so this
    module stays below the store)."""

    @property
    def latency_cycles(self) -> int: ...
    @property
    def latency_ns(self) -> float: ...
    @property
    def lut(self) -> int: ...


@dataclass(frozen=True)
class Budget:
    """What a design's hardware must fit (``emit-hls --max-latency / --max-latency-ns / --max-lut``); None: free.

    Within a budget the rule is the same as without one, applied to the rows whose costed design fits: per
    class, the best validation AUC (the first row of :func:`ranked` that fits).
    """

    cycles: int | None = None
    ns: float | None = None
    lut: int | None = None

    def __bool__(self) -> bool:
        return any(limit is not None for limit in (self.cycles, self.ns, self.lut))

    def admits(self, cycles: int, ns: float, lut: int) -> bool:
        """True when a design of ``cycles`` clock cycles (``ns``) and ``lut`` LUTs fits every limit."""
        return (
            (self.cycles is None or cycles <= self.cycles)
            and (self.ns is None or ns <= self.ns + 1e-9)
            and (self.lut is None or lut <= self.lut)
        )

    def fits(self, cost: CostFigures) -> bool:
        """True when a costed design fits every limit (:meth:`admits` on its own figures)."""
        return self.admits(cost.latency_cycles, cost.latency_ns, cost.lut)

    def _limits(self) -> list[tuple[str, str]]:
        """(name suffix, option text) of every limit set."""
        limits = [
            (self.cycles, "max{}cyc", "--max-latency {} cycles"),
            (self.ns, "max{:g}ns", "--max-latency-ns {:g}"),
            (self.lut, "max{}lut", "--max-lut {}"),
        ]
        return [(name.format(v), option.format(v)) for v, name, option in limits if v is not None]

    @property
    def label(self) -> str:
        """The design-name suffix, e.g. ``max3cyc``, ``max10ns``, ``max10ns_max2000lut``."""
        return "_".join(name for name, _ in self._limits())

    def describe(self) -> str:
        """The budget as the options that set it, for messages."""
        return ", ".join(option for _, option in self._limits())


def mark_best(frame: pd.DataFrame) -> pd.Series[bool]:
    """True for the one best row of each class within each family and c_max."""
    flags = pd.Series(False, index=frame.index)
    if len(frame):
        flags.loc[best_rows(frame).index] = True
    return flags


def best_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The best row of every (family, c_max, class) present in ``frame``, in the frame's own order."""
    first = ranked(frame).groupby([*GROUP_BY, "class"], sort=False).head(1)
    return frame.loc[frame.index.intersection(first.index)]


def best_sets(frame: pd.DataFrame, classes: Sequence[str]) -> dict[tuple[str, int], pd.DataFrame]:
    """Per (family, c_max) with an expression for every class: its best rows, one per class in ``classes`` order.

    These are the sets emit-hls builds into one multi-output IP and the report shows side by side.
    """
    sets = {}
    best = best_rows(frame)
    for _, group in best.groupby(list(GROUP_BY), sort=True):
        if set(group["class"]) >= set(classes):
            key = (str(group["family"].iloc[0]), int(group["cmax"].iloc[0]))  # the group's (family, c_max)
            sets[key] = group.set_index("class").loc[list(classes)].reset_index()
    return sets


def pareto_mask(
    costs: Sequence[float], values: Sequence[float], *, higher_is_better: bool = False
) -> list[bool]:
    """True for members no simpler member beats: the staircase of strictly improving values."""
    order = np.argsort(costs, kind="stable")
    mask = [False] * len(costs)
    best = -np.inf if higher_is_better else np.inf
    for i in order:
        value = values[i]
        if (value > best) if higher_is_better else (value < best):
            mask[i] = True
            best = value
    return mask
