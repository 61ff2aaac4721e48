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


#: A fit small enough for a test: a few generations on 400 rows.
QUICK_FIT = ["--generations", "4", "--budget", "30", "--max-rows", "400"]


def quick_fit(root, families: str, *, seed: int, cmax: int = 12):
    """A leaderboard fitted quickly on Gaussian jets (120 per class) in ``root``; returns its folder."""
    from symtrig.cli import main

    jets = root / "jets.parquet"
    make_jet_frame(per_class=120, seed=seed).to_parquet(jets)
    out = root / "expressions"
    args = [
        "fit",
        "--families",
        families,
        "--data",
        str(jets),
        "--out",
        str(out),
        *QUICK_FIT,
        "--cmax",
        str(cmax),
    ]
    assert main(args) == 0
    return out


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


def small_logic():
    """Four inputs, one 8-bit-input sin table, one 10x10-bit product, constant multiplications: a da4ml design
    small enough to synthesize, place and route in seconds, with a table, a DSP and carry chains in it."""
    pytest.importorskip("da4ml")
    from da4ml.trace import FixedVariableArrayInput, comb_trace
    from da4ml.trace.ops import quantize

    inp = FixedVariableArrayInput((4,))
    x = quantize(inp, 1, 3, 6)
    u = quantize(x[0:1] + x[1:2] * 0.75, 1, 2, 5, "SAT", "TRN")
    s = quantize(np.sin(u), 1, 0, 6, "SAT", "TRN")
    p = quantize(x[2:3] * x[3:4], 1, 6, 6, "SAT", "TRN")
    return comb_trace(inp, np.concatenate([s * 0.5 + p, x[3:4] * 1.25 - x[0:1] * 0.375]))


def adder_chain(length: int):
    """x0 + x1 + ... added one after another: ``length`` adders in series, nothing else costs time."""
    pytest.importorskip("da4ml")
    from da4ml.trace import FixedVariableArrayInput, comb_trace
    from da4ml.trace.ops import quantize

    inp = FixedVariableArrayInput((length + 1,))
    x = quantize(inp, 1, 5, 0)
    total = x[0:1]
    for k in range(1, length + 1):
        total = quantize(total + x[k : k + 1], 1, 7, 0)
    return comb_trace(inp, total)
