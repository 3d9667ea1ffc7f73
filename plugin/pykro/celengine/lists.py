"""List functions: cel-go ``ext.Lists()``, Kubernetes ``library.Lists()``, kro's index mutation.

``sortBy`` is a macro (it binds a variable), so the evaluator handles the
variable and calls :func:`sort_by_keys` here.
"""

from __future__ import annotations

import functools
from typing import Any

from celpy import celtypes

from ._runtime import (
    EvalFailure,
    Library,
    NoOverload,
    OptionalValue,
    as_int,
    cel_compare,
    cel_equal,
    type_name,
)

__all__ = ["LIBRARY", "sort_by_keys"]


def _l(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    raise NoOverload


def _compare(a: Any, b: Any) -> int:
    try:
        return cel_compare(a, b)
    except NoOverload:
        raise EvalFailure(f"list elements must be comparable and of one type, found {type_name(a)} and "
                          f"{type_name(b)}") from None


def _check_sortable(items: list[Any]) -> None:
    kinds = {type_name(v) for v in items}
    if kinds and not kinds <= {"int", "uint", "double", "string", "bool", "bytes", "google.protobuf.Duration",
                               "google.protobuf.Timestamp"} and not all(hasattr(v, "cel_compare") for v in items):
        raise EvalFailure(f"list elements must be comparable, found {', '.join(sorted(kinds))}")
    if len(kinds) > 1:
        raise EvalFailure(f"list elements must have the same type, found {', '.join(sorted(kinds))}")


def sort_by_keys(items: list[Any], keys: list[Any]) -> Any:
    _check_sortable(keys)
    def by_key(i: int, j: int) -> int:
        return _compare(keys[i], keys[j])

    order = sorted(range(len(items)), key=functools.cmp_to_key(by_key))
    return celtypes.ListType(items[i] for i in order)


def _range(n: Any) -> Any:
    return celtypes.ListType(celtypes.IntType(i) for i in range(as_int(n)))


def _slice(lst: Any, start: Any, end: Any) -> Any:
    items, a, b = _l(lst), as_int(start), as_int(end)
    if a < 0 or b < 0:
        raise EvalFailure(f"cannot slice({a}, {b}), negative indexes not supported")
    if a > b:
        raise EvalFailure(f"cannot slice({a}, {b}), start index must be less than or equal to end index")
    if b > len(items):
        raise EvalFailure(f"cannot slice({a}, {b}), list is length {len(items)}")
    return celtypes.ListType(items[a:b])


def _flatten(lst: Any, depth: Any = None) -> Any:
    items = _l(lst)
    level = 1 if depth is None else as_int(depth)
    if level < 0:
        raise EvalFailure("level must be non-negative")

    def flat(xs: list[Any], d: int) -> list[Any]:
        out: list[Any] = []
        for x in xs:
            if isinstance(x, list) and d > 0:
                out.extend(flat(x, d - 1))
            else:
                out.append(x)
        return out

    return celtypes.ListType(flat(items, level))


def _sort(lst: Any) -> Any:
    items = _l(lst)
    _check_sortable(items)
    return celtypes.ListType(sorted(items, key=functools.cmp_to_key(_compare)))


def _distinct(lst: Any) -> Any:
    out: list[Any] = []
    for x in _l(lst):
        if not any(cel_equal(x, y) for y in out):
            out.append(x)
    return celtypes.ListType(out)


def _reverse(lst: Any) -> Any:
    return celtypes.ListType(reversed(_l(lst)))


def _first(lst: Any) -> Any:
    items = _l(lst)
    return OptionalValue(items[0], True) if items else OptionalValue()


def _last(lst: Any) -> Any:
    items = _l(lst)
    return OptionalValue(items[-1], True) if items else OptionalValue()


# --- Kubernetes library.Lists ---------------------------------------------------------
def _is_sorted(lst: Any) -> Any:
    items = _l(lst)
    _check_sortable(items)
    return celtypes.BoolType(all(_compare(a, b) <= 0 for a, b in zip(items, items[1:])))


def _sum(lst: Any) -> Any:
    items = _l(lst)
    if not items:
        return celtypes.IntType(0)
    kinds = {type_name(v) for v in items}
    if len(kinds) != 1 or not kinds <= {"int", "uint", "double", "google.protobuf.Duration"}:
        raise EvalFailure(f"sum() requires a list of one numeric or duration type, found {', '.join(sorted(kinds))}")
    total = items[0]
    try:
        for v in items[1:]:
            total = total + v
    except (ValueError, OverflowError):
        raise EvalFailure("integer overflow in sum()") from None
    return total


def _extreme(lst: Any, want: int, name: str) -> Any:
    items = _l(lst)
    if not items:
        raise EvalFailure(f"{name} called on empty list")
    _check_sortable(items)
    best = items[0]
    for v in items[1:]:
        if _compare(v, best) == want:
            best = v
    return best


def _min(lst: Any) -> Any:
    return _extreme(lst, -1, "min")


def _max(lst: Any) -> Any:
    return _extreme(lst, 1, "max")


def _index_of(lst: Any, value: Any) -> Any:
    for i, x in enumerate(_l(lst)):
        if cel_equal(x, value):
            return celtypes.IntType(i)
    return celtypes.IntType(-1)


def _last_index_of(lst: Any, value: Any) -> Any:
    items = _l(lst)
    for i in range(len(items) - 1, -1, -1):
        if cel_equal(items[i], value):
            return celtypes.IntType(i)
    return celtypes.IntType(-1)


# --- kro index mutation ---------------------------------------------------------------
def _kro_list(name: str, lst: Any, index: Any) -> tuple[list[Any], int]:
    if not isinstance(lst, list):
        raise EvalFailure(f"lists.{name}: first argument must be a list")
    if type_name(index) != "int":
        raise EvalFailure(f"lists.{name}: index must be an integer")
    return list(lst), int(index)


def _set_at(lst: Any, index: Any, value: Any) -> Any:
    items, i = _kro_list("setAtIndex", lst, index)
    if i < 0 or i >= len(items):
        raise EvalFailure(f"lists.setAtIndex: index {i} out of bounds [0, {len(items)})")
    items[i] = value
    return celtypes.ListType(items)


def _insert_at(lst: Any, index: Any, value: Any) -> Any:
    items, i = _kro_list("insertAtIndex", lst, index)
    if i < 0 or i > len(items):
        raise EvalFailure(f"lists.insertAtIndex: index {i} out of bounds [0, {len(items)}]")
    items.insert(i, value)
    return celtypes.ListType(items)


def _remove_at(lst: Any, index: Any) -> Any:
    items, i = _kro_list("removeAtIndex", lst, index)
    if i < 0 or i >= len(items):
        raise EvalFailure(f"lists.removeAtIndex: index {i} out of bounds [0, {len(items)})")
    del items[i]
    return celtypes.ListType(items)


LIBRARY = Library(
    functions={
        "lists.range": _range,
        "lists.setAtIndex": _set_at,
        "lists.insertAtIndex": _insert_at,
        "lists.removeAtIndex": _remove_at,
    },
    methods={
        "slice": _slice,
        "flatten": _flatten,
        "sort": _sort,
        "distinct": _distinct,
        "reverse": _reverse,
        "first": _first,
        "last": _last,
        "isSorted": _is_sorted,
        "sum": _sum,
        "min": _min,
        "max": _max,
        "indexOf": _index_of,
        "lastIndexOf": _last_index_of,
    },
)
