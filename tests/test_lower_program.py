"""The lowered program: one node per hardware operation, shared subexpressions once, calibrated ranges."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symtrig import expr as ex
from symtrig.errors import SymtrigError
from symtrig.expr import gauss, logabs, variable
from symtrig.lower.program import TABLE_FUNCTIONS, build_program

x = [variable(i) for i in range(4)]


@pytest.fixture(scope="module")
def X():
    rng = np.random.default_rng(0)
    return rng.normal(size=(500, 4))


def test_a_subexpression_shared_by_two_outputs_is_one_node(X):
    shared = logabs(3.77 * x[0])
    program = build_program([shared + x[1], 2.0 * shared * x[2], sp.sin(x[0] + x[1]) + shared], X)
    tables = [n for n in program.nodes if n.kind == "table"]
    assert sorted(n.function for n in tables) == [
        "logabs",
        "sinturn",
    ]  # logabs once, although used three times
    logabs_node = next(i for i, n in enumerate(program.nodes) if n.function == "logabs")
    assert program.output_sets[logabs_node] == {0, 1, 2}
    scaled = [n for n in program.nodes if n.kind == "add" and n.coeffs == (3.77,)]
    assert len(scaled) == 1  # 3.77*x0 computed once, feeding the one table
    assert program.nodes[scaled[0].operands[0]].index == 0
    assert program.exprs == (shared + x[1], 2.0 * shared * x[2], sp.sin(x[0] + x[1]) + shared)


def test_nodes_are_in_topological_order_and_each_input_appears_once(X):
    program = build_program([x[0] * x[1] + x[0], sp.cos(x[1] - x[0]) * x[0]], X)
    for index, node in enumerate(program.nodes):
        assert all(o < index for o in node.operands)
    assert sorted(n.index for n in program.nodes if n.kind == "input") == [0, 1]
    assert program.n_inputs == 4


def test_integer_powers_are_balanced_products_with_the_square_built_once(X):
    program = build_program([x[0] ** 4, x[0] ** 3], X)
    products = [n for n in program.nodes if n.kind == "mul"]
    assert len(products) == 3  # x0*x0, (x0*x0)*(x0*x0), (x0*x0)*x0
    square = next(i for i, n in enumerate(program.nodes) if n.kind == "mul" and len(set(n.operands)) == 1)
    assert program.nodes[program.nodes[square].operands[0]].kind == "input"
    assert program.nodes[program.outputs[0]].operands == (square, square)


def test_a_constant_factor_becomes_a_coefficient_and_a_scaled_sum_used_once_is_opened(X):
    once = ex.product(2.5, x[0] + x[1]) + x[2] - 1.0
    program = build_program([once], X)
    out = program.nodes[program.outputs[0]]
    coeffs = {program.nodes[o].index: c for o, c in zip(out.operands, out.coeffs, strict=True)}
    assert out.kind == "add" and coeffs == {0: 2.5, 1: 2.5, 2: 1.0} and out.offset == -1.0
    assert program.count("add") == 1  # one adder tree, no constant multiplier of a sum

    inner = x[0] + x[1]
    twice = build_program([ex.product(2.5, inner) + x[2], ex.product(0.5, inner) * x[3]], X)
    assert any(n.kind == "add" and n.coeffs == (1.0, 1.0) for n in twice.nodes)  # the shared sum stays a node


def test_products_of_three_factors_with_a_constant_are_two_multipliers_and_one_scale(X):
    program = build_program([-0.75 * x[0] * x[1] * x[2]], X)
    assert program.count("mul") == 2
    out = program.nodes[program.outputs[0]]
    assert out.kind == "add" and out.coeffs == (-0.75,) and program.nodes[out.operands[0]].kind == "mul"


def test_every_node_records_its_calibrated_range(X):
    expr = 0.5 * gauss(x[0] - x[1]) + sp.exp(0.3 * x[2]) * x[3]
    program = build_program([expr], X)
    values = ex.node_values(expr, X)
    out = program.nodes[program.outputs[0]]
    assert (out.lo, out.hi) == (values[expr].min(), values[expr].max())
    for node in program.nodes:
        assert node.lo <= node.hi
        if node.kind == "input":
            assert (node.lo, node.hi) == (X[:, node.index].min(), X[:, node.index].max())
        if node.kind == "table":
            assert node.function in TABLE_FUNCTIONS
    gauss_node = next(n for n in program.nodes if n.function == "gauss")
    assert gauss_node.lo > 0 and gauss_node.hi <= 1


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        (x[0] / x[1], ["1/x1", "division"]),
        (sp.sqrt(x[0] ** 2 + 1), ["non-integer power"]),
        (sp.tanh(x[2]) + x[0], ["tanh(x2)", "no hardware form"]),
    ],
)
def test_what_hardware_cannot_compute_is_a_user_error_naming_the_subexpression(X, expr, words):
    with pytest.raises(SymtrigError) as error:
        build_program([expr], X)
    for word in words:
        assert word in str(error.value)


def test_inputs_outside_the_calibration_columns_are_refused(X):
    with pytest.raises(SymtrigError, match="x7"):
        build_program([variable(7) + x[0]], X)
    with pytest.raises(SymtrigError, match="2-D"):
        build_program([x[0]], X[:, 0])
