"""Evaluate kro's CEL offline, as kro would.

Plain field paths (``schema.spec.name``, ``a.b[0]``) are answered by walking the
activation with no CEL engine import at all; everything else is compiled once per
process by :mod:`pykro.celengine.engine` (celpy underneath, imported lazily).
:func:`references` and :func:`is_field_path` use a small stdlib lexer: the graph
builder calls them on every render.
"""

from __future__ import annotations

import functools
from typing import Mapping

from pykro.errors import CelError

from . import refs as _refs

__all__ = ["evaluate", "check", "check_kro", "references", "is_field_path"]


@functools.lru_cache(maxsize=8192)
def _field_path(expression: str) -> tuple[str | int, ...] | None:
    return _refs.parse_field_path(expression)


def evaluate(expression: str, activation: Mapping[str, object]) -> object:
    """Evaluate the CEL text inside a kro ``${...}`` against plain JSON-like data.

    Returns plain Python data (dict, list, str, int, float, bool, None, bytes).
    Raises :class:`pykro.errors.CelError` (``expression`` set) for syntax errors
    (with the column), unknown identifiers, missing keys (``no such key: x``), type
    errors, and functions kro has that cannot run offline.
    """
    segments = _field_path(expression)
    if segments is not None:
        return _refs.walk_field_path(expression, segments, activation)
    from . import engine

    return engine.evaluate(expression, activation)


@functools.lru_cache(maxsize=8192)
def check(expression: str) -> None:
    """Syntax check only: CelError with the column on failure. Memoized (successes)."""
    if _field_path(expression) is not None:
        return
    from . import engine

    engine.check(expression)


@functools.lru_cache(maxsize=8192)
def check_kro(expression: str) -> None:
    """:func:`check`, and every called function must be one kro's CEL environment has. Memoized (successes)."""
    if _field_path(expression) is not None:
        return
    from . import engine

    engine.check(expression, functions=True)


@functools.lru_cache(maxsize=8192)
def references(expression: str) -> tuple[tuple[str, ...], ...]:
    """Field paths read from free identifiers, sorted and deduplicated; see :mod:`pykro.celengine.refs`."""
    return _refs.references(expression)


def is_field_path(expression: str) -> bool:
    """True for ``a.b.c``, ``a.b[0]``, ``a["x.y"]``: the expressions taking the no-engine fast path."""
    return _field_path(expression) is not None


_ = CelError
