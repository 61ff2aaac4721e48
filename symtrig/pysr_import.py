"""``symtrig import-pysr``: bring a PySR run made on another machine into the same leaderboard.

A PySR hall of fame holds one front per output (``Complexity,Loss,Equation``). Its equations go through the
safe parser, then through exactly the core a native search goes through: canonical forms, symtrig's own
complexity, the c_max bound, held-out scoring and the test figures. So an imported PySR expression and an
operon expression in the leaderboard mean the same thing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from symtrig.engines.base import Candidate
from symtrig.engines.pysr import read_hall_of_fame
from symtrig.errors import SymtrigError
from symtrig.families import get_family, get_op_costs
from symtrig.fit.config import FitConfig
from symtrig.fit.jobs import class_inputs, scored_record
from symtrig.fit.publish import FitResult, publish
from symtrig.fronts import admissible, best_per_complexity
from symtrig.store.searches import SearchJob, write_search
from symtrig.targets import make_targets, outputs_of
from symtrig.teacher import obtain_teacher

IMPORT_ENGINE = "pysr-import"


def import_pysr(config: FitConfig, files: list[Path], say: Callable[[str], None] | None = None) -> FitResult:
    """Score hall-of-fame files (one per class, in ``config.classes`` order) and publish the leaderboard.

    ``say`` gets notes on the teacher (which one, trained or reused); default: the teacher module's logger."""
    config = config.validated()
    if len(config.families) != 1:
        raise SymtrigError("import-pysr needs exactly one --family: the operator set the PySR run used")
    data = config.load_data()
    classes = config.outputs(data.classes)
    if len(files) != len(classes):
        raise SymtrigError(
            f"got {len(files)} hall-of-fame file(s) for {len(classes)} class(es) "
            f"({','.join(classes)}); give one file per class, in the order of --classes"
        )
    family = get_family(config.families[0])
    costs = get_op_costs(config.op_costs)
    n_features = len(data.features)
    entries = [read_hall_of_fame(path, family, n_features) for path in files]  # all checked before any work
    teacher, teacher_id = obtain_teacher(
        config.teacher, config.out, data, config.seed, say, outputs=config.teacher_outputs
    )
    targets = make_targets(config.target, teacher, data)
    outputs = outputs_of(config.target, teacher, data)
    for path, class_name, rows in zip(files, classes, entries, strict=True):
        job = SearchJob(
            class_name,
            family.name,
            config.cmax,
            config.seed,
            IMPORT_ENGINE,
            0.0,
            None,
            0,
            config.op_costs,
            config.target,
            data.fingerprint,
            teacher_id,
            source=_file_hash(path),
            refit=False,  # imported equations are scored as PySR wrote them
            select_features=None,
        )
        inputs = class_inputs(targets, outputs, class_name)
        candidates = [Candidate(r.expr, "pysr", r.complexity, r.loss) for r in rows]
        members = best_per_complexity(
            admissible(candidates, family, config.cmax, costs), inputs.X_val, inputs.t_val
        )
        if not members:
            raise SymtrigError(f"{path}: no equation of the {family.name} family within c_max={config.cmax}")
        write_search(config.out, scored_record(job, inputs, members, data.features, source_file=str(path)))
    return publish(
        config, data, teacher.source, teacher_id, "import-pysr", classes, files=tuple(str(f) for f in files)
    )


def _file_hash(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:16]
