"""Where the searches run: local worker processes (joblib) or a Dask cluster, finished records in any order."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

from symtrig.errors import SymtrigError
from symtrig.fit.jobs import ClassInputs, run_search
from symtrig.store.searches import SearchJob, SearchRecord


def execute(
    jobs: list[SearchJob],
    inputs: Mapping[str, ClassInputs],
    n_jobs: int,
    scheduler: str | None,
    features: tuple[str, ...],
) -> Iterator[SearchRecord]:
    """Yield finished records in completion order, so each is stored the moment it exists."""
    if not jobs:
        return
    if scheduler:
        yield from _on_dask(jobs, inputs, scheduler, features)
        return
    from joblib import Parallel, delayed

    n_jobs = min(n_jobs, len(jobs))
    n_threads = max(1, (os.cpu_count() or 1) // n_jobs)
    tasks = (delayed(run_search)(job, inputs[job.class_name], n_threads, features) for job in jobs)
    yield from Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks)


def _on_dask(
    jobs: list[SearchJob], inputs: Mapping[str, ClassInputs], address: str, features: tuple[str, ...]
) -> Iterator[SearchRecord]:
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:
        raise SymtrigError("--scheduler needs dask.distributed: pip install 'symtrig[dask]'") from exc
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise SymtrigError(f"cannot connect to the Dask scheduler at {address}: {exc}") from exc
    with client:
        futures = [
            client.submit(run_search, job, inputs[job.class_name], 1, features, pure=False) for job in jobs
        ]
        for future in as_completed(futures):
            yield future.result()
