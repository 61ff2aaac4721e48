"""Every HLS design in an output folder as one table, one row per IP: ``hdl_out/designs.csv``.

Why a table of its own: a leaderboard row keeps the HLS figures of the *last* design that computed its
expression. After ``emit-hls`` and ``emit-hls --max-latency 3``, two IPs that share an expression cannot both be
read from the leaderboard. Each design's ``design.json`` is the record of that IP; this module lists those
records side by side, so an engineer compares designs (latency, resources, precision, fixed-point AUC) in one
place, and the report can show each design's own figures.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from symtrig import atomic

DESIGNS_FILE = "designs.csv"
DESIGN_RECORD = "design.json"

#: One row per design. Cost figures are those of ``cost_source`` (an estimate unless a synthesis report exists).
DESIGN_COLUMNS: tuple[str, ...] = (
    "design",
    "family",
    "classes",
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
    "max_latency",
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


def design_row(record: dict[str, Any]) -> dict[str, Any]:
    """The table row of one ``design.json`` record; ``KeyError``/``TypeError`` if it lacks a needed field."""
    outputs, cost = record["outputs"], record["cost"]
    changes = [abs(float(o["auc_fixed"]) - float(o["auc_float"])) for o in outputs]
    families = sorted({str(o["family"]) for o in outputs})
    tolerance = record.get("tolerance") or {}
    return {
        "design": str(record["design"]),
        "family": "+".join(families),
        "classes": ",".join(str(o["class"]) for o in outputs),
        "n_outputs": len(outputs),
        "precision": str(record["precision"]),
        "latency_cycles": cost["latency_cycles"],
        "latency_ns": cost["latency_ns"],
        "clock_ns": cost["clock_ns"],
        "dsp": cost["dsp"],
        "lut": cost["lut"],
        "ff": cost["ff"],
        "bram": cost["bram"],
        "cost_source": str(cost["source"]),
        "max_latency": record.get("settings", {}).get("max_latency"),
        "mean_auc_fixed": sum(float(o["auc_fixed"]) for o in outputs) / len(outputs) if outputs else math.nan,
        "worst_auc_change": max(changes, default=math.nan),
        "meets_tolerance": tolerance.get("meets"),  # None: a record from before tolerances were recorded
        "failing_class": tolerance.get("failing_class"),
        "failing_auc_change": tolerance.get("failing_auc_change"),
        "integer_bits_set_by": record.get("integer_bits_set_by"),
        "dataset": str(record["dataset"]["label"]),
        "dataset_fingerprint": str(record["dataset"]["fingerprint"]),
        "created": str(record.get("created", "")),
    }


def read_designs(folder: str | Path) -> pd.DataFrame:
    """One row per ``<folder>/*/design.json``, sorted by design name; empty if the folder has none.

    A record that is not readable JSON or lacks a needed field (a hand edit, a half-copied folder) is left out
    rather than guessed at: the table only holds what an emit actually recorded.
    """
    rows = []
    for path in sorted(Path(folder).glob(f"*/{DESIGN_RECORD}")):
        try:
            rows.append(design_row(json.loads(path.read_text())))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return pd.DataFrame(rows, columns=list(DESIGN_COLUMNS))


def write_designs_table(folder: str | Path) -> Path:
    """(Re)write ``<folder>/designs.csv`` from every design record in the folder, atomically."""
    return atomic.write_csv(Path(folder) / DESIGNS_FILE, read_designs(folder))
