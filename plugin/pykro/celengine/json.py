"""kro's ``JSON`` library (pkg/cel/library/json.go): ``json.unmarshal`` and ``json.marshal``.

Both follow Go's ``encoding/json``: unmarshal reads every number as a double
(Go decodes into ``interface{}`` as float64), marshal sorts map keys, writes
compact output, escapes ``<``, ``>``, ``&`` and U+2028/U+2029 like Go does, and
prints doubles the way Go does (``1`` for 1.0, exponent only below 1e-6 or from 1e21).
"""

from __future__ import annotations

import base64
import json as _json
import math
from typing import Any

from celpy import celtypes

from ._runtime import EvalFailure, Library, to_cel, to_python

__all__ = ["LIBRARY", "go_json"]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid character '{name[0]}' looking for beginning of value")


def _unmarshal(value: Any) -> Any:
    if not isinstance(value, str):
        raise EvalFailure("json.unmarshal argument must be a string")
    try:
        parsed = _json.loads(str(value), parse_int=float, parse_constant=_reject_constant)
    except ValueError as ex:
        raise EvalFailure(f"json.unmarshal failed to parse JSON: {ex}") from None
    return to_cel(parsed)


def _go_float(f: float) -> str:
    if math.isnan(f) or math.isinf(f):
        raise EvalFailure(f"json.marshal failed to encode value: json: unsupported value: {f}")
    if f == 0:
        return "-0" if math.copysign(1, f) < 0 else "0"
    if abs(f) < 1e-6 or abs(f) >= 1e21:
        mantissa, _, exp = repr(f).partition("e")
        if not exp:  # repr chose positional notation; force an exponent
            mantissa, _, exp = f"{f:e}".partition("e")
            mantissa = repr(float(mantissa))
        mantissa = mantissa[:-2] if mantissa.endswith(".0") else mantissa
        sign = "-" if exp.startswith("-") else "+"
        digits = exp.lstrip("+-").lstrip("0") or "0"
        return f"{mantissa}e{sign}{digits.rjust(2, '0') if sign == '+' else digits}"
    text = repr(f)
    if "e" in text:
        from decimal import Decimal

        text = format(Decimal(text), "f")
    return text[:-2] if text.endswith(".0") else text


def _go_string(s: str) -> str:
    out = _json.dumps(s, ensure_ascii=False)
    return (out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x7f", "\x7f"))


def go_json(value: Any) -> str:
    """Go ``json.Marshal`` of plain Python data (as converted from a CEL value)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, str):
        return _go_string(value)
    if isinstance(value, bytes):
        return '"' + base64.b64encode(value).decode("ascii") + '"'
    if isinstance(value, list):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_go_string(k)}:{go_json(value[k])}" for k in sorted(value)) + "}"
    raise EvalFailure(f"json.marshal failed to convert value: unsupported type {type(value).__name__}")


def _marshal(value: Any) -> Any:
    try:
        native = to_python(value)
    except EvalFailure as ex:
        raise EvalFailure(f"json.marshal failed to convert value: {ex}") from None
    return celtypes.StringType(go_json(native))


LIBRARY = Library(functions={"json.unmarshal": _unmarshal, "json.marshal": _marshal})
