"""Fixed-point HLS for expressions: lowering to hls4ml, the project writer and a bit-exact emulator.

Public API: :func:`symtrig.hls.lower.lower`, :func:`symtrig.hls.project.write_project`,
:class:`symtrig.hls.emulate.Emulator`, :func:`symtrig.hls.precision.choose_precision`,
:func:`symtrig.hls.include.make_include_dir`. Submodules are imported lazily by callers because hls4ml's
import is slow.
"""
