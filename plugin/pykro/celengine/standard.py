"""CEL's standard definitions (size, contains, conversions, timestamp getters...).

Kept with the other libraries because the evaluator dispatches every call through
one registry; the value semantics (overflow, durations, timestamps) are celpy's.
"""

from __future__ import annotations

import datetime
import math
import re
from typing import Any

from celpy import celtypes
from celpy import evaluation as celeval

from ._runtime import (
    INT64_MAX,
    INT64_MIN,
    EvalFailure,
    Library,
    NoOverload,
    OptionalValue,
    is_number,
    type_name,
)
from .re2 import RE2Error, compile_re2

__all__ = ["LIBRARY", "CelTypeValue", "go_float", "regex_compile"]


class CelTypeValue:
    """A CEL type used as a value: ``type(x) == int``."""

    cel_type_name = "type"

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CelTypeValue) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return self.name


def go_float(value: float) -> str:
    """Go's ``%g`` / ``strconv.FormatFloat(f, 'g', -1, 64)``: what cel-go prints for a double."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    text = repr(float(value))
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    mantissa, _, exp_text = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    exp = int(exp_text or 0)
    digits = (whole + frac).lstrip("0")
    # decimal point position relative to the significant digits
    point = len(whole) + exp if whole != "0" else exp - (len(frac) - len(frac.lstrip("0")))
    digits = digits.rstrip("0") or "0"
    x = point - 1
    if x < -4 or x >= 6:  # strconv's shortest 'g' switches to an exponent at 1e+06
        head, tail = digits[0], digits[1:]
        return f"{sign}{head}{'.' + tail if tail else ''}e{'-' if x < 0 else '+'}{abs(x):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def regex_compile(pattern: str) -> "re.Pattern[str]":
    """Go's RE2 semantics for ``matches``/``find``: see :mod:`.re2` for why the text is translated."""
    try:
        return compile_re2(pattern)
    except RE2Error as ex:
        raise EvalFailure(f"invalid regex {pattern!r}: {ex}") from None


def _size(value: Any) -> Any:
    if isinstance(value, (str, bytes, list, dict)):
        return celtypes.IntType(len(value))
    raise NoOverload


def _contains(s: Any, sub: Any) -> Any:
    if isinstance(s, str) and isinstance(sub, str):
        return celtypes.BoolType(str(sub) in str(s))
    raise NoOverload


def _starts(s: Any, p: Any) -> Any:
    if isinstance(s, str) and isinstance(p, str):
        return celtypes.BoolType(str(s).startswith(str(p)))
    raise NoOverload


def _ends(s: Any, p: Any) -> Any:
    if isinstance(s, str) and isinstance(p, str):
        return celtypes.BoolType(str(s).endswith(str(p)))
    raise NoOverload


def _matches(s: Any, p: Any) -> Any:
    if isinstance(s, str) and isinstance(p, str):
        return celtypes.BoolType(regex_compile(str(p)).search(str(s)) is not None)
    raise NoOverload


# What Go's strconv.ParseInt(s, 10, 64) / ParseUint / ParseFloat accept (cel-go's string
# conversions); Python's int() and float() also take spaces, "_" and non-ASCII digits.
_GO_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_GO_UINT = re.compile(r"[0-9]+", re.ASCII)
_GO_FLOAT_CHARS = re.compile(r"[0-9A-Za-z.+-]+", re.ASCII)


def _int(v: Any) -> Any:
    t = type_name(v)
    if t == "int":
        return v
    if t == "uint":
        if v > INT64_MAX:
            raise EvalFailure("range error converting uint to int")
        return celtypes.IntType(int(v))
    if t == "double":
        # cel-go's doubleToInt64Checked: both bounds exclusive (-2^63 as a double is out of range).
        if math.isnan(v) or not (INT64_MIN < v < 2.0**63):
            raise EvalFailure("range error converting double to int")
        return celtypes.IntType(int(v))
    if t == "string":
        if not _GO_INT.fullmatch(str(v)):
            raise EvalFailure(f"cannot convert string {str(v)!r} to int")
        return celtypes.IntType(int(str(v), 10))
    if t == "google.protobuf.Timestamp":
        return celtypes.IntType(int(v.timestamp()))
    raise NoOverload


def _uint(v: Any) -> Any:
    t = type_name(v)
    if t == "uint":
        return v
    try:
        if t == "int":
            return celtypes.UintType(int(v))
        if t == "double":
            if math.isnan(v) or not (0 <= v < 2.0**64):
                raise ValueError
            return celtypes.UintType(int(v))
        if t == "string":
            if not _GO_UINT.fullmatch(str(v)):
                raise ValueError
            return celtypes.UintType(int(str(v), 10))
    except ValueError:
        raise EvalFailure(f"range error converting {t} to uint") from None
    raise NoOverload


def _double(v: Any) -> Any:
    t = type_name(v)
    if t in ("int", "uint", "double"):
        return celtypes.DoubleType(float(v))
    if t == "string":
        s = str(v)
        try:
            if not _GO_FLOAT_CHARS.fullmatch(s):  # Python's float() also takes " 1" and "1_0"
                raise ValueError
            return celtypes.DoubleType(float(s))
        except ValueError:
            raise EvalFailure(f"cannot convert string {s!r} to double") from None
    raise NoOverload


def _string(v: Any) -> Any:
    t = type_name(v)
    if t == "string":
        return v
    if t == "bool":
        return celtypes.StringType("true" if v else "false")
    if t in ("int", "uint"):
        return celtypes.StringType(str(int(v)))
    if t == "double":
        return celtypes.StringType(go_float(float(v)))
    if t == "bytes":
        try:
            return celtypes.StringType(bytes(v).decode("utf-8"))
        except UnicodeDecodeError:
            raise EvalFailure("invalid UTF-8 in bytes, cannot convert to string") from None
    if t in ("google.protobuf.Duration", "google.protobuf.Timestamp"):
        from ._runtime import to_python

        return celtypes.StringType(to_python(v))
    to_string = getattr(v, "cel_string", None)
    if to_string is not None:
        return celtypes.StringType(to_string())
    raise NoOverload


def _bool(v: Any) -> Any:
    t = type_name(v)
    if t == "bool":
        return v
    if t == "string":
        s = str(v)
        if s in ("true", "True", "TRUE", "t", "T", "1"):  # Go's strconv.ParseBool
            return celtypes.BoolType(True)
        if s in ("false", "False", "FALSE", "f", "F", "0"):
            return celtypes.BoolType(False)
        raise EvalFailure(f"type conversion error from string {s!r} to bool")
    raise NoOverload


def _bytes(v: Any) -> Any:
    t = type_name(v)
    if t == "bytes":
        return v
    if t == "string":
        return celtypes.BytesType(str(v).encode("utf-8"))
    raise NoOverload


def _duration(v: Any) -> Any:
    t = type_name(v)
    if t == "google.protobuf.Duration":
        return v
    if t == "string":
        try:
            return celtypes.DurationType(str(v))
        except ValueError as ex:
            raise EvalFailure(f"invalid duration {str(v)!r}: {ex}") from None
    raise NoOverload


def _timestamp(v: Any) -> Any:
    t = type_name(v)
    if t == "google.protobuf.Timestamp":
        return v
    if t == "string":
        try:
            return celtypes.TimestampType(str(v))
        except ValueError as ex:
            raise EvalFailure(f"invalid timestamp {str(v)!r}: {ex}") from None
    if t == "int":
        return celtypes.TimestampType.fromtimestamp(int(v), tz=datetime.timezone.utc)
    raise NoOverload


def _type(v: Any) -> Any:
    return CelTypeValue(type_name(v))


def _getter(name: str) -> Any:
    fn = getattr(celeval, "function_" + name)

    def get(value: Any, *tz: Any) -> Any:
        if type_name(value) not in ("google.protobuf.Timestamp", "google.protobuf.Duration"):
            raise NoOverload
        try:
            return fn(value, *tz)
        except (ValueError, TypeError, AttributeError) as ex:
            raise EvalFailure(f"{name}() failed: {ex}") from None

    return get


_TIME_GETTERS = {
    n: _getter(n)
    for n in ("getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getFullYear", "getMonth",
              "getHours", "getMilliseconds", "getMinutes", "getSeconds")
}

_ = (OptionalValue, is_number)

LIBRARY = Library(
    functions={
        "size": _size,
        "int": _int,
        "uint": _uint,
        "double": _double,
        "string": _string,
        "bool": _bool,
        "bytes": _bytes,
        "duration": _duration,
        "timestamp": _timestamp,
        "type": _type,
    },
    methods={
        "size": _size,
        "contains": _contains,
        "startsWith": _starts,
        "endsWith": _ends,
        "matches": _matches,
        **_TIME_GETTERS,
    },
)
