"""``symtrig teacher``: train the reference tagger on a dataset, report its test scores and save it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from symtrig import data as datasets
from symtrig import teacher as teachers
from symtrig.cli.options import (
    DataHomeOption,
    DataOption,
    FeaturesOption,
    LabelOption,
    QuietOption,
    SeedOption,
    Speaker,
    TreeOption,
    VerboseOption,
    names,
)
from symtrig.cli.root import app


@app.command("teacher")
def teacher(
    data: DataOption = "sample",
    data_home: DataHomeOption = None,
    features: FeaturesOption = "",
    label: LabelOption = None,
    tree: TreeOption = None,
    seed: SeedOption = 0,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for teacher.skops and its card teacher.json.")
    ] = teachers.DEFAULT_TEACHER_DIR,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Train the features-64-32-32-classes ReLU tagger (always retrains) and save it with its test AUCs."""
    speaker = Speaker(quiet, verbose)
    dataset = datasets.load_data(
        data, seed=seed, data_home=data_home, features=names(features) or None, label=label, tree=tree
    )
    typer.echo(f"dataset: {dataset.label}, fingerprint {dataset.fingerprint}, split seed {seed}")
    model, training = teachers.train_teacher(dataset, seed=seed, say=speaker.note)
    card = teachers.make_card(model, dataset, seed=seed, training=training)
    saved = teachers.save_teacher(model, card, out)
    typer.echo(
        f"trained in {training['train_seconds']:.1f} s ({training['n_iter']} epochs, "
        f"{training['n_train']} training rows)"
    )
    typer.echo(f"test scores on {dataset.label}, {card['n_test']} rows:")
    for name, auc in card["auc"].items():
        typer.echo(f"  AUC {name} vs rest: {auc:.4f}")
    typer.echo(f"  accuracy ({len(dataset.classes)} classes): {card['accuracy']:.4f}")
    typer.echo(f"saved: {saved / teachers.MODEL_FILE}, {saved / teachers.CARD_FILE}")
