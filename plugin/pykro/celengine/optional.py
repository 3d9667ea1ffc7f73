"""cel-go ``cel.OptionalTypes()`` functions: ``optional.of/none/ofNonZeroValue``, ``hasValue``, ``value``,
``orValue``, ``or``.

The syntax (``a.?b``, ``a[?k]``, ``[?x]``, ``{?k: v}``) is in the patched grammar
and the evaluator; ``optMap``/``optFlatMap`` are macros there too.
"""

from __future__ import annotations

from typing import Any

from celpy import celtypes

from ._runtime import EvalFailure, Library, NoOverload, OptionalValue, type_name

__all__ = ["LIBRARY"]


def _opt(value: Any) -> OptionalValue:
    if isinstance(value, OptionalValue):
        return value
    raise NoOverload


def _of(value: Any) -> Any:
    return OptionalValue(value, True)


def _none() -> Any:
    return OptionalValue()


def _is_zero(value: Any) -> bool:
    t = type_name(value)
    if value is None:
        return True
    if t in ("bool", "int", "uint", "double"):
        return bool(value == 0)
    if t in ("string", "bytes", "list", "map"):
        return len(value) == 0
    if t == "google.protobuf.Duration":
        return bool(value.total_seconds() == 0)
    return False


def _of_non_zero(value: Any) -> Any:
    return OptionalValue() if _is_zero(value) else OptionalValue(value, True)


def _has_value(value: Any) -> Any:
    return celtypes.BoolType(_opt(value).present)


def _value(value: Any) -> Any:
    opt = _opt(value)
    if not opt.present:
        raise EvalFailure("optional.none() dereference")
    return opt.value


def _or_value(value: Any, default: Any) -> Any:
    opt = _opt(value)
    return opt.value if opt.present else default


def _or(value: Any, other: Any) -> Any:
    opt = _opt(value)
    if opt.present:
        return opt
    return _opt(other)


LIBRARY = Library(
    functions={"optional.of": _of, "optional.none": _none, "optional.ofNonZeroValue": _of_non_zero},
    methods={"hasValue": _has_value, "value": _value, "orValue": _or_value, "or": _or},
)
