"""Lowering to hls4ml: LUT calibration, function replacement, standardization folding (no compiler needed)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from symtrig.errors import SymtrigError
from symtrig.lower.tables import calibrated_range, lower

X = sp.symbols("x0:16")
GAUSS, LOGABS = sp.Function("gauss"), sp.Function("logabs")


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    mean, scale = rng.uniform(0, 100, 16), rng.uniform(0.5, 50, 16)
    return mean, scale, mean + scale * rng.normal(size=(4000, 16))


@pytest.mark.parametrize("lo,hi", [(-3.2, 2.9), (0.01, 0.2), (-100.0, -90.0), (5.0, 1000.0)])
def test_calibrated_range_is_power_of_two_on_grid_and_covers(lo, hi):
    start, end = calibrated_range(np.array([lo, hi]), 1024)
    span = end - start
    assert math.log2(span) == int(math.log2(span))
    step = span / 1024
    assert start / step == int(start / step)
    assert start <= lo and end > hi


def test_log_range_starts_above_zero():
    start, end = calibrated_range(np.array([0.0, 3.0]), 1024, domain=(0.0, math.inf))
    assert start > 0 and end > 3.0


def test_gauss_range_is_capped_to_nonpositive():
    start, end = calibrated_range(np.array([-1000.0, -1e-9]), 1024, domain=(-16.0, 0.0))
    assert (start, end) == (-16.0, 0.0)


def test_every_transcendental_becomes_a_lut(data):
    mean, scale, Xraw = data
    exprs = [sp.sin(X[0]) + sp.cos(X[1]), sp.exp(X[2]), GAUSS(X[3]), LOGABS(X[4]) * X[5] ** 3, X[6] * X[7]]
    low = lower(exprs, mean=mean, scale=scale, X_calib_raw=Xraw)
    funcs = {f.func.__name__ for e in low.exprs for f in e.atoms(sp.Function)}
    assert funcs <= {s.name for s in low.luts} | {"Abs"}
    # log|x4| reaches 0 on the calibration rows: a fine and a coarse table, chained
    assert sorted(s.math_func for s in low.luts) == ["cos", "exp", "exp", "log", "log", "sin"]
    assert sorted(str(s.handover) for s in low.luts if s.math_func == "log") == ["above", "below"]
    # every observed argument lies inside its table (or at a capped domain end)
    for spec in low.luts:
        lo, hi = low.arg_ranges[spec.name]
        assert spec.range_start <= max(lo, spec.range_start) and min(hi, spec.range_end) <= spec.range_end


def test_folded_lowering_equals_standardized_in_float(data):
    mean, scale, Xraw = data
    exprs = [X[14] * X[15] - 0.3 * X[2] ** 2, sp.sin(X[3] + 0.5 * X[14])]
    a = lower(exprs, mean=mean, scale=scale, X_calib_raw=Xraw, fold_standardization=True)
    b = lower(exprs, mean=mean, scale=scale, X_calib_raw=Xraw, fold_standardization=False)
    fa = sp.lambdify(X, a.exprs[0])(*a.ip_inputs(Xraw).T)
    fb = sp.lambdify(X, b.exprs[0])(*b.ip_inputs(Xraw).T)
    np.testing.assert_allclose(fa, fb, rtol=1e-9, atol=1e-9)
    assert a.luts == b.luts  # the table argument is the same number either way


def test_unsupported_function_is_a_user_error(data):
    mean, scale, Xraw = data
    with pytest.raises(SymtrigError, match="tanh"):
        lower([sp.tanh(X[0])], mean=mean, scale=scale, X_calib_raw=Xraw)
    with pytest.raises(SymtrigError, match="power"):
        lower([sp.sqrt(X[0])], mean=mean, scale=scale, X_calib_raw=Xraw)


def test_a_table_span_needs_integer_bits_like_its_ends():
    """hls4ml computes base_div = N / span in result_t: a span of 2**(I-1) wraps and every index is garbage,
    so a table of span 8 needs I >= 5 even when both ends are below 8 in magnitude."""
    from symtrig.backends.hls4ml.project import check_precision
    from symtrig.lower.tables import LutSpec
    from symtrig.verify.hls4ml_emulator import FixedFormat

    spec = LutSpec("exp_lut_a", "exp", -5.0546875, 2.9453125, 1024)
    assert spec.required_int_bits() == 5
    lowered = type("L", (), {"luts": [spec]})()
    check_precision(lowered, FixedFormat.ap_fixed(20, 5))
    with pytest.raises(SymtrigError, match="integer bits but table exp_lut_a"):
        check_precision(lowered, FixedFormat.ap_fixed(20, 4))


def test_an_odd_function_of_a_negated_table_call_keeps_its_own_table(data):
    """sin(-exp(u)) must stay a sin table of (-exp table); sympy would rewrite sin(-v) as -sin(v) and lose it."""
    x = sp.symbols("x0:16")
    mean, scale, X = data
    lowered = lower([sp.sin(-sp.exp(x[0]), evaluate=False)], mean=mean, scale=scale, X_calib_raw=X)
    assert sorted(spec.math_func for spec in lowered.luts) == ["exp", "sin"]


def _log_near_zero(size: int):
    """``log|x0|`` lowered on calibration rows whose ``|x0|`` spans 1e-4 .. 10 (one table clamps the small ones)."""
    mean, scale = np.zeros(16), np.ones(16)
    calib = np.zeros((400, 16))
    calib[:, 0] = np.concatenate([np.geomspace(1e-4, 10, 200), -np.geomspace(1e-4, 10, 200)])
    return lower([LOGABS(X[0])], mean=mean, scale=scale, X_calib_raw=calib, lut_size=size)


@pytest.mark.parametrize("size", [1024, 4096])
def test_a_log_reaching_zero_is_two_chained_tables_that_sum_to_log(size):
    """The fine table's last entry is the coarse table's first: below it the coarse one clamps to log(edge), above
    it the fine one does, so the sum minus log(edge) is log u on the whole grid, and reaches further towards 0."""
    single_start, _ = calibrated_range(np.array([1e-4, 10.0]), size, domain=(0.0, math.inf))
    low = _log_near_zero(size)
    fine, coarse = sorted(low.luts, key=lambda spec: spec.range_start)
    assert (fine.handover, coarse.handover) == ("above", "below")
    assert fine.range_end - fine.step == coarse.range_start  # the handover point, exactly
    assert fine.range_start <= single_start / 2**5  # 32x (or more) closer to 0 than one table
    assert (
        fine.table_size * fine.range_start / (fine.range_end - fine.range_start) < 2**15
    )  # hls4ml's base_div
    u = np.geomspace(fine.range_start, coarse.range_end, 500)
    functions = low.float_functions()
    total = functions[fine.name](u) + functions[coarse.name](u) - math.log(coarse.range_start)
    np.testing.assert_allclose(total, np.log(u), atol=1e-12)


def test_a_chained_log_clamps_only_beyond_both_tables_and_resolves_small_arguments():
    from symtrig.verify.hls4ml_emulator import emulator_for

    low = _log_near_zero(1024)
    fine, coarse = sorted(low.luts, key=lambda spec: spec.range_start)
    rows = np.zeros((5, 16))
    rows[:, 0] = [
        1e-3,
        -0.02,
        7.5,
        1e-7,
        40.0,
    ]  # fine, at the handover region, coarse, below both, above both
    result = emulator_for(low, "ap_fixed<32,8>").run(low.ip_inputs(rows))
    assert result.lut_clip_rate[0] == pytest.approx(2 / 5)  # only the rows beyond both tables clamp
    u = np.abs(rows[:3, 0])
    step = np.where(u < coarse.range_start, fine.step, coarse.step)  # the grid of the table that reads u
    below = np.log(u) - result.y[:3, 0]  # the index floors u to its table's grid
    assert np.all(below >= -(2.0**-24)) and np.all(below <= np.log(u / (u - step)) + 2.0**-23)
    assert result.y[0, 0] < -6.5  # log(1e-3) = -6.9; one table of 1024 entries serves log(16/1024) = -4.2
