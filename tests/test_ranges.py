"""Value ranges for fixed point: integer bits that hold every computed value, and forms that need fewer.

The regression cases come from fresh fits on the bundled sample whose default designs wrapped around (issue 11):
the trigonometric g expression below carries a constant that needs 10 integer bits inside a product whose value
never does.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symtrig import expr as ex
from symtrig.emit.flows import Jets
from symtrig.expr import gauss, logabs, variable
from symtrig.lower.ranges import pull_log_scales, reduce_range, signed_int_bits, widest_value
from symtrig.lower.tables import lower
from symtrig.metrics import one_vs_rest_auc
from symtrig.tune.single_type import choose_precision
from symtrig.verify.hls4ml_emulator import emulator_for

#: trig, complexity 37, chosen for g by a default fit (verbatim from its leaderboard).
G_TRIG = (
    "0.6187608666081992*(0.17401163637763103 - 0.014656302573018223*multiplicity)*(-(-cos(3.846740094015011"
    "*mass_mmdt) - 6.358167225163877)*(8.030690446954504*multiplicity - 4.796696872081482*c1_b1_mmdt"
    " + 3.536158637430034*c1_b2_mmdt - cos(6.499975457762479*mass_mmdt) - 6.143020040278567)"
    " + 318.9914538086573) - 32.61348017388415"
)


@pytest.mark.parametrize(
    ("value", "bits"), [(0.0, 1), (0.4, 1), (0.99, 1), (1.0, 2), (318.99, 10), (-5.0, 4)]
)
def test_signed_integer_bits_hold_the_value_and_its_sign(value, bits):
    assert signed_int_bits(abs(value)) == bits
    assert abs(value) < 2 ** (bits - 1)


def test_the_widest_value_is_an_intermediate_the_output_hides(sample):
    X = sample.standardize(sample.X_train)
    expr = ex.parse_expression(G_TRIG)
    widest = widest_value([expr], X)
    assert widest.magnitude > 300  # the sum holding +318.99 ...
    assert np.abs(ex.evaluate(expr, X)).max() < 64  # ... while the output needs at most 7 integer bits
    assert "318.99" in widest.node


def test_range_reduction_keeps_the_value_and_needs_fewer_integer_bits(sample):
    X_cal = sample.standardize(np.vstack([sample.X_train, sample.X_val]))
    X_test = sample.standardize(sample.X_test)
    expr = ex.parse_expression(G_TRIG)
    reduced = reduce_range(expr, X_cal)
    before, after = ex.largest_magnitude(expr, X_cal), ex.largest_magnitude(reduced, X_cal)
    assert signed_int_bits(after) <= signed_int_bits(before) - 2
    original, rewritten = ex.evaluate(expr, X_test), ex.evaluate(reduced, X_test)
    np.testing.assert_allclose(rewritten, original, rtol=1e-9, atol=1e-9)
    assert one_vs_rest_auc(sample.y_test, rewritten, 0) == one_vs_rest_auc(sample.y_test, original, 0)


def test_an_expression_without_a_wide_intermediate_is_left_as_it_is(sample):
    X = sample.standardize(sample.X_train)
    expr = ex.parse_expression("0.5*(mass_mmdt + 1.25)*multiplicity - 0.75")
    assert reduce_range(expr, X) == expr


def test_auto_precision_holds_every_value_of_the_issue_expression_on_calibration_and_test(sample):
    """The g expression wrapped on 100 % of test jets at the chosen ap_fixed<23,8>; now nothing wraps."""
    expr = ex.parse_expression(G_TRIG)
    jets = Jets.for_classes(sample, ["g"])
    X_cal, labels = jets.X_calib, jets.labels_calib
    lowered = lower([expr], mean=sample.mean_, scale=sample.scale_, X_calib_raw=X_cal, lut_size=4096)
    choice = choose_precision(lowered, X_cal, labels, model=emulator_for, slice_size=len(sample.y_test))
    assert choice.precision.ap_integer >= signed_int_bits(choice.widest.magnitude)
    emulator = emulator_for(lowered, choice.precision)
    assert not emulator.run(lowered.ip_inputs(X_cal)).overflow_rate.any()
    test = emulator.run(lowered.ip_inputs(sample.X_test))
    assert not test.overflow_rate.any()
    auc_float = one_vs_rest_auc(sample.y_test, ex.evaluate(expr, sample.standardize(sample.X_test)), 0)
    assert abs(one_vs_rest_auc(sample.y_test, test.y[:, 0], 0) - auc_float) <= 0.001


# --------------------------------------------------------------------------------------------------------------
# property: for random expressions of every family within c_max 40, the chosen precision never wraps


def _expressions(family: str):
    """Random trees over the 16 standardized features with the family's operators, constants up to ±400."""
    from hypothesis import strategies as st

    unary = {"poly": [], "trig": [sp.sin, sp.cos], "exp": [sp.exp, gauss], "log": [logabs]}[family]
    leaves = st.one_of(
        st.integers(0, 15).map(variable),
        st.floats(-400, 400, allow_nan=False, allow_infinity=False)
        .filter(lambda c: abs(c) > 1e-3)
        .map(sp.Float),
    )

    def grow(children):
        binary = st.tuples(st.sampled_from(["add", "sub", "mul"]), children, children).map(
            lambda t: {"add": t[1] + t[2], "sub": t[1] - t[2], "mul": t[1] * t[2]}[t[0]]
        )
        if not unary:
            return binary
        wrapped = st.tuples(st.sampled_from(unary), children).map(lambda t: t[0](t[1]))
        return st.one_of(binary, wrapped)

    return st.recursive(leaves, grow, max_leaves=12)


@pytest.mark.parametrize("family", ["poly", "trig", "exp", "log"])
def test_the_chosen_precision_never_wraps_on_calibration_jets(sample, family):
    from hypothesis import HealthCheck, assume, given, settings

    jets = Jets.for_classes(sample, ["g"])
    X_cal, labels = jets.X_calib, jets.labels_calib
    X_cal, labels = X_cal[:3000], labels[:3000]
    X_std = sample.standardize(X_cal)

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(_expressions(family))
    def check(expr):
        assume(expr.free_symbols and ex.complexity(expr) <= 40)
        assume(ex.largest_magnitude(expr, X_std) <= 2.0**15)  # fit keeps nothing wider (distill.py)
        assume(np.ptp(ex.evaluate(expr, X_std)) > 0)
        lowered = lower([expr], mean=sample.mean_, scale=sample.scale_, X_calib_raw=X_cal, lut_size=1024)
        choice = choose_precision(lowered, X_cal, labels, model=emulator_for)
        result = emulator_for(lowered, choice.precision).run(lowered.ip_inputs(X_cal))
        assert not result.overflow_rate.any(), (str(expr), str(choice.precision))

    check()


def test_a_constant_scale_inside_log_abs_is_pulled_out_with_the_same_values(sample):
    X = sample.standardize(sample.X_test)
    expr = ex.parse_expression(
        "0.4*logabs(0.0272*mass_mmdt) - logabs(1.4*mass_mmdt - logabs(3.77*mass_mmdt))"
    )
    pulled = pull_log_scales(expr)
    assert not any(
        node.args[0].as_coeff_Mul()[0] not in (1, -1)
        for node in sp.preorder_traversal(pulled)
        if isinstance(node, logabs)
    )
    np.testing.assert_allclose(ex.evaluate(pulled, X), ex.evaluate(expr, X), rtol=1e-12, atol=1e-12)


def test_log_tables_on_the_arguments_own_scale_clamp_fewer_jets(sample):
    """logabs(0.0272*mass) clamped 0.4 % of test jets below its first step at any table size (hls4ml's steps stop
    at 2^-15); on the argument's own scale the largest auto table clamps under 0.1 %."""
    expr = ex.parse_expression("0.4*logabs(0.0272*mass_mmdt) + multiplicity")
    X_cal = Jets.for_classes(sample, ["g"]).X_calib
    lowered = lower([expr], mean=sample.mean_, scale=sample.scale_, X_calib_raw=X_cal, lut_size=32768)
    clamped = emulator_for(lowered, "ap_fixed<24,8>").run(lowered.ip_inputs(sample.X_test)).lut_clip_rate[0]
    assert clamped < 0.001
