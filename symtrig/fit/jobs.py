"""The searches of a fit: one :class:`~symtrig.store.searches.SearchJob` per class × family, and how each runs.

A job's key hashes everything that determines its result (data, teacher, target, settings, seed), so a stored
search is found again by the same command and an interrupted sweep resumes without redoing finished work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from symtrig import expr as ex
from symtrig.data import JETS, Dataset
from symtrig.distill import SymbolicDistiller
from symtrig.fit.config import FitConfig
from symtrig.fronts import FrontMember
from symtrig.metrics import background_rejection, fidelity_r2, one_vs_rest_auc
from symtrig.provenance import utc_now, versions
from symtrig.store.searches import SearchJob, SearchRecord, StoredMember
from symtrig.targets import Targets

#: Signal efficiency of the ``rejection50`` columns: background rejection 1/εB at εS = 50 %, the usual working
#: point of jet-tagging papers (read off the ROC curve of the test split).
WORKING_POINT = 0.5


@dataclass(frozen=True)
class ClassInputs:
    """The arrays one output's searches need; small enough to ship to a worker process or a Dask cluster.

    ``signal_val``/``signal_test`` mark the rows that count as signal for this output (its class, or the
    teacher's top scores for ``teacher-score``): every AUC and rejection is measured against them.
    """

    X_train: np.ndarray
    t_train: np.ndarray
    X_val: np.ndarray
    t_val: np.ndarray
    signal_val: np.ndarray
    X_test: np.ndarray
    signal_test: np.ndarray
    teacher_test: np.ndarray = field(repr=False)
    reference_test: np.ndarray = field(repr=False)


def make_jobs(config: FitConfig, data: Dataset, teacher_id: str, outputs: tuple[str, ...]) -> list[SearchJob]:
    """Every output × family search of the sweep, in a stable order."""
    return [
        SearchJob(
            c,
            f,
            config.cmax,
            config.seed,
            config.engine,
            float(config.budget),
            config.generations,
            config.max_rows,
            config.op_costs,
            config.target,
            data.fingerprint,
            teacher_id,
            refit=config.refit,
            select_features=config.select_features,
        )
        for c in outputs
        for f in config.families
    ]


def class_inputs(targets: Targets, outputs: tuple[str, ...], class_name: str) -> ClassInputs:
    """The arrays of output ``class_name`` (one of ``outputs``, the columns of ``targets``)."""
    k = outputs.index(class_name)
    return ClassInputs(
        targets.X_train,
        targets.train[:, k],
        targets.X_val,
        targets.val[:, k],
        targets.signal_val[:, k],
        targets.X_test,
        targets.signal_test[:, k],
        targets.teacher_test[:, k],
        targets.reference_test[:, k],
    )


def run_search(
    job: SearchJob, inputs: ClassInputs, n_threads: int, features: tuple[str, ...]
) -> SearchRecord:
    """Run one search and score its front (the caller stores the record)."""
    distiller = SymbolicDistiller(
        family=job.family,
        c_max=job.cmax,
        engine=job.engine,
        budget=job.budget,
        generations=job.generations,
        seed=job.seed,
        max_rows=job.max_rows,
        op_costs=job.op_costs,
        n_threads=n_threads,
        refit=job.refit,
        select_features=job.select_features,
    ).fit(inputs.X_train, inputs.t_train, inputs.X_val, inputs.t_val)
    return scored_record(
        job, inputs, distiller.fronts_[0], features, n_threads=n_threads, seconds=distiller.search_seconds_[0]
    )


def scored_record(
    job: SearchJob,
    inputs: ClassInputs,
    members: list[FrontMember],
    features: tuple[str, ...],
    *,
    n_threads: int | None = None,
    seconds: float | None = None,
    source_file: str | None = None,
) -> SearchRecord:
    """The stored form of one front: each member's text, complexity, held-out loss and figures of merit."""
    return SearchRecord(
        search_id=job.search_id,
        key=job.key,
        job=job,
        auc_teacher=one_vs_rest_auc(inputs.signal_test, inputs.reference_test, True),
        rejection50_teacher=background_rejection(
            inputs.signal_test, inputs.reference_test, True, WORKING_POINT
        ),
        front=tuple(_scored_member(member, inputs, features) for member in members),
        inputs="standardized",
        versions=versions(),
        created=utc_now(),
        n_threads=n_threads,
        search_seconds=None if seconds is None else round(seconds, 3),
        source_file=source_file,
        features=None if features == JETS.features else features,
    )


def _scored_member(member: FrontMember, inputs: ClassInputs, features: tuple[str, ...]) -> StoredMember:
    test_score = ex.evaluate(member.expr, inputs.X_test)
    return StoredMember(
        expression=ex.to_text(member.expr, names=features),
        complexity=member.complexity,
        cost=member.cost,
        loss=member.loss,
        auc=one_vs_rest_auc(inputs.signal_test, test_score, True),
        auc_val=one_vs_rest_auc(inputs.signal_val, ex.evaluate(member.expr, inputs.X_val), True),
        fidelity_r2=fidelity_r2(inputs.teacher_test, test_score),
        rejection50=background_rejection(inputs.signal_test, test_score, True, WORKING_POINT),
        engine=member.engine,
    )


__all__ = ["ClassInputs", "SearchJob", "class_inputs", "make_jobs", "run_search", "scored_record"]
