"""Print a pip constraints file pinning every direct dependency to the lowest version pyproject.toml allows.

Why: a lower bound is a promise ("works with X"), and only installing X proves it. Core dependencies and the
named extras (following self-references such as ``symtrig[onnx,rtl]``) are read from pyproject.toml:
``name>=X`` / ``name~=X`` become ``name==X`` and an exact pin ``name==X`` stays. A direct dependency without a
lower bound, or with two different ones, is an error: it could not be tested. Transitive dependencies are
left to the resolver (the newest they allow), as a user installing today would get them.

Usage: python .ci/lowest_constraints.py EXTRA [EXTRA ...] > constraints.txt
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: no TOML reader in the standard library
    sys.exit("lowest_constraints: needs Python >= 3.11 (tomllib)")

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*([^;]*?)\s*(;.*)?$")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_requirements(project: dict, extras: list[str]) -> list[str]:
    """Core requirements plus those of ``extras``, expanding the project's references to its own extras."""
    own = _canonical(project["name"])
    optional = project.get("optional-dependencies", {})
    found, pending, seen = list(project.get("dependencies", [])), list(extras), set()
    while pending:
        extra = pending.pop()
        if extra in seen:
            continue
        if extra not in optional:
            sys.exit(f"lowest_constraints: pyproject.toml has no extra {extra!r}")
        seen.add(extra)
        for requirement in optional[extra]:
            name, inner, _, _ = _parse(requirement)
            if _canonical(name) == own:
                pending.extend(e.strip() for e in (inner or "").split(",") if e.strip())
            else:
                found.append(requirement)
    return found


def _parse(requirement: str) -> tuple[str, str | None, str, str]:
    match = _REQUIREMENT.match(requirement)
    if not match:
        sys.exit(f"lowest_constraints: cannot read requirement {requirement!r}")
    name, inner, specifiers, marker = match.groups()
    return name, inner, specifiers, marker or ""


def lowest_pin(requirement: str) -> tuple[str, str]:
    """(canonical name, ``name==lowest[; marker]``) for one requirement; exits if it has no lower bound."""
    name, _, specifiers, marker = _parse(requirement)
    lowest = [
        spec.strip()[2:].strip()
        for spec in specifiers.split(",")
        if spec.strip()[:2] in ("==", ">=", "~=") and not spec.strip().startswith("===")
    ]
    if len(lowest) != 1:
        sys.exit(f"lowest_constraints: {requirement!r} needs exactly one lower bound (>=, ~= or ==)")
    return _canonical(name), f"{name}=={lowest[0]}{' ' + marker if marker else ''}"


def main(extras: list[str]) -> None:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    pins: dict[str, str] = {}
    for requirement in direct_requirements(project, extras):
        key, pin = lowest_pin(requirement)
        if pins.get(key, pin) != pin:
            sys.exit(f"lowest_constraints: {key} has two different lower bounds: {pins[key]!r} and {pin!r}")
        pins[key] = pin
    print("\n".join(pins[key] for key in sorted(pins)))


if __name__ == "__main__":
    main(sys.argv[1:])
