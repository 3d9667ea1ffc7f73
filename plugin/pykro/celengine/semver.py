"""Kubernetes ``library.SemverLib()``: ``semver``, ``isSemver``, getters and comparisons.

Parsing is blang/semver v4's strict ``Parse``; ``normalize=true`` applies the
apiserver's ``normalizeAndParse`` first (strip ``v``, drop leading zeros, pad
``1.2`` to ``1.2.0``).
"""

from __future__ import annotations

import re
from typing import Any

from celpy import celtypes

from ._runtime import EvalFailure, Library, NoOverload, parses, string_arg

__all__ = ["LIBRARY", "Semver", "parse"]

_IDENT = r"[0-9A-Za-z-]+"
_RE = re.compile(rf"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-({_IDENT}(?:\.{_IDENT})*))?"
                 rf"(?:\+({_IDENT}(?:\.{_IDENT})*))?$")


class Semver:
    cel_type_name = "kubernetes.Semver"

    def __init__(self, major: int, minor: int, patch: int, pre: tuple[str, ...], build: tuple[str, ...]) -> None:
        self.major, self.minor, self.patch, self.pre, self.build = major, minor, patch, pre, build

    def text_form(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            text += "-" + ".".join(self.pre)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def cel_compare(self, other: "Semver") -> int:
        a = (self.major, self.minor, self.patch)
        b = (other.major, other.minor, other.patch)
        if a != b:
            return -1 if a < b else 1
        if not self.pre or not other.pre:
            return (not self.pre) - (not other.pre) if self.pre or other.pre else 0
        for x, y in zip(self.pre, other.pre):
            if x == y:
                continue
            xn, yn = x.isdigit(), y.isdigit()
            if xn and yn:
                return -1 if int(x) < int(y) else 1
            if xn != yn:
                return -1 if xn else 1
            return -1 if x < y else 1
        return (len(self.pre) > len(other.pre)) - (len(self.pre) < len(other.pre))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Semver) and self.cel_compare(other) == 0

    __hash__ = None  # type: ignore[assignment]


def parse(text: str, normalize: bool = False) -> Semver:
    if normalize:
        text = text[1:] if text.startswith("v") else text
        parts = text.split(".", 2)
        for i, p in enumerate(parts):
            if len(p) > 1:
                p = p.lstrip("0")
                if not p or not p[0].isdigit():
                    p = "0" + p
                parts[i] = p
        if len(parts) < 3:
            if any(c in parts[-1] for c in "+-"):
                raise EvalFailure("short version cannot contain PreRelease/Build meta data")
            parts += ["0"] * (3 - len(parts))
        text = ".".join(parts)
    m = _RE.match(text)
    if not m:
        raise EvalFailure(f"invalid semver {text!r}: expected MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]")
    pre = tuple(m.group(4).split(".")) if m.group(4) else ()
    for ident in pre:
        if ident.isdigit() and len(ident) > 1 and ident.startswith("0"):
            raise EvalFailure(f"invalid semver {text!r}: numeric PreRelease version must not contain leading zeroes")
    build = tuple(m.group(5).split(".")) if m.group(5) else ()
    return Semver(int(m.group(1)), int(m.group(2)), int(m.group(3)), pre, build)


def _flag(value: Any) -> bool:
    if isinstance(value, (bool, celtypes.BoolType)):
        return bool(value)
    raise NoOverload


def _semver(text: Any, normalize: Any = None) -> Any:
    return parse(string_arg(text), False if normalize is None else _flag(normalize))


def _is_semver(text: Any, normalize: Any = None) -> Any:
    return parses(parse, string_arg(text), False if normalize is None else _flag(normalize))


def _v(value: Any) -> Semver:
    if isinstance(value, Semver):
        return value
    raise NoOverload


LIBRARY = Library(
    functions={"semver": _semver, "isSemver": _is_semver},
    methods={
        "major": lambda v: celtypes.IntType(_v(v).major),
        "minor": lambda v: celtypes.IntType(_v(v).minor),
        "patch": lambda v: celtypes.IntType(_v(v).patch),
        "isGreaterThan": lambda a, b: celtypes.BoolType(_v(a).cel_compare(_v(b)) == 1),
        "isLessThan": lambda a, b: celtypes.BoolType(_v(a).cel_compare(_v(b)) == -1),
        "compareTo": lambda a, b: celtypes.IntType(_v(a).cel_compare(_v(b))),
    },
)
