"""cel-go ``ext.Strings()`` (latest version, as kro enables it): string methods, ``format``, ``strings.quote``.

Indices are in Unicode code points, like cel-go (Python ``str`` indices already are).
``format`` follows cel-go's ``formatting_v2.go`` (strings library version >= 4).
"""

from __future__ import annotations

import decimal
import math
from typing import Any

from celpy import celtypes

from ._runtime import EvalFailure, Library, NoOverload, as_int, to_python, type_name

__all__ = ["LIBRARY", "format_string"]

# Go's unicode.IsSpace, which cel-go's trim() uses (Python's isspace() also strips \x1c-\x1f).
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
            "\u2028\u2029\u202f\u205f\u3000"


def _s(value: Any) -> str:
    if isinstance(value, str):
        return str(value)
    raise NoOverload


def _char_at(s: Any, i: Any) -> Any:
    text, idx = _s(s), as_int(i)
    if idx < 0 or idx > len(text):
        raise EvalFailure(f"index out of range: {idx}")
    return celtypes.StringType(text[idx:idx + 1])


def _index_of(s: Any, sub: Any, offset: Any = None) -> Any:
    text, needle = _s(s), _s(sub)
    start = 0 if offset is None else as_int(offset)
    if start < 0 or start > len(text):
        raise EvalFailure(f"index out of range: {start}")
    return celtypes.IntType(text.find(needle, start))


def _last_index_of(s: Any, sub: Any, offset: Any = None) -> Any:
    text, needle = _s(s), _s(sub)
    if offset is None:
        return celtypes.IntType(text.rfind(needle))
    end = as_int(offset)
    if end < 0 or end >= len(text) and not (needle == "" and end == len(text)):
        raise EvalFailure(f"index out of range: {end}")
    if needle == "":
        return celtypes.IntType(end)
    # the match may start at `end` at the latest
    return celtypes.IntType(text.rfind(needle, 0, end + len(needle)))


def _lower_ascii(s: Any) -> Any:
    return celtypes.StringType("".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in _s(s)))


def _upper_ascii(s: Any) -> Any:
    return celtypes.StringType("".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in _s(s)))


def _replace(s: Any, old: Any, new: Any, n: Any = None) -> Any:
    count = -1 if n is None else as_int(n)
    return celtypes.StringType(_s(s).replace(_s(old), _s(new), count if count >= 0 else -1))


def _split(s: Any, sep: Any, n: Any = None) -> Any:
    text, separator = _s(s), _s(sep)
    limit = -1 if n is None else as_int(n)
    if limit == 0:
        return celtypes.ListType()
    if separator == "":
        parts = list(text)
        if limit > 0 and len(parts) > limit:
            parts = parts[: limit - 1] + ["".join(parts[limit - 1:])]
    else:
        parts = text.split(separator, limit - 1 if limit > 0 else -1)
    return celtypes.ListType(celtypes.StringType(p) for p in parts)


def _substring(s: Any, start: Any, end: Any = None) -> Any:
    text = _s(s)
    a = as_int(start)
    b = len(text) if end is None else as_int(end)
    if a < 0 or a > len(text):
        raise EvalFailure(f"index out of range: {a}")
    if b < 0 or b > len(text):
        raise EvalFailure(f"index out of range: {b}")
    if a > b:
        raise EvalFailure(f"invalid substring range. start: {a}, end: {b}")
    return celtypes.StringType(text[a:b])


def _trim(s: Any) -> Any:
    return celtypes.StringType(_s(s).strip(_GO_SPACE))


def _reverse(s: Any) -> Any:
    return celtypes.StringType(_s(s)[::-1])


def _join(items: Any, sep: Any = None) -> Any:
    if not isinstance(items, list):
        raise NoOverload
    separator = "" if sep is None else _s(sep)
    for item in items:
        if not isinstance(item, str):
            raise EvalFailure(f"join() requires a list of strings, found an element of type {type_name(item)}")
    return celtypes.StringType(separator.join(str(i) for i in items))


def _quote(s: Any) -> Any:
    escapes = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
               "\\": "\\\\", '"': '\\"'}
    return celtypes.StringType('"' + "".join(escapes.get(c, c) for c in _s(s)) + '"')


def _plain_float(value: float) -> str:
    """Go's ``strconv.FormatFloat(f, 'f', -1, 64)``: shortest digits, never an exponent."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    text = format(decimal.Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" and math.copysign(1, value) > 0 else text


def _format_value(value: Any) -> str:
    """The ``%s`` rendering of any value (formatting_v2 ``format``)."""
    t = type_name(value)
    if t == "bool":
        return "true" if value else "false"
    if t in ("int", "uint"):
        return str(int(value))
    if t == "double":
        return _plain_float(float(value))
    if t == "bytes":
        return bytes(value).decode("utf-8", errors="replace")
    if t == "string":
        return str(value)
    if t == "null_type":
        return "null"
    if t == "google.protobuf.Duration":
        return _plain_float(value.total_seconds()) + "s"
    if t == "google.protobuf.Timestamp":
        return str(to_python(value))
    if t == "type":
        return str(value)
    if t == "list":
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    if t == "map":
        entries = sorted((_format_value(k), _format_value(v)) for k, v in value.items())
        return "{" + ", ".join(f"{k}: {v}" for k, v in entries) + "}"
    raise EvalFailure(f"error during formatting: string clause can only be used on strings, bools, bytes, ints, "
                      f"doubles, maps, lists, types, durations, and timestamps, was given {t}")


def _special_float(value: float) -> str | None:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return None


def _clause(verb: str, precision: int | None, value: Any) -> str:
    t = type_name(value)
    numeric = t in ("int", "uint", "double")
    if verb == "s":
        return _format_value(value)
    if verb == "d":
        if t in ("int", "uint"):
            return str(int(value))
        if t == "double":
            return _special_float(float(value)) or _plain_float(float(value))
        raise EvalFailure(f"error during formatting: decimal clause can only be used on integers, was given {t}")
    if verb in ("f", "e"):
        if not numeric:
            kind = "fixed-point" if verb == "f" else "scientific"
            raise EvalFailure(f"error during formatting: {kind} clause can only be used on ints, uints, and doubles, "
                              f"was given {t}")
        special = _special_float(float(value))
        if special:
            return special
        return f"%.{6 if precision is None else precision}{verb}" % float(value)
    if verb == "b":
        if t == "bool":
            return "1" if value else "0"
        if t in ("int", "uint"):
            return format(int(value), "b")
        raise EvalFailure(f"error during formatting: only ints, uints, and bools can be formatted as binary, "
                          f"was given {t}")
    if verb in ("x", "X"):
        if t in ("int", "uint"):
            out = format(int(value), "x")
        elif t == "string":
            out = str(value).encode("utf-8").hex()
        elif t == "bytes":
            out = bytes(value).hex()
        else:
            raise EvalFailure(f"error during formatting: only ints, uints, bytes, and strings can be formatted as "
                              f"hex, was given {t}")
        return out.upper() if verb == "X" else out
    if verb == "o":
        if t in ("int", "uint"):
            return format(int(value), "o")
        raise EvalFailure(f"error during formatting: octal clause can only be used on integers, was given {t}")
    raise EvalFailure(f"could not parse formatting clause: unrecognized formatting clause \"{verb}\"")


def format_string(fmt: str, args: list[Any]) -> str:
    out: list[str] = []
    i, arg_index, n = 0, 0, len(fmt)
    while i < n:
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        if i + 1 < n and fmt[i + 1] == "%":
            out.append("%")
            i += 2
            continue
        if i + 1 >= n:
            raise EvalFailure("error during formatting: unexpected end of string")
        if arg_index >= len(args):
            raise EvalFailure(f"index {arg_index} out of range")
        j = i + 1
        precision: int | None = None
        if fmt[j] == ".":
            k = j + 1
            while k < n and fmt[k].isdigit():
                k += 1
            if k == j + 1:
                raise EvalFailure("could not parse formatting clause: error while parsing precision")
            precision = int(fmt[j + 1:k])
            j = k
        if j >= n:
            raise EvalFailure("could not parse formatting clause: unexpected end of string")
        out.append(_clause(fmt[j], precision, args[arg_index]))
        arg_index += 1
        i = j + 1
    return "".join(out)


def _format(s: Any, args: Any) -> Any:
    if not isinstance(args, list):
        raise NoOverload
    return celtypes.StringType(format_string(_s(s), list(args)))


LIBRARY = Library(
    functions={"strings.quote": _quote},
    methods={
        "charAt": _char_at,
        "indexOf": _index_of,
        "lastIndexOf": _last_index_of,
        "lowerAscii": _lower_ascii,
        "upperAscii": _upper_ascii,
        "replace": _replace,
        "split": _split,
        "substring": _substring,
        "trim": _trim,
        "reverse": _reverse,
        "join": _join,
        "format": _format,
    },
)
