"""Jet finding, truth matching and mMDT grooming for a batch of events, with FastJet and fjcontrib.

* Jets: anti-kT R = 0.8 on all visible final-state particles (or detector candidates), as in the dataset.
* Window: 700 < pT < 1600 GeV around the 900 GeV generator cut, where the original "pt1" samples live.
* Matching: a jet is kept if it lies within ΔR < 0.6 of a truth object of its class (parton, W, Z or
  top). The original labelled jets by sample; the ΔR match removes ISR jets and jets that lost the boson's
  decay products, so each label describes what is inside the jet. 0.6 < R keeps most of a boosted
  two- or three-prong decay (ΔR ≈ 2m/pT ≈ 0.16–0.35 at 1 TeV) inside the cone.
* Grooming: mMDT = fjcontrib SoftDrop(β = 0, z_cut = 0.1, R0 = 1), the dataset's "mmdt". β = 0 makes the
  groomer a pure energy-sharing cut on the C/A declustering, which removes soft wide-angle radiation
  (and MPI) and leaves the hard prongs, so the groomed mass peaks at the W, Z and top masses.

FastJet's awkward-array interface is used because the classic SWIG interface does not expose fjcontrib.
Grooming each matched jet means reclustering its constituents as a one-jet "event" with C/A (R large
enough that every constituent merges) and asking for one exclusive jet.
"""

from __future__ import annotations

from dataclasses import dataclass

import awkward as ak
import fastjet
import numpy as np

JET_R = 0.8
PT_MIN, PT_MAX = 700.0, 1600.0
MATCH_DR = 0.6
MMDT_ZCUT, MMDT_BETA, MMDT_R0 = 0.1, 0.0, 1.0
#: C/A radius used to recluster one jet's constituents into a single jet (ΔR within a jet < 2R).
_RECLUSTER_R = 10.0
_P4 = ("px", "py", "pz", "E")


@dataclass
class JetBatch:
    """Matched jets of a batch, flat: jet ``j`` owns constituents ``offsets[j]:offsets[j+1]``."""

    e: np.ndarray  # ungroomed constituent energies
    offsets: np.ndarray
    groomed_p4: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    groomed_offsets: np.ndarray
    mass_mmdt: np.ndarray
    pt: np.ndarray

    def __len__(self) -> int:
        return len(self.mass_mmdt)


def _to_awkward(columns: dict[str, list[np.ndarray]]) -> ak.Array:
    """Events (lists of per-event numpy arrays per component) as an awkward array of px, py, pz, E."""
    counts = np.array([len(a) for a in columns["px"]], dtype=np.int64)
    return ak.zip(
        {k: ak.unflatten(np.concatenate(columns[k]) if len(counts) else np.zeros(0), counts) for k in _P4}
    )


def _delta_r(y1: np.ndarray, phi1: np.ndarray, y2: np.ndarray, phi2: np.ndarray) -> np.ndarray:
    dphi = np.abs(phi1 - phi2)
    dphi = np.where(dphi > np.pi, 2 * np.pi - dphi, dphi)
    return np.hypot(y1 - y2, dphi)


def _select(jets: ak.Array, truth: list[np.ndarray]) -> ak.Array:
    """Boolean mask (per event, per jet) of jets in the pT window and matched to a truth object."""
    masks = []
    for ev_jets, ev_truth in zip(ak.to_list(jets), truth, strict=True):
        keep = []
        for j in ev_jets:
            pt = float(np.hypot(j["px"], j["py"]))
            if not PT_MIN < pt < PT_MAX or len(ev_truth) == 0:
                keep.append(False)
                continue
            y = 0.5 * np.log((j["E"] + j["pz"]) / (j["E"] - j["pz"]))
            phi = np.arctan2(j["py"], j["px"])
            keep.append(bool(np.any(_delta_r(y, phi, ev_truth[:, 0], ev_truth[:, 1]) < MATCH_DR)))
        masks.append(keep)
    return ak.Array(masks)


def find_jets(events: dict[str, list[np.ndarray]], truth: list[np.ndarray]) -> JetBatch:
    """Cluster, match and groom the jets of a batch of events.

    ``events`` maps px, py, pz, E to one numpy array per event; ``truth`` holds each event's (y, φ)
    truth directions.
    """
    arr = _to_awkward(events)
    cs = fastjet.ClusterSequence(arr, fastjet.JetDefinition(fastjet.antikt_algorithm, JET_R))
    # 0.9 * PT_MIN keeps the C++ output small; the exact window is applied in _select.
    jets = cs.inclusive_jets(min_pt=0.9 * PT_MIN)
    constituents = cs.constituents(min_pt=0.9 * PT_MIN)
    mask = _select(jets, truth)
    chosen = ak.flatten(constituents[mask], axis=1)  # one entry per matched jet
    chosen_jets = ak.flatten(jets[mask], axis=1)
    if len(chosen) == 0:
        return _empty_batch()
    sd = _groom(chosen)
    groomed = sd["constituents"]
    px, py, pz, energy = (np.asarray(ak.flatten(groomed[k]), dtype=np.float64) for k in _P4)
    return JetBatch(
        e=np.asarray(ak.flatten(chosen["E"]), dtype=np.float64),
        offsets=_offsets(ak.num(chosen)),
        groomed_p4=(px, py, pz, energy),
        groomed_offsets=_offsets(ak.num(groomed)),
        mass_mmdt=np.asarray(sd["msoftdrop"], dtype=np.float64),
        pt=np.hypot(np.asarray(chosen_jets["px"]), np.asarray(chosen_jets["py"])),
    )


def _groom(jet_constituents: ak.Array) -> ak.Array:
    """mMDT on each jet (one jet per entry), via fjcontrib's SoftDrop through FastJet's awkward API."""
    as_events = ak.zip({k: jet_constituents[k] for k in _P4})
    cs = fastjet.ClusterSequence(as_events, fastjet.JetDefinition(fastjet.cambridge_algorithm, _RECLUSTER_R))
    return cs.exclusive_jets_softdrop_grooming(
        njets=1, beta=MMDT_BETA, symmetry_cut=MMDT_ZCUT, symmetry_measure="scalar_z", R0=MMDT_R0
    )


def _offsets(counts: ak.Array) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(np.asarray(counts, dtype=np.int64))])


def _empty_batch() -> JetBatch:
    zero = np.zeros(0)
    return JetBatch(zero, np.zeros(1, np.int64), (zero, zero, zero, zero), np.zeros(1, np.int64), zero, zero)
