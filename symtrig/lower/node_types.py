"""Per-node fixed-point types for a lowered program: every operation gets the bits it needs, no more.

One ``ap_fixed`` for a whole design (the hls4ml path) pays for its widest value and its most demanding table
everywhere; here each node of a :class:`~symtrig.lower.program.Program` has its own type.

* **Integer bits**: the node's calibrated range plus :data:`~symtrig.lower.ranges.HEADROOM_BITS`, so nothing
  wraps on the calibration jets. A node that is never negative (a square, an exp) is unsigned.
* **Tables** clamp (SAT) ``argument - shift`` to an input type covering the calibrated argument range plus
  :data:`TABLE_MARGIN` around a dyadic ``shift`` and hold ``f(v + shift)``: [-5.75, 58.25] costs a 64-wide
  table, not a 128-wide one (each input bit doubles a table). The output type holds ``f`` over that window;
  ``logabs(0)`` saturates to its minimum.
* **Constants** get few nonzero signed (CSD) digits on a grid fine enough for their term (da4ml spends one
  adder per digit and needs constants on a finite binary grid).
* **Fraction bits** and digits: the smallest uniform fraction width, then the fewest uniform digits, that keep
  the AUC rule of :mod:`symtrig.lower.tolerance` (at :data:`SEARCH_SHARE` of the tolerance); then greedy
  per-variable lowering, largest estimated saving first (table inputs, product operands, wide constant
  multiplications), each step kept while the rule holds.
  The search runs the bit-exact model (:mod:`symtrig.verify.program_model`) on the nodes a step changes and
  scores only the outputs that depend on them.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from symtrig.errors import SymtrigError
from symtrig.expr import evaluate
from symtrig.lower.program import FixedFormat, Node, NodeType, Program, tabulate
from symtrig.lower.ranges import HEADROOM_BITS
from symtrig.lower.tolerance import AucReference, calibration_slices, per_class_auc, signal_of
from symtrig.verify.program_model import ModelState

#: Table arguments get this fraction of their calibrated span as margin on each side (as the HLS path's tables).
TABLE_MARGIN = 0.05
#: Widest table input: 8192 entries, the HLS path's largest table.
MAX_TABLE_BITS = 13
#: Widest node: a product of two stays inside the int64 models (ours and da4ml's interpreter).
MAX_WIDTH = 28
#: Narrowest node (sign bit and one more).
MIN_WIDTH = 2
#: Fraction widths the uniform phase scans; constants start with :data:`FULL_DIGITS` digits.
UNIFORM_FRACTIONS = range(2, 21)
FULL_DIGITS = 24
#: A coefficient's grid is this many bits finer than the LSB its term can move in the node's output.
COEFF_GUARD_BITS = 2
#: The search aims at this share of the tolerance. Hundreds of accept/reject steps select candidates whose AUC
#: change happens to be small on the calibration jets: aiming at the whole tolerance, three sample designs
#: changed the test split's AUC by up to 1.15x the tolerance (a uniform width: 0.4x); aiming at half, by at most
#: 0.99x, for 30-45 % more da4ml cost (still 3-5x below the uniform width); docs/rtl-path.md (Lowering, step 3).
SEARCH_SHARE = 0.5


class Decision(NamedTuple):
    """One accepted greedy step: node ``node`` (``label``), its ``what`` lowered from ``before`` to ``after``."""

    node: int
    label: str
    what: str
    before: int
    after: int


@dataclass(frozen=True)
class NodeTypes:
    """The chosen types and what they were measured to do on the calibration jets (tolerance rule)."""

    nodes: tuple[NodeType, ...]
    met: bool  # the AUC rule holds (score <= max_auc_drop)
    score: float  # what is held against the tolerance (:func:`symtrig.lower.tolerance.tolerance_score`)
    changes: tuple[float, ...]  # per class: worst |AUC change| over all calibration rows and every slice
    auc_float: tuple[float, ...]  # per class, float64 expressions on all calibration rows
    auc_fixed: tuple[float, ...]  # per class, this design on all calibration rows
    clip_rate: tuple[float, ...]  # per output: calibration rows that depend on a saturated table (model)
    max_auc_drop: float
    uniform_fraction: int  # the uniform fraction width the greedy phase started from
    tried: tuple[tuple[str, float], ...]  # uniform candidates and their scores
    decisions: tuple[Decision, ...]  # greedy steps kept
    evaluations: int  # candidates the model evaluated
    seconds: float
    complete: bool  # False: the time budget ended the greedy phase early

    @property
    def fraction_range(self) -> tuple[int, int]:
        return min(t.fmt.fraction for t in self.nodes), max(t.fmt.fraction for t in self.nodes)


def csd_round(value: float, digits: int, fraction: int) -> float:
    """``value`` on the grid ``2**-fraction`` with at most ``digits`` nonzero signed binary digits (at most
    ``digits - 1`` adders in da4ml): greedily the power of two nearest the remainder, with its sign."""
    rest, result = round(value * 2.0**fraction), 0
    for _ in range(digits):
        if rest == 0:
            break
        low = 1 << (abs(rest).bit_length() - 1)
        power = low if abs(rest) - low < 2 * low - abs(rest) else 2 * low
        step = power if rest > 0 else -power
        result, rest = result + step, rest - step
    return math.ldexp(result, -fraction)


def csd_digits(value: float) -> int:
    """Nonzero digits of the canonical signed-digit form of a dyadic ``value``."""
    n = abs(int(value * 2.0 ** max(0, -math.frexp(value)[1] + 60)))
    return bin((n ^ (3 * n)) >> 1).count("1")


def integer_bits(max_abs: float) -> int:
    """Integer bits (sign excluded) with ``max_abs < 2**bits``, plus headroom; negative for small values: unlike
    :func:`symtrig.lower.ranges.signed_int_bits` (one type for a design, >= 1 bit) a node below 1/8 pays none."""
    return (math.frexp(max_abs)[1] if max_abs > 0 else 0) + HEADROOM_BITS


@dataclass(frozen=True)
class Plan:
    """What calibration fixes before any fraction bit is chosen: per node its sign and integer bits, per table
    its input integer bits, shift and the argument window its output type must hold."""

    signed: tuple[bool, ...]
    integer: tuple[int, ...]
    tables: dict[int, TableWindow]


def plan_types(program: Program) -> Plan:
    """Signs, integer bits and table geometry from the calibrated ranges of ``program``'s nodes."""
    nonneg: list[bool] = []  # provably never negative (then unsigned, if no calibrated value is negative)
    for node in program.nodes:
        ops = all(nonneg[o] for o in node.operands)
        square = node.kind == "mul" and len(set(node.operands)) == 1
        positive = node.offset >= 0 and min(node.coeffs, default=1) > 0
        arithmetic = node.kind in ("const", "add", "mul") and ops and positive
        nonneg.append(square or arithmetic or node.function in ("exp", "gauss"))
    signed = tuple(n.lo < 0 or not ok for n, ok in zip(program.nodes, nonneg, strict=True))
    integer = tuple(integer_bits(max(abs(n.lo), abs(n.hi))) for n in program.nodes)
    for node, bits in zip(program.nodes, integer, strict=True):
        _check_integer(bits, node.label)
    tables = {}
    for index, node in enumerate(program.nodes):
        if node.kind == "table":
            argument = program.nodes[node.operands[0]]
            tables[index] = _table_window(node.function, argument.lo, argument.hi, node.label)
    return Plan(signed, integer, tables)


#: Where a function is below the finest output LSB any node can have (2**-(MAX_WIDTH+1)): a table's window
#: ends there, since a clamped argument then returns the same entry (exp(-353) and exp(-21) are both 0).
_VISIBLE = {
    "exp": (-(MAX_WIDTH + 1) * math.log(2), math.inf),
    "gauss": (-math.sqrt((MAX_WIDTH + 1) * math.log(2)), math.sqrt((MAX_WIDTH + 1) * math.log(2))),
}


class TableWindow(NamedTuple):
    """Where a table's argument lives: input integer ``bits`` around ``shift`` (on a grid of
    ``2**-min_fraction``, the fewest input fraction bits), and the window ``lo, hi`` its output type holds."""

    bits: int
    shift: float
    lo: float
    hi: float
    min_fraction: int


def _table_window(function: str, lo: float, hi: float, label: str) -> TableWindow:
    """The narrowest signed input type that holds ``[lo, hi]`` around a dyadic shift, coarsest shift first.

    [-5.75, 58.25] fits 5 integer bits around 26.25 (a 64-wide table) where no shift needs 6 (128 wide). The
    output type holds the function over the calibrated range plus :data:`TABLE_MARGIN` (within the window).
    """
    low, high = _VISIBLE.get(function, (-math.inf, math.inf))
    lo, hi = min(max(lo, low), high), max(min(hi, high), low)
    margin = TABLE_MARGIN * (hi - lo)
    for bits in range(math.ceil(math.log2(max(hi - lo, 2.0**-8) / 2)), 64):
        for grid in range(bits - 3, bits - MAX_TABLE_BITS, -1):
            fits = -(2.0**bits) <= lo and hi <= 2.0**bits
            shift = 0.0 if fits else round((lo + hi) / 2 / 2.0**grid) * 2.0**grid
            if -(2.0**bits) <= lo - shift and hi - shift <= 2.0**bits:
                window = max(lo - margin, shift - 2.0**bits), min(hi + margin, shift + 2.0**bits)
                return TableWindow(bits, shift, *window, max(4 - bits, -grid))
    raise SymtrigError(f"{label}: the table argument range [{lo}, {hi}] has no fixed-point window")


def _check_integer(bits: int, label: str) -> None:
    if bits > MAX_WIDTH - MIN_WIDTH:
        raise SymtrigError(f"{label}: its values need {bits} integer bits; a node holds at most {MAX_WIDTH}")


def fraction_bounds(signed: bool, integer: int) -> tuple[int, int]:
    return MIN_WIDTH - int(signed) - integer, MAX_WIDTH - int(signed) - integer


def table_input_bounds(window: TableWindow) -> tuple[int, int]:
    """Fraction bits of a table input: at least 32 entries (and the shift on the grid), at most
    :data:`MAX_TABLE_BITS` bits."""
    return window.min_fraction, MAX_TABLE_BITS - 1 - window.bits


#: The search's variables: ``("fraction", node, -1)`` (every node), ``("table input", node, -1)`` (tables) and
#: ``("digits", node, term)`` (every coefficient of a linear combination) -> bits or digits.
Settings = dict[tuple[str, int, int], int]


def uniform_settings(program: Program, plan: Plan, fraction: int, digits: int = FULL_DIGITS) -> Settings:
    """Every node at ``fraction`` bits (within its bounds), every coefficient at ``digits`` digits."""
    settings: Settings = {}
    for index, node in enumerate(program.nodes):
        settings["fraction", index, -1] = fraction
        if node.kind == "table":
            settings["table input", index, -1] = int(
                np.clip(fraction, *table_input_bounds(plan.tables[index]))
            )
        for term in range(len(node.operands) if node.kind == "add" else 0):
            settings["digits", index, term] = digits
    return settings


def materialize(program: Program, plan: Plan, settings: Settings) -> tuple[NodeType, ...]:
    """The node types that ``settings`` describe (constants rounded, table output types from their range).

    A node that only tables read keeps no more fraction bits than the finest of their inputs: flooring it
    first changes nothing (the shift is on that grid), so the extra bits would be wires to nowhere.
    """
    types: list[NodeType] = []
    for index, node in enumerate(program.nodes):
        fraction = settings["fraction", index, -1]
        readers = [r for r in program.consumers[index] if program.nodes[r].kind == "table"]
        if readers and len(readers) == len(program.consumers[index]) and index not in program.outputs:
            fraction = min(fraction, max(settings["table input", r, -1] for r in readers))
        if node.kind == "table":
            types.append(_table_type(node, plan.tables[index], settings["table input", index, -1], fraction))
            continue
        fmt = _bounded(plan.signed[index], plan.integer[index], fraction)
        offset = round(node.offset * 2.0**fmt.fraction) * 2.0**-fmt.fraction
        if node.kind != "add":
            types.append(NodeType(fmt, offset=offset if node.kind == "const" else 0.0))
            continue
        digits = tuple(settings["digits", index, term] for term in range(len(node.operands)))
        grids = [fmt.fraction + types[o].fmt.integer + COEFF_GUARD_BITS for o in node.operands]
        coeffs = tuple(
            csd_round(c, d, _grid(c, g)) for c, d, g in zip(node.coeffs, digits, grids, strict=True)
        )
        types.append(NodeType(fmt, coeffs=coeffs, digits=digits, offset=offset))
    return tuple(types)


def _table_type(node: Node, window: TableWindow, tfrac: int, fraction: int) -> NodeType:
    """A table's input type and its output type, which holds the function over the window (an exactly
    representable edge such as cos(0) = 1 is allowed to saturate by one LSB rather than cost an integer bit)."""
    tin = FixedFormat(True, window.bits, tfrac)
    low, high = table_range(node.function, tin, window.shift, window.lo, window.hi)
    signed, peak = low < 0, max(-low, high)
    integer = math.ceil(math.log2(peak)) if peak > 0 else 0
    _check_integer(integer, node.label)
    return NodeType(_bounded(signed, integer, fraction), table_input=tin, shift=window.shift)


def _bounded(signed: bool, integer: int, fraction: int) -> FixedFormat:
    return FixedFormat(signed, integer, int(np.clip(fraction, *fraction_bounds(signed, integer))))


def _grid(value: float, fraction: int) -> int:
    """``fraction``, or fewer bits so the rounded value has at most 24 significant bits: da4ml's constant
    matrices are float32 (``cmvm`` casts them), and a wider constant would be changed silently."""
    return min(fraction, 24 - math.frexp(value)[1]) if value else fraction


@functools.lru_cache(maxsize=4096)
def table_range(function: str, tin: FixedFormat, shift: float, lo: float, hi: float) -> tuple[float, float]:
    """Smallest and largest finite ``function`` value over the input grid points inside ``[lo, hi]``."""
    step = 2.0**-tin.fraction
    grid = np.arange(math.ceil((lo - shift) / step), math.floor((hi - shift) / step) + 1) * step + shift
    values = tabulate(function, grid)
    values = values[np.isfinite(values)]
    return (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)


def choose_node_types(
    program: Program,
    X_calib: np.ndarray,
    labels: np.ndarray,
    *,
    max_auc_drop: float = 0.001,
    slice_size: int | None = None,
    time_budget: float = 30.0,
) -> NodeTypes:
    """Per-node types for ``program`` that keep every class's AUC within ``max_auc_drop`` of float.

    ``X_calib``: the calibration rows (standardized; the program's ranges came from them). ``labels``: per row,
    the index of the output of its class (``-1``: background), as the emit stage's ``calibration_jets`` gives.
    ``slice_size``: the size of the set the design will be judged on (the rule of
    :mod:`symtrig.lower.tolerance`). ``time_budget`` (seconds) bounds the search after the uniform scan (at most
    one evaluation per width): past it, the best design so far is returned with ``complete=False``. When no width
    meets the tolerance, the closest one is returned with ``met=False``, lowered only where no output gets
    worse. See the module docstring for the search.
    """
    started = time.perf_counter()
    labels = np.asarray(labels)
    if len(labels) != len(X_calib):
        raise SymtrigError(f"{len(labels)} labels for {len(X_calib)} calibration rows")
    search = _Search(program, X_calib, labels, slice_size, max_auc_drop)
    deadline, target = started + time_budget, max_auc_drop * SEARCH_SHARE
    tried: list[tuple[str, float]] = []
    for fraction in UNIFORM_FRACTIONS:
        tried.append((f"fraction {fraction}", search.reset(uniform_settings(program, search.plan, fraction))))
        if tried[-1][1] <= target:
            break
    uniform = int(min(tried, key=lambda t: t[1])[0].split()[1])
    if search.reset(uniform_settings(program, search.plan, uniform)) <= target:
        for digits in range(1, FULL_DIGITS):
            if time.perf_counter() > deadline:
                break
            tried.append(
                (f"digits {digits}", search.reset(uniform_settings(program, search.plan, uniform, digits)))
            )
            if tried[-1][1] <= target:
                break
        if search.scores.max() > target:  # stopped early: back to the constants that met it
            search.reset(uniform_settings(program, search.plan, uniform))
    complete = search.greedy(deadline, target) and time.perf_counter() <= deadline
    return search.result(uniform, tuple(tried), complete, time.perf_counter() - started)


class _Search:
    """The model on the calibration rows, scored by the tolerance rule output by output."""

    def __init__(
        self, program: Program, X: np.ndarray, labels: np.ndarray, slice_size: int | None, max_auc_drop: float
    ) -> None:
        self.model = ModelState
        self.program, self.plan, self.max_auc_drop = program, plan_types(program), max_auc_drop
        self.X, self.labels = np.asarray(X, dtype=np.float64), labels
        self.y_float = np.nan_to_num(np.stack([evaluate(e, self.X) for e in program.exprs], axis=1))
        self.reference = AucReference.of(self.y_float, labels, calibration_slices(len(labels), slice_size))
        self.evaluations, self.decisions = 0, list[Decision]()
        self.settings: Settings = {}
        self.state: ModelState  # set by reset(), the first call of every search
        self.scores = self.per_class = np.zeros(len(program.outputs))

    def _score(self, state, outputs) -> tuple[np.ndarray, np.ndarray] | None:
        """Scores and per-class changes with ``outputs`` re-measured; None when a calibration row wraps."""
        run = state.run()
        if run.wrap_rate.any():
            return None
        scores, per_class = self.scores.copy(), self.per_class.copy()
        for k in outputs:
            scores[k], changes = self.reference.score(run.y, [k])
            per_class[k] = changes[0]
        return scores, per_class

    def reset(self, settings: Settings) -> float:
        """Evaluate ``settings`` from scratch and make them current; returns the score."""
        self.settings = settings
        self.state = self.model(self.program, materialize(self.program, self.plan, settings), self.X)
        self.evaluations += 1
        measured = self._score(self.state, range(len(self.program.outputs)))
        self.scores, self.per_class = measured or (np.full(len(self.scores), np.inf), self.per_class)
        return float(self.scores.max())

    def greedy(self, deadline: float, target: float) -> bool:
        """Lower each variable as far as the rule allows, largest estimated saving first; False on timeout.

        Each output must keep its score within ``target``, or, when it already misses it (no uniform width
        met it), no worse than it is: the design gets cheaper, never less accurate.
        """
        limits = np.maximum(self.scores, target)
        for _, key in sorted(self._moves(), reverse=True):
            value, bound = self._range(key)
            before = value
            step = max(1, (value - bound) // 2)
            while value > bound:
                if time.perf_counter() > deadline:
                    return False
                candidate = {**self.settings, key: max(bound, value - step)}
                state, outputs = self.state.update(materialize(self.program, self.plan, candidate))
                self.evaluations += 1
                measured = self._score(state, outputs)
                if measured is not None and (measured[0] <= limits).all():
                    self.state, self.settings, (self.scores, self.per_class) = state, candidate, measured
                    value = candidate[key]
                elif step == 1:
                    break
                else:
                    step //= 2
            if value != before:
                what = key[0] if key[2] < 0 else f"{key[0]} {key[2]}"
                self.decisions.append(Decision(key[1], self.program.nodes[key[1]].label, what, before, value))
        return True

    def _moves(self) -> list[tuple[float, tuple[str, int, int]]]:
        """(estimated saving of one bit or digit, variable) for every variable that saves anything.

        The estimates follow da4ml's cost model (its ``get_cost_and_latency``): a table costs ``2**(inputs-5) * outputs/2``;
        an adder costs its width, so a bit off an operand saves one per adder it enters (one per CSD digit of
        its coefficient) and a bit off a product operand saves the other operand's width.
        """
        types, moves = self.state.types, []
        for index, node in enumerate(self.program.nodes):
            if node.kind == "table" and (table_input := types[index].table_input) is not None:
                entries = 2.0 ** (table_input.width - 6)
                moves.append((entries * types[index].fmt.width / 2, ("table input", index, -1)))
            saving = 1.0 if index in self.program.outputs else 0.0
            for reader in self.program.consumers[index]:
                other, reader_type = self.program.nodes[reader], types[reader]
                if other.kind == "add":
                    saving += max(1, csd_digits(reader_type.coeffs[other.operands.index(index)]))
                elif other.kind == "mul":
                    saving += types[sum(other.operands) - index].fmt.width
            if saving:
                moves.append((saving, ("fraction", index, -1)))
            for term, operand in enumerate(node.operands if node.kind == "add" else ()):
                moves.append((types[operand].fmt.width, ("digits", index, term)))
        return moves

    def _range(self, key: tuple[str, int, int]) -> tuple[int, int]:
        """A variable's effective value (a node's fraction within its bounds, a coefficient's actual digits)
        and the lowest it may go."""
        node_type = self.state.types[key[1]]
        if key[0] == "table input":
            return self.settings[key], table_input_bounds(self.plan.tables[key[1]])[0]
        if key[0] == "digits":
            return min(self.settings[key], csd_digits(node_type.coeffs[key[2]])), 1
        return node_type.fmt.fraction, fraction_bounds(node_type.fmt.signed, node_type.fmt.integer)[0]

    def result(self, uniform: int, tried: tuple, complete: bool, seconds: float) -> NodeTypes:
        run = self.state.run()
        own = [np.where(signal_of(self.labels, k), 0, -1) for k in range(len(self.program.outputs))]
        return NodeTypes(
            nodes=self.state.types,
            met=bool(self.scores.max() <= self.max_auc_drop),
            score=float(self.scores.max()),
            changes=tuple(float(c) for c in self.per_class),
            auc_float=tuple(float(per_class_auc(self.y_float[:, [k]], o)[0]) for k, o in enumerate(own)),
            auc_fixed=tuple(float(per_class_auc(run.y[:, [k]], o)[0]) for k, o in enumerate(own)),
            clip_rate=tuple(float(r) for r in run.clip_rate),
            max_auc_drop=self.max_auc_drop,
            uniform_fraction=uniform,
            tried=tried,
            decisions=tuple(self.decisions),
            evaluations=self.evaluations,
            seconds=seconds,
            complete=complete,
        )
