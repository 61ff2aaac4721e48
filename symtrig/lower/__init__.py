"""Lowering: from fitted sympy expressions to what a fixed-point backend builds.

:mod:`~symtrig.lower.ranges` (integer bits and range-reducing rewrites) and :mod:`~symtrig.lower.tolerance` (the
AUC rule every precision search applies) are shared by every backend.
"""
