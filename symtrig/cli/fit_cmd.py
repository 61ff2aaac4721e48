"""``symtrig fit`` and ``symtrig import-pysr``: distil the teacher into expressions, write the leaderboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from symtrig.cli.options import (
    ALL_FAMILIES,
    ClassesOption,
    DataHomeOption,
    DataOption,
    Engine,
    FamiliesOption,
    FeaturesOption,
    LabelOption,
    QuietOption,
    SeedOption,
    Speaker,
    Target,
    TeacherOption,
    TeacherOutputsOption,
    TreeOption,
    VerboseOption,
    names,
)
from symtrig.cli.root import app
from symtrig.distill import DEFAULT_BUDGET
from symtrig.store import paths


@app.command("fit")
def fit(
    cmax: Annotated[int, typer.Option("--cmax", help="Hard complexity bound (PySR-like node count).")] = 40,
    families: FamiliesOption = ALL_FAMILIES,
    classes: ClassesOption = "",
    data: DataOption = "sample",
    data_home: DataHomeOption = None,
    features: FeaturesOption = "",
    label: LabelOption = None,
    tree: TreeOption = None,
    teacher: TeacherOption = None,
    teacher_outputs: TeacherOutputsOption = "",
    target: Annotated[
        Target,
        typer.Option(
            "--target",
            help="teacher-logodds (default), teacher (probability), teacher-logit, truth (±1), or "
            "teacher-score (a regression on a teacher's raw output, e.g. an anomaly score).",
        ),
    ] = Target.teacher_logodds,  # type: ignore[attr-defined]
    engine: Annotated[
        Engine, typer.Option("--engine", help="operon (runs everywhere) or pysr (needs Julia).")
    ] = (Engine.operon),
    budget: Annotated[
        float, typer.Option("--budget", help="Wall-time limit per search, seconds.")
    ] = DEFAULT_BUDGET,
    generations: Annotated[
        int | None,
        typer.Option("--generations", help="Deterministic generation limit (then --budget is a cap)."),
    ] = None,
    seed: SeedOption = 0,
    jobs: Annotated[int, typer.Option("--jobs", help="Searches run at once on this machine.")] = 1,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786.")
    ] = None,
    op_costs: Annotated[
        str,
        typer.Option(
            "--op-costs",
            help="unit (node count), latency, hardware (the RTL path's delay model) or a JSON file {op: cost}.",
        ),
    ] = "unit",
    max_rows: Annotated[int, typer.Option("--max-rows", help="Training rows each search sees.")] = 10_000,
    select_features: Annotated[
        int,
        typer.Option("--select-features", help="Columns each search sees (random-forest ranked); 0: all."),
    ] = 6,
    refit: Annotated[
        bool,
        typer.Option("--refit/--no-refit", help="Refit each expression's constants on all training rows."),
    ] = True,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path(paths.EXPRESSIONS_DIR),
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Distil each class score of the teacher into expressions per operator family, under c_max."""
    from symtrig.fit import FitConfig
    from symtrig.fit import fit as run_fit

    speaker = Speaker(quiet, verbose)
    config = FitConfig(
        cmax=cmax,
        families=names(families),
        **problem_settings(classes, data, data_home, features, label, tree, teacher, teacher_outputs),
        target=target.value,
        engine=engine.value,
        budget=budget,
        generations=generations,
        seed=seed,
        jobs=jobs,
        scheduler=scheduler,
        op_costs=op_costs,
        max_rows=max_rows,
        select_features=select_features or None,
        refit=refit,
        out=str(out),
    )
    result = run_fit(config, progress=speaker.progress, say=speaker.note)
    frame, counts = result.leaderboard, result.run.counts
    typer.echo(f"{counts['run']} searches run, {counts['skipped']} reused; dataset {result.data.label}")
    best = frame[frame["best"] & (frame["cmax"] == cmax)]
    for family, group in best.groupby("family", sort=False):
        aucs = ", ".join(f"{r['class']} {r['auc']:.3f}" for _, r in group.iterrows())
        acc = group["accuracy_5class"].dropna()
        tail = f"; accuracy {acc.iloc[0]:.3f}" if len(acc) else ""
        typer.echo(f"  {family:5s} test AUC {aucs}{tail}")
    typer.echo(f"leaderboard: {result.leaderboard_path}")


@app.command("import-pysr")
def import_pysr(
    files: Annotated[list[Path], typer.Argument(help="PySR hall_of_fame*.csv files, one per class.")],
    family: Annotated[str, typer.Option("--family", help="Operator family the PySR run used.")] = "trig",
    classes: ClassesOption = "",
    cmax: Annotated[int, typer.Option("--cmax", help="Complexity bound (PySR's maxsize).")] = 40,
    data: DataOption = "sample",
    data_home: DataHomeOption = None,
    features: FeaturesOption = "",
    label: LabelOption = None,
    tree: TreeOption = None,
    teacher: TeacherOption = None,
    teacher_outputs: TeacherOutputsOption = "",
    target: Annotated[
        Target, typer.Option("--target", help="What the PySR run was fitted to.")
    ] = Target.truth,  # type: ignore[attr-defined]
    seed: SeedOption = 0,
    op_costs: Annotated[
        str, typer.Option("--op-costs", help="unit, latency, hardware or a JSON file.")
    ] = "unit",
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path(paths.EXPRESSIONS_DIR),
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Import PySR hall-of-fame CSVs made elsewhere into the leaderboard, scored like native searches."""
    from symtrig.fit import FitConfig
    from symtrig.pysr_import import import_pysr as run_import

    config = FitConfig(
        cmax=cmax,
        families=(family,),
        **problem_settings(classes, data, data_home, features, label, tree, teacher, teacher_outputs),
        target=target.value,
        seed=seed,
        op_costs=op_costs,
        out=str(out),
    )
    result = run_import(config, list(files), say=Speaker(quiet, verbose).note)
    typer.echo(f"imported {len(files)} hall-of-fame file(s) on {result.data.label}")
    typer.echo(f"leaderboard: {result.leaderboard_path}")


def problem_settings(
    classes: str,
    data: str,
    data_home: Path | None,
    features: str,
    label: str | None,
    tree: str | None,
    teacher: str | None,
    teacher_outputs: str,
) -> dict[str, Any]:
    """The :class:`FitConfig` fields that say which problem is distilled (data, columns, teacher), from the
    options ``fit`` and ``import-pysr`` share: one spelling, so the two commands read a problem alike."""
    return {
        "classes": names(classes) or None,
        "data": data,
        "data_home": str(data_home) if data_home else None,
        "features": names(features) or None,
        "label": label,
        "tree": tree,
        "teacher": teacher,
        "teacher_outputs": names(teacher_outputs) or None,
    }
