"""Reader of the C++ that hls4ml's symbolic backend writes: tokenizer, expression parser, project files.

Why one reader: the bit-exact emulator (:mod:`symtrig.verify.hls4ml_emulator`) and the cost model
(:mod:`symtrig.cost.hls_estimate`) must agree on what the generated ``y[i] = …;`` statements mean. Both work from the
C++ text rather than from sympy so they cannot drift from hls4ml's printer. The grammar it prints is tiny::

    sum     := product (('+' | '-') product)*
    product := unary (('*' | '/') unary)*
    unary   := ('-' | '+') unary | primary
    primary := '(' T ')' unary | '(' sum ')' | NUMBER | T '(' const ')' | 'x' '[' INT ']'
             | NAME ['<' targs '>'] '(' sum (',' sum)* ')'          (hls::f<W,I>, nnet::…, user LUTs)
    const   := cunary (('*' | '/') cunary)*;  cunary := ('-' | '+') cunary | '(' const ')' | NUMBER

``T`` is one of the caller's type names (``result_t``…). Anything else is rejected with a SymtrigError; nothing
is ever evaluated. The parser returns an immutable :class:`Expr` tree whose structural equality and hash let
consumers share identical subexpressions (as Vivado HLS's CSE does).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from symtrig.errors import SymtrigError

__all__ = [
    "CppProject",
    "Expr",
    "LutDef",
    "const_value",
    "parse_expr",
    "parse_lut_defs",
    "project_name_of",
    "read_project",
    "tokenize",
]

TYPE_NAMES = frozenset({"result_t", "input_t", "model_default_t"})

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)"
    r"|(?P<name>[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*)|(?P<op>[-+*/()\[\]<>,]))"
)
_NAME = re.compile(r"[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*")


def tokenize(text: str) -> list[str]:
    """Numbers, (qualified) names and the operators of the grammar; any other character is an error."""
    tokens: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise SymtrigError(f"cannot read the generated C++ near {text[pos : pos + 30]!r}")
        assert match.lastgroup is not None  # every alternative of _TOKEN is a named group
        tokens.append(match.group(match.lastgroup))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


@dataclass(frozen=True)
class Expr:
    """One node of a parsed statement; equal subtrees compare and hash equal (hash-consing by value).

    ``op`` / ``attr``: ``input`` (index,); ``number`` (value,) a bare literal; ``const`` (type, value) for
    ``T(value)``; ``cast`` (type,) for ``(T)arg``; ``neg``, ``add``, ``sub``, ``mul``, ``div`` ();
    ``call`` (name, template args) for ``name<targs>(args)``.
    """

    op: str
    args: tuple[Expr, ...] = ()
    attr: tuple = ()


class _Parser:
    def __init__(self, text: str, type_names: Collection[str]) -> None:
        self.text, self.tokens, self.pos, self.type_names = text, tokenize(text), 0, type_names

    def fail(self, what: str) -> SymtrigError:
        return SymtrigError(f"cannot parse the generated C++ {self.text!r}: {what}")

    def peek(self, k: int = 0) -> str | None:
        return self.tokens[self.pos + k] if self.pos + k < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise self.fail(f"expected {expected or 'a token'}, got {tok!r}")
        self.pos += 1
        return tok

    def done(self) -> None:
        if self.peek() is not None:
            raise self.fail(f"unexpected {' '.join(self.tokens[self.pos :])!r}")

    def sum(self) -> Expr:
        return self.left_assoc({"+": "add", "-": "sub"}, self.product)

    def product(self) -> Expr:
        return self.left_assoc({"*": "mul", "/": "div"}, self.unary)

    def left_assoc(self, ops: dict[str, str], operand: Callable[[], Expr]) -> Expr:
        """``operand (op operand)*`` folded to the left, as C++ evaluates ``a - b - c``."""
        node = operand()
        while self.peek() in ops:
            node = Expr(ops[self.take()], (node, operand()))
        return node

    def unary(self) -> Expr:
        if self.peek() == "-":
            self.take()
            return Expr("neg", (self.unary(),))
        if self.peek() == "+":
            self.take()
            return self.unary()
        return self.primary()

    def primary(self) -> Expr:
        tok = self.take()
        if tok == "(":
            if self.peek() in self.type_names and self.peek(1) == ")":
                type_name = self.take()
                self.take(")")
                return Expr("cast", (self.unary(),), (type_name,))
            node = self.sum()
            self.take(")")
            return node
        if tok[0].isdigit() or tok[0] == ".":
            return Expr("number", (), (float(tok),))
        if tok in self.type_names:
            self.take("(")
            value = self.const()
            self.take(")")
            return Expr("const", (), (tok, value))
        if tok == "x" and self.peek() == "[":
            self.take("[")
            index = self.take()
            if not index.isdigit():
                raise self.fail(f"input index {index!r} is not an integer")
            self.take("]")
            return Expr("input", (), (int(index),))
        if _NAME.fullmatch(tok):
            return self.call(tok)
        raise self.fail(f"unexpected {tok!r}")

    def call(self, name: str) -> Expr:
        targs: list[str] = []
        if self.peek() == "<":
            self.take("<")
            while self.peek() != ">":
                tok = self.take()
                if tok != ",":
                    targs.append(tok)
            self.take(">")
        self.take("(")
        args = [self.sum()]
        while self.peek() == ",":
            self.take(",")
            args.append(self.sum())
        self.take(")")
        return Expr("call", tuple(args), (name, tuple(targs)))

    def const(self) -> float:
        value = self.const_unary()
        while self.peek() in ("*", "/"):
            op = self.take()
            rhs = self.const_unary()
            if op == "*":
                value *= rhs
            elif rhs == 0.0:
                raise self.fail("constant divided by zero")
            else:
                value /= rhs
        return value

    def const_unary(self) -> float:
        tok = self.take()
        if tok in ("-", "+"):
            value = self.const_unary()
            return -value if tok == "-" else value
        if tok == "(":
            value = self.const()
            self.take(")")
            return value
        if tok[0].isdigit() or tok[0] == ".":
            return float(tok)
        raise self.fail(f"{tok!r} in a constant")


def parse_expr(text: str, type_names: Collection[str] = TYPE_NAMES) -> Expr:
    """The tree of one right-hand side of a generated ``y[i] = …;`` statement."""
    parser = _Parser(text, type_names)
    node = parser.sum()
    parser.done()
    return node


def const_value(text: str) -> float:
    """Value of a C++ double constant expression such as ``-1.0/3.0`` (numbers, signs, ``*``, ``/``, parens)."""
    parser = _Parser(text, ())
    value = parser.const()
    parser.done()
    return value


# ----------------------------------------------------------------------------------------- project files
@dataclass(frozen=True)
class LutDef:
    """One ``nnet::lookup_table<result_t, size, ns::math_func> name(range_start, range_end);``."""

    name: str
    math_func: str
    range_start: str  # the literal text, converted to result_t as the C++ constructor does
    range_end: str
    table_size: int


_LUT_LINE = re.compile(
    r"^\s*nnet::lookup_table<\s*\w+\s*,\s*(\d+)\s*,\s*(?:\w+::)*(\w+)\s*>\s*(\w+)"
    r"\s*\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)\s*;",
    re.M,
)
_Y_LINE = re.compile(r"^\s*y\[(\d+)\]\s*=\s*(.+?);\s*(?://.*)?$", re.M)
_TYPEDEF = re.compile(r"typedef\s+(ap_u?fixed<[^>]*>)\s+(\w+)\s*;")
_N_INPUTS = re.compile(r"input_t\s+x\s*\[\s*(\d+)\s*\]")


def parse_lut_defs(parameters_h: str) -> list[LutDef]:
    """The ``nnet::lookup_table`` declarations of a generated ``parameters.h``."""
    return [
        LutDef(name=name, math_func=func, range_start=start, range_end=end, table_size=int(size))
        for size, func, name, start, end in _LUT_LINE.findall(parameters_h)
    ]


def _tcl_value(tcl: str, name: str) -> str | None:
    match = re.search(rf'^\s*set\s+{name}\s+"?([^"\s]+)"?', tcl, re.M)
    return match.group(1) if match else None


@dataclass(frozen=True)
class CppProject:
    """What a written hls4ml symbolic project says about its expressions, tables, types and clock.

    Absent optional files leave their fields empty/None; the consumer decides on defaults.
    """

    root: Path
    name: str  # the project name: top function and ``firmware/<name>.cpp``
    outputs: tuple[str, ...]  # right-hand sides of ``y[i] = …;`` in output order
    luts: tuple[LutDef, ...]
    types: dict[str, str]  # typedef name -> ap_fixed spec, from defines.h
    n_inputs: int | None
    clock_period: str | None  # raw project.tcl values
    clock_uncertainty: str | None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise SymtrigError(
            f"cannot read {path}: {exc.strerror or exc} (is this a written hls4ml project?)"
        ) from exc


def project_name_of(project_dir: str | Path) -> str:
    """The name a written project gives itself: ``set project_name`` in ``project.tcl`` (hls4ml's own build
    scripts and report parser read it there too), else the stem of its only ``firmware/*.cpp``."""
    root = Path(project_dir)
    tcl = root / "project.tcl"
    name = _tcl_value(_read(tcl), "project_name") if tcl.is_file() else None
    if name:
        return name
    firmware = root / "firmware"
    candidates = sorted(firmware.glob("*.cpp")) if firmware.is_dir() else []
    if len(candidates) != 1:
        raise SymtrigError(
            f"{root} has no project.tcl and {len(candidates)} firmware/*.cpp files; "
            "pass the project name or write the hls4ml project first"
        )
    return candidates[0].stem


def _optional(path: Path, required: bool) -> str:
    return _read(path) if required or path.exists() else ""


def read_project(
    project_dir: str | Path, project_name: str | None = None, *, require: Iterable[str] = ()
) -> CppProject:
    """Read ``firmware/{project_name}.cpp``, ``parameters.h``, ``defines.h`` and ``project.tcl`` of a project.

    Without ``project_name`` the project's own (:func:`project_name_of`); hls4ml names everything after it, so
    nothing here assumes its default ``myproject``. ``require`` names the optional files (``parameters.h``,
    ``defines.h``, ``project.tcl``) whose absence is an error rather than an empty file.
    """
    root = Path(project_dir)
    firmware = root / "firmware"
    required = set(require)
    name = project_name if project_name is not None else project_name_of(root)
    cpp = _read(firmware / f"{name}.cpp")
    params = _optional(firmware / "parameters.h", "parameters.h" in required)
    defines = _optional(firmware / "defines.h", "defines.h" in required)
    tcl = _optional(root / "project.tcl", "project.tcl" in required)
    outputs = sorted(((int(i), text) for i, text in _Y_LINE.findall(cpp)), key=lambda m: m[0])
    n_inputs = _N_INPUTS.search(cpp)
    return CppProject(
        root=root,
        name=name,
        outputs=tuple(text for _, text in outputs),
        luts=tuple(parse_lut_defs(params)),
        types={type_name: spec for spec, type_name in _TYPEDEF.findall(defines)},
        n_inputs=int(n_inputs[1]) if n_inputs else None,
        clock_period=_tcl_value(tcl, "clock_period"),
        clock_uncertainty=_tcl_value(tcl, "clock_uncertainty"),
    )
