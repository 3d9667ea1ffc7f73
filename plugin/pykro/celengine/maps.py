"""kro's ``Maps`` library (pkg/cel/library/maps.go): ``<map>.merge(map)`` and ``<map>.deepMerge(map)``."""

from __future__ import annotations

from typing import Any

from celpy import celtypes

from ._runtime import EvalFailure, Library, type_name

__all__ = ["LIBRARY"]


def _merge(left: Any, right: Any) -> Any:
    if not isinstance(left, dict) or not isinstance(right, dict):
        raise EvalFailure(f"no such overload: {type_name(left)}.merge({type_name(right)})")
    out = celtypes.MapType(left)
    out.update(right)  # keys of the argument win
    return out


def _deep(left: dict[Any, Any], right: dict[Any, Any]) -> Any:
    if not right:
        return left
    if not left:
        return right
    out = celtypes.MapType(left)
    for k, v in right.items():
        mine = out[k] if k in out else None
        if isinstance(mine, dict) and isinstance(v, dict):
            out[k] = _deep(mine, v)
        else:
            out[k] = v
    return out


def _deep_merge(left: Any, right: Any) -> Any:
    if not isinstance(left, dict):
        raise EvalFailure(f"no such overload: {type_name(left)}.deepMerge({type_name(right)})")
    if not isinstance(right, dict):
        raise EvalFailure(f"no such overload: {type_name(left)}.deepMerge({type_name(right)})")
    return _deep(left, right)


LIBRARY = Library(methods={"merge": _merge, "deepMerge": _deep_merge})
