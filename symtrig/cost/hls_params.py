"""The numbers of the analytical HLS cost model and the report type it shares with real synthesis reports.

Why a module of its own: every number of :mod:`symtrig.cost.hls_estimate` lives here with its source, so calibrating
(``benchmarks/bench_cost_model.py``) and reviewing the model touch data, not code; and
:mod:`symtrig.cost.hls_reports` can return a :class:`CostReport` without importing the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from symtrig.store.costs import CostReport

__all__ = ["DEFAULT_PARAMS", "CostParams", "CostReport"]


@dataclass(frozen=True)
class CostParams:
    """Every number of the model, with where it comes from.

    Sources: [R16] / [R14] = public Vivado HLS 2020.1 csynth reports of the authors' five jet expressions with
    user sin/cos LUTs, xcvu9p-flga2577-2-e, 5 ns (github.com/hftsoi/symbolic_regression,
    ``log_24feb23/hls-feb24-sincos-userlut-{16,14},6/myproject_prj/solution1/syn/report/myproject_csynth.rpt``);
    [CFG] = hftsoi/hls4sr-configs ``configs/xcvu9p-flga2577-2-e/*/config.json`` (per-operator cycles measured
    by ``hls4ml.utils.symbolic_utils.generate_operator_complexity``); [SCHED] = public ``verbose.sched.rpt``
    operator delays; [FIT] = fitted on [R16]+[R14] (benchmarks/bench_cost_model.py: d_mul as the midpoint of
    the latency-exact interval, ff_scale by least squares; leave-one-out FF error 1 %); [ASSUMED] = a guess
    that the calibration did not constrain.
    """

    # --- timing (ns) ---
    d_add: float = 1.3  # W-bit add/sub incl. routing; [SCHED] AddSub 1.24-1.39 ns
    # 1-DSP multiply. [SCHED] says 3.34 ns (V7 Mul core); [FIT]: latency is exact on [R16]+[R14] for 2.0..3.05 ns
    d_mul: float = 2.525
    d_mul_per_extra_dsp: float = 0.4  # cascaded partial products of wide multiplies [ASSUMED]
    d_lut_mul: float = 1.5  # small product built from LUTs (both operands <= lut_mul_max_bits) [ASSUMED]
    d_mac_add: float = 0.3  # post-adder fused into the DSP48E2 (mac_muladd in [R16]) [ASSUMED]
    d_lut_index: float = 1.3  # (x - start) * base_div and clamp before the ROM address register [ASSUMED]
    # --- multipliers ---
    lut_mul_max_bits: int = 10  # [R16]/[R14]: 9x9, 10x10 products are in LUTs, 14x9 uses a DSP
    lut_mul_coef: float = 0.6  # LUT ~ 0.6*a*b + 2 ([R14]: 7x7 -> 33, 9x9 -> 49, 10x10 -> 62)
    lut_per_wide_dsp: int = 10  # LUT to sum partial products per DSP of a multi-DSP multiply ([R16]: 20..43)
    # an operand wider than this makes a 2-cycle multiplier instance ([R16] mul_18s_69s_85_2_1)
    reg_mul_operand_bits: int = 64
    reg_mul_cycles: int = 2
    reg_mul_lut: int = 178  # [R16] myproject_mul_18s_69s_85_2_1: 4 DSP, 361 FF, 178 LUT
    reg_mul_ff: int = 361
    # --- adders ---
    lut_add_extra: int = 7  # [R16]: 16-bit add 23 LUT, 36-bit 43, 76-bit 76..80 -> ~ W + 7
    mac_max_bits: int = 48  # DSP48E2 accumulator width
    # --- user LUT (nnet::lookup_table::operator()) ---
    lut_call_cycles: int = 1  # [R16]/[R14] operator_1/operator_s instances: latency 1
    lut_call_bram: int = 1  # one BRAM18 per call (<= 1024 x 18 b) when operator() is not inlined [R16]
    lut_call_lut_base: int = 101  # [R16] 117 LUT at W=16, [R14] 115 at W=14 -> 101 + W
    lut_call_ff: int = 2
    # --- hls4ml built-in nnet::sin_lut/cos_lut (per call) ---
    builtin_cycles: int = 3  # sin_lut_ap_fixed_16_6_5_3_0_s_csynth.rpt (same repo)
    builtin_dsp: int = 1
    builtin_bram: int = 2
    builtin_lut: int = 1400
    builtin_ff: int = 724
    # --- hls_math cores: cycles at <16,6> [CFG]; resources are rough placeholders (not measured) ---
    math_cycles: dict[str, int] = field(
        default_factory=lambda: {
            "exp": 3,
            "log": 4,
            "sqrt": 6,
            "sin": 8,
            "cos": 8,
            "cosh": 8,
            "sinh": 9,
            "pow": 14,
            "tan": 48,
            "tanh": 51,
            "fabs": 0,
            "abs": 0,
        }
    )
    # Per-call (LUT, DSP, FF) of hls::sin/cos (CORDIC generic_sincos) at <16,6>: the public "nonlut" build of the
    # same five expressions (85,922 LUT, 118 DSP, 14,896 FF, 19 sin/cos calls) minus the published userlut build's
    # arithmetic (4699 - 19*117 LUT, 72 DSP, 3411 FF), divided by 19. Scaled linearly with W.
    math_resources_16: dict[str, tuple[int, int, int]] = field(
        default_factory=lambda: {"sin": (4392, 2, 604), "cos": (4392, 2, 604)}
    )
    # other hls_math cores: rough placeholders (LUT per bit, DSP, FF per bit), NOT calibrated
    math_lut_per_bit: int = 60
    math_dsp: int = 2
    # --- divider (ap_fixed operator/ and hls::recip) ---
    # [CFG] '/' takes 29 (16,6), 17 (10,6), 31 (18,8) cycles == quotient width + 2 in all three
    div_extra_cycles: int = 2
    # --- flip-flops and fixed overheads ---
    ff_scale: float = 0.701  # FF per pipeline-register bit; <1 as HLS shares and SRL-maps delay regs [FIT]
    ff_control_per_stage: int = 2  # ap_enable_reg_pp0_iter* and start regs per stage [R16]
    lut_io_mux: int = 36  # [R16]/[R14] "Multiplexer" section (ap_vld input mux)
    io_cycles: int = 0  # extra cycles for I/O registers (none for io_parallel ap_vld) [R16]

    def with_updates(self, **changes: Any) -> CostParams:
        """A copy with some parameters changed (used by the calibration fit)."""
        return replace(self, **changes)


DEFAULT_PARAMS = CostParams()
