"""A simple particle-flow detector: the ``r1_h022_e0175_t220`` emulation of the original dataset.

The original processing (``anaSubstructure.cpp`` of the trackObservables study) turns generator particles
into detector-level candidates in two steps, reproduced here:

1. Granularity. Charged hadrons and leptons stay as tracks. Photons are summed into ECAL cells of
   0.0175 × 0.0175 in (η, φ); neutral hadrons, and charged hadrons above 220 GeV (where calorimeter
   resolution beats tracking in a dense jet core, so the track is not used), into HCAL cells of 0.022.
   Both grids cover |η| < 3; calorimeter deposits outside are lost. A cell becomes one massless
   candidate at the cell centre carrying the summed energy.
2. Resolution. Every candidate's four-momentum is scaled by a Gaussian factor N(1, σ):
   tracks and leptons σ = √((2.5e-4 pT)² + 0.015²); ECAL cells σ = √(0.027²·1.6/E + (0.24/E)² + 0.005²);
   HCAL cells σ = √(1.2²·7/E + 0.05²) (the factors 1.6 and 7 model the energy shared with the charged
   particles that particle flow subtracts first).

This emulates the tag's description; it is not validated against real detector data.
"""

from __future__ import annotations

import numpy as np

ETA_MAX = 3.0
ECAL_CELL = 0.0175
HCAL_CELL = 0.022
#: Charged hadrons above this pT are measured in the HCAL (the "t220" part of the tag).
TRACK_PT_MAX = 220.0

#: Charged leptons: always tracks, never moved to the calorimeter.
_LEPTONS = (11, 13, 15)
_TRACK, _ECAL, _HCAL = 0, 1, 2


def _grid(cell: float) -> tuple[int, float, int, float]:
    """Bins of a TH2-style grid over η ∈ [-3, 3], φ ∈ [0, 2π) with floor(range/cell) bins of equal width."""
    n_eta = int(np.floor(2 * ETA_MAX / cell))
    n_phi = int(np.floor(2 * np.pi / cell))
    return n_eta, 2 * ETA_MAX / n_eta, n_phi, 2 * np.pi / n_phi


def _route(pdg: np.ndarray, charge: np.ndarray, pt: np.ndarray) -> np.ndarray:
    """Which subdetector measures each particle: track, ECAL or HCAL."""
    abs_id = np.abs(pdg)
    route = np.full(pdg.shape, _HCAL, dtype=np.int8)
    route[abs_id == 22] = _ECAL
    charged = charge != 0
    route[charged & (pt <= TRACK_PT_MAX)] = _TRACK
    route[np.isin(abs_id, _LEPTONS)] = _TRACK
    return route


def _cells(eta: np.ndarray, phi: np.ndarray, energy: np.ndarray, cell: float) -> np.ndarray:
    """Sum energies into (η, φ) cells; returns massless cell four-momenta (px, py, pz, E), shape (n, 4)."""
    n_eta, w_eta, n_phi, w_phi = _grid(cell)
    inside = np.abs(eta) < ETA_MAX
    i_eta = np.floor((eta[inside] + ETA_MAX) / w_eta).astype(np.int64)
    i_phi = np.floor(np.mod(phi[inside], 2 * np.pi) / w_phi).astype(np.int64)
    i_eta = np.clip(i_eta, 0, n_eta - 1)
    i_phi = np.clip(i_phi, 0, n_phi - 1)
    key = i_eta * n_phi + i_phi
    uniq, inverse = np.unique(key, return_inverse=True)
    e_cell = np.bincount(inverse, weights=energy[inside])
    c_eta = -ETA_MAX + (uniq // n_phi + 0.5) * w_eta
    c_phi = (uniq % n_phi + 0.5) * w_phi
    pt = e_cell / np.cosh(c_eta)
    return np.column_stack([pt * np.cos(c_phi), pt * np.sin(c_phi), pt * np.sinh(c_eta), e_cell])


def _smear(p4: np.ndarray, sigma: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Scale four-momenta by N(1, σ) factors, floored at 1e-10 as in the original code."""
    factor = np.maximum(1e-10, rng.normal(1.0, sigma))
    return p4 * factor[:, None]


def emulate_detector(particles: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Detector-level candidates from visible generator particles (keys px, py, pz, e, pdg, charge)."""
    # Pythia very rarely emits a photon with E = 0; its resolution (∝ 1/E) would be infinite and turn the
    # candidate into NaN, which FastJet cannot cluster (it crashes). Such a particle carries nothing: drop it.
    ok = particles["e"] > 0
    px, py, pz, e = (particles[k][ok] for k in ("px", "py", "pz", "e"))
    pt = np.hypot(px, py)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.arcsinh(np.where(pt > 0, pz / pt, np.sign(pz) * 1e10))
    phi = np.arctan2(py, px)
    route = _route(particles["pdg"][ok], particles["charge"][ok], pt)

    tracks = np.column_stack([px, py, pz, e])[route == _TRACK]
    ecal = _cells(eta[route == _ECAL], phi[route == _ECAL], e[route == _ECAL], ECAL_CELL)
    hcal = _cells(eta[route == _HCAL], phi[route == _HCAL], e[route == _HCAL], HCAL_CELL)

    track_pt = np.hypot(tracks[:, 0], tracks[:, 1])
    sigma_track = np.sqrt((2.5e-4 * track_pt) ** 2 + 0.015**2)
    sigma_ecal = np.sqrt(0.027**2 * 1.6 / ecal[:, 3] + (0.15 * 1.6 / ecal[:, 3]) ** 2 + 0.005**2)
    sigma_hcal = np.sqrt(1.2**2 * 7.0 / hcal[:, 3] + 0.05**2)

    p4 = np.concatenate(
        [
            _smear(tracks, sigma_track, rng),
            _smear(ecal, sigma_ecal, rng),
            _smear(hcal, sigma_hcal, rng),
        ]
    )
    return {"px": p4[:, 0], "py": p4[:, 1], "pz": p4[:, 2], "e": p4[:, 3]}
