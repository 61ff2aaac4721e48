"""Shared fixtures: small jet tables in the OpenML layout, made on the fly so tests need no download."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from symtrig.data import CLASSES, FEATURES, LABEL_COLUMN


def make_jet_frame(per_class: int = 60, seed: int = 0) -> pd.DataFrame:
    """Gaussian blobs with class-dependent means, in the exact OpenML column layout (16 features + class)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 1.5, size=(len(CLASSES), len(FEATURES)))
    blocks = [rng.normal(centres[k], 1.0, size=(per_class, len(FEATURES))) for k in range(len(CLASSES))]
    frame = pd.DataFrame(np.vstack(blocks), columns=list(FEATURES))
    frame[LABEL_COLUMN] = np.repeat(list(CLASSES), per_class)
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.fixture
def jet_frame() -> pd.DataFrame:
    return make_jet_frame()


@pytest.fixture(scope="session")
def sample():
    """The bundled simulated jets, split with seed 0 (read once per test session)."""
    from symtrig.data import load_data

    return load_data("sample", seed=0)


@pytest.fixture(scope="session")
def calibration(sample):
    """The sample's training + validation jets, standardized, and per class its signal rows (g, q, t, w, z)."""
    from symtrig.emit.flows import Jets

    jets = Jets.for_classes(sample, sample.classes)
    return sample.standardize(jets.X_calib), jets.labels_calib


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Show the trust tests' headline counts (fuzz totals, resume kill points) even in ``-q`` runs."""
    lines = getattr(config, "symtrig_trust_report", None)
    if lines:
        terminalreporter.write_sep("-", "symtrig trust")
        for line in lines:
            terminalreporter.write_line(line)
