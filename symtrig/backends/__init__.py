"""Backends: print a lowered program as a buildable project (hls4ml HLS C++, da4ml RTL or HLS).

A backend never chooses precision or expressions: it receives a lowered program with its types (from
:mod:`symtrig.lower`) and writes it. hls4ml's staging is the model: converters → model graph → backends → writers.
"""
