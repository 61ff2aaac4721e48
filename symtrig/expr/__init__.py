"""The expression core: safe parsing, PySR-style complexity, canonical forms, printing and evaluation.

Everything works on sympy expressions over ``x0..x15`` (plain symbols); engines hand in sympy, users and
CSVs hand in text that goes through :func:`parse_expression` (never ``eval``/``sympify``).
"""

from symtrig.expr.canonical import canonicalize, round_constants
from symtrig.expr.complexity import complexity, op_counts, operators_used
from symtrig.expr.evaluate import NODE_FUNCTIONS, evaluate, expanded, largest_magnitude, node_values, peak
from symtrig.expr.functions import SYMTRIG_FUNCTIONS, gauss, logabs, product, variable, variable_index
from symtrig.expr.parser import MAX_DEPTH, MAX_POWER, MAX_TEXT_LENGTH, check_feature_names, parse_expression
from symtrig.expr.printing import FeatureLatexPrinter, SymtrigPrinter, to_latex, to_text
from symtrig.expr.queries import check_family, features_used, functions_used

__all__ = [
    "MAX_DEPTH",
    "MAX_POWER",
    "MAX_TEXT_LENGTH",
    "NODE_FUNCTIONS",
    "SYMTRIG_FUNCTIONS",
    "FeatureLatexPrinter",
    "SymtrigPrinter",
    "canonicalize",
    "check_family",
    "check_feature_names",
    "complexity",
    "evaluate",
    "expanded",
    "features_used",
    "functions_used",
    "gauss",
    "largest_magnitude",
    "logabs",
    "node_values",
    "op_counts",
    "operators_used",
    "parse_expression",
    "peak",
    "product",
    "round_constants",
    "to_latex",
    "to_text",
    "variable",
    "variable_index",
]
