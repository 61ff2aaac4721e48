"""Post-route timing on Lattice parts (symtrig.cost.nextpnr) and the routed-SDF longest-path pass (cost.sdf).

The hand-written SDF pins the path rules with a known answer; one small da4ml design is placed and routed on
each family, and the SDF pass must reproduce nextpnr's own Fmax on its worst stage.
"""

from __future__ import annotations

import pytest
from conftest import small_logic

from symtrig.cost.nextpnr import SOURCE, available, place_and_route
from symtrig.cost.sdf import endpoint_delays, group_delays, parse_sdf
from symtrig.errors import SymtrigError

# Two registers launch (clock-to-Q 300 / 250 ps), one LUT, a cell whose name holds '/' and '$', and a
# top-level input with a longer path that must not count (not register to register). The clock net's
# 1700 ps must not count either. Worst at b: 300 + 500 + 200 + 100 + 50 (setup) = 1150 ps.
HAND_SDF = r"""(DELAYFILE (SDFVERSION "3.0") (DESIGN "top") (DIVIDER /) (TIMESCALE 1ps)
  (CELL (CELLTYPE "top") (INSTANCE )
    (DELAY (ABSOLUTE
      (INTERCONNECT dcc/CLKO a/CLK (1600:1700:1800) (1600:1700:1800))
      (INTERCONNECT dcc/CLKO b/CLK (1600:1700:1800) (1600:1700:1800))
      (INTERCONNECT a/Q m\$x/l1/A (400:450:500) (400:420:480))
      (INTERCONNECT c/Q m\$x/l1/B (100:100:100) (100:100:100))
      (INTERCONNECT m\$x/l1/F b/DI (100:100:100) (100:100:100))
      (INTERCONNECT pad/O m\$x/l1/C (5000:5000:5000) (5000:5000:5000))
      (INTERCONNECT a/Q c/DI (10:10:10) (10:10:10)))))
  (CELL (CELLTYPE "LUT") (INSTANCE m\$x/l1)
    (DELAY (ABSOLUTE (IOPATH A F (150:180:200) (150:170:190)) (IOPATH B F (100:100:100) (100:100:100))
      (IOPATH C F (1:1:1) (1:1:1)))))
  (CELL (CELLTYPE "FF") (INSTANCE a)
    (DELAY (ABSOLUTE (IOPATH CLK Q (271:289:300) (271:289:300))))
    (TIMINGCHECK (SETUPHOLD (posedge DI) (posedge CLK) (0:0:0) (161:163:166))))
  (CELL (CELLTYPE "FF") (INSTANCE b)
    (DELAY (ABSOLUTE (IOPATH (posedge CLK) Q (271:289:300) (271:289:300))))
    (TIMINGCHECK (SETUPHOLD (posedge DI) (posedge CLK) (40:45:50) (161:163:166))))
  (CELL (CELLTYPE "FF") (INSTANCE c)
    (DELAY (ABSOLUTE (IOPATH CLK Q (250:250:250) (250:250:250))))
    (TIMINGCHECK (SETUP DI (posedge CLK) (20:20:20))))
)
"""


def test_longest_path_takes_max_corner_skips_clock_net_and_port_launched_paths():
    delays = endpoint_delays(parse_sdf(HAND_SDF))

    assert delays == pytest.approx({"b": 1.15, "c": 0.33})  # c: 300 + 10 + 20 (SETUP) ps


def test_group_delays_keep_the_worst_member_and_drop_unnamed_instances():
    groups = {"b": "stage1_inp", "c": "stage1_inp"}

    assert group_delays({"b": 1.15, "c": 0.33, "a": 9.0}, groups.get) == {"stage1_inp": 1.15}


@pytest.mark.parametrize("text", ["(CELL)", "(DELAYFILE (CELL", "", "(DELAYFILE (TIMESCALE 3 furlongs))"])
def test_malformed_sdf_is_a_user_error(text):
    with pytest.raises(SymtrigError):
        parse_sdf(text)


def test_bad_input_gives_one_line_errors(tmp_path, monkeypatch):
    with pytest.raises(SymtrigError, match="unknown family"):
        place_and_route(tmp_path, "top", family="ice40")
    if available("ecp5"):
        with pytest.raises(SymtrigError, match="no Verilog"):
            place_and_route(tmp_path, "top", family="ecp5")
        with pytest.raises(SymtrigError, match="does not exist"):
            place_and_route(tmp_path / "missing", "top", family="ecp5")
    monkeypatch.setenv("PATH", "")
    assert not available("nexus")
    with pytest.raises(SymtrigError, match="not on PATH"):
        place_and_route(tmp_path, "top", family="nexus")


# ------------------------------------------------------------------------------------------ a real design

CUTOFF = 4  # three da4ml stages on the design below


@pytest.fixture(scope="module")
def design(tmp_path_factory):
    """Sin table, a 10x10-bit product and constant multiplications, written by da4ml as Verilog."""
    logic = small_logic()
    from da4ml.codegen import RTLModel
    from da4ml.trace import to_pipeline

    folder = tmp_path_factory.mktemp("da4ml")
    RTLModel(logic, "symt", str(folder), flavor="verilog", latency_cutoff=CUTOFF).write()
    return folder / "src", len(to_pipeline(logic, CUTOFF, verbose=False).solutions)


@pytest.mark.parametrize("family", ["ecp5", pytest.param("nexus", marks=pytest.mark.slow)])
def test_routed_stage_delays_match_nextpnr_fmax(design, family, tmp_path):
    if not available(family):
        pytest.skip(f"needs yosys and yowasp-nextpnr-{family}")
    src, stages = design

    timing = place_and_route(src, "symt", family=family, clock_ns=5.0, seeds=(1,), workdir=tmp_path)

    print(family, timing.stage_delays_ns, 1000 / timing.fmax_mhz)
    assert timing.source == SOURCE
    assert len(timing.stage_delays_ns) == stages
    assert all(delay > 0 for delay in timing.stage_delays_ns)
    # nextpnr reports Fmax to 0.01 MHz: the SDF pass must find the same worst path
    assert max(timing.stage_delays_ns) == pytest.approx(1000 / timing.fmax_mhz, rel=2e-4, abs=2e-3)
    assert timing.meets_clock == (timing.fmax_mhz >= 200.0)
    assert min(timing.lut, timing.ff, timing.carry, timing.dsp) > 0
    assert (tmp_path / "routed_1.sdf").is_file()
