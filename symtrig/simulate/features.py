"""The 16 OpenML-42468 features of a jet, from its constituents.

The energy-correlation functions (ECFs) are exact sums over all pairs and triplets of groomed constituents,
in a numba kernel. Exact sums (not the approximations some fast implementations use) keep the values
identical to fjcontrib's ``EnergyCorrelator`` with the ``pt_R`` measure, which is what the original dataset
used: energies are transverse momenta and angles are ΔR in (rapidity, φ). Groomed jets have tens of
constituents, so the O(n³) triplet loop costs about a millisecond per jet.

Conventions (fjcontrib's, with z_i = pT_i / Σ pT and R_ij = ΔR_ij):

* e2^(β) = Σ_{i<j} z_i z_j R_ij^β, e3^(β) = Σ_{i<j<k} z_i z_j z_k (R_ij R_ik R_jk)^β;
* generalised ECFs ₘe3^(β) keep only the m smallest of the three pairwise angles of a triplet;
* C1^(β) = e2^(β), C2^(β) = e3/e2², D2^(β) = e3/e2³, D2^(α=1,β) = e3^(1)/(e2^(β))^{3/β},
  M2^(β) = ₁e3/e2, N2^(β) = ₂e3/e2² (₁e2 = e2 for two particles).
"""

from __future__ import annotations

import numba
import numpy as np

from symtrig.data import FEATURES

#: Index of each ECF sum in the kernel's output row.
_E2_B0, _E2_B1, _E2_B2, _E3_B1, _E3_B2, _1E3_B1, _1E3_B2, _2E3_B1, _2E3_B2 = range(9)
N_SUMS = 9


@numba.njit(cache=True)
def _pair_angles(y: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """ΔR_ij in (y, φ) with φ wrapped into [-π, π] (FastJet's ``PseudoJet::delta_R``)."""
    n = y.shape[0]
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            dphi = abs(phi[i] - phi[j])
            if dphi > np.pi:
                dphi = 2.0 * np.pi - dphi
            dy = y[i] - y[j]
            r = np.sqrt(dy * dy + dphi * dphi)
            out[i, j] = r
            out[j, i] = r
    return out


@numba.njit(cache=True)
def _one_jet_sums(pt: np.ndarray, y: np.ndarray, phi: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out`` (length N_SUMS) with the normalised 2- and 3-point ECF sums of one jet."""
    n = pt.shape[0]
    z = pt / pt.sum()
    r = _pair_angles(y, phi)
    out[:] = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            zij = z[i] * z[j]
            rij = r[i, j]
            out[_E2_B0] += zij
            out[_E2_B1] += zij * rij
            out[_E2_B2] += zij * rij * rij
            for k in range(j + 1, n):
                zijk = zij * z[k]
                a, b, c = rij, r[i, k], r[j, k]
                # sort the three angles: a <= b <= c
                if a > b:
                    a, b = b, a
                if b > c:
                    b, c = c, b
                if a > b:
                    a, b = b, a
                prod = a * b * c
                out[_E3_B1] += zijk * prod
                out[_E3_B2] += zijk * prod * prod
                out[_1E3_B1] += zijk * a
                out[_1E3_B2] += zijk * a * a
                out[_2E3_B1] += zijk * a * b
                out[_2E3_B2] += zijk * a * a * b * b


@numba.njit(cache=True)
def ecf_sums(pt: np.ndarray, y: np.ndarray, phi: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """ECF sums for a batch of jets stored flat: jet ``j`` owns entries ``offsets[j]:offsets[j+1]``.

    Returns an array of shape (n_jets, N_SUMS). A jet with one constituent gets all-zero sums.
    """
    n_jets = offsets.shape[0] - 1
    out = np.zeros((n_jets, N_SUMS))
    for j in range(n_jets):
        lo, hi = offsets[j], offsets[j + 1]
        if hi - lo >= 1:
            _one_jet_sums(pt[lo:hi], y[lo:hi], phi[lo:hi], out[j])
    return out


def ecf_ratios(sums: np.ndarray) -> dict[str, np.ndarray]:
    """The 13 groomed-jet ECF ratios of the dataset from the kernel's sums (NaN/inf where e2 = 0)."""
    s = np.asarray(sums, dtype=np.float64)
    e2 = {0: s[:, _E2_B0], 1: s[:, _E2_B1], 2: s[:, _E2_B2]}
    e3 = {1: s[:, _E3_B1], 2: s[:, _E3_B2]}
    e3_1 = {1: s[:, _1E3_B1], 2: s[:, _1E3_B2]}
    e3_2 = {1: s[:, _2E3_B1], 2: s[:, _2E3_B2]}
    with np.errstate(divide="ignore", invalid="ignore"):
        out = {
            "c1_b0_mmdt": e2[0],
            "c1_b1_mmdt": e2[1],
            "c1_b2_mmdt": e2[2],
        }
        for b in (1, 2):
            out[f"c2_b{b}_mmdt"] = e3[b] / e2[b] ** 2
            out[f"d2_b{b}_mmdt"] = e3[b] / e2[b] ** 3
            out[f"d2_a1_b{b}_mmdt"] = e3[1] / e2[b] ** (3.0 / b)
            out[f"m2_b{b}_mmdt"] = e3_1[b] / e2[b]
            out[f"n2_b{b}_mmdt"] = e3_2[b] / e2[b] ** 2
    return out


def zlogz(energy: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Σ_i (E_i/E_jet) ln(E_i/E_jet) over ungroomed constituents (energies, as in the original code)."""
    counts = np.diff(offsets)
    jet_e = np.add.reduceat(energy, offsets[:-1]) if len(counts) else np.zeros(0)
    frac = energy / np.repeat(jet_e, counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(frac > 0, frac * np.log(frac), 0.0)
    return np.add.reduceat(terms, offsets[:-1]) if len(counts) else np.zeros(0)


def rapidity_phi(px: np.ndarray, py: np.ndarray, pz: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, ...]:
    """(pT, rapidity, φ) of four-momenta, as FastJet defines them."""
    pt = np.hypot(px, py)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = 0.5 * np.log((e + pz) / (e - pz))
    phi = np.arctan2(py, px)
    return pt, y, phi


def feature_frame_columns(
    ungroomed_e: np.ndarray,
    ungroomed_offsets: np.ndarray,
    groomed_p4: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    groomed_offsets: np.ndarray,
    mass_mmdt: np.ndarray,
) -> dict[str, np.ndarray]:
    """All 16 features, keyed and ordered as :data:`symtrig.data.FEATURES`, for a batch of jets."""
    pt, y, phi = rapidity_phi(*groomed_p4)
    ratios = ecf_ratios(ecf_sums(pt, y, phi, groomed_offsets.astype(np.int64)))
    cols = {
        "zlogz": zlogz(ungroomed_e, ungroomed_offsets),
        **ratios,
        "mass_mmdt": np.asarray(mass_mmdt, dtype=np.float64),
        "multiplicity": np.diff(ungroomed_offsets).astype(np.float64),
    }
    return {name: np.asarray(cols[name], dtype=np.float64) for name in FEATURES}
