"""``symtrig fit``: data → teacher → class × family searches → leaderboard, resumable and reproducible.

:mod:`~symtrig.fit.config` holds what was asked, :mod:`~symtrig.fit.jobs` the searches and how each runs,
:mod:`~symtrig.fit.execute` where they run (joblib or Dask), :mod:`~symtrig.fit.publish` the leaderboard and run
record. Each finished search is stored the moment it completes (``searches/<id>.json``); rerunning the same
command skips stored searches, so an interrupted fit resumes.
"""

from __future__ import annotations

from collections.abc import Callable

from tqdm import tqdm

from symtrig import atomic
from symtrig import expr as ex
from symtrig.data import Dataset
from symtrig.errors import SymtrigError
from symtrig.fit.config import FitConfig
from symtrig.fit.execute import execute
from symtrig.fit.jobs import class_inputs, make_jobs
from symtrig.fit.publish import FitResult, publish
from symtrig.store.searches import stored_search, write_search
from symtrig.targets import CLASSIFICATION_TARGETS, make_targets, outputs_of
from symtrig.teacher import Teacher, obtain_teacher


def fit(
    config: FitConfig, progress: bool | None = None, say: Callable[[str], None] | None = None
) -> FitResult:
    """Run the stage: every search not stored yet, then the leaderboard from all stored searches.

    ``progress``: the search progress bar — None draws it only when stderr is a terminal (a log file gets no
    bar frames), False never. ``say`` gets notes (teacher training, reuse); default: between bar frames.
    """
    config = config.validated()
    say = say or _say(progress)
    data = config.load_data()
    ex.check_feature_names(data.features)
    if config.select_features is not None and config.select_features > len(data.features):
        raise SymtrigError(
            f"--select-features {config.select_features} is more than the data's {len(data.features)} features"
        )
    if config.target in CLASSIFICATION_TARGETS:  # a wrong --classes fails before a teacher is trained
        config.outputs(data.classes)
    atomic.remove_stale_temporaries(config.out)  # what a killed earlier run was writing
    teacher, teacher_id = obtain_teacher(
        config.teacher, config.out, data, config.seed, say, outputs=config.teacher_outputs
    )
    outputs = config.outputs(outputs_of(config.target, teacher, data))
    counts = run_sweep(config, data, teacher, teacher_id, outputs, progress)
    return publish(config, data, teacher.source, teacher_id, "fit", outputs, counts)


def run_sweep(
    config: FitConfig,
    data: Dataset,
    teacher: Teacher,
    teacher_id: str,
    outputs: tuple[str, ...],
    progress: bool | None = None,
) -> dict[str, int]:
    """Run the searches that are not stored yet, storing each on arrival; return the counts."""
    jobs = make_jobs(config, data, teacher_id, outputs)
    pending = [job for job in jobs if stored_search(config.out, job) is None]
    targets = make_targets(config.target, teacher, data)
    all_outputs = outputs_of(config.target, teacher, data)
    inputs = {c: class_inputs(targets, all_outputs, c) for c in {job.class_name for job in pending}}
    with tqdm(
        total=len(jobs),
        initial=len(jobs) - len(pending),
        desc="searches",
        unit="job",
        disable=None if progress is None else not progress,
    ) as bar:
        for record in execute(pending, inputs, config.jobs, config.scheduler, data.features):
            write_search(config.out, record)
            bar.update(1)
    return {"jobs": len(jobs), "run": len(pending), "skipped": len(jobs) - len(pending)}


def _say(progress: bool | None) -> Callable[[str], None]:
    """Notes go between progress-bar frames (tqdm.write), or nowhere when progress output is off."""
    return tqdm.write if progress is not False else (lambda _line: None)


__all__ = ["FitConfig", "FitResult", "fit", "run_sweep"]
