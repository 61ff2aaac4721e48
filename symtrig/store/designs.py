"""The record of one design (``<design>/design.json``) and the table of every design in a folder (``designs.csv``).

emit-hls writes one record per IP and never touches the leaderboard: hardware results live per design, keyed
by the design's name and its outputs' expression ids, and the report joins them to the leaderboard. Two
designs that share an expression (``emit-hls`` and ``emit-hls --max-latency 3``, or the hls4ml and da4ml
backends) therefore keep their own figures side by side.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from symtrig import atomic
from symtrig.provenance import utc_now, versions
from symtrig.store import paths
from symtrig.store.costs import CostReport

#: The layout of ``design.json`` this symtrig writes. 1: records written before the field existed (read the same).
#: Raise it when a field is added or changes meaning; a record of a newer layout is reported, never guessed at.
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class DesignOutput:
    """One output of an IP: which expression it computes and how close the fixed-point design stays to float."""

    index: int
    class_name: str
    expr_id: str
    family: str
    expression: str  # as fitted (feature names, standardized inputs)
    lowered_expression: str  # as built: equal in value, smaller intermediate ranges (symtrig.lower.ranges)
    auc_float: float  # test split
    auc_fixed: float  # test split, bit-exact model of the design
    auc_change_calibration: float  # worst |change| on the calibration jets and their test-sized slices
    overflow_rate: float  # test jets that wrapped around anywhere upstream
    lut_clip_rate: float  # test jets clamped to a table edge that misses the function by more than one LSB

    @property
    def auc_change(self) -> float:
        return abs(self.auc_fixed - self.auc_float)


@dataclass(frozen=True)
class Tolerance:
    """Whether a design keeps every class within ``max_auc_drop`` of float, and if not, where it misses."""

    max_auc_drop: float
    calibration_rule_met: bool
    calibration_clip_rate: float
    meets: bool
    failing_class: str | None = None
    failing_auc_change: float | None = None


@dataclass(frozen=True)
class DesignRecord:
    """Everything about one IP: its outputs, precision, tolerance, cost (with its source) and provenance."""

    design: str
    backend: str
    outputs: tuple[DesignOutput, ...]
    precision: str
    tolerance: Tolerance
    cost: CostReport
    clock_ns: float
    part: str
    inputs: str
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    dataset: Mapping[str, Any]
    settings: Mapping[str, Any]
    integer_bits_set_by: str | None = None
    details: Mapping[str, Any] = field(
        default_factory=dict
    )  # backend-specific facts (tables, node types, stages)
    versions: Mapping[str, str] = field(default_factory=versions)
    created: str = field(default_factory=utc_now)

    def to_json(self) -> dict[str, Any]:
        data = {"schema": SCHEMA_VERSION, **asdict(self)}
        data["cost"]["sources"] = list(self.cost.sources)  # every source behind a figure, for the reader
        data["outputs"] = [{**asdict(o), "auc_change": o.auc_change} for o in self.outputs]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DesignRecord:
        """The record; ``ValueError`` for a newer layout, ``KeyError``/``TypeError`` for missing/unknown fields."""
        data = dict(data)
        schema = data.pop("schema", 1)
        if not isinstance(schema, int) or schema > SCHEMA_VERSION:
            raise ValueError(
                f"written by a newer symtrig (design.json schema {schema}; this one reads up to {SCHEMA_VERSION})"
            )
        outputs = tuple(
            DesignOutput(**{k: v for k, v in o.items() if k != "auc_change"}) for o in data["outputs"]
        )
        return cls(
            **{
                **data,
                "outputs": outputs,
                "tolerance": Tolerance(**data["tolerance"]),
                "cost": CostReport(**{k: v for k, v in data["cost"].items() if k != "sources"}),
                "mean": tuple(data["mean"]),
                "scale": tuple(data["scale"]),
            }
        )

    @property
    def worst_auc_change(self) -> float:
        return max((o.auc_change for o in self.outputs), default=math.nan)


def write_design(folder: str | Path, record: DesignRecord) -> Path:
    return atomic.write_json(Path(folder) / paths.DESIGN_RECORD, record.to_json())


def read_design(path: str | Path) -> DesignRecord:
    """A ``design.json``; ``OSError``/``ValueError``/``KeyError``/``TypeError`` when it is not a whole record."""
    return DesignRecord.from_json(json.loads(Path(path).read_text()))


@dataclass(frozen=True)
class Unreadable:
    """A ``design.json`` that could not be read, and why (one line)."""

    path: Path
    reason: str


@dataclass(frozen=True)
class DesignScan:
    """Every ``design.json`` of a folder: the records read and, by name, those that could not be."""

    records: tuple[DesignRecord, ...]
    unreadable: tuple[Unreadable, ...]


def scan_designs(folder: str | Path) -> DesignScan:
    """Every ``<folder>/*/design.json``, sorted by design name, each read or reported with its reason.

    A record that is not readable or lacks a needed field (a hand edit, a half-copied folder, a record of another
    symtrig) is not guessed at: the table only holds what an emit actually recorded, and the rest is named.
    """
    records, unreadable = [], []
    for path in sorted(Path(folder).glob(f"*/{paths.DESIGN_RECORD}")):
        try:
            records.append(read_design(path))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            unreadable.append(Unreadable(path, reason))
    return DesignScan(tuple(records), tuple(unreadable))


def read_designs(folder: str | Path) -> list[DesignRecord]:
    """The readable records of :func:`scan_designs`; each unreadable one is a warning naming it and why."""
    scan = scan_designs(folder)
    for problem in scan.unreadable:
        warnings.warn(f"{problem.path} not read: {problem.reason}", stacklevel=2)
    return list(scan.records)


#: One row per design in ``designs.csv``. Cost figures are those of ``cost_source``.
DESIGN_COLUMNS: tuple[str, ...] = (
    "design",
    "backend",
    "family",
    "classes",
    "expr_ids",
    "n_outputs",
    "precision",
    "latency_cycles",
    "latency_ns",
    "clock_ns",
    "dsp",
    "lut",
    "ff",
    "bram",
    "cost_source",
    "cost_sources",
    "max_latency",
    "max_latency_ns",
    "max_lut",
    "mean_auc_fixed",
    "worst_auc_change",
    "meets_tolerance",
    "failing_class",
    "failing_auc_change",
    "integer_bits_set_by",
    "dataset",
    "dataset_fingerprint",
    "created",
)


def design_row(record: DesignRecord) -> dict[str, Any]:
    """The ``designs.csv`` row of one record."""
    outputs, cost = record.outputs, record.cost
    return {
        "design": record.design,
        "backend": record.backend,
        "family": "+".join(sorted({o.family for o in outputs})),
        "classes": ",".join(o.class_name for o in outputs),
        "expr_ids": ",".join(o.expr_id for o in outputs),
        "n_outputs": len(outputs),
        "precision": record.precision,
        "latency_cycles": cost.latency_cycles,
        "latency_ns": cost.latency_ns,
        "clock_ns": record.clock_ns,
        "dsp": cost.dsp,
        "lut": cost.lut,
        "ff": cost.ff,
        "bram": cost.bram,
        "cost_source": cost.source,
        "cost_sources": "; ".join(cost.sources),
        "max_latency": record.settings.get("max_latency"),
        "max_latency_ns": record.settings.get("max_latency_ns"),
        "max_lut": record.settings.get("max_lut"),
        "mean_auc_fixed": sum(o.auc_fixed for o in outputs) / len(outputs) if outputs else math.nan,
        "worst_auc_change": record.worst_auc_change,
        "meets_tolerance": record.tolerance.meets,
        "failing_class": record.tolerance.failing_class,
        "failing_auc_change": record.tolerance.failing_auc_change,
        "integer_bits_set_by": record.integer_bits_set_by,
        "dataset": str(record.dataset.get("label", "")),
        "dataset_fingerprint": str(record.dataset.get("fingerprint", "")),
        "created": record.created,
    }


def designs_table(records: list[DesignRecord]) -> pd.DataFrame:
    return pd.DataFrame([design_row(r) for r in records], columns=list(DESIGN_COLUMNS))


def write_designs_table(folder: str | Path) -> Path:
    """(Re)write ``<folder>/designs.csv`` from every design record in the folder, atomically."""
    return atomic.write_csv(
        Path(folder) / paths.DESIGNS_FILE, designs_table(list(scan_designs(folder).records))
    )
