"""A safe text → sympy parser for model strings (PySR CSVs, user files, leaderboard cells).

The text is never evaluated: a regex tokenizer and a recursive-descent parser build sympy objects directly
(no ``eval``, ``sympify``, ``parse_expr``, ``compile`` or ``lambdify``). Grammar (Python/Julia precedence)::

    sum     := product (('+' | '-') product)*
    product := signed (('*' | '/') signed)*
    signed  := ('+' | '-')* power            # -x^2 is -(x^2)
    power   := atom (('^' | '**') signed)?    # right-associative: 2^3^2 = 2^9
    atom    := NUMBER | NAME | NAME '(' sum ')' | '(' sum ')'

Hostile input cannot hang it or exhaust memory: the text is ASCII-only and at most ``MAX_TEXT_LENGTH``
characters; nesting (parentheses, calls, exponent chains) stops at ``MAX_DEPTH``; exponents must be numbers
with ``|n| <= MAX_POWER``, and so must integer powers sympy builds by merging (``x*x*...``, ``(x^8)^8``); every constant must fit float64, and constant powers are size-checked *before* sympy
computes them. Products are built without distributing numbers over sums (:func:`product`), so
``2.5*(x0 + x1)`` keeps the structure (and complexity) the text has instead of becoming ``2.5*x0 + 2.5*x1``.
Any failure inside sympy itself (a RecursionError in an automatic simplification, say) becomes a
SymtrigError too, so untrusted text can only ever produce an expression or a SymtrigError.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import sympy

from symtrig.data import FEATURES
from symtrig.errors import SymtrigError
from symtrig.expr.complexity import operators_used
from symtrig.expr.functions import gauss, logabs, product, variable
from symtrig.families import ALL_OPS, ARITHMETIC, Family

MAX_TEXT_LENGTH = 10_000
#: Nesting limit. The parser spends 5 Python frames per level and sympy's recursive printers and walkers a
#: few more, so 100 keeps everything far below Python's default recursion limit of 1000.
MAX_DEPTH = 100
#: Integer powers, whether written ``x^n`` or built as ``x*x*...``/``(x^8)^8``, stop at this exponent.
MAX_POWER = 64
#: A constant's numerator/denominator may have at most this many bits (float64 tops out near 2**1024).
_MAX_CONSTANT_BITS = 1100
_MAX_INTEGER_DIGITS = 309

_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\n]+)|(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_]\w*)"
    r"|(?P<op>\*\*|[-+*/^(),])",
    re.ASCII,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # 'num' | 'name' | 'op' | 'end'
    text: str
    pos: int


def _clip(text: str, limit: int = 40) -> str:
    """User text echoed in an error stays short: a 9,000-character name must not make a 9 KB message."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _fail(pos: int | None, reason: str) -> SymtrigError:
    where = f" at character {pos + 1}" if pos is not None else ""
    return SymtrigError(f"cannot parse expression{where}: {reason}")


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise _fail(pos, f"unexpected character {text[pos]!r}")
        if match.lastgroup != "ws":
            tokens.append(_Token(match.lastgroup or "", match.group(), pos))
        pos = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _check_number(value: sympy.Expr, pos: int) -> None:
    """Reject constants outside float64's range (and any that would be costly to carry around)."""
    if value.is_Rational:
        if max(abs(value.p).bit_length(), value.q.bit_length()) > _MAX_CONSTANT_BITS:
            raise _fail(pos, "numeric constant out of float64 range")
    elif value.is_Float and not math.isfinite(float(value)):
        raise _fail(pos, "numeric constant out of float64 range")


def _check_built(node: sympy.Expr, pos: int) -> sympy.Expr:
    """Bound what sympy's automatic evaluation just produced (constants, merged integer powers)."""
    parts = (node, *node.args) if node.is_Mul or node.is_Add else (node,)
    for part in parts:
        if part.is_Number:
            _check_number(part, pos)
        elif part.is_Pow and part.exp.is_Integer and abs(part.exp) > MAX_POWER:
            raise _fail(pos, f"power too high (integer powers are limited to {MAX_POWER})")
    return node


def _number(token: _Token) -> sympy.Expr:
    text = token.text
    if re.fullmatch(r"\d+", text):
        if len(text.lstrip("0")) > _MAX_INTEGER_DIGITS:
            raise _fail(token.pos, f"number {text[:20]}... is out of float64 range")
        return sympy.Integer(int(text))
    value = float(text)
    mantissa = re.split(r"[eE]", text)[0]
    if not math.isfinite(value) or (value == 0.0 and any(c in "123456789" for c in mantissa)):
        raise _fail(token.pos, f"number {text[:30]} is out of float64 range")
    return sympy.Float(value)


def _power(base: sympy.Expr, exponent: sympy.Expr, pos: int) -> sympy.Expr:
    if not (exponent.is_Rational or exponent.is_Float):
        raise _fail(pos, "exponents must be numeric constants")
    if exponent.is_Float and float(exponent).is_integer():
        exponent = sympy.Integer(int(exponent))
    if abs(exponent) > MAX_POWER:
        raise _fail(pos, f"exponent {exponent} too large (|exponent| <= {MAX_POWER})")
    coeff = base.as_coeff_Mul()[0]
    if coeff.is_Rational:
        bits = max(abs(coeff.p).bit_length(), coeff.q.bit_length())
        if bits * max(1.0, abs(float(exponent))) > _MAX_CONSTANT_BITS:
            raise _fail(pos, "numeric constant out of float64 range")
    return _check_built(sympy.Pow(base, exponent), pos)


def _has_complex_power(expr: sympy.Expr) -> bool:
    """A negative constant to a fractional power, e.g. (-8)^(1/3) = (-1)**(1/3)*2: complex, yet without I."""
    return any(p.base.is_negative and not p.exp.is_integer for p in expr.atoms(sympy.Pow))


def _log(u: sympy.Expr) -> sympy.Expr:
    """``log(abs(u))`` is PySR's and operon's log|u|: keep it as one ``logabs`` node."""
    return logabs(u.args[0]) if isinstance(u, sympy.Abs) else sympy.log(u)


_FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "exp": sympy.exp,
    "gauss": gauss,
    "log": _log,
    "logabs": logabs,
    "abs": sympy.Abs,
    "Abs": sympy.Abs,
    "sqrt": sympy.sqrt,
    # PySR's spellings of arithmetic helpers (its ``square``, ``cube`` and ``neg`` unary operators):
    "square": lambda u: sympy.Pow(u, 2),
    "cube": lambda u: sympy.Pow(u, 3),
    "neg": lambda u: product(sympy.S.NegativeOne, u),
}

#: How each op may be spelled in text, to point at the offending token when a family forbids it.
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "div": ("/",),
    "pow": ("^", "**"),
    "logabs": ("logabs", "log"),
    "abs": ("abs", "Abs"),
}


class _Parser:
    def __init__(self, tokens: list[_Token], names: dict[str, sympy.Symbol], n_features: int) -> None:
        self.tokens = tokens
        self.index = 0
        self.names = names
        self.n_features = n_features

    @property
    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            found = repr(token.text) if token.kind != "end" else "end of text"
            raise _fail(token.pos, f"expected {text!r}, found {found}")

    def at(self, *texts: str) -> bool:
        return self.peek.kind == "op" and self.peek.text in texts

    def sum(self, depth: int) -> sympy.Expr:
        if depth > MAX_DEPTH:
            raise _fail(self.peek.pos, f"nesting deeper than {MAX_DEPTH} levels")
        start = self.peek.pos
        terms = [self.product(depth)]
        while self.at("+", "-"):
            op = self.take().text
            term = self.product(depth)
            terms.append(term if op == "+" else _check_built(product(sympy.S.NegativeOne, term), start))
        return terms[0] if len(terms) == 1 else _check_built(sympy.Add(*terms), start)

    def product(self, depth: int) -> sympy.Expr:
        start = self.peek.pos
        factors = [self.signed(depth)]
        while self.at("*", "/"):
            op = self.take()
            factor = self.signed(depth)
            factors.append(factor if op.text == "*" else _power(factor, sympy.S.NegativeOne, op.pos))
        return factors[0] if len(factors) == 1 else _check_built(product(*factors), start)

    def signed(self, depth: int) -> sympy.Expr:
        start = self.peek.pos
        negative = False
        while self.at("+", "-"):
            negative ^= self.take().text == "-"
        value = self.power(depth)
        return _check_built(product(sympy.S.NegativeOne, value), start) if negative else value

    def power(self, depth: int) -> sympy.Expr:
        base = self.atom(depth)
        if not self.at("^", "**"):
            return base
        op = self.take()
        if depth + 1 > MAX_DEPTH:
            raise _fail(op.pos, f"nesting deeper than {MAX_DEPTH} levels")
        return _power(base, self.signed(depth + 1), op.pos)

    def atom(self, depth: int) -> sympy.Expr:
        token = self.take()
        if token.kind == "num":
            return _number(token)
        if token.kind == "name":
            return self.call(token, depth) if self.at("(") else self.symbol(token)
        if token.text == "(":
            inner = self.sum(depth + 1)
            self.expect(")")
            return inner
        found = "end of text" if token.kind == "end" else repr(token.text)
        raise _fail(token.pos, f"expected a number, name or '(' but found {found}")

    def call(self, token: _Token, depth: int) -> sympy.Expr:
        function = _FUNCTIONS.get(token.text)
        if function is None:
            raise _fail(token.pos, f"unknown function {_clip(token.text)!r}; known: {', '.join(_FUNCTIONS)}")
        self.expect("(")
        argument = self.sum(depth + 1)
        if self.at(","):
            raise _fail(self.peek.pos, f"{token.text} takes exactly one argument")
        self.expect(")")
        return _check_built(function(argument), token.pos)

    def symbol(self, token: _Token) -> sympy.Symbol:
        symbol = self.names.get(token.text)
        if symbol is not None:
            return symbol
        if re.fullmatch(r"x\d+", token.text):
            raise _fail(token.pos, f"variable {token.text} out of range for {self.n_features} features")
        if token.text in _FUNCTIONS:
            raise _fail(token.pos, f"function {token.text!r} needs an argument in parentheses")
        raise _fail(
            token.pos, f"unknown name {_clip(token.text)!r}; use x0..x{self.n_features - 1} or feature names"
        )


def _variable_names(n_features: int, features: Sequence[str]) -> dict[str, sympy.Symbol]:
    names = {f"x{i}": variable(i) for i in range(n_features)}
    names.update({name: variable(i) for i, name in enumerate(features[:n_features])})
    return names


def check_feature_names(features: Sequence[str]) -> None:
    """Feature names must be readable in expression text: identifiers that are not a function or ``x<i>``.

    Why here: expressions are stored and read back as text with feature names (the leaderboard), so a column
    called ``pt [GeV]`` or ``exp`` would make every expression that uses it unreadable.
    """
    for name in features:
        if (
            not re.fullmatch(r"[A-Za-z_]\w*", name, re.ASCII)
            or name in _FUNCTIONS
            or re.fullmatch(r"x\d+", name)
        ):
            raise SymtrigError(
                f"feature name {_clip(name)!r} cannot appear in an expression (use letters, digits and _, "
                "not a function name or x<number>): rename the column"
            )


def _allowed_ops(allowed: Iterable[str] | Family) -> set[str]:
    ops = set(allowed.operators if isinstance(allowed, Family) else allowed)
    unknown = ops - set(ALL_OPS)
    if unknown:
        raise SymtrigError(f"unknown op names {sorted(unknown)}; valid: {', '.join(ALL_OPS)}")
    return ops | set(ARITHMETIC)


def _first_spelling(tokens: list[_Token], op: str) -> int | None:
    spellings = _SPELLINGS.get(op, (op,))
    return next((t.pos for t in tokens if t.text in spellings), None)


def parse_expression(
    text: str,
    *,
    allowed: Iterable[str] | Family | None = None,
    n_features: int | None = None,
    features: Sequence[str] = FEATURES,
) -> sympy.Expr:
    """Parse model text over ``x0..x{n-1}`` (or feature names) into sympy, never evaluating the text.

    ``features`` are the names of the columns x0, x1, ... (default: the 16 jet features); ``n_features``
    limits the columns (default: all of ``features``). ``allowed`` (op names, or a
    :class:`~symtrig.families.Family`) restricts the operators beyond ``+ - *``; anything outside it is a
    SymtrigError naming the operator. Errors carry the character position and the reason.
    """
    n_features = len(features) if n_features is None else n_features
    if not isinstance(text, str):
        raise SymtrigError(f"expression must be text, got {type(text).__name__}")
    if not isinstance(n_features, int) or n_features < 1:
        raise SymtrigError(f"n_features must be a positive integer, got {n_features!r}")
    if len(text) > MAX_TEXT_LENGTH:
        raise _fail(None, f"text longer than {MAX_TEXT_LENGTH} characters")
    bad = next((i for i, c in enumerate(text) if not c.isascii()), None)
    if bad is not None:
        raise _fail(bad, f"non-ASCII character {text[bad]!r}")
    if not text.strip():
        raise _fail(None, "empty text")
    tokens = _tokenize(text)
    parser = _Parser(tokens, _variable_names(n_features, features), n_features)
    try:
        expr = parser.sum(0)
    except (RecursionError, ArithmeticError, ValueError, TypeError) as exc:  # raised inside sympy
        raise _fail(None, f"sympy cannot build this expression ({type(exc).__name__})") from exc
    if parser.peek.kind != "end":
        raise _fail(parser.peek.pos, f"unexpected {parser.peek.text!r}")
    if expr.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan, sympy.I) or _has_complex_power(expr):
        raise _fail(None, "the expression is undefined or complex (division by zero, log of 0 or < 0?)")
    if allowed is not None:
        ops = _allowed_ops(allowed)
        for op in sorted(operators_used(expr) - ops):
            raise _fail(
                _first_spelling(tokens, op), f"operator {op!r} is not allowed here ({', '.join(sorted(ops))})"
            )
    return expr
