"""The da4ml backend: a lowered program with per-node types as da4ml RTL (Verilog/VHDL) or HLS.

:func:`trace_program` builds the da4ml design (``CombLogic``) and :func:`write_project` writes it as a
project folder (:class:`Da4mlProject`). da4ml itself is imported only when they run.
"""

from symtrig.backends.da4ml.project import Da4mlProject, write_project
from symtrig.backends.da4ml.trace import trace_program

__all__ = ["Da4mlProject", "trace_program", "write_project"]
