"""Trust: the expression parser never executes text, never crashes and never hangs, whatever it is given.

Every string that reaches :func:`symtrig.expr.parse_expression` (leaderboard cells, PySR files, user input) may be
hostile. Over 10,000 generated and hand-written cases, each must end in a :class:`SymtrigError` or a valid sympy
expression -- never another exception, never more than ``CASE_LIMIT_S`` seconds, never an execution.

"Never an execution" is proven, not assumed: while a case is parsed, a :func:`sys.addaudithook` hook counts
``compile``, ``exec`` of code that is not a module file on disk, and every process/system/socket/ctypes event,
and ``builtins.eval``, ``os.system``, ``os.popen`` and ``subprocess.Popen`` are replaced by tripwires. The
injection payloads also try to create a canary file, which must not exist afterwards. A self-test shows the
hook does see ``compile``/``exec`` when something really compiles (``symtrig.expr.evaluate`` lambdifies).

The totals (cases, parsed, rejected, executions, crashes, max seconds per case) are printed and shown in the
terminal summary of every pytest run (see ``pytest_terminal_summary`` in ``tests/conftest.py``).
"""

from __future__ import annotations

import builtins
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symtrig.data import FEATURES
from symtrig.errors import SymtrigError
from symtrig.expr import MAX_DEPTH, MAX_TEXT_LENGTH, evaluate, operators_used, parse_expression, to_text
from symtrig.families import ARITHMETIC, FAMILIES

#: A case slower than this fails the test (the slowest legitimate case measured is ~2 s on a shared core:
#: a 10,000-character sum of gauss(1e308) terms, each evaluated by sympy with arbitrary precision).
CASE_LIMIT_S = 8.0
#: Hard stop: a case still running after this many seconds is interrupted and counted as a hang.
CASE_ALARM_S = 20
CANARY = Path(f"/tmp/symtrig_fuzz_canary_{os.getpid()}")

FUZZ_SETTINGS = {
    "deadline": None,  # per-case time is measured and bounded by the harness itself
    "derandomize": True,  # the same examples on every CI run
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
}

# ------------------------------------------------------------------------------------------ the harness

#: Audit events that mean "something ran code or touched the system". ``exec`` is judged separately:
#: importing a module file (sympy imports lazily) is not running the parsed text.
_SYSTEM_EVENTS = (
    "compile",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "os.startfile",
    "subprocess.Popen",
    "pty.spawn",
    "socket.",
    "ctypes.",
    "builtins.input",
    "code.__new__",
    "function.__new__",
)


class CaseHang(Exception):
    """Raised by SIGALRM when one case runs past ``CASE_ALARM_S``."""


@dataclass
class FuzzStats:
    inputs: int = 0  # distinct generated or hand-written strings
    cases: int = 0  # parse calls, including re-parsing printed text and the same text under a family
    parsed: int = 0
    rejected: int = 0
    executions: int = 0
    crashes: int = 0
    hangs: int = 0
    max_seconds: float = 0.0
    slowest: str = ""
    events: list[str] = field(default_factory=list)
    tests: set[str] = field(default_factory=set)


STATS = FuzzStats()
_ARMED = False
_EVAL = builtins.eval


def _is_module_code(code: object) -> bool:
    filename = getattr(code, "co_filename", "")
    return isinstance(filename, str) and filename.endswith(".py") and os.path.isfile(filename)


def _audit(event: str, args: tuple) -> None:
    if not _ARMED:
        return
    if event == "exec":
        if not (args and _is_module_code(args[0])):
            _record_execution(event)
    elif event == "open":
        if args and str(args[0]).startswith(str(CANARY)):
            _record_execution("open canary")
    elif event.startswith(_SYSTEM_EVENTS):
        _record_execution(event)


def _record_execution(what: str) -> None:
    STATS.executions += 1
    STATS.events.append(what)


sys.addaudithook(_audit)  # cannot be removed; it only counts while a case is being parsed (_ARMED)


def _tripwire(name: str, original):
    """``original`` outside parsing (sympy's lambdify itself calls eval); a recorded failure during parsing."""

    def tripped(*args, **kwargs):
        if not _ARMED:
            if original is _EVAL and len(args) == 1 and not kwargs:  # eval(text) reads the caller's names
                caller = sys._getframe(1)
                return original(args[0], caller.f_globals, caller.f_locals)
            return original(*args, **kwargs)
        _record_execution(name)
        raise RuntimeError(f"tripwire: {name} called during parsing")

    return tripped


@pytest.fixture(scope="module", autouse=True)
def tripwires():
    """Replace eval/os.system/os.popen/subprocess.Popen for the whole module (none is used by parsing)."""
    patch = pytest.MonkeyPatch()
    for owner, name in ((builtins, "eval"), (os, "system"), (os, "popen"), (subprocess, "Popen")):
        patch.setattr(owner, name, _tripwire(f"{owner.__name__}.{name}", getattr(owner, name)))
    _warm_up()
    yield
    patch.undo()


def _warm_up() -> None:
    """Let sympy do its lazy imports before counting starts (they are module files, but keep it quiet)."""
    for text in (
        "x0+sin(x1)*cos(x2)/exp(x3)-gauss(x4)",
        "logabs(x5)^2+sqrt(abs(x6))+log(x7)**0.5",
        "8^(1/3)",
    ):
        parse_expression(text)


def _alarm(signum, frame):
    raise CaseHang


def run_case(text: object, allowed=None, new_input: bool = True) -> sympy.Expr | None:
    """Parse one case under the audit hook, a SIGALRM hang guard and a stopwatch; None means rejected.

    Fails at once (so hypothesis shrinks to a minimal example) on an execution, a crash or a hang.
    """
    global _ARMED
    executions_before = STATS.executions
    STATS.cases += 1
    STATS.inputs += new_input
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_ALARM_S)
    start = time.perf_counter()
    outcome: sympy.Expr | BaseException | None
    try:
        _ARMED = True
        try:
            outcome = parse_expression(text, allowed=allowed)
        finally:
            _ARMED = False
    except SymtrigError as exc:
        outcome = None
        message = str(exc)
        assert message and "\n" not in message, f"error is not one line: {message!r}"
    except CaseHang as exc:
        outcome = exc
    except Exception as exc:  # any other type is the bug being hunted
        outcome = exc
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - start
    if seconds > STATS.max_seconds:
        STATS.max_seconds, STATS.slowest = seconds, _short(text)
    if STATS.executions != executions_before:
        raise AssertionError(f"parsing {_short(text)} executed something: {STATS.events[executions_before:]}")
    if isinstance(outcome, CaseHang):
        STATS.hangs += 1
        raise AssertionError(f"parsing {_short(text)} ran longer than {CASE_ALARM_S} s")
    if isinstance(outcome, BaseException):
        STATS.crashes += 1
        raise AssertionError(
            f"parsing {_short(text)} raised {type(outcome).__name__}: {outcome}"
        ) from outcome
    assert seconds < CASE_LIMIT_S, f"parsing {_short(text)} took {seconds:.2f} s"
    if outcome is None:
        STATS.rejected += 1
        return None
    assert isinstance(outcome, sympy.Expr), f"{_short(text)} gave a {type(outcome).__name__}"
    assert not outcome.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan, sympy.I)
    STATS.parsed += 1
    return outcome


def _short(text: object) -> str:
    shown = repr(text)
    return shown if len(shown) <= 80 else f"{shown[:60]}...({len(shown)} chars)"


@pytest.fixture(scope="module")
def report(request):
    """Publish the totals: printed (``-s``), as a property, and in the terminal summary (conftest hook)."""
    yield STATS
    line = (
        f"parser fuzz: {STATS.inputs} inputs ({STATS.cases} parse calls), {STATS.parsed} parsed, {STATS.rejected} rejected, "
        f"{STATS.executions} executions, {STATS.crashes} crashes, {STATS.hangs} hangs, "
        f"max {STATS.max_seconds:.3f} s per case ({STATS.slowest})"
    )
    print("\n" + line)
    lines = getattr(request.config, "symtrig_trust_report", [])
    lines.append(line)
    request.config.symtrig_trust_report = lines


# ------------------------------------------------------------------------------------ the hostile corpus

_PAYLOADS = (
    f"__import__('os').system('touch {CANARY}')",
    f'__import__("os").system("touch {CANARY}")',
    f"open('{CANARY}','w').write('x')",
    f"eval(\"open('{CANARY}','w')\")",
    f"exec('import os; os.system(\"touch {CANARY}\")')",
    f"compile('touch {CANARY}', 'x', 'exec')",
    "(lambda: __import__('os'))()",
    "lambda x0: x0",
    "x0.__class__",
    "x0.__class__.__mro__[1].__subclasses__()",
    "().__class__.__bases__[0].__subclasses__()",
    "sin.__globals__",
    "x0.__dict__",
    "[x0 for x0 in range(10)]",
    "{x0: 1}",
    "{x0, x1}",
    "(x0 for x0 in x1)",
    "f'{x0}'",
    "f\"{__import__('os').system('id')}\"",
    "`x0`",
    "x0; import os",
    "x0\nimport os",
    "x0 # comment",
    "x0 if x1 else x2",
    "x0 and x1",
    "not x0",
    "x0 == x1",
    "x0 < x1",
    "x0 @ x1",
    "x0 % 2",
    "x0 // 2",
    "x0 << 2",
    "x0 | x1",
    "~x0",
    "x0 := 1",
    "x0[0]",
    "x0.real",
    "'x0'",
    '"x0"',
    "b'x0'",
    "None",
    "True",
    "pi",
    "E",
    "oo",
    "nan",
    "I",
    "Symbol('x0')",
    "sympify('x0')",
    "S('x0')",
    "Integer(2)",
    "exp",
    "sin()",
    "sin(x0, x1)",
    "sin(x0)(x1)",
    "x0(x1)",
    "sin x0",
    "x16",
    "x99999999999999999999",
    "x-1",
    "X0",
    "foo(x0)",
    "tan(x0)",
    "atan2(x0, x1)",
    "Function('f')(x0)",
    "getattr(x0, 'y')",
    "globals()",
    "locals()",
    "vars()",
    "breakpoint()",
    "input()",
    "print(x0)",
    "help()",
    "exit()",
    "__builtins__",
    "__import__",
    "os.system",
    "import os",
    "from os import system",
    "\\x41",
    "x0\\",
    "x0$",
    "x0 ? x1 : x2",
    "&x0",
    "x0!",
)
_WRAPPERS = ("{}", "x0 + {}", "sin({})", "({})", "{} * 2", "-{}", "x0^{}", "1/({})", "{}\n", " {} ")

_HUGE = (
    "2^2^2^2^2^2",
    "2**2**2**2**2**2",
    "x0**99999",
    "x0^99999",
    "x0^-99999",
    "(x0+1)^1000",
    "(x0+1)^64",
    "(x0+1)^65",
    "((x0^8)^8)^8",
    "x0^64*x0^64",
    "x0^64*x0",
    "(2^64)^64",
    "9^9^9",
    "10^308",
    "10.0^308",
    "10.0^309",
    "1e308*10",
    "1e308+1e308",
    "1e309",
    "1e-400",
    "1" + "0" * 400,
    "9" * 309,
    "9" * 310,
    "0." + "0" * 400 + "1",
    "exp(1e308)",
    "exp(-1e308)",
    "exp(exp(exp(700.0)))",
    "gauss(1e308)",
    "sin(1e308)",
    "logabs(1e-308)",
    "x0/0",
    "1/(x0-x0)",
    "log(0)",
    "log(-2)",
    "sqrt(-1)",
    "(-2)^0.5",
    "0^-1",
    "0.0^(-1)",
    "x0^x0",
    "2^x0",
    "x0^(1/2^60)",
    "x0^1e-300",
    "(1/3)^64",
    "1e-308/1e308",
    "+".join(f"gauss(1.{i:04d}e308)" for i in range(555)),
    "+".join(f"exp(-1.{i:04d}e308)" for i in range(580)),
    "*".join(["(x0+1)"] * 64),
    "*".join(["(x0+1)"] * 65),
    "*".join(["x0"] * 3000),
    "+".join(["x0"] * 4000),
    "+".join(f"x{i % 16}*{i}" for i in range(1200)),
    "*".join(f"sin(x{i % 16})" for i in range(1100)),
)


def _nested(open_: str, close: str, depth: int, core: str = "x0") -> str:
    return open_ * depth + core + close * depth


def _deep_cases() -> list[str]:
    cases = []
    for depth in (MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 1000, 4999, 10_000):
        cases += [
            _nested("(", ")", depth),
            _nested("sin(", ")", depth),
            _nested("gauss(", ")", depth),
            _nested("sqrt(", ")", depth),
            _nested("-(", ")", depth),
            _nested("(-", ")", depth),
            "-" * depth + "x0",
            "+-" * depth + "x0",
            "x0" + "^x0" * depth,
            "2" + "^1" * depth,
            "x0" + "**(1" * depth + ")" * depth,
            _nested("sin((", "))", depth),
            _nested("exp(-(", "))", depth),
            "(" * depth + "x0",
            "x0" + ")" * depth,
        ]
    return cases


def _long_cases() -> list[str]:
    return [
        "x0+" * 3333 + "x0",
        "x0" * 5001,
        "1" * MAX_TEXT_LENGTH,
        "1" * (MAX_TEXT_LENGTH + 1),
        " " * MAX_TEXT_LENGTH + "x0",
        "x0" + " " * (MAX_TEXT_LENGTH + 1),
        "x0+" * 100_000 + "x0",
        "(" * 1_000_000,
        "a" * 2_000_000,
        "",
        " ",
        "\n\t\r",
    ]


_LOOKALIKES = (
    "\u0445" + "0",  # Cyrillic ha
    "x\uff10",  # fullwidth zero
    "\uff58\uff10",  # fullwidth x0
    "x0\uff0bx1",  # fullwidth plus
    "x0\u2212x1",  # minus sign
    "x0\u2013x1",  # en dash
    "x0\u00d7x1",  # multiplication sign
    "x0\u2217x1",  # asterisk operator
    "x\u200b0",  # zero-width space
    "x0\u200d+x1",  # zero-width joiner
    "\ufeffx0",  # byte-order mark
    "x0\u00a0+ x1",  # no-break space
    "x\u2080",  # subscript zero
    "x\u0660",  # Arabic-Indic zero
    "x\u0966",  # Devanagari zero
    "\u0455in(x0)",  # Cyrillic dze for s
    "s\u0456n(x0)",  # Cyrillic i
    "x0\u207a1",  # superscript plus
    "x0\u00b2",  # superscript two
    "\u221ax0",  # square-root sign
    "x0\u2044x1",  # fraction slash
    "x0\u2215x1",  # division slash
    "\u00bd*x0",  # vulgar half
    "x0\x00",  # NUL
    "x0\x1b[31m",  # terminal escape
    "x0\u202e1x",  # right-to-left override
    "\U0001d431" + "0",  # mathematical bold x
    "\ud800",  # lone surrogate
)


def _corpus() -> list[str]:
    cases = [wrapper.format(p) for p in _PAYLOADS for wrapper in _WRAPPERS]
    cases += list(_HUGE) + _deep_cases() + _long_cases() + list(_LOOKALIKES)
    cases += [f"x0+{c}" for c in _LOOKALIKES] + [f"sin({c})" for c in _LOOKALIKES]
    return cases


def test_hostile_corpus_is_rejected_or_parsed_never_executed(report):
    CANARY.unlink(missing_ok=True)
    corpus = _corpus()
    results = {text: run_case(text) for text in corpus}
    for payload in _PAYLOADS:
        assert results[payload] is None, f"{payload!r} was accepted as {results[payload]}"
    for text in _LOOKALIKES:
        assert results[text] is None, f"look-alike {text!r} was accepted"
    assert not CANARY.exists(), "an injection payload created the canary file"
    # the deepest legal nesting parses; one level more is a clean rejection
    assert results[_nested("sin(", ")", MAX_DEPTH - 1)] is not None
    assert results[_nested("(", ")", MAX_DEPTH + 1)] is None
    assert results["(x0+1)^64"] is not None and results["(x0+1)^65"] is None
    for bad in (None, 3, 2.5, b"x0", ["x0"], {"x0": 1}, sympy.Symbol("x0")):
        assert run_case(bad) is None
    STATS.tests.add("corpus")


def test_the_harness_would_see_an_execution():
    """Self-test: compile, exec of text, eval, os.system and opening the canary are all caught while armed."""
    global _ARMED
    before = STATS.executions
    _ARMED = True
    try:
        exec(compile("y = 1 + 1", "<hostile text>", "exec"), {})
        with pytest.raises(RuntimeError, match="tripwire"):
            eval("1 + 1")
        with pytest.raises(RuntimeError, match="tripwire"):
            os.system("true")
        with open(CANARY, "w"):
            pass
    finally:
        _ARMED = False
        CANARY.unlink(missing_ok=True)
    seen = set(STATS.events[before:])
    STATS.executions, STATS.events = before, STATS.events[:before]  # not a parsing execution
    assert {"compile", "exec", "builtins.eval", "os.system", "open canary"} <= seen, seen


# ------------------------------------------------------------------------------ generated hostile text

_FRAGMENTS = (
    *(f"x{i}" for i in (0, 1, 7, 15, 16, 99)),
    *FEATURES[:4],
    "sin", "cos", "exp", "gauss", "log", "logabs", "abs", "Abs", "sqrt", "square", "cube", "neg", "tan",
    "(", ")", "(", ")", "+", "-", "*", "/", "^", "**", ",", ".", " ", "\n", "\t",
    "0", "1", "2", "9", "0.5", "1e308", "1e-308", "99999", "64", "65", "e", "E", "-1", ".", "1.", ".5",
    "__import__", "('os')", ".system", "('id')", "eval", "exec", "compile", "open", "lambda", ":", "[",
    "]", "{", "}", "for", "in", "if", "else", "f'", "'", '"', "`", ";", "#", "\\", "@", "%", "&", "|", "~",
    "<", ">", "=", ":=", "!", "?", "$", "__class__", "__globals__", "import", "os", "pi", "I", "oo", "nan",
    "\u0445", "\uff10", "\uff0b", "\u2212", "\u200b", "\u00a0", "\x00",
)  # fmt: skip


#: Each example draws a batch of strings: hypothesis' per-example overhead dominates a ~1 ms parse.
BATCH = 4


def _batches(strategy):
    return st.lists(strategy, min_size=BATCH, max_size=BATCH)


@settings(max_examples=1000, **FUZZ_SETTINGS)
@given(_batches(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=40).map("".join)))
def test_fragment_soup(report, texts):
    for text in texts:
        run_case(text)
    STATS.tests.add("fragments")


@settings(max_examples=400, **FUZZ_SETTINGS)
@given(_batches(st.text(max_size=300)))
def test_arbitrary_unicode_text(report, texts):
    for text in texts:
        run_case(text)
    STATS.tests.add("unicode")


@settings(max_examples=400, **FUZZ_SETTINGS)
@given(_batches(st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=126), max_size=200)))
def test_arbitrary_ascii_text(report, texts):
    for text in texts:
        run_case(text)
    STATS.tests.add("ascii")


# ------------------------------------------------------------------------- grammar-valid expressions

_NAMES = st.sampled_from([f"x{i}" for i in range(16)] + list(FEATURES))
_NUMBERS = st.one_of(
    st.integers(0, 10_000).map(str),
    st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["0.5", "1e-3", "2.5E+2", ".5", "3.", "1.5e-7"]),
)
_FUNCTIONS = ("sin", "cos", "exp", "gauss", "log", "logabs", "abs", "sqrt", "square", "cube", "neg")
_EXPONENTS = ("2", "3", "0.5", "-1", "(-2)", "1.5", "4")


def _grow(children):
    return st.one_of(
        st.tuples(children, st.sampled_from("+-*/"), children).map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
        st.tuples(children, st.sampled_from(" +- * / "), children).map(lambda t: "".join(t)),
        st.tuples(st.sampled_from(_FUNCTIONS), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(children, st.sampled_from(["^", "**"]), st.sampled_from(_EXPONENTS)).map(
            lambda t: f"({t[0]}){t[1]}{t[2]}"
        ),
        children.map(lambda c: f"-({c})"),
    )


GRAMMAR = st.recursive(st.one_of(_NAMES, _NUMBERS), _grow, max_leaves=10)
_X = np.random.default_rng(0).normal(size=(64, 16))


def _same_values(a: sympy.Expr, b: sympy.Expr) -> None:
    va, vb = evaluate(a, _X), evaluate(b, _X)
    np.testing.assert_allclose(va, vb, rtol=1e-9, atol=1e-12, equal_nan=True)


@settings(max_examples=1000, **FUZZ_SETTINGS)
@given(GRAMMAR)
def test_grammar_valid_expressions_round_trip_through_to_text(report, text):
    expr = run_case(text)
    if expr is not None:
        printed = to_text(expr)
        again = run_case(printed, new_input=False)
        assert again is not None, f"{text!r} printed as {printed!r} does not parse back"
        _same_values(expr, again)
        # feature names are only another spelling of the same variables
        assert run_case(to_text(expr, names="features"), new_input=False) == again
    STATS.tests.add("grammar")


_OPS_IN_FAMILY = {name: family.operators | set(ARITHMETIC) for name, family in FAMILIES.items()}


@settings(max_examples=800, **FUZZ_SETTINGS)
@given(GRAMMAR, st.sampled_from(sorted(FAMILIES)))
def test_operators_outside_a_family_are_refused(report, text, family):
    restricted = run_case(text, allowed=FAMILIES[family])
    unrestricted = run_case(text, new_input=False)
    if restricted is not None:
        assert operators_used(restricted) <= _OPS_IN_FAMILY[family], (
            text,
            family,
            operators_used(restricted),
        )
    elif unrestricted is not None:
        assert operators_used(unrestricted) - _OPS_IN_FAMILY[family], f"{text!r} refused in {family} alone"
    STATS.tests.add("family")


def test_fuzz_totals(report):
    """The promise is about the whole run: at least 10,000 inputs, no execution, no crash, no hang."""
    expected = {"corpus", "fragments", "unicode", "ascii", "grammar", "family"}
    if STATS.tests != expected:
        pytest.skip(f"only part of the fuzz ran ({sorted(STATS.tests)}); the totals need all of it")
    assert STATS.inputs >= 10_000
    assert STATS.executions == 0 and STATS.crashes == 0 and STATS.hangs == 0
    assert STATS.parsed > 1000 and STATS.rejected > 1000
    assert STATS.max_seconds < CASE_LIMIT_S


@pytest.mark.parametrize("text", ["(-8)^(1/3)", "x0*(-8)^(1/3)", "(0-8)^(2/3)", "(-1)^(1/4)"])
def test_a_complex_constant_is_refused(text):
    with pytest.raises(SymtrigError, match="complex"):
        parse_expression(text)
