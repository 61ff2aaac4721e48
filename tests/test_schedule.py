"""The ns scheduler: registers where the delay needs them, the fewest stages, balanced, written by da4ml as
scheduled. Operation delays come from a hand-made characterization (every adder one LUT level and one carry
segment), so each expectation below is arithmetic a reader can redo."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from conftest import adder_chain

from symtrig.cost.delays import ULTRASCALE_PLUS_MODEL as MODEL
from symtrig.cost.op_timing import from_json, op_timing
from symtrig.cost.schedule import op_delays, schedule
from symtrig.errors import SymtrigError

pytest.importorskip("da4ml")

FLAT = {"lut": 1, "muxf": 0, "carry": 1, "carry_chains": 1, "dsp": 0}
TIMING = from_json(
    {
        "family": "test",
        "yosys": "0",
        "adder": [{"bits": 64, **FLAT}],
        "table": [{"bits": 6, "lut": 1, "muxf": 0, "carry": 0, "carry_chains": 0, "dsp": 0}],
        "product": [{"wide": 27, "narrow": 18, "lut": 0, "muxf": 0, "carry": 0, "carry_chains": 0, "dsp": 1}],
    }
)
ADDER_NS = MODEL.lut_ns + MODEL.carry_entry_ns  # one LUT level into one carry segment


def budget_for(adders: int) -> float:
    """A stage budget that holds exactly ``adders`` adders after the register."""
    return MODEL.register_ns + adders * ADDER_NS + 0.01


def test_every_adder_costs_what_the_characterization_says():
    logic = adder_chain(4)
    costly = [d for d in op_delays(logic, TIMING, MODEL) if d > 0]
    assert costly == pytest.approx([ADDER_NS] * 4)


@pytest.mark.parametrize(("length", "per_stage", "stages"), [(7, 3, 3), (6, 3, 2), (4, 9, 1), (5, 1, 5)])
def test_stages_are_the_fewest_the_budget_allows(length, per_stage, stages):
    planned = schedule(adder_chain(length), budget_for(per_stage), TIMING, MODEL)
    assert planned.stages == stages == math.ceil(length / per_stage)
    assert planned.fits
    assert planned.critical_path_ns == pytest.approx(MODEL.register_ns + length * ADDER_NS, abs=1e-3)


def test_stages_are_balanced_not_front_loaded():
    """Five adders at four per stage: two stages of 3 + 2, not 4 + 1."""
    planned = schedule(adder_chain(5), budget_for(4), TIMING, MODEL)
    assert planned.stages == 2
    assert max(planned.stage_delays_ns) == pytest.approx(MODEL.register_ns + 3 * ADDER_NS, abs=1e-3)
    assert min(planned.stage_delays_ns) == pytest.approx(MODEL.register_ns + 2 * ADDER_NS, abs=1e-3)


def test_da4ml_writes_the_stages_scheduled_and_computes_the_same_values():
    logic = adder_chain(7)
    planned = schedule(logic, budget_for(3), TIMING, MODEL)
    assert len(planned.pipeline.solutions) == planned.stages == 3
    X = np.random.default_rng(0).integers(-32, 32, size=(200, 8)).astype(np.float64)
    staged = X
    for stage in planned.pipeline.solutions:  # each stage's interpreter on the previous stage's registers
        staged = np.asarray(stage.predict(staged), dtype=np.float64).reshape(len(X), -1)
    assert np.array_equal(staged, np.asarray(logic.predict(X), dtype=np.float64).reshape(len(X), -1))


def test_more_time_per_stage_never_means_more_stages():
    logic = adder_chain(9)
    counts = [schedule(logic, b, TIMING, MODEL).stages for b in np.linspace(0.75, 8.0, 30)]
    assert all(a >= b for a, b in itertools.pairwise(counts))
    assert counts[0] == 9 and counts[-1] == 1


def test_an_operation_longer_than_the_budget_gets_its_own_stage_and_is_reported():
    planned = schedule(adder_chain(3), MODEL.register_ns + ADDER_NS / 2, TIMING, MODEL)
    assert planned.stages == 3 and not planned.fits
    with pytest.raises(SymtrigError, match="no time after the register"):
        schedule(adder_chain(3), MODEL.register_ns, TIMING, MODEL)


def test_the_committed_characterization_prices_wider_adders_and_tables_no_lower():
    timing = op_timing("xcup")
    adders = [MODEL.delay(timing.adder_depth(w)) for w in range(2, 64)]
    tables = [MODEL.delay(timing.table_depth(b)) for b in range(2, 17)]
    assert all(a <= b for a, b in itertools.pairwise(adders))
    assert all(a <= b for a, b in itertools.pairwise(tables))
    with pytest.raises(SymtrigError, match="no operation timing"):
        op_timing("ice40")
