"""Cost: latency and resources of a design, each figure labelled with where it came from.

``estimate`` (symtrig's analytical model of hls4ml's C++), ``csynth``/``vsynth`` (Vivado/Vitis reports) or
``yosys`` (post-synthesis cell counts for UltraScale+; no place and route, no timing).
"""
