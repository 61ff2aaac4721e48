"""symtrig's own import graph: no cycles between modules or packages, stages import in pipeline order only,
and no module so long that it holds more than one responsibility.

Which imports count: every ``import``/``from ... import`` of a ``symtrig`` module anywhere in a module's source,
at module level, in a class, or inside a function (a lazy import is still a dependency: it runs the imported
module and would close a cycle at call time). Only imports under ``if TYPE_CHECKING:`` are left out: they never
run, so they cannot form a cycle at run time, and annotations may name a later stage's types. ``from a.b import
c`` counts as an import of ``a.b.c`` when that is a module, else of ``a.b``. Importing ``a.b`` runs ``a``'s
``__init__`` too, but that implied edge is not counted (a subpackage's modules importing one another would
otherwise always form a cycle through their package). The root ``symtrig/__init__.py`` loads its names with
``importlib`` on first use and so adds no edge; it sits with the CLI at the top of the order below.

Packages are the first level below ``symtrig`` (``symtrig.lower.program`` belongs to ``lower``; a top-level
module such as ``symtrig.distill`` is its own package).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

import symtrig

ROOT = Path(symtrig.__file__).parent

#: The order in which packages may import one another: a package imports only packages of its own layer or an
#: earlier one (and, by the cycle test, never in a loop). It is the pipeline of the README, bottom up: the
#: foundation and the vocabulary every stage shares (data, families, expressions, the selection rule, the
#: records of :mod:`symtrig.store`), the problem (teacher, targets, simulated data), the search, then the
#: hardware stages in their order (lower → tune → backends write → verify → cost), the emit orchestration, the
#: report, and the command line on top.
LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(layer.split())
    for layer in (
        "errors provenance atomic metrics sample",
        "data families expr select",
        "store",
        "teacher targets simulate",
        "engines refit fronts distill fit pysr_import",
        "lower",
        "tune",
        "backends",
        "verify",
        "cost",
        "emit",
        "report",
        "cli __main__ symtrig",
    )
)
#: No module above this many lines (a longer one is split by responsibility).
MAX_LINES = 400


def _modules(root: Path = ROOT) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package ``__init__``) for every module of the package at ``root``."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if package else parts)] = (path, package)
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterable[ast.Import | ast.ImportFrom]:
    """Every import statement in ``tree`` except those under ``if TYPE_CHECKING:`` (their else branch counts)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _resolve(name: str, modules: Mapping[str, object]) -> str:
    """The module ``name`` refers to: itself, or its nearest enclosing module that exists."""
    while name not in modules:
        name = name.rpartition(".")[0]
    return name


def module_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the symtrig modules it imports (by the rule of the module docstring)."""
    modules = _modules(root)
    top = root.name
    graph: dict[str, set[str]] = {}
    for name, (path, package) in modules.items():
        targets: set[str] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                if node.level:  # relative: from the module's package, one level up per extra dot
                    base = name.split(".") if package else name.split(".")[:-1]
                    base = base[: len(base) - node.level + 1]
                    source = ".".join([*base, node.module] if node.module else base)
                else:
                    source = node.module or ""
                names = [
                    f"{source}.{a.name}" if f"{source}.{a.name}" in modules else source for a in node.names
                ]
            targets.update(_resolve(n, modules) for n in names if n == top or n.startswith(top + "."))
        graph[name] = targets - {name}
    return graph


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def package_graph(graph: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """Package -> the other packages its modules import."""
    packages: dict[str, set[str]] = {package_of(m): set() for m in graph}
    for module, targets in graph.items():
        packages[package_of(module)].update(package_of(t) for t in targets)
    return {p: targets - {p} for p, targets in packages.items()}


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """One cycle through each strongly connected part of ``graph`` that has one (depth-first search; empty
    when the graph is acyclic). Each cycle is listed from its first node back to it."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_graph_sees_lazy_relative_and_submodule_imports_but_not_type_checking_ones(tmp_path):
    """The parser on a small package whose imports are each of the kinds the rule names."""
    pkg = tmp_path / "symtrig"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from . import leaf\n")
    (pkg / "sub" / "leaf.py").write_text("from ..a import thing\n")
    (pkg / "a.py").write_text("import os\n\ndef f():\n    from symtrig.sub import leaf\n")
    (pkg / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import symtrig.a\nelse:\n    import symtrig.sub\n"
    )
    graph = module_graph(pkg)
    assert graph == {
        "symtrig": set(),
        "symtrig.sub": {"symtrig.sub.leaf"},
        "symtrig.sub.leaf": {"symtrig.a"},
        "symtrig.a": {"symtrig.sub.leaf"},  # lazy, inside a function: counted
        "symtrig.b": {"symtrig.sub"},  # the TYPE_CHECKING branch is not counted, its else branch is
    }
    assert cycles(graph) == [["symtrig.a", "symtrig.sub.leaf", "symtrig.a"]]
    assert package_graph(graph) == {"symtrig": set(), "sub": {"a"}, "a": {"sub"}, "b": {"sub"}}


def test_no_module_imports_another_in_a_cycle():
    assert cycles(module_graph()) == []


def test_no_package_imports_another_in_a_cycle():
    assert cycles(package_graph(module_graph())) == []


def test_packages_import_in_pipeline_order_only():
    """``lower`` imports neither ``verify`` nor ``backends``, the writer no verification model, and so on: every
    import goes to the importer's own layer of :data:`LAYERS` or an earlier one."""
    graph = module_graph()
    layer = {package: i for i, packages in enumerate(LAYERS) for package in packages}
    assert set(layer) == {package_of(m) for m in graph}, "every package has a place in LAYERS"
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if layer[package_of(target)] > layer[package_of(module)]
    )
    assert upward == []


@pytest.mark.parametrize("forbidden", [("lower", "verify"), ("lower", "backends"), ("tune", "verify")])
def test_the_early_hardware_stages_do_not_import_the_later_ones(forbidden):
    """The issue's own examples: the precision searches get the bit-exact model handed in."""
    importer, imported = forbidden
    assert imported not in package_graph(module_graph())[importer]


def test_no_module_is_longer_than_the_limit():
    lengths = {
        str(path.relative_to(ROOT.parent)): len(path.read_text(encoding="utf-8").splitlines())
        for path, _ in _modules().values()
    }
    assert {path: n for path, n in lengths.items() if n > MAX_LINES} == {}


def test_rules_written_for_users_agree_with_the_code_that_applies_them(capsys):
    """The table-size cap the help and the docs state is the one auto precision uses; the default part and the
    default paths are each spelled in one module."""
    from symtrig.cli import main
    from symtrig.emit.hls4ml_flow import AUTO_LUT_SIZES

    assert main(["emit-hls", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.replace("│", " ").split())
    cap = max(AUTO_LUT_SIZES)
    assert f"doubled up to {cap}" in help_text
    docs = (ROOT.parent / "docs" / "hls4ml-path.md").read_text()
    assert f"double, up to {cap}" in docs
    spelled = [p.name for p in ROOT.rglob("*.py") if '"xcvu9p-flga2577-2-e"' in p.read_text()]
    assert spelled == ["__init__.py"]  # symtrig/backends/__init__.py: DEFAULT_PART

    def code(path: Path) -> str:  # whitespace removed: a call split over lines is the same call
        return "".join(path.read_text().split())

    paths_spelled = [
        p for p in ROOT.rglob("*.py") if 'Path("hdl_out")' in code(p) or 'Path("expressions' in code(p)
    ]
    assert paths_spelled == []
