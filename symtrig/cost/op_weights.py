"""Operator weights for the search from the RTL path's own delay model: what ``--op-costs hardware`` holds.

Why: node count treats a DSP product, a table lookup and an adder alike, so a front that is Pareto in node count
is not Pareto in latency. PySR (``complexity_of_operators``) and operon (per-node costs) can weigh each operator;
here the weight of an operator is its delay on the target family (:mod:`symtrig.cost.op_timing` priced by the
family's :class:`~symtrig.cost.delays.DelayModel`) in units of a typical adder's, rounded, at least 1. A
transcendental is a table over a quantized argument plus the adder that quantizes it. The preset in
:mod:`symtrig.families` is checked against :func:`hardware_op_weights` by the tests, so the two cannot drift.
"""

from __future__ import annotations

from symtrig.cost.delays import DelayModel
from symtrig.cost.op_timing import OpTiming

#: Widths the weights are priced at: what the per-node precision search gives the sample's designs (12-16-bit
#: sums, 12 x 12 products, 10-12-bit table inputs; see the design records' ``details``).
ADDER_BITS = 16
PRODUCT_BITS = (12, 12)
TABLE_BITS = 12
#: Operators that are a table over a quantized argument on the RTL path.
TABLE_OPS = ("sin", "cos", "exp", "gauss", "log", "logabs")


def hardware_op_weights(timing: OpTiming, model: DelayModel) -> dict[str, int]:
    """Integer weight per operator: its modelled delay over an adder's (``add``, ``sub``, ``mul``, tables)."""
    adder = model.delay(timing.adder_depth(ADDER_BITS))
    table = model.delay(timing.table_depth(TABLE_BITS)) + adder

    def weight(delay: float) -> int:
        return max(1, round(delay / adder))

    weights = {"add": 1, "sub": 1, "mul": weight(model.delay(timing.product_depth(*PRODUCT_BITS)))}
    return {**weights, **dict.fromkeys(TABLE_OPS, weight(table))}
