"""Kubernetes ``library.Regex()``: ``<string>.find(re)``, ``<string>.findAll(re[, n])``.

RE2 syntax is evaluated with Python's ``re``; patterns using Python-only features
(lookaround, backreferences) are rejected as RE2 would.
"""

from __future__ import annotations

from typing import Any

from celpy import celtypes

from ._runtime import Library, NoOverload, as_int
from .standard import regex_compile

__all__ = ["LIBRARY"]


def _args(s: Any, pattern: Any) -> tuple[str, str]:
    if isinstance(s, str) and isinstance(pattern, str):
        return str(s), str(pattern)
    raise NoOverload


def _find(s: Any, pattern: Any) -> Any:
    text, pat = _args(s, pattern)
    m = regex_compile(pat).search(text)
    return celtypes.StringType(m.group(0) if m else "")


def _find_all(s: Any, pattern: Any, limit: Any = None) -> Any:
    text, pat = _args(s, pattern)
    n = -1 if limit is None else as_int(limit)
    if n == 0:
        return celtypes.ListType()
    out = []
    for m in regex_compile(pat).finditer(text):
        out.append(celtypes.StringType(m.group(0)))
        if n > 0 and len(out) >= n:
            break
    return celtypes.ListType(out)


LIBRARY = Library(methods={"find": _find, "findAll": _find_all})
