"""The jet simulator: ECFs against fjcontrib, physics sanity, reproducibility, the Parquet file and CLI errors.

Tests that run Pythia are marked ``sim`` and skip when the sim extra is not installed; the CLI-error and
lazy-import tests run everywhere.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from symtrig.data import CLASSES, FEATURES, LABEL_COLUMN
from symtrig.errors import SymtrigError

SIM_MODULES = ("pythia8mc", "fastjet", "numba", "awkward")


def _require_sim() -> None:
    for name in SIM_MODULES:
        pytest.importorskip(name)


@pytest.fixture(scope="module")
def sim_frame() -> pd.DataFrame:
    """100 detector-level jets per class; shared so Pythia runs once for several tests (~20 s)."""
    _require_sim()
    from symtrig.simulate import simulate_jets

    return simulate_jets(100, seed=7, detector=True, jobs=1, progress=False)


# --- energy correlators: our exact numba sums against fjcontrib's EnergyCorrelator -----------------------


def _fjcontrib_ratios(px, py, pz, e, offsets) -> dict[str, np.ndarray]:
    """The 13 ratios from fjcontrib via FastJet's awkward API, each jet reclustered as one exclusive jet."""
    import awkward as ak
    import fastjet

    counts = np.diff(offsets)
    arr = ak.zip({k: ak.unflatten(v, counts) for k, v in {"px": px, "py": py, "pz": pz, "E": e}.items()})
    cs = fastjet.ClusterSequence(arr, fastjet.JetDefinition(fastjet.cambridge_algorithm, 10.0))

    def ec(**kw) -> np.ndarray:
        return np.asarray(cs.exclusive_jets_energy_correlator(njets=1, **kw), dtype=np.float64)

    ref = {f"c1_b{b}_mmdt": ec(beta=b, npoint=1, func="doubleratio") for b in (0, 1, 2)}
    for b in (1, 2):
        ref[f"c2_b{b}_mmdt"] = ec(beta=b, npoint=2, func="doubleratio")
        ref[f"d2_b{b}_mmdt"] = ec(beta=b, func="d2")
        ref[f"d2_a1_b{b}_mmdt"] = ec(beta=b, alpha=1, func="generalizedd2")
        ref[f"m2_b{b}_mmdt"] = ec(beta=b, npoint=2, func="mseries")
        ref[f"n2_b{b}_mmdt"] = ec(beta=b, npoint=2, func="nseries")
    return ref


def _generated_groomed_jets(jet_class: str, n_events: int, seed: int):
    """Matched, groomed jets of a few generator-level events (the real pipeline, minus features)."""
    from symtrig.simulate.generator import make_pythia, truth_directions, visible_final_state
    from symtrig.simulate.jets import find_jets

    pythia = make_pythia(jet_class, seed)
    events: dict[str, list[np.ndarray]] = {"px": [], "py": [], "pz": [], "E": []}
    truth = []
    while len(truth) < n_events:
        if not pythia.next():
            continue
        p = visible_final_state(pythia.event)
        for key, src in (("px", "px"), ("py", "py"), ("pz", "pz"), ("E", "e")):
            events[key].append(p[src])
        truth.append(truth_directions(pythia.event, jet_class))
    return find_jets(events, truth)


@pytest.mark.sim
@pytest.mark.parametrize("jet_class", ["g", "t", "w"])
def test_ecf_ratios_equal_fjcontrib_on_groomed_jets(jet_class: str) -> None:
    _require_sim()
    from symtrig.simulate.features import ecf_ratios, ecf_sums, rapidity_phi

    batch = _generated_groomed_jets(jet_class, n_events=4, seed=11)
    assert len(batch) >= 5
    keep = np.diff(batch.groomed_offsets) >= 3  # e3 = 0 below three constituents: ratios 0/0 in fjcontrib
    assert keep.sum() >= 5
    ours = ecf_ratios(ecf_sums(*rapidity_phi(*batch.groomed_p4), batch.groomed_offsets))
    ref = _fjcontrib_ratios(*batch.groomed_p4, batch.groomed_offsets)
    assert set(ref) == {f for f in FEATURES if f.endswith("_mmdt") and f != "mass_mmdt"}
    for name, expected in ref.items():
        np.testing.assert_allclose(ours[name][keep], expected[keep], rtol=1e-10, err_msg=name)


@pytest.mark.sim
def test_ecf_kernel_handles_wrapped_phi_and_tiny_jets() -> None:
    _require_sim()
    from symtrig.simulate.features import ecf_ratios, ecf_sums, rapidity_phi

    rng = np.random.default_rng(3)
    counts = np.array([40, 3, 2, 1])
    n = counts.sum()
    pt = rng.exponential(20.0, n) + 1.0
    eta = rng.normal(0.0, 0.3, n)
    phi = np.pi + rng.normal(0.0, 0.2, n)  # straddles the ±π seam
    px, py, pz = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
    e = np.sqrt(pt**2 + pz**2 + 0.14**2)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    ours = ecf_ratios(ecf_sums(*rapidity_phi(px, py, pz, e), offsets))
    ref = _fjcontrib_ratios(px, py, pz, e, offsets)
    for name, expected in ref.items():
        np.testing.assert_allclose(ours[name][:2], expected[:2], rtol=1e-10, err_msg=name)
    # two constituents: no triplet, so the 3-point ratios vanish; one constituent: e2 = 0, not finite
    assert ours["c2_b1_mmdt"][2] == 0.0 and ours["c1_b1_mmdt"][2] > 0
    assert not np.isfinite(ours["d2_b1_mmdt"][3])


# --- the simulated frame -----------------------------------------------------------------------------------


@pytest.mark.sim
def test_frame_schema_and_exact_counts(sim_frame: pd.DataFrame) -> None:
    assert list(sim_frame.columns) == [*FEATURES, LABEL_COLUMN]
    assert all(sim_frame[f].dtype == np.float64 for f in FEATURES)
    assert pd.api.types.is_string_dtype(sim_frame[LABEL_COLUMN])
    assert sim_frame[LABEL_COLUMN].value_counts().to_dict() == dict.fromkeys(CLASSES, 100)
    assert np.isfinite(sim_frame[list(FEATURES)].to_numpy()).all()
    assert (sim_frame["multiplicity"] == np.round(sim_frame["multiplicity"])).all()
    assert (sim_frame["zlogz"] < 0).all()
    meta = sim_frame.attrs["symtrig"]
    assert meta["seed"] == 7 and meta["per_class"] == 100 and meta["detector"] is True
    assert set(meta["n_nonfinite_dropped"]) == set(CLASSES)


@pytest.mark.sim
def test_d2_alpha1_beta1_equals_d2_beta1(sim_frame: pd.DataFrame) -> None:
    np.testing.assert_allclose(sim_frame["d2_a1_b1_mmdt"], sim_frame["d2_b1_mmdt"], rtol=1e-12)


@pytest.mark.sim
def test_groomed_mass_peaks_at_w_z_top(sim_frame: pd.DataFrame) -> None:
    """mMDT leaves the decay prongs: the medians sit near m_W, m_Z, m_t; light-quark jets are far lighter.

    Tolerances: the detector smears cell energies and mMDT loses some wide-angle decay products, so medians
    sit a few GeV below the pole masses (measured: w 76–78, z 84–88, t 159–170 with 60–200 jets).
    """
    median = sim_frame.groupby(LABEL_COLUMN)["mass_mmdt"].median()
    assert 70 < median["w"] < 88
    assert 80 < median["z"] < 97
    assert 150 < median["t"] < 185
    assert median["q"] < 40
    assert median["w"] < median["z"] < median["t"]


@pytest.mark.sim
def test_same_seed_same_frame_for_any_number_of_workers() -> None:
    _require_sim()
    from symtrig.simulate import simulate_jets

    one = simulate_jets(3, seed=5, detector=True, jobs=1, progress=False)
    two = simulate_jets(3, seed=5, detector=True, jobs=2, progress=False)
    pd.testing.assert_frame_equal(one, two)


@pytest.mark.sim  # the plan lives beside the worker, which compiles the features with numba
def test_job_plan_splits_exactly_and_derives_distinct_seeds() -> None:
    from symtrig.simulate.runner import JOB_JETS, plan_jobs

    jobs = plan_jobs(2 * JOB_JETS + 7, seed=1, detector=False)
    for c in CLASSES:
        sizes = [j.n_jets for j in jobs if j.jet_class == c]
        assert sum(sizes) == 2 * JOB_JETS + 7 and max(sizes) <= JOB_JETS
    seeds = [j.seed for j in jobs]
    assert len(set(seeds)) == len(seeds)
    assert seeds == [j.seed for j in plan_jobs(2 * JOB_JETS + 7, seed=1, detector=False)]
    assert not set(seeds) & {j.seed for j in plan_jobs(2 * JOB_JETS + 7, seed=2, detector=False)}


@pytest.mark.sim
def test_parquet_roundtrip_keeps_float64_and_metadata(sim_frame: pd.DataFrame, tmp_path) -> None:
    import pyarrow.parquet as pq

    from symtrig import data
    from symtrig.simulate import read_simulation_metadata, write_jets_parquet

    path = write_jets_parquet(sim_frame, tmp_path / "jets.parquet", {**sim_frame.attrs["symtrig"], "x": 1})
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back[list(FEATURES)], sim_frame[list(FEATURES)])
    assert pq.read_schema(path).field("zlogz").type == "double"
    meta = read_simulation_metadata(path)
    assert meta["x"] == 1 and meta["versions"]["pythia8mc"]
    assert json.dumps(meta)  # plain JSON
    table = data.load_table(path)
    assert table.simulated and len(table.y) == len(sim_frame)


def test_detector_cells_keep_calorimeter_energy_inside_eta_3() -> None:
    from symtrig.simulate.detector import ECAL_CELL, _cells

    rng = np.random.default_rng(0)
    eta = rng.uniform(-4, 4, 500)
    phi = rng.uniform(-np.pi, np.pi, 500)
    energy = rng.exponential(10.0, 500)
    cells = _cells(eta, phi, energy, ECAL_CELL)
    assert cells[:, 3].sum() == pytest.approx(energy[np.abs(eta) < 3].sum(), rel=1e-12)
    masses2 = cells[:, 3] ** 2 - (cells[:, :3] ** 2).sum(axis=1)
    assert np.allclose(masses2, 0.0, atol=1e-6 * cells[:, 3].max() ** 2)  # cells are massless


def test_detector_survives_a_zero_energy_photon() -> None:
    """Pythia can emit an E = 0 photon; its 1/E resolution must not turn into a NaN candidate."""
    from symtrig.simulate.detector import emulate_detector

    particles = {
        "px": np.array([1.0, 0.0, 3.0, 2.0]),
        "py": np.array([0.0, 0.0, 1.0, 1.0]),
        "pz": np.array([2.0, 0.0, 1.0, 0.5]),
        "pdg": np.array([211, 22, 22, 2112]),
        "charge": np.array([1.0, 0.0, 0.0, 0.0]),
    }
    mass2 = np.array([0.14**2, 0.0, 0.0, 0.94**2])
    particles["e"] = np.sqrt(particles["px"] ** 2 + particles["py"] ** 2 + particles["pz"] ** 2 + mass2)
    with np.errstate(all="raise"):
        out = emulate_detector(particles, np.random.default_rng(0))
    assert len(out["e"]) == 3  # the track, one ECAL cell, one HCAL cell
    assert all(np.isfinite(v).all() for v in out.values())


# --- user errors and the optional extra --------------------------------------------------------------------


def _run_cli(args: list[str]) -> int:
    from symtrig.cli import main

    return main(args)


@pytest.mark.parametrize(
    "args",
    [
        ["--per-class", "0"],
        ["--per-class", "-3"],
        ["--jobs", "0"],
        ["--seed", "-1"],
    ],
)
def test_cli_rejects_bad_numbers(args: list[str], tmp_path, capsys) -> None:
    code = _run_cli(["simulate", "--out", str(tmp_path / "j.parquet"), *args])
    assert code == 2
    assert "symtrig: error:" in capsys.readouterr().err
    assert not (tmp_path / "j.parquet").exists()


def test_cli_rejects_bad_output_paths(tmp_path, capsys) -> None:
    assert _run_cli(["simulate", "--per-class", "1", "--out", str(tmp_path / "j.csv")]) == 2
    assert ".parquet" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert _run_cli(["simulate", "--per-class", "1", "--out", str(blocker / "j.parquet")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_missing_sim_extra_is_a_user_error(monkeypatch) -> None:
    import importlib

    from symtrig.simulate import runner

    real = importlib.import_module

    def fake_import(name: str, *args, **kwargs):
        if name == "pythia8mc":
            raise ModuleNotFoundError("No module named 'pythia8mc'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(runner.importlib, "import_module", fake_import)
    with pytest.raises(SymtrigError, match=r"pip install 'symtrig\[sim\]'"):
        runner.simulate_jets(1, seed=0, progress=False)


def test_cli_reports_missing_extra_with_exit_code_2(monkeypatch, tmp_path, capsys) -> None:
    from symtrig.simulate import runner

    def missing() -> None:
        raise SymtrigError(runner.SIM_EXTRA_MESSAGE)

    monkeypatch.setattr(runner, "require_sim_extra", missing)
    assert _run_cli(["simulate", "--per-class", "1", "--out", str(tmp_path / "j.parquet")]) == 2
    assert "symtrig[sim]" in capsys.readouterr().err


def test_importing_symtrig_does_not_import_the_generators() -> None:
    code = (
        "import sys, symtrig, symtrig.cli, symtrig.simulate;"
        f"print([m for m in {SIM_MODULES!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
