"""Every file and folder name symtrig reads or writes, defined once.

Why one place: fit, import-pysr, emit-hls, report and the teacher all find each other's outputs by name. A name
spelled in two modules is a name that can drift; here it cannot.
"""

from __future__ import annotations

from pathlib import Path

#: Default output folder of ``fit`` / ``import-pysr`` (the expressions) and of ``emit-hls`` (the designs).
EXPRESSIONS_DIR = "expressions"
DESIGNS_DIR = "hdl_out"

LEADERBOARD_FILE = "leaderboard.csv"
RUN_FILE = "run.json"
SEARCH_DIR = "searches"
TEACHER_DIR = "teacher"
TEACHER_MODEL_FILE = "teacher.skops"
TEACHER_CARD_FILE = "teacher.json"

DESIGNS_FILE = "designs.csv"
DESIGN_RECORD = "design.json"
DESIGN_README = "README.md"
FRONT_FILE = "front.csv"
FRONT_RECORD = "front.json"

REPORT_DIR = "report"
SUMMARY_FILE = "summary.md"


def search_file(out: str | Path, search_id: str) -> Path:
    """Where ``fit`` stores one finished search."""
    return Path(out) / SEARCH_DIR / f"{search_id}.json"


def run_file(leaderboard: str | Path) -> Path:
    """The run record that sits next to a leaderboard."""
    return Path(leaderboard).parent / RUN_FILE


#: Where ``fit`` writes the leaderboard by default, and where emit-hls, front and report look for it.
DEFAULT_LEADERBOARD = Path(EXPRESSIONS_DIR) / LEADERBOARD_FILE


def default_leaderboard() -> Path:
    return DEFAULT_LEADERBOARD
