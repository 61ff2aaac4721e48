"""Pythia 8 event generation per jet class, and the truth objects the jets are matched to.

Every class is a 13 TeV 2→2 process with ``PhaseSpace:pTHatMin = 900`` GeV, so the jets land in the
≈1 TeV window of the original "pt1" samples. W and Z decay hadronically (and so do the W's of top decays)
because the dataset's w/z/t jets are fully hadronic fat jets. All class-specific settings live in
:data:`CLASS_SETTINGS`; everything else is shared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pythia8mc

#: Settings common to every class.
COMMON_SETTINGS: tuple[str, ...] = (
    "Print:quiet = on",
    "Next:numberCount = 0",
    "Beams:eCM = 13000.",
    "Random:setSeed = on",
)

#: Hadronic decays only: d, u, s, c, b quark pairs.
_HADRONIC_W = ("24:onMode = off", "24:onIfAny = 1 2 3 4 5")
_HADRONIC_Z = ("23:onMode = off", "23:onIfAny = 1 2 3 4 5")


@dataclass(frozen=True)
class ClassSpec:
    """How one class is generated: its Pythia processes and the |PDG id| of the objects its jets come from."""

    settings: tuple[str, ...]
    truth_ids: tuple[int, ...]


#: One row per class: the hard processes (jet-data.md §2) and the truth objects to match jets to.
CLASS_SETTINGS: dict[str, ClassSpec] = {
    "g": ClassSpec(("HardQCD:gg2gg = on", "HardQCD:qqbar2gg = on"), (21,)),
    "q": ClassSpec(
        ("HardQCD:qq2qq = on", "HardQCD:qqbar2qqbarNew = on", "HardQCD:nQuarkNew = 3"),
        (1, 2, 3, 4, 5),
    ),
    "t": ClassSpec(("Top:gg2ttbar = on", "Top:qqbar2ttbar = on", *_HADRONIC_W), (6,)),
    "w": ClassSpec(("WeakDoubleBoson:ffbar2WW = on", *_HADRONIC_W), (24,)),
    "z": ClassSpec(("WeakDoubleBoson:ffbar2gmZgmZ = on", "WeakZ0:gmZmode = 2", *_HADRONIC_Z), (23,)),
}

#: Pythia accepts seeds in 1..900,000,000.
_MAX_PYTHIA_SEED = 900_000_000


def pythia_settings(jet_class: str, seed: int, pthat_min: float, mpi: bool = True) -> list[str]:
    """The full list of Pythia settings of one job (also recorded in the output metadata)."""
    spec = CLASS_SETTINGS[jet_class]
    return [
        *COMMON_SETTINGS,
        f"Random:seed = {1 + seed % _MAX_PYTHIA_SEED}",
        f"PhaseSpace:pTHatMin = {pthat_min:g}",
        f"PartonLevel:MPI = {'on' if mpi else 'off'}",
        *spec.settings,
    ]


def make_pythia(jet_class: str, seed: int, pthat_min: float = 900.0, mpi: bool = True) -> pythia8mc.Pythia:
    """An initialised, quiet Pythia instance for one class and seed."""
    pythia = pythia8mc.Pythia("", False)
    for line in pythia_settings(jet_class, seed, pthat_min, mpi):
        if not pythia.readString(line):
            raise RuntimeError(f"Pythia rejected the setting {line!r}")
    if not pythia.init():
        raise RuntimeError(f"Pythia failed to initialise for class {jet_class!r}")
    return pythia


def pythia_version() -> str:
    """Pythia's own version number (e.g. 8.317)."""
    pythia = pythia8mc.Pythia("", False)
    return f"{pythia.parm('Pythia:versionNumber'):.3f}"


def truth_directions(event: pythia8mc.Event, jet_class: str) -> np.ndarray:
    """(rapidity, φ) of the hard-process objects of the class, shape (n, 2).

    The hard process sits at the start of the event record (status ±21..23). We follow each outgoing
    object to its last copy before decay or branching (``iBotCopyId``) so that recoil from initial-state
    radiation is included in its direction.
    """
    wanted = CLASS_SETTINGS[jet_class].truth_ids
    out = []
    for i in range(3, event.size()):
        prt = event[i]
        status = abs(prt.status())
        if status > 23:  # past the hard process
            break
        if status in (22, 23) and prt.idAbs() in wanted:
            last = event[prt.iBotCopyId()]
            out.append((last.y(), last.phi()))
    return np.asarray(out, dtype=np.float64).reshape(-1, 2)


def visible_final_state(event: pythia8mc.Event) -> dict[str, np.ndarray]:
    """Four-momenta, PDG id and charge of the visible final-state particles (neutrinos dropped)."""
    rows = [
        (p.px(), p.py(), p.pz(), p.e(), p.id(), p.charge()) for p in event if p.isFinal() and p.isVisible()
    ]
    arr = np.asarray(rows, dtype=np.float64).reshape(-1, 6)
    return {
        "px": arr[:, 0],
        "py": arr[:, 1],
        "pz": arr[:, 2],
        "e": arr[:, 3],
        "pdg": arr[:, 4].astype(np.int64),
        "charge": arr[:, 5],
    }
