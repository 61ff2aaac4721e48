"""A small generated table that is not jets: the worked example of distilling a tagger of one's own.

Why generated, not shipped: it stays tiny in the package and anyone can make it again with the same seed. Eight
named features of a toy tau-trigger problem, three classes (``tau``, ``electron``, ``qcd``) whose separation
needs products and a periodic feature, so the symbolic search has something to find. Not physics: a shape
to practise on (``symtrig data example --out taus.parquet``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The example's columns: eight features and the label column ``kind``.
EXAMPLE_FEATURES: tuple[str, ...] = (
    "pt_lead",
    "iso",
    "n_tracks",
    "em_frac",
    "r_em",
    "m_vis",
    "dr_max",
    "phi_mod",
)
EXAMPLE_LABEL = "kind"
EXAMPLE_CLASSES: tuple[str, ...] = ("electron", "qcd", "tau")


def make_example_table(rows_per_class: int = 1500, seed: int = 0) -> pd.DataFrame:
    """The toy table: ``rows_per_class`` rows of each class, shuffled, seeded."""
    rng = np.random.default_rng(seed)
    blocks = []
    for kind in EXAMPLE_CLASSES:
        n = rows_per_class
        tau, electron = kind == "tau", kind == "electron"
        em_frac = rng.beta(5 if electron else 3 if tau else 2.5, 3 if electron else 3.5, n)
        n_tracks = rng.poisson(2.0 if tau else 1.5 if electron else 3.5, n) + 1
        pt_lead = rng.gamma(4.0 if tau else 3.5, 7.0 if electron else 6.0, n)
        iso = np.abs(rng.normal(0.1, 0.1, n)) + (0.05 if tau else 0.15 if electron else 0.25) * rng.random(n)
        r_em = np.abs(rng.normal(0.04 if electron else 0.06 if tau else 0.09, 0.04, n))
        m_vis = np.abs(rng.normal(1.2 if tau else 0.6 if electron else 1.8, 0.8, n)) * (1 + 0.1 * n_tracks)
        dr_max = np.abs(rng.normal(0.06 if tau else 0.05, 0.05, n)) + 0.02 * n_tracks
        phase = 1.0 if tau else 0.0 if electron else 0.5
        phi_mod = np.mod(rng.normal(phase, 0.8, n), 2 * np.pi) + 0.1 * em_frac
        blocks.append(
            pd.DataFrame(
                {
                    "pt_lead": pt_lead,
                    "iso": iso,
                    "n_tracks": n_tracks.astype(float),
                    "em_frac": em_frac,
                    "r_em": r_em,
                    "m_vis": m_vis,
                    "dr_max": dr_max,
                    "phi_mod": phi_mod,
                    EXAMPLE_LABEL: kind,
                }
            )
        )
    table = pd.concat(blocks, ignore_index=True)
    return table.sample(frac=1.0, random_state=seed).reset_index(drop=True)
