"""The parallel driver: split the request into jobs, run them on worker processes, write Parquet.

Work is split by class and by chunks of at most :data:`JOB_JETS` jets. Each chunk gets its own seed derived
from the user's seed, the class and the chunk number (``numpy.random.SeedSequence``), so the output depends
only on (seed, per_class, detector) and not on the number of worker processes: ``--jobs 1`` and
``--jobs 2`` give the same file.

This module imports the generator stack (pythia8mc, fastjet, numba) only inside functions, so
``import symtrig.simulate`` works without the optional ``sim`` extra.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from symtrig.atomic import atomic_path
from symtrig.data import CLASSES, FEATURES, LABEL_COLUMN
from symtrig.errors import SymtrigError
from symtrig.provenance import utc_now, versions

if TYPE_CHECKING:
    from symtrig.simulate.worker import Job, JobResult

#: Largest number of jets one job produces: small enough to balance two cores, large enough that Pythia's
#: initialisation (≈0.7 s) stays a small overhead.
JOB_JETS = 250
PTHAT_MIN = 900.0
DETECTOR_TAG = "r1_h022_e0175_t220"
METADATA_KEY = b"symtrig"
SIM_EXTRA_MESSAGE = "the simulator needs the sim extra: pip install 'symtrig[sim]'"
_SIM_MODULES = ("pythia8mc", "fastjet", "awkward", "numba")


def require_sim_extra() -> None:
    """Raise SymtrigError with the install hint if any package of the ``sim`` extra is missing."""
    for name in _SIM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise SymtrigError(SIM_EXTRA_MESSAGE) from exc


def validate_request(per_class: int, jobs: int, seed: int) -> None:
    """Reject impossible settings with a message that says what to fix."""
    if isinstance(per_class, bool) or not isinstance(per_class, (int, np.integer)) or per_class < 1:
        raise SymtrigError(f"--per-class must be an integer >= 1, got {per_class!r}")
    if isinstance(jobs, bool) or not isinstance(jobs, (int, np.integer)) or jobs < 1:
        raise SymtrigError(f"--jobs must be an integer >= 1, got {jobs!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise SymtrigError(f"--seed must be an integer >= 0, got {seed!r}")


def plan_jobs(per_class: int, seed: int, detector: bool, pthat_min: float = PTHAT_MIN) -> list[Job]:
    """All jobs of a request, in output order (class, then chunk), each with its derived seed."""
    from symtrig.simulate.worker import Job

    jobs = []
    for class_index, jet_class in enumerate(CLASSES):
        n_chunks = -(-per_class // JOB_JETS)
        sizes = np.full(n_chunks, per_class // n_chunks)
        sizes[: per_class % n_chunks] += 1
        for chunk, size in enumerate(sizes):
            job_seed = int(np.random.SeedSequence([seed, class_index, chunk]).generate_state(1)[0])
            jobs.append(Job(jet_class, chunk, job_seed, int(size), detector, pthat_min))
    return jobs


def _pool_context():
    """Fork where the OS has it: the workers inherit the imported stack and the loaded numba kernel, which
    saves each one several seconds of start-up (spawn re-imports pandas, awkward, fastjet, numba, pythia).
    Elsewhere spawn, which needs the caller's ``if __name__ == "__main__":`` guard."""
    import multiprocessing

    return get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def _warm_up() -> None:
    """Import the worker stack and load the numba kernel in this process, before any fork."""
    from symtrig.simulate.features import ecf_sums

    ecf_sums(np.ones(3), np.zeros(3), np.arange(3.0), np.array([0, 3]))


@contextlib.contextmanager
def _run_all(jobs: list[Job], n_workers: int) -> Iterator[Iterator[JobResult]]:
    """Start all jobs (in this process when ``n_workers == 1``); yield an iterator over finished results.

    The pool is created and every job submitted before the caller opens its progress bar, so no process is
    forked while tqdm's monitor thread runs. On error or Ctrl-C the jobs not yet started are cancelled.
    """
    from symtrig.simulate.worker import run_job

    if n_workers == 1:
        yield map(run_job, jobs)
        return
    _warm_up()
    pool = ProcessPoolExecutor(max_workers=n_workers, mp_context=_pool_context())
    try:
        # longest first (top jets are the slowest class) so the last jobs are short ones
        order = sorted(jobs, key=lambda j: (j.jet_class != "t", -j.n_jets))
        futures = [pool.submit(run_job, job) for job in order]
        yield (fut.result() for fut in as_completed(futures))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _progress(results: Iterator[JobResult], total: int, enabled: bool) -> Iterator[JobResult]:
    from tqdm.auto import tqdm

    with tqdm(total=total, unit="jet", desc="simulate", disable=not enabled, smoothing=0.1) as bar:
        for res in results:
            bar.update(len(res.frame))
            yield res


def simulate_jets(
    per_class: int,
    seed: int,
    detector: bool = True,
    jobs: int = 1,
    progress: bool = True,
    pthat_min: float = PTHAT_MIN,
) -> pd.DataFrame:
    """Simulate exactly ``per_class`` jets of each class g, q, t, w, z in the OpenML 42468 layout.

    Returns a frame with the 16 float64 columns of :data:`symtrig.data.FEATURES` and a string ``class``
    column, sorted by class. ``frame.attrs["symtrig"]`` holds the run's settings and counts (the same
    dictionary :func:`simulation_metadata` builds for the Parquet file).

    With ``jobs > 1`` the workers are forked (spawned where fork does not exist, e.g. Windows and macOS
    defaults aside, which needs the caller's ``if __name__ == "__main__":`` guard).
    """
    validate_request(per_class, jobs, seed)
    require_sim_extra()
    planned = plan_jobs(per_class, seed, detector, pthat_min)
    start = time.perf_counter()
    with _run_all(planned, min(jobs, len(planned))) as finished:
        results = list(_progress(finished, 5 * per_class, progress))
    wall = time.perf_counter() - start
    results.sort(key=lambda r: (CLASSES.index(r.job.jet_class), r.job.index))
    frames = [r.frame.assign(**{LABEL_COLUMN: r.job.jet_class}) for r in results]
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[[*FEATURES, LABEL_COLUMN]].astype({name: np.float64 for name in FEATURES})
    frame[LABEL_COLUMN] = frame[LABEL_COLUMN].astype(str)
    frame.attrs["symtrig"] = simulation_metadata(per_class, seed, detector, jobs, pthat_min, results, wall)
    return frame


def simulation_metadata(
    per_class: int,
    seed: int,
    detector: bool,
    jobs: int,
    pthat_min: float,
    results: list[JobResult],
    wall_seconds: float,
) -> dict[str, Any]:
    """Everything needed to reproduce and judge a simulated file: settings, versions and counts."""
    from symtrig.simulate import jets as jet_def
    from symtrig.simulate.generator import CLASS_SETTINGS, pythia_version

    def per_class_sum(attr: str) -> dict[str, int]:
        return {c: int(sum(getattr(r, attr) for r in results if r.job.jet_class == c)) for c in CLASSES}

    return {
        "dataset": "simulated (symtrig simulate), not OpenML 42468",
        "created": utc_now(),
        "seed": seed,
        "per_class": per_class,
        "detector": detector,
        "detector_tag": DETECTOR_TAG if detector else None,
        "pthat_min": pthat_min,
        "sqrt_s_gev": 13000.0,
        "processes": {c: list(spec.settings) for c, spec in CLASS_SETTINGS.items()},
        "truth_pdg_ids": {c: list(spec.truth_ids) for c, spec in CLASS_SETTINGS.items()},
        "jets": {
            "algorithm": "anti-kt",
            "R": jet_def.JET_R,
            "pt_window_gev": [jet_def.PT_MIN, jet_def.PT_MAX],
            "truth_match_dr": jet_def.MATCH_DR,
            "grooming": {"name": "mMDT (SoftDrop)", "beta": jet_def.MMDT_BETA, "z_cut": jet_def.MMDT_ZCUT},
            "grooming_R0": jet_def.MMDT_R0,
            "ecf_measure": "pt_R",
        },
        "jobs": jobs,
        "job_jets": JOB_JETS,
        "n_events": per_class_sum("n_events"),
        "n_matched_jets": per_class_sum("n_matched"),
        "n_nonfinite_dropped": per_class_sum("n_dropped"),
        "nonfinite_rule": "jets with a non-finite feature (groomed jet of one constituent) are dropped",
        "wall_seconds": round(wall_seconds, 1),
        "versions": {**versions(("awkward", "numba", "pyarrow")), "pythia": pythia_version()},
    }


def write_jets_parquet(frame: pd.DataFrame, path: str | os.PathLike[str], metadata: dict[str, Any]) -> Path:
    """Write ``frame`` to ``path`` (zstd Parquet, float64 kept) atomically, with ``metadata`` as JSON.

    The metadata goes into the Parquet schema under the key ``symtrig``, next to pandas' own key, so any
    Parquet reader sees how the file was made.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = check_output_path(path)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    merged = {**(table.schema.metadata or {}), METADATA_KEY: json.dumps(metadata, sort_keys=True).encode()}
    table = table.replace_schema_metadata(merged)
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp, compression="zstd", compression_level=19)
    return target


def read_simulation_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``symtrig`` metadata of a simulated Parquet file ({} if absent)."""
    import pyarrow.parquet as pq

    raw = (pq.read_schema(path).metadata or {}).get(METADATA_KEY)
    return json.loads(raw) if raw else {}


def check_output_path(path: str | os.PathLike[str]) -> Path:
    """The output must be a ``.parquet`` file in a folder we can create or write."""
    target = Path(path)
    if target.suffix != ".parquet":
        raise SymtrigError(f"the output file must end in .parquet, got {str(target)!r}")
    if target.is_dir():
        raise SymtrigError(f"{target} is a folder; give a file name ending in .parquet")
    folder = next((p for p in (target.parent, *target.parent.parents) if p.exists()), Path("."))
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise SymtrigError(f"cannot write to {folder}: choose an output folder you can write to")
    return target
