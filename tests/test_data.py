"""Specification of the data layer: sources, schema validation, splits, standardization, fingerprints."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_jet_frame

from symtrig import data as jets
from symtrig.cli import main
from symtrig.errors import SymtrigError


def write(frame: pd.DataFrame, path) -> None:
    {
        ".csv": lambda p: frame.to_csv(p, index=False),
        ".parquet": frame.to_parquet,
        ".feather": frame.to_feather,
    }[path.suffix](path)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".feather"])
def test_reads_every_openml_layout_file_type_to_the_same_jets(tmp_path, jet_frame, suffix):
    path = tmp_path / f"jets{suffix}"
    write(jet_frame, path)
    table = jets.load_table(path)
    assert table.X.shape == (len(jet_frame), 16)
    np.testing.assert_array_equal(table.X, jet_frame[list(jets.FEATURES)].to_numpy())
    assert [jets.CLASSES[i] for i in table.y[:5]] == list(jet_frame["class"][:5])
    assert table.source == path.name and table.simulated is None


def test_the_fingerprint_is_the_same_across_file_types_and_changes_with_one_value(tmp_path, jet_frame):
    write(jet_frame, tmp_path / "a.csv")
    write(jet_frame, tmp_path / "a.parquet")
    first = jets.load_table(tmp_path / "a.csv").fingerprint
    assert first == jets.load_table(tmp_path / "a.parquet").fingerprint
    changed = jet_frame.copy()
    changed.iloc[3, 2] += 1e-9
    write(changed, tmp_path / "b.parquet")
    assert jets.load_table(tmp_path / "b.parquet").fingerprint != first


def test_class_labels_are_case_and_space_insensitive_and_columns_may_be_reordered(tmp_path, jet_frame):
    frame = jet_frame[["class", *reversed(jets.FEATURES)]].copy()
    frame["class"] = " " + frame["class"].str.upper()
    write(frame, tmp_path / "j.csv")
    assert (
        jets.load_table(tmp_path / "j.csv").fingerprint
        == jets.validate_frame(jet_frame, name="x", simulated=False).fingerprint
    )


def test_rows_with_nan_or_inf_features_are_dropped_and_counted(tmp_path, jet_frame):
    frame = jet_frame.copy()
    frame.loc[0, "d2_b1_mmdt"] = np.nan
    frame.loc[1, "mass_mmdt"] = np.inf
    write(frame, tmp_path / "j.parquet")
    table = jets.load_table(tmp_path / "j.parquet")
    assert table.n_dropped == 2
    assert len(table.y) == len(frame) - 2
    assert np.isfinite(table.X).all()


MALFORMED = {
    "missing column": (lambda f: f.drop(columns=["zlogz"]), "missing column(s) zlogz"),
    "extra column": (lambda f: f.assign(jet_pt=1.0), "unexpected column(s) jet_pt"),
    "no label column": (lambda f: f.drop(columns=["class"]), "missing column(s) class"),
    "unknown label": (
        lambda f: f.assign(**{"class": f["class"].replace("w", "higgs")}),
        "unknown class label(s) 'higgs'",
    ),
    "non-numeric cell": (
        lambda f: f.assign(c2_b1_mmdt=f["c2_b1_mmdt"].astype(str).where(f.index != 7, "abc")),
        "column c2_b1_mmdt has a non-numeric cell at row 7: 'abc'",
    ),
    "too few of a class": (lambda f: f[(f["class"] != "t") | (f.index < 40)], "too few rows of class t="),
    "all features nan": (lambda f: f.assign(zlogz=np.nan), "too few rows of class g=0"),
    "no rows": (lambda f: f.iloc[:0], "has no rows"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_malformed_tables_fail_with_one_line_naming_the_file_and_the_problem(
    tmp_path, jet_frame, case, suffix
):
    mutate, expected = MALFORMED[case]
    path = tmp_path / f"bad{suffix}"
    write(mutate(jet_frame).reset_index(drop=True), path)
    with pytest.raises(SymtrigError) as err:
        jets.load_table(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(path.name)
    assert expected in message


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "empty.csv", "the file is empty"),
        (b"PAR1\x00\x01garbage", "broken.parquet", "cannot be read as parquet"),
        (b"zlogz,c1_b0_mmdt\n1,2\n", "short.csv", "missing column(s)"),
        (b"hello", "jets.txt", "unsupported file type '.txt'"),
    ],
)
def test_unreadable_files_fail_with_one_line(tmp_path, content, name, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SymtrigError, match=None) as err:
        jets.load_table(path)
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_splits_are_disjoint_stratified_and_reproducible_from_the_seed(jet_frame):
    table = jets.validate_frame(jet_frame, name="f", simulated=False)
    a, b, c = (jets.split_table(table, seed=s) for s in (1, 1, 2))
    for part in ("train_idx", "val_idx", "test_idx"):
        np.testing.assert_array_equal(getattr(a, part), getattr(b, part))
    assert not np.array_equal(a.test_idx, c.test_idx)
    union = np.concatenate([a.train_idx, a.val_idx, a.test_idx])
    assert len(np.unique(union)) == len(table.y) == len(union)
    assert len(a.train_idx) == pytest.approx(0.6 * len(table.y), abs=2)
    assert set(np.bincount(a.y_test)) == {len(a.y_test) // 5}


def test_standardization_is_fitted_on_the_training_split_only(jet_frame):
    data = jets.split_table(jets.validate_frame(jet_frame, name="f", simulated=False), seed=0)
    z_train = data.standardize(data.X_train)
    np.testing.assert_allclose(z_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(z_train.std(axis=0), 1.0, atol=1e-12)
    assert np.abs(data.standardize(data.X_test).mean(axis=0)).max() > 1e-6


def test_describe_records_source_fingerprint_sizes_and_seed(jet_frame):
    data = jets.split_table(jets.validate_frame(jet_frame, name="f.csv", simulated=False), seed=3)
    info = data.describe()
    assert info["fingerprint"] == data.fingerprint and info["split_seed"] == 3
    assert info["label"] == "f.csv (real)"
    assert info["n_train"] + info["n_val"] + info["n_test"] == info["n_jets"] == len(jet_frame)


def test_openml_source_uses_fetch_openml_with_the_cache_folder(monkeypatch, tmp_path, jet_frame):
    calls = {}

    def fake_fetch_openml(**kwargs):
        calls.update(kwargs)
        frame = jet_frame.copy()
        frame["class"] = frame["class"].astype("category")  # OpenML delivers the label as a category
        return type("Bunch", (), {"frame": frame, "target": frame["class"]})()

    monkeypatch.setattr("sklearn.datasets.fetch_openml", fake_fetch_openml)
    table = jets.load_table("openml", data_home=tmp_path)
    assert calls["data_id"] == 42468 and calls["data_home"] == tmp_path and calls["cache"] is True
    assert table.source == "openml:42468" and not table.simulated and len(table.y) == len(jet_frame)


def test_unreachable_openml_is_a_one_line_error_with_a_hint(monkeypatch):
    def offline(**kwargs):
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr("sklearn.datasets.fetch_openml", offline)
    with pytest.raises(SymtrigError, match="pass the file with --data PATH"):
        jets.load_table("openml")


def test_data_info_prints_counts_and_ranges(tmp_path, jet_frame, capsys):
    write(jet_frame, tmp_path / "j.parquet")
    assert main(["data", "info", "--data", str(tmp_path / "j.parquet")]) == 0
    out = capsys.readouterr().out
    assert "per class: g=60, q=60, t=60, w=60, z=60" in out and "mass_mmdt" in out and "(user file)" in out


def test_data_info_on_a_bad_file_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["data", "info", "--data", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "bad.csv: missing column(s)" in err


def test_make_jet_frame_helper_has_the_openml_layout():
    frame = make_jet_frame(per_class=3)
    assert list(frame.columns) == [*jets.FEATURES, "class"]


# ------------------------------------------------------------------------------------ ROOT: TTree and RNTuple


def _root_columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The jet table as ROOT columns: the 16 features and an integer label (0..4 for g, q, t, w, z)."""
    columns = {name: frame[name].to_numpy() for name in jets.FEATURES}
    columns["label"] = frame["class"].map({c: i for i, c in enumerate(jets.CLASSES)}).to_numpy(np.int64)
    return columns


def _write_rntuple(path, name: str, columns: dict[str, np.ndarray]) -> None:
    """``file[name] = {...}``, as uproot 5.7 writes a table by default: an RNTuple (skip where it is not)."""
    uproot = pytest.importorskip("uproot")
    with uproot.recreate(path) as file:
        file[name] = columns
    with uproot.open(path) as file:
        if file.classnames().get(f"{name};1") != "ROOT::RNTuple":
            pytest.skip(f"uproot {uproot.__version__} writes {file.classnames()} for file[key] = {{...}}")


def test_a_root_rntuple_reads_as_the_same_table_as_a_ttree(tmp_path, jet_frame):
    uproot = pytest.importorskip("uproot")
    columns = _root_columns(jet_frame)
    _write_rntuple(tmp_path / "rntuple.root", "Events", columns)
    with uproot.recreate(tmp_path / "ttree.root") as file:
        file.mktree("Events", columns)
    features = list(jets.FEATURES)  # column order as given (uproot's RNTuple writer orders fields by name)
    read = {
        (name, tree): jets.load_table(tmp_path / name, features=features, label="label", tree=tree)
        for name in ("rntuple.root", "ttree.root")
        for tree in (None, "Events")  # the one table of the file, or named
    }
    assert len({table.fingerprint for table in read.values()}) == 1
    table = read["rntuple.root", "Events"]
    np.testing.assert_array_equal(table.X, jet_frame[features].to_numpy())
    assert table.X.shape == (len(jet_frame), 16)


def test_a_root_file_without_a_usable_table_says_what_it_holds(tmp_path, jet_frame, capsys):
    uproot = pytest.importorskip("uproot")
    histograms = tmp_path / "histograms.root"
    with uproot.recreate(histograms) as file:
        file["mass"] = np.histogram(jet_frame["mass_mmdt"])
        file["plots/pt"] = np.histogram(jet_frame["zlogz"])
    with pytest.raises(SymtrigError) as error:
        jets.load_table(histograms, label="label")
    assert str(error.value) == (
        "histograms.root: holds no TTree or RNTuple to read as a table; it holds mass (TH1D), "
        "plots (TDirectory), plots/pt (TH1D)"
    )
    assert main(["data", "info", "--data", str(histograms), "--label", "label"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"symtrig: error: {error.value}"]

    events = tmp_path / "events.root"
    _write_rntuple(events, "Events", _root_columns(jet_frame))
    with pytest.raises(
        SymtrigError, match=r"^events\.root: no TTree or RNTuple 'Jets'; it holds Events \(ROOT::RNTuple\)$"
    ):
        jets.load_table(events, label="label", tree="Jets")

    both = tmp_path / "both.root"
    with uproot.recreate(both) as file:
        file["Events"] = _root_columns(jet_frame)
        file.mktree("Tree", _root_columns(jet_frame))
    with pytest.raises(
        SymtrigError, match=r"holds the tables Events \(RNTuple\), Tree \(TTree\); choose one with --tree"
    ):
        jets.load_table(both, label="label")
