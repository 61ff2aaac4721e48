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
from symtrig.data import JetData, load_jet_data
from symtrig.fit.config import FitConfig
from symtrig.fit.execute import execute
from symtrig.fit.jobs import class_inputs, make_jobs
from symtrig.fit.publish import FitResult, publish
from symtrig.store.searches import stored_search, write_search
from symtrig.targets import make_targets
from symtrig.teacher import Teacher, obtain_teacher


def fit(config: FitConfig, progress: bool = True) -> FitResult:
    """Run the stage: every search not stored yet, then the leaderboard from all stored searches."""
    config = config.validated()
    data = load_jet_data(config.data, seed=config.seed, data_home=config.data_home)
    atomic.remove_stale_temporaries(config.out)  # what a killed earlier run was writing
    teacher, teacher_id = obtain_teacher(config.teacher, config.out, data, config.seed, _say(progress))
    counts = run_sweep(config, data, teacher, teacher_id, progress)
    return publish(config, data, teacher.source, teacher_id, "fit", counts)


def run_sweep(
    config: FitConfig, data: JetData, teacher: Teacher, teacher_id: str, progress: bool = True
) -> dict[str, int]:
    """Run the searches that are not stored yet, storing each on arrival; return the counts."""
    jobs = make_jobs(config, data, teacher_id)
    pending = [job for job in jobs if stored_search(config.out, job) is None]
    targets = make_targets(config.target, teacher, data)
    inputs = {c: class_inputs(targets, data, c) for c in {job.class_name for job in pending}}
    with tqdm(
        total=len(jobs), initial=len(jobs) - len(pending), desc="searches", unit="job", disable=not progress
    ) as bar:
        for record in execute(pending, inputs, config.jobs, config.scheduler):
            write_search(config.out, record)
            bar.update(1)
    return {"jobs": len(jobs), "run": len(pending), "skipped": len(jobs) - len(pending)}


def _say(progress: bool) -> Callable[[str], None]:
    """Notes go between progress-bar frames (tqdm.write), or nowhere when progress output is off."""
    return tqdm.write if progress else (lambda _line: None)


__all__ = ["FitConfig", "FitResult", "fit", "run_sweep"]
