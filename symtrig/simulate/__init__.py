"""Simulate jets in the layout of OpenML 42468 (``hls4ml_lhc_jets_hlf``) with Pythia 8 and FastJet.

The project cannot download the real dataset offline, so it makes its own by following the original recipe:
Pythia 8 at 13 TeV, anti-kT R = 0.8 jets near 1 TeV matched to their parton, W, Z or top, mMDT grooming,
energy-correlation ratios and an optional simple detector. Simulated jets are for pipeline tests and
relative comparisons, not for quoting real-data accuracies.

Importing this package does not import pythia8mc, fastjet or numba (the optional ``sim`` extra); they are
loaded when a simulation starts.
"""

from __future__ import annotations

from symtrig.simulate.runner import (
    DETECTOR_TAG,
    read_simulation_metadata,
    require_sim_extra,
    simulate_jets,
    write_jets_parquet,
)

__all__ = [
    "DETECTOR_TAG",
    "read_simulation_metadata",
    "require_sim_extra",
    "simulate_jets",
    "write_jets_parquet",
]
