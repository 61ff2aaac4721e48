"""pyoperon engine: one NSGA-II run on (R², length) yields a whole accuracy/size front.

pyoperon is imported inside :meth:`OperonEngine.search` only. Its trees are turned into sympy by walking the
postfix node list (never through ``op.InfixParser``, which drops terms, and never through the 3-decimal infix
printer). Its ``max_length`` counts a weighted variable ``w·x`` as one node, so the front it returns is a
superset of what our complexity counter allows; the core filters it. Operon cannot weigh operators, so
``spec.op_costs`` is not used here: with weighted costs the core's filter is what enforces them.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import sympy as sp

from symtrig.engines.base import Candidate, SearchSpec, check_training_data, feature_symbols
from symtrig.errors import SymtrigError


@dataclass(frozen=True)
class OperonSettings:
    """Search settings, chosen by ``benchmarks/bench_operon_settings.py settings`` (poly family, classes 0 and 2,
    seeds 0 and 1, 20 CPU-s each): population 500 averaged R² 0.501 / AUC 0.853 against 0.478 / 0.851 for
    population 1000, because it runs ~1.7x more generations per CPU-second; 2 or 10 L-BFGS iterations and a
    250-row batch were no better.

    L-BFGS on a mini-batch, because Levenberg-Marquardt builds a Jacobian over all rows and ignores the batch
    size (4-7x slower per generation for the same result).

    Offspring selection (``"os"``: a child enters the population only if it beats its parents) instead of
    Operon's basic generator: a full ``symtrig fit --cmax 40`` on the sample with the same teacher and seed
    raised the mean test AUC ratio of the 20 best expressions from 0.948 to 0.951 and t's best family from
    0.958 to 0.968 (single runs; best-family g and q moved from 0.971 to 0.966 and 0.967). On log t alone,
    seeds 0/1/2 gave 0.961/0.956/0.957 against 0.957/0.953/0.951.
    """

    population_size: int = 500
    pool_size: int = 500
    optimizer_iterations: int = 5
    optimizer_batch_size: int = 1000
    max_depth: int = 14
    offspring_generator: str = "os"


def _unary_ops() -> dict[str, Callable[[sp.Expr], sp.Expr]]:
    from symtrig.expr.functions import logabs

    return {
        "Sin": sp.sin,
        "Cos": sp.cos,
        "Exp": sp.exp,
        "Logabs": logabs,
        "Square": lambda u: u**2,
    }


def _cheaper_product(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """``a*b`` as the cheaper of sympy's distributed form and the kept product (equal values).

    The fitted scale appended to every front tree, spread over a sum, merges into terms that already carry a
    coefficient (``s*(0.9*x0*x1 + 0.5*x2)`` -> 11 nodes instead of 13) but costs a copy per bare term
    (``s*(sin(a) + sin(b) + x)``: 13 instead of 10). Counting both keeps good models under c_max either way.
    """
    from symtrig.expr import complexity
    from symtrig.expr.functions import product

    kept, spread = product(a, b), a * b
    return spread if complexity(spread) < complexity(kept) else kept


def _binary_ops() -> dict[str, Callable[[sp.Expr, sp.Expr], sp.Expr]]:
    return {
        "Add": lambda a, b: a + b,
        "Sub": lambda a, b: a - b,
        "Mul": _cheaper_product,
        "Div": lambda a, b: a / b,
    }


def _variable_columns(variables: dict[int, str]) -> dict[int, int]:
    """Map operon's variable hash to the 0-based column; operon names columns X1..Xn (1-based)."""
    return {h: int(name[1:]) - 1 for h, name in variables.items()}


def tree_to_sympy(tree: Any, variables: dict[int, str], symbols: Sequence[sp.Symbol]) -> sp.Expr:
    """Convert an operon tree to sympy by walking its postfix nodes.

    In operon's postfix order the *first* value popped is the *left* operand. Constants keep the engine's float
    value exactly; ``exp(c·x·x)`` stays as it is (the core canonicalises it to ``gauss``).
    """
    columns = _variable_columns(variables)
    unary, binary = _unary_ops(), _binary_ops()
    stack: list[sp.Expr] = []
    for node in tree.Nodes:
        kind = str(node.Type).rsplit(".", 1)[-1]
        if node.IsVariable:
            weight = float(node.Value)
            symbol = symbols[columns[node.HashValue]]
            stack.append(symbol if weight == 1.0 else sp.Float(weight) * symbol)
        elif node.IsConstant:
            stack.append(sp.Float(float(node.Value)))
        elif node.Arity == 2 and kind in binary:
            left, right = stack.pop(), stack.pop()
            stack.append(binary[kind](left, right))
        elif node.Arity == 1 and kind in unary:
            stack.append(unary[kind](stack.pop()))
        else:
            raise ValueError(f"operon node {kind} (arity {node.Arity}) has no sympy translation")
    if len(stack) != 1:
        raise ValueError(f"malformed operon tree: {len(stack)} values left on the stack")
    return stack[0]


def regressor_kwargs(spec: SearchSpec, settings: OperonSettings) -> dict[str, Any]:
    """pyoperon ``SymbolicRegressor`` arguments for one search; pure, so it is testable without a run."""
    kwargs: dict[str, Any] = {
        "allowed_symbols": spec.family.operon_symbols,
        "objectives": ["r2", "length"],
        "max_length": spec.c_max,
        "optimizer": "lbfgs",
        "model_selection_criterion": "mean_squared_error",
        "n_threads": spec.n_threads,
        "random_state": spec.seed,
        "max_evaluations": 10**12,
        "max_time": max(1, int(np.ceil(spec.budget_s))),
        "generations": spec.generations if spec.generations is not None else 10**6,
        **asdict(settings),
    }
    return kwargs


class OperonEngine:
    """Symbolic regression with pyoperon 0.6.x (float32, C++)."""

    name = "operon"

    def __init__(self, settings: OperonSettings | None = None) -> None:
        self.settings = settings or OperonSettings()
        self.last_stats: dict[str, Any] = {}

    def available(self) -> bool:
        return importlib.util.find_spec("pyoperon") is not None

    def unavailable_reason(self) -> str:
        return "pyoperon is not installed (pip install pyoperon)"

    def fit(self, X: np.ndarray, y: np.ndarray, spec: SearchSpec) -> Any:
        """Run the search and return the fitted pyoperon regressor (for callers that need its own evaluation)."""
        if spec.loss != "mse":
            raise SymtrigError(
                f"the operon engine fits squared error only; loss {spec.loss!r} needs --engine pysr"
            )
        from pyoperon.sklearn import SymbolicRegressor

        X64, y64 = check_training_data(X, y)
        kwargs = regressor_kwargs(spec, self.settings)
        # pyoperon samples a batch larger than the data non-deterministically: never ask for more rows than exist
        kwargs["optimizer_batch_size"] = min(kwargs["optimizer_batch_size"], len(y64))
        regressor = SymbolicRegressor(**kwargs)
        regressor.fit(X64, y64)  # X64/y64 stay referenced for the whole fit
        self.last_stats = dict(regressor.stats_)
        done = int(self.last_stats.get("generations", 0))
        if spec.generations is not None and done < spec.generations:
            warnings.warn(
                f"operon: the {spec.budget_s:g} s safety cap stopped the run after {done} of {spec.generations} "
                "generations, so this result is not reproducible; raise the budget or lower generations",
                RuntimeWarning,
                stacklevel=2,
            )
        return regressor

    def search(self, X: np.ndarray, y: np.ndarray, spec: SearchSpec) -> list[Candidate]:
        regressor = self.fit(X, y, spec)
        return front_candidates(regressor, X.shape[1])


def front_candidates(regressor: Any, n_features: int) -> list[Candidate]:
    """Every member of the fitted regressor's Pareto front, as sympy (with the fitted scale and offset)."""
    symbols = feature_symbols(n_features)
    return [
        Candidate(
            expr=tree_to_sympy(member["tree"], regressor.variables_, symbols),
            engine=OperonEngine.name,
            engine_complexity=int(member["complexity"]),
            engine_loss=float(member["mean_squared_error"]),
        )
        for member in regressor.pareto_front_
    ]
