"""Analytical latency/resource estimate of a written hls4ml symbolic-expression project.

Why: nobody on this project has Vivado/Vitis HLS, yet users choose between expressions by their FPGA cost.
This model reads the C++ that hls4ml's printer wrote (``firmware/<project>.cpp``: the ``y[i] = ...;`` lines,
``parameters.h``: the ``nnet::lookup_table`` objects, ``defines.h``: the ap_fixed types, ``project.tcl``: clock)
and mimics what Vivado HLS 2020.1 does with it in a ``#pragma HLS PIPELINE`` function:

1. exact ap_fixed type propagation (``*`` adds W and F; ``+``/``-`` take max(I)+1, max(F); casts set the type),
   constants trimmed to their significant bits, then a backward "demanded integer bits" pass: every value
   finally meets a WRAP cast to ``result_t``, so only its low ``F + I_demanded`` bits are ever built;
2. hash-consing of identical subexpressions (HLS/LLVM CSE; commutative operands sorted);
3. ASAP scheduling with operator chaining inside the clock budget ``T * (1 - uncertainty)``; LUT ROM reads,
   hls_math cores, dividers and >64-bit-operand multipliers are registered (whole cycles);
4. resources summed over nodes: DSP48E2 tiling by operand widths, LUT per add/sub ~ W, one BRAM18 per
   lookup call, FF = ``ff_scale`` x (bits crossing each pipeline register) + fixed I/O registers.

It is an estimate: quote it as about +-30 % for resources and +-1 cycle for latency (see
``benchmarks/bench_cost_model.py`` for the calibration against public csynth reports). Nothing here evaluates
text: the C++ is read by :mod:`symtrig.backends.hls4ml.cpp` (shared with the bit-exact emulator); the typed, hash-consed
graph of steps 1-2 is built by :mod:`symtrig.cost.hls_graph`; every number of the model, with its source, is in
:mod:`symtrig.cost.hls_params`; this module does the demanded-bits pass, the scheduling and the resource sums.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from symtrig.cost.hls_graph import Design, Graph, Node, load_design
from symtrig.cost.hls_params import DEFAULT_PARAMS, CostParams, CostReport
from symtrig.errors import SymtrigError
from symtrig.lower.fixed import FixedFormat

__all__ = [
    "DEFAULT_PARAMS",
    "CostParams",
    "CostReport",
    "estimate_project",
    "estimate_source",
    "parse_precision",
]


def parse_precision(text: str) -> FixedFormat:
    """``'ap_fixed<16,6>'`` -> ``FixedFormat.ap_fixed(16, 6)`` (width 16, ap_integer 6, fraction 10); SymtrigError on anything else.

    Lenient on purpose (``ap_ufixed``, rounding/saturation arguments, I outside [1, W]): the estimate only needs
    the widths.
    """
    return FixedFormat.parse_lenient(text)


# ----------------------------------------------------------------------------------------------------------
# the model


def _demanded_int_bits(g: Graph, outputs: list[int]) -> list[float]:
    """Integer bits of each node that any consumer can observe (WRAP casts discard the rest)."""
    dem = [-math.inf] * len(g.nodes)
    for nid in outputs:
        dem[nid] = max(dem[nid], g.result.ap_integer)
    for nid in range(len(g.nodes) - 1, -1, -1):
        node = g.nodes[nid]
        for pos, arg in enumerate(node.args):
            if node.op in ("add", "sub", "neg"):
                need = dem[nid]
            elif node.op == "mul":
                need = dem[nid] + g.nodes[node.args[1 - pos]].type.fraction
            elif node.op == "div":
                need = math.inf
            else:  # cast, lut, builtin, math: a WRAP conversion to the node's own type
                need = node.type.ap_integer
            dem[arg] = max(dem[arg], need)
    return dem


def _eff_width(node: Node, dem: float) -> int:
    if node.op == "const" or not math.isfinite(dem):  # constants; dead nodes (-inf); divider operands (+inf)
        return node.type.width
    return max(1, int(node.type.fraction + min(node.type.ap_integer, dem)))


def _dsp_count(a: int, b: int) -> int:
    """DSP48E2 (27x18 signed) tiles of an a x b multiply, matched to the widths HLS reported in [R16]/[R14]."""
    n, w = sorted((a, b))
    if n <= 18:
        return 1 + max(0, math.ceil((w - 27) / 17))
    if n <= 27:
        return 1 + max(0, math.ceil((w - 18) / 17))
    return math.ceil(n / 26) * (1 + max(0, math.ceil((w - 27) / 17)))


@dataclass
class _Op:
    """Per-node implementation decision: combinational delay or registered cycles, and resources."""

    delay: float = 0.0
    cycles: int = 0
    pre_delay: float = 0.0
    dsp: int = 0
    lut: int = 0
    ff: int = 0
    bram: int = 0


#: BRAM18 aspect ratios (depth, width) of UltraScale(+) block RAM (UG573).
_BRAM18_SHAPES = ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1))


def rom_bram18(entries: int, bits: int) -> int:
    """BRAM18 blocks of an ``entries`` x ``bits`` ROM: the cheapest tiling over the block aspect ratios.

    1024 x 18 b is one block (the calibrated case, [R16]); 2048 x 11 b takes two 2048 x 9 blocks.
    """
    return min(math.ceil(entries / depth) * math.ceil(bits / width) for depth, width in _BRAM18_SHAPES)


def _is_pow2_const(node: Node) -> bool:
    return node.op == "const" and node.attr[0] != 0 and (abs(node.attr[0]) & (abs(node.attr[0]) - 1)) == 0


def _mul_op(g: Graph, node: Node, widths: list[int], p: CostParams) -> _Op:
    a, b = node.args
    if _is_pow2_const(g.nodes[a]) or _is_pow2_const(g.nodes[b]):
        return _Op()  # a shift: wiring only
    wa, wb = widths[a], widths[b]
    if max(wa, wb) <= p.lut_mul_max_bits:
        return _Op(delay=p.d_lut_mul, lut=round(p.lut_mul_coef * wa * wb + 2))
    dsp = _dsp_count(wa, wb)
    if max(wa, wb) > p.reg_mul_operand_bits:
        return _Op(cycles=p.reg_mul_cycles, dsp=dsp, lut=p.reg_mul_lut, ff=p.reg_mul_ff)
    extra = dsp - 1
    return _Op(
        delay=p.d_mul + p.d_mul_per_extra_dsp * extra, dsp=dsp, lut=p.lut_per_wide_dsp * dsp if extra else 0
    )


def _math_op(func: str, width: int, cycles: int, p: CostParams) -> _Op:
    """An hls_math core: measured per-call figures where the calibration data has them, else placeholders."""
    if func in p.math_resources_16:
        lut, dsp, ff = p.math_resources_16[func]
        scale = width / 16.0
        return _Op(
            cycles=cycles, dsp=max(1, round(dsp * scale)), lut=round(lut * scale), ff=round(ff * scale)
        )
    return _Op(cycles=cycles, dsp=p.math_dsp, lut=p.math_lut_per_bit * width, ff=p.math_lut_per_bit * width)


def _plan(g: Graph, widths: list[int], uses: list[int], p: CostParams) -> list[_Op]:
    """Decide how each node is built; post-adders of single-DSP multiplies are fused into the DSP."""
    ops: list[_Op] = []
    fused: set[int] = set()
    for nid, node in enumerate(g.nodes):
        if node.op in ("input", "const", "cast"):
            ops.append(_Op())
        elif node.op == "mul":
            ops.append(_mul_op(g, node, widths, p))
        elif node.op in ("add", "sub", "neg"):
            mac = [
                a
                for a in node.args
                if g.nodes[a].op == "mul"
                and a not in fused
                and uses[a] == 1
                and ops[a].dsp == 1
                and ops[a].cycles == 0
                and widths[nid] <= p.mac_max_bits
            ]
            if mac and node.op != "neg":
                fused.add(mac[0])
                ops.append(_Op(delay=p.d_mac_add))
            else:
                ops.append(_Op(delay=p.d_add, lut=widths[nid] + p.lut_add_extra))
        elif node.op == "lut":
            w = g.result.width
            ops.append(
                _Op(
                    cycles=p.lut_call_cycles,
                    pre_delay=p.d_lut_index,
                    lut=p.lut_call_lut_base + w,
                    ff=p.lut_call_ff,
                    bram=p.lut_call_bram * rom_bram18(node.attr[1], node.type.width),
                )
            )
        elif node.op == "builtin":
            ops.append(
                _Op(
                    cycles=p.builtin_cycles,
                    pre_delay=p.d_lut_index,
                    dsp=p.builtin_dsp,
                    lut=p.builtin_lut,
                    ff=p.builtin_ff,
                    bram=p.builtin_bram,
                )
            )
        elif node.op == "math":
            cycles = p.math_cycles.get(node.attr[0], max(p.math_cycles.values()))
            if cycles == 0:
                ops.append(_Op(delay=p.d_add, lut=node.type.width + p.lut_add_extra))
            else:
                ops.append(_math_op(node.attr[0], node.type.width, cycles, p))
        elif node.op == "div":
            q = node.type.width
            den = widths[node.args[1]]
            ops.append(_Op(cycles=q + p.div_extra_cycles, lut=q * (den + 2), ff=q * (den + 2)))
        else:  # pragma: no cover - the parser creates no other ops
            raise AssertionError(node.op)
    return ops


def _schedule(g: Graph, ops: list[_Op], budget: float) -> list[tuple[int, float] | None]:
    """ASAP with chaining: (cycle, ns into the cycle) when each value is ready; None for constants."""
    ready: list[tuple[int, float] | None] = []
    for nid, node in enumerate(g.nodes):
        if node.op == "const":
            ready.append(None)
            continue
        if node.op == "input":
            ready.append((0, 0.0))
            continue
        starts = [r for r in (ready[a] for a in node.args) if r is not None]
        cyc, off = max(starts) if starts else (0, 0.0)
        op = ops[nid]
        if op.cycles:
            if off + op.pre_delay > budget:
                cyc += 1
            ready.append((cyc + op.cycles, 0.0))
        elif off + op.delay > budget:
            ready.append((cyc + 1, op.delay))
        else:
            ready.append((cyc, off + op.delay))
    return ready


def _issue_cycle(node: Node, op: _Op, ready_self: tuple[int, float]) -> int:
    """The cycle in which a node consumes its operands (registered ops read them ``cycles`` before ready)."""
    return ready_self[0] - op.cycles if op.cycles else ready_self[0]


def _estimate_graph(
    g: Graph, outputs: list[int], n_inputs: int, period: float, uncertainty: float, p: CostParams
) -> CostReport:
    dem = _demanded_int_bits(g, outputs)
    widths = [_eff_width(node, d) for node, d in zip(g.nodes, dem, strict=True)]
    live = _live_nodes(g, outputs)
    uses = [0] * len(g.nodes)
    for nid in live:
        for a in g.nodes[nid].args:
            uses[a] += 1
    ops = _plan(g, widths, uses, p)
    for nid in range(len(g.nodes)):
        if nid not in live:
            ops[nid] = _Op()
    budget = period * (1.0 - uncertainty)
    ready = _schedule(g, ops, budget)
    out_cycles = [at[0] if (at := ready[o]) is not None else 0 for o in outputs]
    latency = max(out_cycles, default=0) + p.io_cycles
    # pipeline registers: each value is held from the cycle it is ready until its last consumer issues
    last_use = [-1] * len(g.nodes)
    for nid in live:
        node = g.nodes[nid]
        at = ready[nid]
        if at is None:
            continue
        issue = _issue_cycle(node, ops[nid], at)
        for a in node.args:
            last_use[a] = max(last_use[a], issue)
    for o in outputs:
        last_use[o] = max(last_use[o], latency)
    reg_bits = 0
    for nid in live:
        at = ready[nid]
        if at is not None and last_use[nid] > at[0]:
            bits = g.result.width if nid in outputs else widths[nid]
            reg_bits += bits * (last_use[nid] - at[0])
    ff = p.ff_scale * reg_bits + n_inputs * g.input.width + p.ff_control_per_stage * (latency + 1)
    ff += sum(ops[n].ff for n in live)
    lut = sum(ops[n].lut for n in live) + p.lut_io_mux
    return CostReport(
        latency_cycles=int(latency),
        latency_ns=float(latency * period),
        interval=1,
        dsp=int(sum(ops[n].dsp for n in live)),
        lut=round(lut),
        ff=round(ff),
        bram=int(sum(ops[n].bram for n in live)),
        source="estimate",
    )


def _live_nodes(g: Graph, outputs: list[int]) -> set[int]:
    live: set[int] = set()
    stack = list(outputs)
    while stack:
        nid = stack.pop()
        if nid not in live:
            live.add(nid)
            stack.extend(g.nodes[nid].args)
    return live


def estimate_source(
    expr_lines: list[str],
    *,
    lut_names: Sequence[str] = (),
    precision: str = "ap_fixed<16,6>",
    clock_period: float = 5.0,
    uncertainty: float = 0.125,
    n_inputs: int = 16,
    params: CostParams = DEFAULT_PARAMS,
) -> CostReport:
    """Estimate from the right-hand sides of hls4ml's ``y[i] = ...;`` lines (C++ text, in output order)."""
    typ = parse_precision(precision)
    design = Design(
        tuple(expr_lines),
        {n: typ for n in lut_names},
        typ,
        typ,
        n_inputs,
        float(clock_period),
        float(uncertainty),
    )
    g, outputs = design.graph()
    return _estimate_graph(g, outputs, design.n_inputs, design.clock_period, design.uncertainty, params)


def estimate_project(
    project_dir: str | Path,
    *,
    precision: str | None = None,
    clock_period: float | None = None,
    uncertainty: float | None = None,
    params: CostParams = DEFAULT_PARAMS,
    project_name: str | None = None,
) -> CostReport:
    """Estimate a written hls4ml SymbolicExpression project folder (after ``ModelGraph.write()``).

    ``project_name`` names ``firmware/<project_name>.cpp`` (None: the name its ``project.tcl`` gives).

    ``precision``, ``clock_period`` and ``uncertainty`` (a fraction of the period) override what the project's
    ``defines.h`` / ``project.tcl`` say (``hls::f<W,I>`` calls keep the widths printed in the C++); the part only matters through the DSP48E2/BRAM18 assumptions, which
    hold for UltraScale(+) parts.
    """
    root = Path(project_dir)
    if not root.is_dir():
        raise SymtrigError(f"{root} is not a folder; pass the hls4ml project folder")
    design = load_design(root, precision, clock_period, uncertainty, project_name)
    if design.clock_period <= 0 or not 0 <= design.uncertainty < 1:
        raise SymtrigError("clock period must be > 0 and uncertainty in [0, 1)")
    g, outputs = design.graph()
    return _estimate_graph(g, outputs, design.n_inputs, design.clock_period, design.uncertainty, params)
