"""Specification of the operator families and operator costs (symtrig.families)."""

from __future__ import annotations

import json

import pytest

from symtrig.errors import SymtrigError
from symtrig.families import (
    ALL_OPS,
    FAMILIES,
    LATENCY,
    UNIT,
    OpCosts,
    get_family,
    get_op_costs,
    load_op_costs,
    parse_family_list,
)


def test_four_families_with_shared_arithmetic():
    assert list(FAMILIES) == ["poly", "trig", "exp", "log"]
    for family in FAMILIES.values():
        assert family.binary == ("add", "sub", "mul")
    assert FAMILIES["poly"].unary == ()
    assert FAMILIES["trig"].unary == ("sin", "cos")
    assert FAMILIES["exp"].unary == ("exp", "gauss")
    assert FAMILIES["log"].unary == ("logabs",)


def test_operon_symbols_have_no_gauss_primitive():
    assert FAMILIES["trig"].operon_symbols == "add,sub,mul,sin,cos,constant,variable"
    assert FAMILIES["exp"].operon_symbols == "add,sub,mul,exp,constant,variable"
    assert FAMILIES["log"].operon_symbols == "add,sub,mul,logabs,constant,variable"
    assert FAMILIES["poly"].operon_symbols == "add,sub,mul,constant,variable"


def test_pysr_kwargs_map_custom_operators_to_symtrig_functions():
    from symtrig.engines.pysr import pysr_family_kwargs
    from symtrig.expr import gauss, logabs

    exp_kwargs = pysr_family_kwargs(FAMILIES["exp"])
    assert exp_kwargs["binary_operators"] == ["+", "-", "*"]
    assert exp_kwargs["unary_operators"] == ["exp", "gauss(x) = exp(-x*x)"]
    assert exp_kwargs["extra_sympy_mappings"] == {"gauss": gauss}
    assert pysr_family_kwargs(FAMILIES["log"])["extra_sympy_mappings"] == {"logabs": logabs}
    assert pysr_family_kwargs(FAMILIES["trig"])["extra_sympy_mappings"] == {}


def test_lut_needs_per_unary_op():
    needs = {n.op: (n.math_func, n.argument) for f in FAMILIES.values() for n in f.luts}
    assert needs == {
        "sin": ("sin", "u"),
        "cos": ("cos", "u"),
        "exp": ("exp", "u"),
        "gauss": ("exp", "-u**2"),
        "logabs": ("log", "abs(u)"),
    }
    for family in FAMILIES.values():
        assert {n.op for n in family.luts} == set(family.unary)


def test_get_family_is_case_insensitive_and_lists_valid_names_on_error():
    assert get_family(" Trig ") is FAMILIES["trig"]
    with pytest.raises(SymtrigError, match="poly, trig, exp, log"):
        get_family("hyperbolic")


def test_parse_family_list():
    assert [f.name for f in parse_family_list("poly, trig")] == ["poly", "trig"]
    assert [f.name for f in parse_family_list("all")] == ["poly", "trig", "exp", "log"]
    with pytest.raises(SymtrigError, match="twice"):
        parse_family_list("poly,poly")
    with pytest.raises(SymtrigError, match="empty"):
        parse_family_list(" , ")
    with pytest.raises(SymtrigError, match="unknown operator family"):
        parse_family_list("poly,tan")


def test_unit_costs_every_op_one():
    assert all(UNIT[op] == 1 for op in ALL_OPS)


def test_latency_costs_follow_measured_clock_cycles():
    assert [LATENCY[op] for op in ("add", "sub", "mul", "exp", "logabs", "sin", "cos")] == [
        1,
        1,
        1,
        3,
        4,
        8,
        8,
    ]
    assert LATENCY["gauss"] == LATENCY["exp"] + LATENCY["mul"]
    assert LATENCY["var"] == LATENCY["const"] == 1


def test_op_costs_reject_unknown_ops():
    with pytest.raises(KeyError):
        UNIT["tanh"]
    with pytest.raises(SymtrigError, match="unknown op"):
        OpCosts("bad", {"tanh": 3})


def test_load_op_costs_reads_json_and_defaults_missing_ops_to_one(tmp_path):
    path = tmp_path / "costs.json"
    path.write_text(json.dumps({"sin": 5, "exp": 2}))
    costs = load_op_costs(path)
    assert (costs["sin"], costs["exp"], costs["add"]) == (5, 2, 1)
    assert get_op_costs(str(path))["sin"] == 5
    assert get_op_costs("latency") is LATENCY
    assert get_op_costs(None) is UNIT


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"sin": 0}', "positive integer"),
        ('{"sin": -2}', "positive integer"),
        ('{"sin": 2.5}', "positive integer"),
        ('{"sin": 3.0}', "positive integer"),
        ('{"sin": true}', "positive integer"),
        ('{"sin": "3"}', "positive integer"),
        ('{"tanh": 3}', "unknown op"),
        ("[1, 2]", "JSON object"),
        ("{sin: 3}", "not valid JSON"),
    ],
)
def test_load_op_costs_is_strict_and_names_the_file(tmp_path, content, reason):
    path = tmp_path / "bad_costs.json"
    path.write_text(content)
    with pytest.raises(SymtrigError, match=reason) as info:
        load_op_costs(path)
    assert "bad_costs.json" in str(info.value)


def test_load_op_costs_missing_file(tmp_path):
    with pytest.raises(SymtrigError, match="cannot read"):
        load_op_costs(tmp_path / "missing.json")


def test_unknown_cost_preset():
    with pytest.raises(SymtrigError, match="unit, latency"):
        get_op_costs("fast")
