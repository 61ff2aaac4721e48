"""Specification of the expression core (symtrig.expr): parse, count, canonicalize, print, evaluate."""

from __future__ import annotations

import time

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symtrig.data import FEATURES
from symtrig.errors import SymtrigError
from symtrig.expr import (
    MAX_DEPTH,
    MAX_TEXT_LENGTH,
    canonicalize,
    check_family,
    complexity,
    evaluate,
    features_used,
    functions_used,
    gauss,
    largest_magnitude,
    logabs,
    op_counts,
    parse_expression,
    round_constants,
    to_text,
    variable,
)
from symtrig.families import FAMILIES, LATENCY

x0, x1, x2, x3 = (variable(i) for i in range(4))
RNG_X = np.random.default_rng(12345).normal(size=(200, 16)) * 1.5


def values_close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-12) -> bool:
    """Equal to ``rtol`` where finite, and non-finite in the same places."""
    finite = np.isfinite(a) & np.isfinite(b)
    same_nonfinite = np.array_equal(np.isfinite(a), np.isfinite(b))
    scale = float(np.max(np.abs(b[finite]), initial=0.0))  # absolute slack for cancelling sums
    return same_nonfinite and np.allclose(a[finite], b[finite], rtol=rtol, atol=rtol * scale + 1e-300)


# ---------------------------------------------------------------------------------------------- functions


def test_gauss_and_logabs_are_single_nodes_with_numeric_values():
    assert float(gauss(sympy.Float(0.7))) == pytest.approx(np.exp(-0.49), rel=1e-15)
    assert float(logabs(sympy.Float(-2.5))) == pytest.approx(np.log(2.5), rel=1e-15)
    assert float(gauss(sympy.Rational(1, 3)).evalf()) == pytest.approx(np.exp(-1 / 9), rel=1e-15)
    assert gauss(x0).func is gauss and len(gauss(x0).args) == 1


def test_gauss_and_logabs_are_even_so_the_sign_is_dropped():
    assert gauss(-x0) == gauss(x0)
    assert logabs(-2 * x1) == logabs(2 * x1)
    assert gauss(0) == 1 and logabs(1) == 0


def test_gauss_and_logabs_differentiate_like_their_expansions():
    u = (
        3 * x0 + x1
    )  # positive at the point, where d log|u| = d log(u) (sympy's Abs of a complex symbol won't)
    for f, expansion in ((gauss(u), sympy.exp(-(u**2))), (logabs(u), sympy.log(u))):
        derivative = sympy.diff(f, x0)
        point = {x0: 0.3, x1: 0.2}
        expected = sympy.diff(expansion, x0).subs(point)
        assert float(derivative.subs(point)) == pytest.approx(float(expected), rel=1e-12)


def test_gauss_and_logabs_rewrite_to_exp_and_log():
    assert gauss(x0).rewrite(sympy.exp) == sympy.exp(-(x0**2))
    assert logabs(x0).rewrite(sympy.log) == sympy.log(sympy.Abs(x0))


# ------------------------------------------------------------------------------------------------- parser


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x0 + 2", x0 + 2),
        ("x0*x1 - 2.5*x2", x0 * x1 - 2.5 * x2),
        ("x0^2", x0**2),
        ("x0**2", x0**2),
        ("-x0^2", -(x0**2)),
        ("2^3^2", sympy.Integer(512)),
        ("x0^-1", 1 / x0),
        ("x0 / x1 / x2", x0 / (x1 * x2)),
        ("+-+x0", -x0),
        ("1.5e-3*x1", 0.0015 * x1),
        (".5*x0 + 5.*x1 + 1E+2", 0.5 * x0 + 5.0 * x1 + 100.0),
        ("sin(x0 - 0.3)", sympy.sin(x0 - 0.3)),
        ("cos(x1)*exp(x2)", sympy.cos(x1) * sympy.exp(x2)),
        ("gauss(x0) + logabs(x1)", gauss(x0) + logabs(x1)),
        ("log(abs(x0))", logabs(x0)),
        ("log(Abs(x0))", logabs(x0)),
        ("log(x0)", sympy.log(x0)),
        ("abs(x0) + Abs(x1)", sympy.Abs(x0) + sympy.Abs(x1)),
        ("sqrt(x0)", sympy.sqrt(x0)),
        ("square(x0) + cube(x1) + neg(x2)", x0**2 + x1**3 - x2),
        ("\tx0 \n+ x1 ", x0 + x1),
    ],
)
def test_parser_builds_the_expected_sympy(text, expected):
    assert parse_expression(text) == expected


def test_parser_maps_feature_names_to_columns():
    expr = parse_expression(" + ".join(FEATURES))
    assert expr == sum(variable(i) for i in range(16))
    assert parse_expression("mass_mmdt*multiplicity") == variable(14) * variable(15)


def test_parser_keeps_the_written_structure_instead_of_distributing():
    expr = parse_expression("2.5*(x0 + x1 + x2)")
    assert expr.is_Mul and complexity(expr) == 7


def test_parser_respects_n_features():
    assert parse_expression("x2", n_features=3) == x2
    with pytest.raises(SymtrigError, match="x3 out of range"):
        parse_expression("x3", n_features=3)
    with pytest.raises(SymtrigError, match="unknown name 'c1_b2_mmdt'"):
        parse_expression("c1_b2_mmdt", n_features=3)
    with pytest.raises(SymtrigError, match="x16 out of range"):
        parse_expression("x16")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x0.real", "unexpected character '.'"),
        ("x0.__class__", "unexpected character '.'"),
        ("__import__('os').system('true')", "unexpected character"),
        ("__import__(x0)", "unknown function '__import__'"),
        ("eval(x0)", "unknown function 'eval'"),
        ("lambda: x0", "unexpected character ':'"),
        ("x0[0]", "unexpected character '\\['"),
        ("x0; x1", "unexpected character ';'"),
        ("foo + x0", "unknown name 'foo'"),
        ("pi*x0", "unknown name 'pi'"),
        ("tan(x0)", "unknown function 'tan'"),
        ("sin", "needs an argument"),
        ("sin(x0, x1)", "one argument"),
        ("sin()", "expected a number"),
        ("((x0)", "expected '\\)'"),
        ("x0)", "unexpected '\\)'"),
        ("x0 +", "end of text"),
        ("x0 x1", "unexpected 'x1'"),
        ("2x0", "unexpected 'x0'"),
        ("x0 ^ x1", "exponents must be numeric"),
        ("x0 ^ 65", "too large"),
        ("1/0", "undefined or complex"),
        ("log(-2.0)", "undefined or complex"),
        ("(-1)^0.5", "undefined or complex"),
        ("1e400", "out of float64 range"),
        ("1e-400", "out of float64 range"),
        ("9" * 400, "out of float64 range"),
        ("\uff58" + "0", "non-ASCII"),  # fullwidth x
        ("x0 \u2212 x1", "non-ASCII"),  # unicode minus
        ("x0\u00a0+ x1", "non-ASCII"),  # no-break space
    ],
)
def test_parser_rejects_bad_text_with_a_reason(text, reason):
    with pytest.raises(SymtrigError, match=reason):
        parse_expression(text)


def test_parser_error_names_the_position():
    with pytest.raises(SymtrigError, match="at character 6: unknown name 'y'"):
        parse_expression("x0 + y")


def test_parser_rejects_non_text():
    with pytest.raises(SymtrigError, match="must be text"):
        parse_expression(3.0)  # type: ignore[arg-type]


def test_parser_does_not_execute_anything(tmp_path):
    marker = tmp_path / "pwned"
    for text in (f"__import__('os').system('touch {marker}')", f"open('{marker}', 'w')", "exec('1')"):
        with pytest.raises(SymtrigError):
            parse_expression(text)
    assert not marker.exists()


def test_parser_restricts_operators_to_a_family():
    assert parse_expression("sin(x0)*x1 - 2", allowed=FAMILIES["trig"]) == sympy.sin(x0) * x1 - 2
    assert parse_expression("log(abs(x0))", allowed=FAMILIES["log"]) == logabs(x0)
    assert parse_expression("x0^3 - x1", allowed=FAMILIES["poly"]) == x0**3 - x1
    with pytest.raises(SymtrigError, match=r"at character 6: operator 'exp' is not allowed"):
        parse_expression("x0 + exp(x1)", allowed=FAMILIES["trig"])
    with pytest.raises(SymtrigError, match="operator 'div' is not allowed"):
        parse_expression("x0 / x1", allowed=["sin"])
    with pytest.raises(SymtrigError, match="operator 'log' is not allowed"):
        parse_expression("log(x0)", allowed=FAMILIES["log"])
    with pytest.raises(SymtrigError, match="unknown op names"):
        parse_expression("x0", allowed=["tanh"])


# ------------------------------------------------------------------------------------------ parser limits


def _parse_quickly(text: str) -> sympy.Expr | None:
    start = time.perf_counter()
    try:
        result = parse_expression(text)
    except SymtrigError:
        result = None
    assert time.perf_counter() - start < 2.0, f"parsing took too long: {text[:40]!r}..."
    return result


def test_parser_rejects_text_over_the_length_limit():
    with pytest.raises(SymtrigError, match="longer than"):
        parse_expression("x0+" * (MAX_TEXT_LENGTH // 3) + "x0")


def test_parser_rejects_deep_nesting_without_recursion_error():
    for text in ("(" * 10_000 + "x0" + ")" * 10_000, "sin(" * 3000 + "x0" + ")" * 3000, "x0^" * 3000 + "1"):
        with pytest.raises(SymtrigError, match="nesting deeper"):
            parse_expression(text[:MAX_TEXT_LENGTH])
    assert parse_expression("(" * MAX_DEPTH + "x0" + ")" * MAX_DEPTH) == x0


def test_parser_bounds_constant_powers_before_computing_them():
    assert _parse_quickly("2^2^2^2^2") is None  # 2^65536 is never computed
    assert _parse_quickly("(" * 60 + "2" + ")^64" * 60) is None
    assert _parse_quickly("(" * 60 + "(2*x0)" + ")^2" * 60) is None
    assert _parse_quickly("(" * 60 + "x0" + ")^64" * 60) is None
    assert _parse_quickly("*".join(["x0"] * 3000)) is None  # x0**3000: power too high


def test_parser_keeps_integer_powers_unexpanded():
    expr = _parse_quickly("(x0 + 1)^16")
    assert expr == (x0 + 1) ** 16 and complexity(expr) == 16 * 3 + 15


def test_parser_handles_long_flat_sums_and_unary_chains_fast():
    assert _parse_quickly(" + ".join(f"x{i % 16}*x{(i + 1) % 16}" for i in range(900))) is not None
    assert _parse_quickly("-" * 9000 + "x0") == x0


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_parser_fuzz_any_text_gives_an_expression_or_symtrig_error(text):
    try:
        result = parse_expression(text)
    except SymtrigError:
        return
    assert isinstance(result, sympy.Expr)


_PIECES = st.sampled_from(
    [
        "x0",
        "x15",
        "mass_mmdt",
        "2",
        "0.5",
        "1e300",
        "1e-300",
        "9" * 300,
        "(",
        ")",
        "+",
        "-",
        "*",
        "/",
        "^",
        "**",
        "sin(",
        "gauss(",
        "log(abs(",
        "exp(",
        ",",
        " ",
        "64",
        "-64",
        ".",
        "e",
        "1/0",
        "__",
        "'",
    ]
)


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=80).map("".join))
def test_parser_fuzz_grammar_pieces_give_an_expression_or_symtrig_error(text):
    try:
        result = parse_expression(text)
    except SymtrigError:
        return
    assert isinstance(result, sympy.Expr)
    complexity(result)  # whatever parses can be counted


# --------------------------------------------------------------------------------------------- complexity


@pytest.mark.parametrize(
    ("pysr_text", "hand_count"),
    [
        ("x0*x1 + 2.5*x2", 7),  # + ( * x0 x1 ) ( * 2.5 x2 )
        ("sin(x0 - 0.3)", 4),  # sin ( - x0 0.3 )
        ("(x0 - x1)*x2", 5),
        ("x0", 1),
        ("-1.5", 1),
        ("x0 - x1", 3),
        ("x0 - 2.5*x1", 5),
        ("x0 - (x1 + x2)", 5),
        ("-x0 - x1", 5),  # (-1*x0) - x1
        ("-2.0*x0 - x1", 5),  # the -2.0 carries the sign
        ("-x0", 3),  # -1*x0
        ("x0*x0*x0", 5),
        ("x0^3", 5),  # no power operator in the families: x0*x0*x0
        ("2*x0^2", 5),
        ("x0/x1", 3),
        ("1/x0", 3),
        ("x0/(x1*x2)", 5),
        ("sqrt(x0)", 2),
        ("x0^0.5", 3),  # pow x0 0.5, as PySR's own x0^0.5
        ("x0^1.5", 3),
        ("gauss(0.5*x0)", 4),
        ("logabs(x0 + 1)", 4),
        ("exp(-0.999*x0*x0)", 6),
        ("cos(x0*x1) + sin(x2)", 7),
        ("0.3*(x0 + x1 + x2)", 7),
    ],
)
def test_complexity_matches_hand_counted_pysr_trees(pysr_text, hand_count):
    assert complexity(parse_expression(pysr_text)) == hand_count


def test_complexity_counts_subtraction_as_one_node():
    assert op_counts(parse_expression("x0 - x1")) == {"var": 2, "sub": 1}


def test_complexity_merges_numeric_subexpressions_into_one_constant():
    assert complexity(sympy.sqrt(2) * x0 + sympy.exp(3) + sympy.pi) == 5


def test_complexity_is_independent_of_term_order():
    a = sympy.Add(x0, -x1, 2 * x2, evaluate=False)
    b = sympy.Add(-x1, 2 * x2, x0, evaluate=False)
    assert complexity(a) == complexity(b) == 7


def test_complexity_with_latency_costs():
    expr = parse_expression("sin(x0) + gauss(x1)*x2")
    # sin 8 + x0 1 + add 1 + gauss 4 + x1 1 + mul 1 + x2 1
    assert complexity(expr, LATENCY) == 17
    assert complexity(expr, "latency") == 17
    assert complexity(expr) == 7


def test_complexity_rejects_unsupported_operators():
    with pytest.raises(SymtrigError, match="tan is not supported"):
        complexity(sympy.tan(x0))
    with pytest.raises(SymtrigError):
        complexity(sympy.Eq(x0, 1))


# ----------------------------------------------------------------------------------------- canonicalize


@pytest.mark.parametrize(
    ("raw", "canonical", "count"),
    [
        (sympy.exp(-(x0**2)), gauss(x0), 2),
        (sympy.exp(-4 * x0**2), gauss(2 * x0), 4),
        (sympy.exp(-((x0 + x1) ** 2)), gauss(x0 + x1), 4),
        (sympy.log(sympy.Abs(x0 - x1)), logabs(x0 - x1), 4),
        (sympy.log(x0**2) / 2, logabs(x0), 2),
        (sympy.Float(1.0) * x0 * x1, x0 * x1, 3),
    ],
)
def test_canonicalize_known_forms(raw, canonical, count):
    result = canonicalize(raw)
    assert result == canonical
    assert complexity(result) == count


def test_canonicalize_turns_operon_gaussians_into_gauss():
    for raw in (
        sympy.exp(sympy.Float(-0.999) * x0 * x0),
        sympy.exp(sympy.Float(-0.3) * (2 * x0 + 1) * (2 * x0 + 1)),
        sympy.exp(0.5 - 2 * x0**2 * x1**2),
        sympy.Float(1.3) * sympy.exp(sympy.Float(-0.7) * x2**2) + x0,
    ):
        result = canonicalize(raw)
        assert gauss in {type(f) for f in result.atoms(sympy.Function)}
        assert not result.has(sympy.exp)
        assert complexity(result) < complexity(raw)


def test_canonicalize_leaves_non_gaussian_exponentials_alone():
    for raw in (sympy.exp(x0**2), sympy.exp(-(x0**3)), sympy.exp(-x0 * x1), sympy.exp(-(x0**2) - x1**2)):
        assert canonicalize(raw) == raw


def test_canonicalize_folds_constant_subexpressions():
    result = canonicalize(sympy.sqrt(2) * x0 + sympy.exp(sympy.Integer(3)))
    assert result.atoms(sympy.Float) and not result.has(sympy.exp, sympy.Pow)


def _random_expression(rng: np.random.Generator, depth: int) -> sympy.Expr:
    """A random real expression over x0..x3 using every symtrig operator."""
    if depth == 0 or rng.random() < 0.25:
        if rng.random() < 0.6:
            return variable(int(rng.integers(0, 4)))
        return sympy.Float(float(rng.normal() * 10.0 ** rng.integers(-3, 4)))
    a = _random_expression(rng, depth - 1)
    b = _random_expression(rng, depth - 1)
    width = abs(float(rng.normal()))
    builders = [
        lambda: a + b,
        lambda: a - b,
        lambda: a * b,
        lambda: a / (b**2 + 1),
        lambda: a**2,
        lambda: -a,
        lambda: sympy.sin(a),
        lambda: sympy.cos(a),
        lambda: sympy.exp(-(a**2) * width),
        lambda: gauss(a),
        lambda: logabs(a),
        lambda: sympy.log(sympy.Abs(a, evaluate=False) + 1),
        lambda: sympy.exp(sympy.Float(0.1) * a),
    ]
    return builders[int(rng.integers(0, len(builders)))]()


def test_canonicalize_preserves_values_on_random_points():
    rng = np.random.default_rng(7)
    for _ in range(40):
        raw = _random_expression(rng, 4)
        assert values_close(evaluate(canonicalize(raw), RNG_X), evaluate(raw, RNG_X), rtol=1e-9), raw


def test_round_constants_rounds_only_floats():
    expr = sympy.Float(0.123456789) * x0 + sympy.Rational(1, 3) * x1 + 2
    rounded = round_constants(expr, 3)
    assert rounded == sympy.Float(0.123) * x0 + sympy.Rational(1, 3) * x1 + 2
    with pytest.raises(SymtrigError, match="positive integer"):
        round_constants(expr, 0)


# ------------------------------------------------------------------------------------------------ printing


def test_to_text_uses_feature_names_or_x_names():
    expr = parse_expression("gauss(0.63*multiplicity) - logabs(c1_b1_mmdt)")
    assert to_text(expr) == "gauss(0.63*x15) - logabs(x2)"
    assert to_text(expr, names="features") == "gauss(0.63*multiplicity) - logabs(c1_b1_mmdt)"


def test_to_text_prints_floats_repr_exact_by_default_and_rounded_on_request():
    expr = sympy.Float(0.1 + 0.2) * x0
    assert to_text(expr) == "0.30000000000000004*x0"
    assert to_text(expr, digits=3) == "0.3*x0"
    assert to_text(sympy.pi * x0) == f"{np.pi!r}*x0"


def test_to_text_rejects_undefined_expressions():
    with pytest.raises(SymtrigError, match="undefined or complex"):
        to_text(sympy.zoo * x0)


def test_to_text_round_trips_random_expressions():
    rng = np.random.default_rng(2024)
    for _ in range(80):
        expr = _random_expression(rng, 4)
        for names in ("x", "features"):
            back = parse_expression(to_text(expr, names=names))
            assert values_close(evaluate(back, RNG_X), evaluate(expr, RNG_X)), expr


# ------------------------------------------------------------------------------------------------ queries


def test_functions_used_lists_non_arithmetic_operators():
    assert functions_used(parse_expression("sin(x0)*x1 + gauss(x2) - x3/x1")) == {"sin", "gauss", "div"}
    assert functions_used(parse_expression("x0*x1 - x2^3")) == set()
    assert functions_used(parse_expression("x0^1.5 + abs(x1)")) == {"pow", "abs"}


def test_features_used_is_sorted_and_unique():
    assert features_used(parse_expression("x12*x3 + sin(x3) - x0")) == [0, 3, 12]
    with pytest.raises(SymtrigError, match="not a feature column"):
        features_used(sympy.Symbol("y") + x0)


def test_check_family_names_the_offending_operator():
    check_family(parse_expression("sin(x0) - cos(x1)*x2"), "trig")
    check_family(parse_expression("x0^3 - x1"), FAMILIES["poly"])
    with pytest.raises(SymtrigError, match="uses div, outside the poly family"):
        check_family(parse_expression("x0/x1"), "poly")
    with pytest.raises(SymtrigError, match="uses exp, outside the trig family"):
        check_family(parse_expression("sin(exp(x0))"), "trig")
    with pytest.raises(SymtrigError, match="unknown operator family"):
        check_family(x0, "hyper")


# ---------------------------------------------------------------------------------------------- evaluate


def test_evaluate_matches_numpy():
    expr = parse_expression("0.5*x0*x1 - gauss(x2) + logabs(x3) + sin(x4)/cos(x5)")
    X = RNG_X
    expected = 0.5 * X[:, 0] * X[:, 1] - np.exp(-(X[:, 2] ** 2)) + np.log(np.abs(X[:, 3]))
    expected += np.sin(X[:, 4]) / np.cos(X[:, 5])
    assert values_close(evaluate(expr, X), expected, rtol=1e-13)


def test_evaluate_broadcasts_constants_and_returns_float64():
    out = evaluate(sympy.Float(2.5), RNG_X)
    assert out.dtype == np.float64 and out.shape == (len(RNG_X),) and np.all(out == 2.5)
    assert evaluate(sympy.Integer(10) ** 30 * x0, RNG_X[:3]) == pytest.approx(1e30 * RNG_X[:3, 0])


def test_evaluate_gives_inf_and_nan_instead_of_raising():
    X = np.zeros((3, 16))
    assert np.all(np.isneginf(evaluate(logabs(x0), X)))
    assert np.all(np.isnan(evaluate(sympy.log(x0 - 1), X)))


def test_evaluate_checks_shapes_and_symbols():
    with pytest.raises(SymtrigError, match="2-D"):
        evaluate(x0, np.zeros(5))
    with pytest.raises(SymtrigError, match="only 2 columns"):
        evaluate(x3, np.zeros((4, 2)))
    with pytest.raises(SymtrigError, match="not feature columns"):
        evaluate(sympy.Symbol("X1"), np.zeros((4, 2)))


def test_evaluate_falls_back_to_numpy_when_numexpr_cannot_compile():
    expr = sympy.Integer(10) ** 40 * x0  # numexpr cannot hold a 10**40 integer literal
    assert evaluate(expr, RNG_X[:4]) == pytest.approx(1e40 * RNG_X[:4, 0], rel=1e-15)


def test_largest_magnitude_sees_intermediate_values_the_output_hides():
    X = np.array([[2.0] + [0.0] * 15, [-1.0] + [0.0] * 15])
    inner = float(np.exp(np.exp(4.0)))  # exp(exp(2*x0)) at x0 = 2
    expr = parse_expression("1e-30*exp(exp(2*x0))")
    assert evaluate(expr, X)[0] < 1e-5  # the output is small ...
    assert largest_magnitude(expr, X) == pytest.approx(inner)  # ... the value inside is not
    assert largest_magnitude(parse_expression("x0*x0 - 3"), X) == pytest.approx(
        4.0
    )  # the constant -3, |1 - 3|
    assert largest_magnitude(parse_expression("sin(x0) + 7.5"), X) == pytest.approx(7.5 + np.sin(2.0))


def test_largest_magnitude_is_infinite_where_a_value_is_not_finite():
    X = np.zeros((2, 16))
    assert largest_magnitude(logabs(x0) + 1, X) == np.inf
