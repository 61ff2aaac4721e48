"""One simulation job: a class, a derived seed and a quota of jets, run inside a worker process.

Events are generated one by one, then clustered and analysed in batches (FastJet's awkward interface and
the numba kernel are fast per batch, slow per call). Jets whose groomed ratios are not finite (a groomed
jet of one constituent has e2 = 0) are dropped and counted, and the job generates until its quota of
finite jets is reached; the last batch is truncated, so the output size is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from symtrig.data import FEATURES
from symtrig.simulate.detector import emulate_detector
from symtrig.simulate.features import feature_frame_columns
from symtrig.simulate.generator import make_pythia, truth_directions, visible_final_state
from symtrig.simulate.jets import find_jets

#: Events per FastJet call.
BATCH_EVENTS = 50
#: Give up if a job needs this many events per requested jet (a broken setting, not bad luck).
_MAX_EVENTS_PER_JET = 50


@dataclass(frozen=True)
class Job:
    """A unit of work: ``n_jets`` finite jets of ``jet_class`` from seed ``seed``."""

    jet_class: str
    index: int
    seed: int
    n_jets: int
    detector: bool
    pthat_min: float


@dataclass
class JobResult:
    """The job's jets (feature columns only), plus its bookkeeping."""

    job: Job
    frame: pd.DataFrame
    n_events: int
    n_matched: int  # matched jets analysed, finite or not (the last batch's surplus included)
    n_dropped: int  # of those, the non-finite ones


def run_job(job: Job) -> JobResult:
    """Generate events until ``job.n_jets`` finite jets are collected; deterministic given ``job``."""
    pythia = make_pythia(job.jet_class, job.seed, job.pthat_min)
    # the detector smearing has its own stream, derived from the same job seed
    rng = np.random.default_rng(np.random.SeedSequence([job.seed, 1]))
    frames: list[pd.DataFrame] = []
    n_have = n_events = n_matched = n_dropped = 0
    while n_have < job.n_jets:
        if n_events > _MAX_EVENTS_PER_JET * job.n_jets + 1000:
            raise RuntimeError(f"class {job.jet_class}: too few matched jets after {n_events} events")
        n_batch = _batch_size(job.n_jets - n_have)
        events, truth = _generate_batch(pythia, job, rng, n_batch)
        n_events += n_batch
        frame = _analyse_batch(events, truth)
        finite = np.isfinite(frame.to_numpy()).all(axis=1)
        n_matched += len(frame)
        n_dropped += int((~finite).sum())
        frame = frame[finite]
        frames.append(frame)
        n_have += len(frame)
    out = pd.concat(frames, ignore_index=True).iloc[: job.n_jets].reset_index(drop=True)
    return JobResult(job=job, frame=out, n_events=n_events, n_matched=n_matched, n_dropped=n_dropped)


def _batch_size(jets_missing: int) -> int:
    """Events for the next batch: a full batch, or about what the missing jets need (≈1.9 jets per event).

    Shrinking the last batch avoids generating (and then truncating) up to a whole batch of extra events.
    """
    return int(min(BATCH_EVENTS, max(5, np.ceil(jets_missing / 1.5))))


def _generate_batch(
    pythia, job: Job, rng: np.random.Generator, n_events: int
) -> tuple[dict[str, list], list[np.ndarray]]:
    """``n_events`` events as per-event particle arrays (generator or detector level) and truth directions."""
    events: dict[str, list[np.ndarray]] = {"px": [], "py": [], "pz": [], "E": []}
    truth = []
    n_done = 0
    while n_done < n_events:
        if not pythia.next():  # a rare failed event; Pythia recommends simply trying the next one
            continue
        n_done += 1
        particles = visible_final_state(pythia.event)
        if job.detector:
            particles = emulate_detector(particles, rng)
        # a non-finite momentum would crash FastJet's C++ (not raise): refuse it here, loudly
        p4 = [particles[src] for src in ("px", "py", "pz", "e")]
        if not all(np.isfinite(a).all() for a in p4):
            raise RuntimeError(f"class {job.jet_class}, seed {job.seed}: non-finite particle momentum")
        for key, arr in zip(("px", "py", "pz", "E"), p4, strict=True):
            events[key].append(arr)
        truth.append(truth_directions(pythia.event, job.jet_class))
    return events, truth


def _analyse_batch(events: dict[str, list[np.ndarray]], truth: list[np.ndarray]) -> pd.DataFrame:
    batch = find_jets(events, truth)
    if len(batch) == 0:
        return pd.DataFrame({name: np.zeros(0) for name in FEATURES})
    cols = feature_frame_columns(
        batch.e, batch.offsets, batch.groomed_p4, batch.groomed_offsets, batch.mass_mmdt
    )
    return pd.DataFrame(cols)
