"""The ``fit`` sweep: independent class × family searches, run in parallel, stored as they finish, resumable.

Each search is a :class:`SearchJob` whose key hashes everything that determines its result (data, teacher,
target, settings, seed). A finished search is written at once to ``<out>/searches/<search_id>.json``; rerunning
the same command finds it and skips it, so an interrupted sweep resumes without redoing finished work. The
leaderboard is then rebuilt from the stored searches.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from symtrig import atomic, leaderboard
from symtrig import expr as ex
from symtrig.data import CLASSES, JetData, load_jet_data
from symtrig.distill import FrontMember, SymbolicDistiller, check_c_max, pareto_mask
from symtrig.engines import get_engine
from symtrig.errors import SymtrigError
from symtrig.families import FAMILIES, get_op_costs, parse_family_list
from symtrig.metrics import background_rejection, fidelity_r2, multiclass_accuracy, one_vs_rest_auc
from symtrig.provenance import utc_now, versions
from symtrig.targets import TARGETS, Targets, make_targets
from symtrig.teacher import Teacher

SEARCH_DIR = "searches"
RUN_FILE = "run.json"
#: Signal efficiency of the ``rejection50`` columns: background rejection 1/εB is quoted at εS = 50 %, the
#: usual working point of jet-tagging papers (read off the ROC curve of the test split).
WORKING_POINT = 0.5


@dataclass(frozen=True)
class FitConfig:
    """Everything ``symtrig fit`` was asked to do; recorded in ``run.json``."""

    cmax: int = 40
    families: tuple[str, ...] = tuple(FAMILIES)
    classes: tuple[str, ...] = CLASSES
    data: str = "sample"
    data_home: str | None = None
    teacher: str | None = None
    target: str = "teacher-logodds"  # see symtrig.targets for the measured comparison
    engine: str = "operon"
    budget: float = 40.0  # 20 searches x (40 s + selection, refit, scoring) stay under 20 min on 2 cores
    generations: int | None = None
    seed: int = 0
    jobs: int = 1
    scheduler: str | None = None
    op_costs: str = "unit"
    max_rows: int = 10_000
    refit: bool = True  # refit each front member's constants on all training rows (symtrig.refit)
    select_features: int | None = 6  # columns each search sees (random-forest ranked); None: all
    out: str = "expressions"

    def validated(self) -> FitConfig:
        """Check every setting up front, so a mistake fails before minutes of searching."""
        check_c_max(self.cmax)
        parse_family_list(",".join(self.families))
        unknown = [c for c in self.classes if c not in CLASSES]
        if unknown or not self.classes:
            raise SymtrigError(
                f"unknown class(es) {', '.join(unknown) or '(none)'}; choose from {', '.join(CLASSES)}"
            )
        if self.target not in TARGETS:
            raise SymtrigError(f"unknown target {self.target!r}; use one of {', '.join(TARGETS)}")
        if not self.budget > 0:
            raise SymtrigError(f"--budget must be a positive number of seconds, got {self.budget}")
        if self.jobs < 1:
            raise SymtrigError(f"--jobs must be at least 1, got {self.jobs}")
        if self.max_rows < 100:
            raise SymtrigError(f"--max-rows must be at least 100, got {self.max_rows}")
        if self.select_features is not None and not 1 <= self.select_features <= 16:
            raise SymtrigError(
                f"--select-features must be between 1 and 16 (0 for all), got {self.select_features}"
            )
        get_op_costs(self.op_costs)
        get_engine(self.engine)  # unknown or unavailable (PySR without Julia) fails before any work
        return self


@dataclass(frozen=True)
class SearchJob:
    """One independent search; its key changes whenever anything that shapes the result changes."""

    class_name: str
    family: str
    cmax: int
    seed: int
    engine: str
    budget: float
    generations: int | None
    max_rows: int
    op_costs: str
    target: str
    dataset_fingerprint: str
    teacher_id: str
    source: str = ""  # for imported PySR runs: a hash of the hall-of-fame file
    refit: bool = True
    select_features: int | None = 6

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

    @property
    def search_id(self) -> str:
        return f"{self.class_name}-{self.family}-c{self.cmax}-s{self.seed}-{self.key[:8]}"


@dataclass(frozen=True)
class ClassInputs:
    """The arrays one class's searches need; small enough to ship to a worker process or a Dask cluster."""

    class_index: int
    X_train: np.ndarray
    t_train: np.ndarray
    X_val: np.ndarray
    t_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    teacher_test: np.ndarray = field(repr=False)
    teacher_proba_test: np.ndarray = field(repr=False)


def make_jobs(config: FitConfig, data: JetData, teacher_id: str) -> list[SearchJob]:
    """Every class × family search of the sweep, in a stable order."""
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
        for c in config.classes
        for f in config.families
    ]


def class_inputs(targets: Targets, data: JetData, class_name: str) -> ClassInputs:
    k = CLASSES.index(class_name)
    return ClassInputs(
        k,
        targets.X_train,
        targets.train[:, k],
        targets.X_val,
        targets.val[:, k],
        data.y_val,
        targets.X_test,
        data.y_test,
        targets.teacher_test[:, k],
        targets.teacher_proba_test[:, k],
    )


def run_search(job: SearchJob, inputs: ClassInputs, n_threads: int) -> dict[str, Any]:
    """Run one search and score its front; returns the JSON record (the caller stores it)."""
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
    record = scored_record(job, inputs, distiller.fronts_[0])
    record.update(n_threads=n_threads, search_seconds=round(distiller.search_seconds_[0], 3))
    return record


def scored_record(job: SearchJob, inputs: ClassInputs, members: list[FrontMember]) -> dict[str, Any]:
    """The stored form of one front: each member's text, complexity, held-out loss and test figures."""
    k = inputs.class_index
    front = []
    for member in members:
        test_score = ex.evaluate(member.expr, inputs.X_test)
        front.append(
            {
                "expression": ex.to_text(member.expr, names="features"),
                "complexity": member.complexity,
                "cost": member.cost,
                "loss": member.loss,
                "auc": one_vs_rest_auc(inputs.y_test, test_score, k),
                "auc_val": one_vs_rest_auc(inputs.y_val, ex.evaluate(member.expr, inputs.X_val), k),
                "fidelity_r2": fidelity_r2(inputs.teacher_test, test_score),
                "rejection50": background_rejection(inputs.y_test, test_score, k, WORKING_POINT),
                "engine": member.engine,
            }
        )
    return {
        "search_id": job.search_id,
        "key": job.key,
        "job": asdict(job),
        "auc_teacher": one_vs_rest_auc(inputs.y_test, inputs.teacher_proba_test, k),
        "rejection50_teacher": background_rejection(
            inputs.y_test, inputs.teacher_proba_test, k, WORKING_POINT
        ),
        "front": front,
        "inputs": "standardized",
        "versions": versions(),
        "created": utc_now(),
    }


def stored_record(out: Path, job: SearchJob) -> dict[str, Any] | None:
    """The finished record of ``job`` if one is stored and intact, else None."""
    path = out / SEARCH_DIR / f"{job.search_id}.json"
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None  # written atomically, so this only happens if someone edited it: redo the search
    return record if intact(record) and record["key"] == job.key else None


_RECORD_FIELDS = (
    "search_id",
    "key",
    "job",
    "auc_teacher",
    "rejection50_teacher",
    "front",
    "inputs",
    "created",
)
_MEMBER_FIELDS = (
    "expression",
    "complexity",
    "cost",
    "loss",
    "auc",
    "auc_val",
    "fidelity_r2",
    "rejection50",
    "engine",
)


def intact(record: Any) -> bool:
    """Whether a stored search has every field the leaderboard uses and expressions the safe parser reads.

    A record that fails (a hand edit, a file from another version) is redone rather than trusted, so a bad file
    in ``searches/`` can neither crash the leaderboard build nor smuggle text into it.
    """
    try:
        front = record["front"]
        if not all(name in record for name in _RECORD_FIELDS) or not isinstance(record["job"], dict):
            return False
        if not isinstance(front, list) or not all(all(f in m for f in _MEMBER_FIELDS) for m in front):
            return False
        for member in front:
            ex.parse_expression(str(member["expression"]))
    except (KeyError, TypeError, SymtrigError):
        return False
    return True


def execute(
    jobs: list[SearchJob], inputs: dict[str, ClassInputs], config: FitConfig
) -> Iterator[dict[str, Any]]:
    """Yield finished records in completion order, from local processes (joblib) or a Dask cluster."""
    if not jobs:
        return
    if config.scheduler:
        yield from _execute_dask(jobs, inputs, config.scheduler, n_threads=1)
        return
    from joblib import Parallel, delayed

    n_jobs = min(config.jobs, len(jobs))
    n_threads = max(1, (os.cpu_count() or 1) // n_jobs)
    tasks = (delayed(run_search)(job, inputs[job.class_name], n_threads) for job in jobs)
    yield from Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks)


def _execute_dask(jobs: list[SearchJob], inputs: dict[str, ClassInputs], address: str, n_threads: int):
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
            client.submit(run_search, job, inputs[job.class_name], n_threads, pure=False) for job in jobs
        ]
        for future in as_completed(futures):
            yield future.result()


def run_sweep(
    config: FitConfig, data: JetData, teacher: Teacher, teacher_id: str, progress: bool = True
) -> dict:
    """Run the searches that are not stored yet, storing each on arrival; return counts."""
    out = Path(config.out)
    jobs = make_jobs(config, data, teacher_id)
    pending = [job for job in jobs if stored_record(out, job) is None]
    targets = make_targets(config.target, teacher, data)
    inputs = {c: class_inputs(targets, data, c) for c in {job.class_name for job in pending}}
    with tqdm(
        total=len(jobs), initial=len(jobs) - len(pending), desc="searches", unit="job", disable=not progress
    ) as bar:
        for record in execute(pending, inputs, config):
            atomic.write_json(out / SEARCH_DIR / f"{record['search_id']}.json", record)
            bar.update(1)
    return {"jobs": len(jobs), "run": len(pending), "skipped": len(jobs) - len(pending)}


def load_records(out: Path, dataset_fingerprint: str, teacher_id: str) -> list[dict[str, Any]]:
    """Every stored search made on this dataset with this teacher (runs with other c_max/seeds accumulate)."""
    records = []
    for path in sorted((out / SEARCH_DIR).glob("*.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if not intact(record):
            continue
        job = record["job"]
        if job.get("dataset_fingerprint") == dataset_fingerprint and job.get("teacher_id") == teacher_id:
            records.append(record)
    return records


def leaderboard_rows(records: list[dict[str, Any]], data: JetData) -> list[dict[str, Any]]:
    """One row per front member, with the per-family best set and its 5-class accuracy marked."""
    rows = []
    for record in records:
        job = record["job"]
        for member in record["front"]:
            rows.append(
                {
                    "expr_id": f"{record['search_id']}-k{member['cost']}",
                    "class": job["class_name"],
                    "family": job["family"],
                    "cmax": job["cmax"],
                    "complexity": member["complexity"],
                    "cost": member["cost"],
                    "op_costs": job["op_costs"],
                    "expression": member["expression"],
                    "inputs": record["inputs"],
                    "target": job["target"],
                    "loss": member["loss"],
                    "auc": member["auc"],
                    "auc_val": member["auc_val"],
                    "auc_teacher": record["auc_teacher"],
                    "auc_ratio": member["auc"] / record["auc_teacher"],
                    "fidelity_r2": member["fidelity_r2"],
                    "rejection50": member["rejection50"],
                    "rejection50_teacher": record["rejection50_teacher"],
                    "engine": member["engine"],
                    "seed": job["seed"],
                    "dataset": data.label,
                    "dataset_fingerprint": job["dataset_fingerprint"],
                    "search_id": record["search_id"],
                    "created": record["created"],
                }
            )
    frame = leaderboard.build(rows)
    return _mark_best_sets(frame, data)


def _mark_best_sets(frame, data: JetData):
    """For each family setting with all five classes: the best expression per class (by validation AUC) and
    the 5-class accuracy of argmax over those five, parsed back from the table's own text."""
    frame["best"] = False
    frame["accuracy_5class"] = np.nan
    if frame.empty:
        return frame
    settings = ["family", "cmax", "seed", "engine", "target", "op_costs"]
    X_test = data.standardize(data.X_test)
    for _, group in frame.groupby(settings, sort=False):
        best = group.loc[group.groupby("class")["auc_val"].idxmax()]
        frame.loc[best.index, "best"] = True
        if set(best["class"]) != set(CLASSES):
            continue
        best = best.set_index("class").loc[list(CLASSES)]
        scores = np.column_stack(
            [ex.evaluate(ex.parse_expression(text), X_test) for text in best["expression"]]
        )
        frame.loc[frame["expr_id"].isin(best["expr_id"]), "accuracy_5class"] = multiclass_accuracy(
            scores, data.y_test
        )
    return frame


def obtain_teacher(config: FitConfig, data: JetData, progress: bool = True) -> tuple[Teacher, str]:
    """The teacher to distil and its id (:func:`teacher_fingerprint`).

    ``--teacher PATH`` is loaded and must match the data. Otherwise ``<out>/teacher/`` is reused when it was
    trained on these jets with this split, else a new one is trained and saved there.
    """
    from symtrig import teacher as teachers

    if config.teacher:
        teacher = teachers.load_teacher(config.teacher)
        for note in teachers.require_matching_teacher(teacher, data):
            tqdm.write(f"note: {note}")
    else:
        folder = Path(config.out) / "teacher"
        teacher = _reusable_teacher(folder, data)
        if teacher is None:
            if progress:
                tqdm.write(f"training the teacher on {data.label} (saved to {folder})")
            model, training = teachers.train_teacher(data, seed=config.seed)
            teachers.save_teacher(model, teachers.make_card(model, data, config.seed, training), folder)
            teacher = teachers.load_teacher(folder)
    return teacher, teacher_fingerprint(teacher)


def _reusable_teacher(folder: Path, data: JetData) -> Teacher | None:
    """The teacher a previous fit saved in ``folder``, if it loads and its card says it was trained on these
    jets and split.

    A missing, corrupt or stale saved teacher is not the user's mistake here: the fit trains a new one. So is
    a model without its card: fit writes the card right after the model, so a lone model is a save that was
    killed in between, and without the card nothing says which jets it was trained on.
    """
    from symtrig import teacher as teachers

    if not (folder / teachers.MODEL_FILE).is_file():
        return None
    try:
        teacher = teachers.load_teacher(folder)
    except SymtrigError as exc:
        tqdm.write(f"note: not reusing {folder} ({exc})")
        return None
    return teacher if teacher.card is not None and teachers.teacher_matches_data(teacher, data).ok else None


def teacher_fingerprint(teacher: Teacher) -> str:
    """An id of what the teacher computes: a scikit-learn teacher's architecture and weights, else its file.

    Not the skops file's hash: skops names archive members after object ids and stamps them with the save time,
    so retraining the same model with the same seed (a rerun after a kill, a second machine) gives other bytes,
    hence other search keys, and a resumed sweep would redo every search and disagree with an uninterrupted one.
    """
    model = getattr(teacher, "model", None)
    digest = hashlib.sha256()
    if model is not None and hasattr(model, "coefs_"):
        shape = {"kind": type(model).__name__, "activation": model.activation, "out": model.out_activation_}
        digest.update(json.dumps({**shape, "classes": [str(c) for c in model.classes_]}).encode())
        for array in (*model.coefs_, *model.intercepts_):
            digest.update(np.ascontiguousarray(array, dtype="<f8").tobytes())
    else:  # ONNX: protobuf serialisation is deterministic, the file is the model
        digest.update(Path(teacher.source).read_bytes())
    return "sha256:" + digest.hexdigest()[:16]


def fit(config: FitConfig, progress: bool = True) -> dict[str, Any]:
    """``symtrig fit``: data → teacher → searches → leaderboard, recording settings and versions."""
    config = config.validated()
    data = load_jet_data(config.data, seed=config.seed, data_home=config.data_home)
    atomic.remove_stale_temporaries(config.out)  # what a killed earlier run was writing
    teacher, teacher_id = obtain_teacher(config, data, progress)
    counts = run_sweep(config, data, teacher, teacher_id, progress)
    return publish(config, data, teacher, teacher_id, {"command": "fit", **counts})


def publish(
    config: FitConfig, data: JetData, teacher: Teacher, teacher_id: str, facts: dict
) -> dict[str, Any]:
    """Rebuild the leaderboard from every stored search of this data and teacher; record the run."""
    out = Path(config.out)
    frame = leaderboard_rows(load_records(out, data.fingerprint, teacher_id), data)
    path = leaderboard.write(frame, out / leaderboard.LEADERBOARD_FILE)
    atomic.write_json(
        out / RUN_FILE,
        {
            **facts,
            "settings": asdict(config),
            "dataset": data.describe(),
            "teacher": teacher.source,
            "teacher_id": teacher_id,
            "standardization": {"mean": data.mean_, "scale": data.scale_},
            "features_in_expressions": "standardized: (x - mean) / scale",
            "versions": versions(),
            "created": utc_now(),
        },
    )
    return {**facts, "leaderboard": path, "frame": frame, "data": data}


__all__ = ["FitConfig", "SearchJob", "fit", "pareto_mask", "publish", "run_sweep"]
