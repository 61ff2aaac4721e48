"""Operator weights for the search from the RTL path's own delay model: what ``--op-costs hardware`` holds.

Why: node count treats a DSP product, a table lookup and an adder alike, so a front that is Pareto in node count
is not Pareto in latency. PySR (``complexity_of_operators``) and operon (per-node costs) can weigh each operator;
here the weight of an operator is its delay on the target family (:mod:`symtrig.cost.op_timing` priced by the
family's :class:`~symtrig.cost.delays.DelayModel`) in units of a typical adder's, rounded, at least 1.

A transcendental is priced as the function unit the RTL path builds for it (:mod:`symtrig.lower.units`), not as
a bare table: the one-node design ``f(x)`` is lowered, typed and traced exactly as ``emit-hls`` does it, at the
narrowest uniform fraction width whose table is indexed by :data:`TABLE_BITS` bits, and its modelled critical
path is the price. So sin and cos are a periodic table (the wrap to one period is wires), exp and gauss a table
clamped by its bits (a multiplexer after it), log a leading-one unit (absolute value, shifter, mantissa table,
subtraction). The preset in :mod:`symtrig.families` is checked against :func:`hardware_op_weights` by the
tests, so the two cannot drift.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import sympy as sp

from symtrig.cost.delays import DelayModel
from symtrig.cost.op_timing import OpTiming
from symtrig.errors import SymtrigError
from symtrig.expr import gauss, logabs, variable

#: Widths the weights are priced at: what the per-node precision search gives the sample's designs (12-16-bit
#: sums, 12 x 12 products; the units' tables are indexed by 4-11 bits: log mantissas 4-9, turns 6-10, exp
#: inputs up to 11). At 10 table bits every weight is the same but log's (8 instead of 7).
ADDER_BITS = 16
PRODUCT_BITS = (12, 12)
TABLE_BITS = 8
#: Each table operator's one-node design: the call on input ``x`` and the range ``x`` spans. sin and cos take
#: ``2 pi x`` (in a design the ``1/2 pi`` of the periodic unit folds into the sum computing the argument, so it
#: is not priced here); the ranges are ones the sample's fits reach, wide enough for the units' own rules to
#: pick the periodic and leading-one forms.
UNIT_DESIGNS: dict[str, tuple[Callable[[sp.Expr], sp.Expr], tuple[float, float]]] = {
    "sin": (lambda x: sp.sin(2 * math.pi * x), (-4.0, 4.0)),
    "cos": (lambda x: sp.cos(2 * math.pi * x), (-4.0, 4.0)),
    "exp": (sp.exp, (-4.0, 4.0)),
    "gauss": (gauss, (-2.0, 2.0)),
    "logabs": (logabs, (-8.0, 8.0)),
}
#: ``log`` is searched as ``log|u|`` (the protected log every engine uses) and built as the same unit.
SAME_UNIT = {"log": "logabs"}


def hardware_op_weights(timing: OpTiming, model: DelayModel) -> dict[str, int]:
    """Integer weight per operator: its modelled delay over an adder's (``add``, ``sub``, ``mul``, tables)."""
    adder = model.delay(timing.adder_depth(ADDER_BITS))

    def weight(delay: float) -> int:
        return max(1, round(delay / adder))

    weights = {"add": 1, "sub": 1, "mul": weight(model.delay(timing.product_depth(*PRODUCT_BITS)))}
    units = {name: weight(unit_path_ns(name, timing, model)) for name in UNIT_DESIGNS}
    return {**weights, **units, **{alias: units[name] for alias, name in SAME_UNIT.items()}}


def unit_path_ns(function: str, timing: OpTiming, model: DelayModel) -> float:
    """Modelled critical path (ns) of the one-node design of ``function`` at :data:`TABLE_BITS` table bits."""
    from symtrig.backends.da4ml.trace import trace_program
    from symtrig.cost.schedule import schedule
    from symtrig.lower.node_types import materialize, plan_types, uniform_settings
    from symtrig.lower.program import build_program

    call, (lo, hi) = UNIT_DESIGNS[function]
    x = np.linspace(lo, hi, 4097)[:, None]
    program = build_program([call(variable(0))], x)
    (table,) = [i for i, node in enumerate(program.nodes) if node.kind == "table"]
    plan = plan_types(program)
    for fraction in range(1, 2 * TABLE_BITS):
        types = materialize(program, plan, uniform_settings(program, plan, fraction))
        table_input = types[table].table_input
        if table_input is not None and table_input.width >= TABLE_BITS:
            return schedule(trace_program(program, types), math.inf, timing, model).critical_path_ns
    raise SymtrigError(f"no fraction width gives the {function} unit a {TABLE_BITS}-bit table")
