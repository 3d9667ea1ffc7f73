"""Values, errors and conversions shared by the evaluator and the function libraries.

Imported only on the CEL-engine path (it imports celpy's value types). Library
functions receive and return celpy values; they signal failures with
:class:`EvalFailure` (a CEL runtime error, absorbed by ``||``/``&&`` like cel-go
does) or :class:`NoOverload` (this implementation does not take these argument
types: the dispatcher tries the next overload of the same name).
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Callable

from celpy import celtypes

__all__ = [
    "EvalFailure",
    "NoOverload",
    "NotSupportedOffline",
    "OptionalValue",
    "Library",
    "type_name",
    "to_cel",
    "to_python",
    "cel_equal",
    "cel_compare",
    "is_number",
    "as_int",
    "as_str",
    "INT64_MIN",
    "INT64_MAX",
]

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class EvalFailure(Exception):
    """A CEL runtime error raised by a library function (message is cel-go's wording where known)."""


class NoOverload(TypeError):
    """This overload does not apply to the given argument types."""


class NotSupportedOffline(Exception):
    """A function kro has that pykro cannot evaluate at render time."""


class OptionalValue:
    """CEL ``optional_type``: ``optional.of(x)`` or ``optional.none()``."""

    __slots__ = ("value", "present")

    def __init__(self, value: Any = None, present: bool = False) -> None:
        self.value = value
        self.present = present

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OptionalValue):
            return False
        if not (self.present and other.present):
            return self.present == other.present
        return cel_equal(self.value, other.value)

    def __hash__(self) -> int:  # pragma: no cover - optionals are never map keys
        return 0

    def __repr__(self) -> str:
        return f"optional.of({self.value!r})" if self.present else "optional.none()"


NONE = OptionalValue()


class Library:
    """The functions one module adds: ``functions`` are global (``f(x)``, ``ns.f(x)``),
    ``methods`` are receiver-style (``x.f(y)``, receiver passed first)."""

    def __init__(self, functions: dict[str, Callable[..., Any]] | None = None,
                 methods: dict[str, Callable[..., Any]] | None = None) -> None:
        self.functions = functions or {}
        self.methods = methods or {}


def string_arg(value: Any) -> str:
    """A CEL string argument as a plain ``str``; anything else has no overload."""
    if isinstance(value, str):
        return str(value)
    raise NoOverload


def parses(parse: Callable[..., Any], *args: Any) -> Any:
    """CEL bool: whether ``parse(*args)`` succeeds (``isQuantity``, ``isURL``, ``isIP``, ``isSemver``...)."""
    try:
        parse(*args)
    except EvalFailure:
        return celtypes.BoolType(False)
    return celtypes.BoolType(True)


def type_name(value: Any) -> str:
    """CEL's name for the type of ``value`` (used in error messages)."""
    if value is None:
        return "null_type"
    if isinstance(value, celtypes.BoolType) or isinstance(value, bool):
        return "bool"
    if isinstance(value, celtypes.UintType):
        return "uint"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes):
        return "bytes"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, datetime.timedelta):
        return "google.protobuf.Duration"
    if isinstance(value, datetime.datetime):
        return "google.protobuf.Timestamp"
    if isinstance(value, OptionalValue):
        return "optional_type"
    if isinstance(value, type):
        return "type"
    return getattr(value, "cel_type_name", type(value).__name__)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, (bool, celtypes.BoolType))


def as_int(value: Any, what: str = "argument") -> int:
    if isinstance(value, int) and not isinstance(value, (bool, celtypes.BoolType, celtypes.UintType)):
        return int(value)
    raise NoOverload(f"{what} must be an int")


def as_str(value: Any, what: str = "argument") -> str:
    if isinstance(value, str):
        return str(value)
    raise NoOverload(f"{what} must be a string")


def to_cel(value: Any) -> Any:
    """Plain Python (JSON-like) data -> celpy values."""
    if value is None:
        return None
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        if isinstance(value, (celtypes.IntType, celtypes.UintType)):
            return value
        if not INT64_MIN <= value <= INT64_MAX:
            raise EvalFailure(f"integer {value} overflows int64")
        return celtypes.IntType(value)
    if isinstance(value, float):
        return celtypes.DoubleType(value)
    if isinstance(value, str):
        return value if isinstance(value, celtypes.StringType) else celtypes.StringType(value)
    if isinstance(value, (bytes, bytearray)):
        return celtypes.BytesType(bytes(value))
    if isinstance(value, dict):
        return celtypes.MapType({to_cel(k): to_cel(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return celtypes.ListType([to_cel(v) for v in value])
    if isinstance(value, (datetime.datetime, datetime.timedelta, OptionalValue)):
        return value
    raise EvalFailure(f"unsupported activation value of Python type {type(value).__name__}")


def _go_duration(d: datetime.timedelta) -> str:
    """Go's time.Duration.String(), which kro writes for a duration result."""
    total_ns = (d.days * 86400 + d.seconds) * 10**9 + d.microseconds * 1000
    if total_ns == 0:
        return "0s"
    sign = "-" if total_ns < 0 else ""
    ns = abs(total_ns)
    if ns < 10**9:
        for unit, size in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if ns >= size:
                return sign + _trim_frac(ns, size) + unit
    h, rem = divmod(ns, 3600 * 10**9)
    m, rem = divmod(rem, 60 * 10**9)
    s = _trim_frac(rem, 10**9) + "s"
    if h:
        return f"{sign}{h}h{m}m{s}"
    if m:
        return f"{sign}{m}m{s}"
    return sign + s


def _trim_frac(value: int, unit: int) -> str:
    whole, frac = divmod(value, unit)
    if not frac:
        return str(whole)
    digits = len(str(unit)) - 1
    return f"{whole}.{str(frac).rjust(digits, '0').rstrip('0')}"


def to_python(value: Any) -> Any:
    """celpy values -> plain Python, as kro's ``conversion.GoNativeType`` converts results."""
    if value is None:
        return None
    if isinstance(value, (celtypes.BoolType, bool)):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, OptionalValue):
        return to_python(value.value) if value.present else None
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise EvalFailure(f"map key must be a string in a field value, got {type_name(k)} key {to_python(k)!r}")
            out[str(k)] = to_python(v)
        return out
    if isinstance(value, list):
        return [to_python(v) for v in value]
    if isinstance(value, datetime.timedelta):
        return _go_duration(value)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    raise EvalFailure(
        f"unsupported type: a {type_name(value)} value cannot be a field value; convert it to a string, number or bool first"
    )


def cel_equal(a: Any, b: Any) -> bool:
    """CEL heterogeneous equality: numbers compare by value across int/uint/double, other types must match."""
    if a is None or b is None:
        return a is None and b is None
    a_bool = isinstance(a, (bool, celtypes.BoolType))
    b_bool = isinstance(b, (bool, celtypes.BoolType))
    if a_bool or b_bool:
        return a_bool and b_bool and bool(a) == bool(b)
    if is_number(a) and is_number(b):
        if isinstance(a, float) and math.isnan(a) or isinstance(b, float) and math.isnan(b):
            return False
        return _plain(a) == _plain(b)
    if isinstance(a, str) and isinstance(b, str):
        return str(a) == str(b)
    if isinstance(a, bytes) and isinstance(b, bytes):
        return bytes(a) == bytes(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(cel_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        if len(a) != len(b):
            return False
        for k, v in a.items():
            other = map_lookup(b, k)
            if other is _MISSING or not cel_equal(v, other):
                return False
        return True
    if type_name(a) != type_name(b):
        return False
    return bool(a == b)


_MISSING = object()


def map_lookup(mapping: dict[Any, Any], key: Any) -> Any:
    """A map lookup where numeric keys match across int/uint/double (CEL semantics)."""
    if isinstance(key, (bool, celtypes.BoolType)):
        for k, v in mapping.items():
            if isinstance(k, (bool, celtypes.BoolType)) and bool(k) == bool(key):
                return v
        return _MISSING
    if is_number(key):
        # Compared as plain numbers: celpy's IntType and UintType refuse to compare with each other.
        plain = _plain(key)
        for k, v in mapping.items():
            if is_number(k) and _plain(k) == plain:
                return v
        return _MISSING
    try:
        return mapping[key]
    except (KeyError, TypeError):
        return _MISSING


def _plain(n: Any) -> int | float:
    """A Python int/float: celpy's numeric types refuse to compare across int/uint/double."""
    return float(n) if isinstance(n, float) else int(n)


def cel_compare(a: Any, b: Any) -> int:
    """-1/0/1 ordering for CEL's ``<``; numbers compare across types, others need matching types."""
    if is_number(a) and is_number(b):
        if isinstance(a, float) and math.isnan(a) or isinstance(b, float) and math.isnan(b):
            raise EvalFailure("NaN values cannot be ordered")
        x, y = _plain(a), _plain(b)
        return (x > y) - (x < y)
    ta, tb = type_name(a), type_name(b)
    if ta != tb or ta not in ("bool", "string", "bytes", "google.protobuf.Duration", "google.protobuf.Timestamp"):
        cmp = getattr(a, "cel_compare", None)
        if cmp is not None and ta == tb:
            return int(cmp(b))
        raise NoOverload(f"no such overload: {ta} < {tb}")
    if ta == "bool":
        a, b = bool(a), bool(b)
    elif ta == "string":
        a, b = str(a), str(b)
    elif ta == "bytes":
        a, b = bytes(a), bytes(b)
    return bool(a > b) - bool(a < b)
