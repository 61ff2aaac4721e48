"""The numpy emulator is bit-identical to hls4ml's compiled predict() (g++, our include folder).

One compiled 5-output model per precision covers every family's functions, x/0, wrap-around and LUT edges.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symtrig.backends.hls4ml.project import write_project
from symtrig.lower.tables import lower
from symtrig.verify.hls4ml_emulator import Emulator, FixedFormat, emulator_for

X = sp.symbols("x0:16")
GAUSS, LOGABS = sp.Function("gauss"), sp.Function("logabs")
EXPRS = [
    X[0] * X[1] + 0.3 * X[2] ** 3 - X[3] / X[4],  # poly + division (x4 is zero on some rows)
    sp.sin(3 * X[5]) * X[0] ** 4 - sp.cos(X[6] + 0.25),  # trig, wide products
    0.23 * GAUSS(X[7] * X[8]) - sp.exp(0.5 * X[9]) * X[10],  # exp family
    X[11] - 0.1 * LOGABS(X[12]) * (X[13] + 2.2),  # log family
    X[14] * X[15] * X[0] * X[1] * X[2] - sp.Rational(1, 3),  # many-factor product, wraps
]


def _rows(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    mean, scale = rng.uniform(0, 100, 16), rng.uniform(0.5, 50, 16)
    z = rng.normal(size=(n, 16)) * rng.choice([0.3, 1.0, 3.0, 12.0], size=(n, 16))
    z[:, 5:14] = rng.normal(size=(n, 9)) * 0.7  # LUT arguments: tables must fit 6 integer bits
    z[:40, 4] = 0.0  # x/0
    z[40:80, 12] = 0.0  # log|0|
    z[80:120, 9] = 8.0  # exp argument beyond the calibrated table (calibration uses other rows)
    return mean, scale, mean + scale * z


def test_fixed_type_parse():
    assert FixedFormat.parse("ap_fixed<18,8>") == FixedFormat.ap_fixed(18, 8)
    assert FixedFormat.parse("ap_fixed<18,8>").fraction == 10


def test_emulator_reports_events_without_compiling():
    mean, scale, Xraw = _rows(3000)
    low = lower(EXPRS, mean=mean, scale=scale, X_calib_raw=Xraw[1000:], max_fraction=10)
    result = emulator_for(low, "ap_fixed<16,6>").run(low.ip_inputs(Xraw))
    assert result.div_by_zero[0] >= 40 and result.div_by_zero[1:].sum() == 0
    assert result.overflow_rate[4] > 0  # the 5-factor product wraps at 6 integer bits
    assert result.lut_clip_rate[2] > 0  # rows 80..120 lie outside the calibrated exp table
    assert np.all(np.isfinite(result.y))


@pytest.mark.slow
@pytest.mark.parametrize(
    "precision", ["ap_fixed<16,7>", "ap_fixed<18,8>", "ap_fixed<24,12>", "ap_fixed<28,10>"]
)
def test_emulator_bit_identical_to_compiled_predict(tmp_path, precision):
    """At 18 fraction bits the log|u| table is chained (a fine and a coarse table, added)."""
    mean, scale, Xraw = _rows(6000, seed=1)
    fraction = FixedFormat.parse(precision).fraction
    low = lower(EXPRS, mean=mean, scale=scale, X_calib_raw=Xraw[2000:], max_fraction=fraction)
    assert any(spec.handover for spec in low.luts) == (fraction >= 18)
    Xip = low.ip_inputs(Xraw)
    model = write_project(
        low,
        tmp_path / "prj",
        precision=precision,
        project_name="trigger_ip",
        X_tb=Xip[:20],
        y_tb=emulator_for(low, precision)(Xip[:20]),
    )
    assert (tmp_path / "prj" / "tb_data" / "tb_input_features.dat").is_file()
    assert (tmp_path / "prj" / "firmware" / "trigger_ip.cpp").is_file()
    model.compile()
    predicted = model.predict(np.ascontiguousarray(Xip))  # x/0 rows must not kill the process
    result = Emulator.from_project(tmp_path / "prj").run(Xip)  # the name is read from project.tcl
    assert predicted.shape == result.y.shape == (len(Xip), 5)
    np.testing.assert_array_equal(predicted, result.y)
    assert result.div_by_zero[0] > 0
    assert result.overflow_rate.max() > 0  # wrap-around paths are exercised
    assert result.lut_clip_rate.max() > 0  # LUT edges are exercised


def test_auto_precision_is_the_narrowest_width_within_tolerance_on_all_jets_and_test_sized_slices():
    from sklearn.metrics import roc_auc_score

    from symtrig.tune.single_type import choose_precision

    rng = np.random.default_rng(7)
    mean, scale = np.zeros(16), np.ones(16)
    X_raw = rng.normal(size=(4000, 16))
    exprs = [sp.sin(X[0]) + 0.5 * X[1] * X[2], GAUSS(X[3]) - 0.2 * X[4], X[5] ** 2 - X[6]]
    x = X_raw.T
    truth = np.column_stack(
        [np.sin(x[0]) + 0.5 * x[1] * x[2], np.exp(-(x[3] ** 2)) - 0.2 * x[4], x[5] ** 2 - x[6]]
    )
    labels = np.argmax(truth + rng.normal(size=truth.shape), axis=1)  # truth = the float outputs
    low = lower(exprs, mean=mean, scale=scale, X_calib_raw=X_raw)
    choice = choose_precision(low, X_raw, labels, model=emulator_for, max_auc_drop=4e-4, slice_size=1000)
    assert choice.met and choice.drop <= 2e-4
    y_fixed = emulator_for(low, choice.precision)(low.ip_inputs(X_raw))
    slices = np.array_split(np.random.default_rng(0).permutation(4000), 4)  # the four slices it checked
    for rows in [np.arange(4000), *slices]:  # all jets and every slice within half the tolerance (margin 2)
        for k in range(3):
            signal = labels[rows] == k
            change = roc_auc_score(signal, y_fixed[rows, k]) - roc_auc_score(signal, truth[rows, k])
            assert abs(change) <= 2e-4 + 1e-9
    rates = dict(choice.tried)
    narrower = FixedFormat.ap_fixed(choice.precision.width - 1, choice.precision.ap_integer)
    assert rates[str(narrower)] > 4e-4  # one fraction bit fewer was tried and failed


def test_a_lut_clip_counts_only_where_the_edge_entry_misses_the_function():
    mean, scale = np.zeros(16), np.ones(16)
    calib = np.zeros((500, 16))
    calib[:, 0] = np.linspace(-25.0, -2.0, 500)  # the table is capped at -16 (exp(-16) is 0 at any width)
    low = lower([sp.exp(X[0])], mean=mean, scale=scale, X_calib_raw=calib)
    rows = np.zeros((3, 16))
    rows[:, 0] = [-30.0, -5.0, 3.0]  # below the table (harmless), inside, above (exp(3) != exp(edge ~ 0))
    result = emulator_for(low, "ap_fixed<20,10>").run(low.ip_inputs(rows))
    assert result.lut_clip_rate[0] == pytest.approx(1 / 3)  # only the row above the table counts


def test_an_untested_hls4ml_release_is_named_in_one_warning(monkeypatch):
    from importlib import metadata

    from symtrig.backends import hls4ml as backend

    backend.check_hls4ml_version.cache_clear()
    monkeypatch.setattr(metadata, "version", lambda name: "1.3.9")
    with pytest.warns(UserWarning, match="hls4ml 1.3.9 is installed.*tested with hls4ml 1.3.0"):
        assert backend.check_hls4ml_version() == "1.3.9"
    backend.check_hls4ml_version.cache_clear()
