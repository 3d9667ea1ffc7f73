"""Kubernetes ``library.Regex()``: ``<string>.find(re)``, ``<string>.findAll(re[, n])``.

Patterns are Go regexp (RE2) syntax, translated by :mod:`.re2`; ``findAll`` walks
the text as Go's ``FindAllString`` does, whose empty-match rules differ from
Python's ``finditer``.
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
    compiled = regex_compile(pat)
    out: list[Any] = []
    # Go's regexp.allMatches: an empty match right after the previous match is
    # dropped and the scan steps one code point; Python's finditer would keep it
    # and also allow a non-empty match starting where an empty one was found.
    pos, prev_end = 0, -1
    while (n < 0 or len(out) < n) and pos <= len(text):
        m = compiled.search(text, pos)
        if m is None:
            break
        accept = True
        if m.end() == pos:
            accept = m.start() != prev_end
            pos += 1
        else:
            pos = m.end()
        prev_end = m.end()
        if accept:
            out.append(celtypes.StringType(m.group(0)))
    return celtypes.ListType(out)


LIBRARY = Library(methods={"find": _find, "findAll": _find_all})
