"""Backends: print a lowered program as a buildable project (hls4ml HLS C++, da4ml RTL or HLS).

A backend never chooses precision or expressions: it receives a lowered program with its types (from
:mod:`symtrig.lower`) and writes it. hls4ml's staging is the model: converters → model graph → backends → writers.
"""

#: The FPGA part a design targets unless told otherwise (``--part``): the UltraScale+ part of the hls4ml jet
#: tagging benchmarks and of the anchors symtrig is compared with.
DEFAULT_PART = "xcvu9p-flga2577-2-e"
