"""Operator families and operator costs, defined once for every stage.

A *family* is the set of operators an expression may use: the search engines get it in their own spelling
(pyoperon ``allowed_symbols``, PySR operator lists), the expression core checks candidates against it, and
the HLS stage reads which lookup tables (LUTs) it must build. Keeping all of that in one frozen record
means an engine, the complexity counter and the lowering can never disagree about what "trig" means.

Operator names used throughout symtrig ("op names"):

* binary: ``add sub mul div pow`` (``pow`` is a power with a non-integer exponent; integer powers are
  repeated multiplication, negative ones division);
* unary: ``sin cos exp gauss log logabs abs sqrt`` with ``gauss(u) = exp(-u**2)`` and ``logabs(u) = log|u|``;
* leaves: ``var const``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from symtrig.errors import SymtrigError

BINARY_OPS: tuple[str, ...] = ("add", "sub", "mul", "div", "pow")
UNARY_OPS: tuple[str, ...] = ("sin", "cos", "exp", "gauss", "log", "logabs", "abs", "sqrt")
LEAF_OPS: tuple[str, ...] = ("var", "const")
#: Every op name an :class:`OpCosts` may weigh.
ALL_OPS: tuple[str, ...] = BINARY_OPS + UNARY_OPS + LEAF_OPS
#: The arithmetic every family has.
ARITHMETIC: tuple[str, ...] = ("add", "sub", "mul")


@dataclass(frozen=True)
class LutNeed:
    """One lookup table the HLS stage must build for a unary op.

    ``math_func`` is the function sampled into the table (hls4ml ``LUTFunction`` math_func) and
    ``argument`` says what is fed to it: ``"u"`` (the op's argument), ``"-u**2"`` (gauss as an exp table of
    the negated square, portable to Vivado) or ``"abs(u)"`` (log|u| as a log table on |u|).
    """

    op: str
    math_func: str
    argument: str


@dataclass(frozen=True)
class Family:
    """An operator family; all engine spellings and HLS needs of one operator set."""

    name: str
    description: str
    binary: tuple[str, ...]
    unary: tuple[str, ...]
    operon_symbols: str
    pysr_binary: tuple[str, ...]
    pysr_unary: tuple[str, ...]
    pysr_extra_names: tuple[str, ...]
    luts: tuple[LutNeed, ...]

    @property
    def operators(self) -> frozenset[str]:
        """Every op name an expression of this family may contain (leaves excluded)."""
        return frozenset(self.binary) | frozenset(self.unary)

    @property
    def sympy_functions(self) -> tuple[str, ...]:
        """Names of the sympy function classes allowed (``gauss``/``logabs`` are symtrig's own)."""
        return self.unary


def _family(
    name: str,
    description: str,
    unary: tuple[str, ...],
    pysr_unary: tuple[str, ...],
    luts: tuple[LutNeed, ...],
    operon_unary: tuple[str, ...] = (),
) -> Family:
    extra = tuple(u for u in unary if u in ("gauss", "logabs"))
    return Family(
        name=name,
        description=description,
        binary=ARITHMETIC,
        unary=unary,
        # gauss has no operon primitive: operon finds exp(c*x*x), which canonicalization turns into gauss.
        operon_symbols=",".join((*ARITHMETIC, *operon_unary, "constant", "variable")),
        pysr_binary=("+", "-", "*"),
        pysr_unary=pysr_unary,
        pysr_extra_names=extra,
        luts=luts,
    )


FAMILIES: Mapping[str, Family] = MappingProxyType(
    {
        "poly": _family("poly", "polynomial: + - *", (), (), ()),
        "trig": _family(
            "trig",
            "trigonometric: + - * sin cos",
            ("sin", "cos"),
            ("sin", "cos"),
            (LutNeed("sin", "sin", "u"), LutNeed("cos", "cos", "u")),
            operon_unary=("sin", "cos"),
        ),
        "exp": _family(
            "exp",
            "exponential: + - * exp gauss(u)=exp(-u^2)",
            ("exp", "gauss"),
            ("exp", "gauss(x) = exp(-x*x)"),
            (LutNeed("exp", "exp", "u"), LutNeed("gauss", "exp", "-u**2")),
            operon_unary=("exp",),
        ),
        "log": _family(
            "log",
            "logarithmic: + - * logabs(u)=log|u|",
            ("logabs",),
            ("logabs(x) = log(abs(x))",),
            (LutNeed("logabs", "log", "abs(u)"),),
            operon_unary=("logabs",),
        ),
    }
)


def get_family(name: str) -> Family:
    """The family called ``name``; a SymtrigError lists the valid names otherwise."""
    key = str(name).strip().lower()
    if key not in FAMILIES:
        raise SymtrigError(f"unknown operator family {name!r}; choose from {', '.join(FAMILIES)}")
    return FAMILIES[key]


def parse_family_list(text: str) -> tuple[Family, ...]:
    """Families from a comma-separated list such as ``"poly,trig"`` (``"all"`` = every family), in order."""
    names = [part.strip() for part in str(text).split(",") if part.strip()]
    if not names:
        raise SymtrigError(f"empty family list {text!r}; give e.g. 'poly,trig' or 'all'")
    if names == ["all"]:
        return tuple(FAMILIES.values())
    families = [get_family(n) for n in names]
    seen = [f.name for f in families]
    if len(set(seen)) != len(seen):
        raise SymtrigError(f"family list {text!r} names a family twice")
    return tuple(families)


# --------------------------------------------------------------------------------------------------------
# Operator costs
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpCosts:
    """Integer cost per op name (missing ops cost 1); the complexity counter sums these over the tree."""

    name: str
    weights: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _validate_weights(self.weights, where=f"op costs {self.name!r}")
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))

    def __getitem__(self, op: str) -> int:
        if op not in ALL_OPS:
            raise KeyError(op)
        return self.weights.get(op, 1)

    def as_dict(self) -> dict[str, int]:
        """Every op with its cost, for provenance records."""
        return {op: self[op] for op in ALL_OPS}


def _validate_weights(weights: Mapping[str, Any], *, where: str) -> None:
    for op, cost in weights.items():
        if op not in ALL_OPS:
            raise SymtrigError(f"{where}: unknown op {op!r}; valid ops are {', '.join(ALL_OPS)}")
        if isinstance(cost, bool) or not isinstance(cost, int) or cost <= 0:
            raise SymtrigError(f"{where}: cost of {op!r} must be a positive integer, got {cost!r}")


#: PySR's default: every node costs 1.
UNIT = OpCosts("unit")

#: Clock cycles at ap_fixed<16,6> on xcvu9p (github.com/hftsoi/hls4sr-configs, the PySR + hls4ml paper's configs): + - * 1, exp 3, log|x| 4,
#: sqrt|x| 6, sin 8, pow 14, / 29; cos taken equal to sin. gauss = 4: it is lowered as an exp table of -u**2,
#: i.e. one squaring multiply (1) plus exp (3); the negation folds into the table. Plain log and abs are
#: costed like log|x| (4) and a sign flip (1).
LATENCY = OpCosts(
    "latency",
    {
        "add": 1,
        "sub": 1,
        "mul": 1,
        "div": 29,
        "pow": 14,
        "sin": 8,
        "cos": 8,
        "exp": 3,
        "gauss": 4,
        "log": 4,
        "logabs": 4,
        "abs": 1,
        "sqrt": 6,
        "var": 1,
        "const": 1,
    },
)

#: The RTL path's own delay model (UltraScale+): each operator's modelled delay over a 16-bit adder's, rounded
#: (:func:`symtrig.cost.op_weights.hardware_op_weights`, which the tests hold this preset equal to). A product
#: is a DSP (3); a transcendental is the function unit the RTL path builds for it, its table indexed by 8 bits:
#: sin/cos a periodic table (1), exp/gauss a table clamped by its bits (2), log a leading-one unit (7).
#: Operators no family uses keep the ``latency`` preset's weights.
HARDWARE = OpCosts(
    "hardware",
    {
        **LATENCY.weights,
        "add": 1,
        "sub": 1,
        "mul": 3,
        "sin": 1,
        "cos": 1,
        "exp": 2,
        "gauss": 2,
        "log": 7,
        "logabs": 7,
    },
)

OP_COST_PRESETS: Mapping[str, OpCosts] = MappingProxyType(
    {"unit": UNIT, "latency": LATENCY, "hardware": HARDWARE}
)


def load_op_costs(path: str | Path) -> OpCosts:
    """Op costs from a JSON object ``{op: positive int}``; unlisted ops cost 1. Strict, errors name the file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SymtrigError(f"cannot read op-cost file {path}: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SymtrigError(f"op-cost file {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SymtrigError(f"op-cost file {path} must hold a JSON object {{op: cost}}")
    _validate_weights(data, where=f"op-cost file {path}")
    return OpCosts(f"file:{path.name}", data)


def get_op_costs(spec: str | Path | OpCosts | None) -> OpCosts:
    """A preset name (``unit``, ``latency``), a JSON file path, an OpCosts, or None (= unit)."""
    if spec is None:
        return UNIT
    if isinstance(spec, OpCosts):
        return spec
    if str(spec) in OP_COST_PRESETS:
        return OP_COST_PRESETS[str(spec)]
    if str(spec).endswith(".json") or Path(spec).exists():
        return load_op_costs(spec)
    raise SymtrigError(f"unknown op costs {spec!r}; use {', '.join(OP_COST_PRESETS)} or a .json file")
