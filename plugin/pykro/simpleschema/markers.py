"""SimpleSchema markers: the ``key=value`` words after the ``|``.

Mirrors kro's ``pkg/simpleschema/markers.go``: a closed set of markers
(:class:`Marker`), a hand-written scanner (:func:`parse_markers`) that keeps
quoted strings and JSON values together, and one small ``_apply_*`` function
per marker that edits the field's OpenAPI schema.

Where kro only parses a value and the API server would then reject the CRD
(a ``default`` that is not valid JSON, ``default=True`` on a boolean,
``minimum=inf``), pykro rejects it here: the end result, an RGD that never
becomes Active, is the same, and the user learns it before pushing.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable

from pykro.errors import SchemaError

__all__ = ["Marker", "MarkerValue", "parse_markers", "apply_markers"]


class Marker(str, Enum):
    """Every marker kro v0.9 knows; any other key is an error."""

    REQUIRED = "required"
    DEFAULT = "default"
    DESCRIPTION = "description"
    MINIMUM = "minimum"
    MAXIMUM = "maximum"
    VALIDATION = "validation"
    ENUM = "enum"
    IMMUTABLE = "immutable"
    PATTERN = "pattern"
    UNIQUE_ITEMS = "uniqueItems"
    MIN_LENGTH = "minLength"
    MAX_LENGTH = "maxLength"
    MIN_ITEMS = "minItems"
    MAX_ITEMS = "maxItems"
    LIST_TYPE = "listType"
    LIST_MAP_KEY = "listMapKey"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class MarkerValue:
    """One parsed marker: which one, and its value with quotes removed."""

    marker: Marker
    value: str


_KNOWN = ", ".join(m.value for m in Marker)


def _marker_from_key(key: str) -> Marker:
    try:
        return Marker(key)
    except ValueError:
        raise SchemaError(f'unknown marker "{key}"; use one of: {_KNOWN}') from None


def _is_space(ch: str) -> bool:
    # Go's unicode.IsSpace; Python's isspace also counts the ASCII separators 0x1c-0x1f.
    return ch.isspace() and ch not in "\x1c\x1d\x1e\x1f"


def parse_markers(text: str) -> tuple[MarkerValue, ...]:
    """Split ``required=true description="a b" default={"k": [1, 2]}`` into markers.

    Same scanner as kro's ``ParseMarkers``: a space ends a marker unless it is
    inside double quotes or inside ``[...]``/``{...}``; backslash escapes work
    inside quotes; a value wholly in double quotes is unquoted and unescaped.
    A word without ``=`` is an error (kro rejects ``optional``), and so is an
    empty marker list (``"string |"``).
    """
    result: list[MarkerValue] = []
    current: Marker | None = None
    in_quotes = False
    brackets = 0
    escaped = False
    buf: list[str] = []

    for ch in text:
        if ch == "=" and current is None and not in_quotes and brackets == 0:
            key = "".join(buf).strip()
            if not key:
                raise SchemaError('marker has an empty name before "="; write name=value, e.g. required=true')
            current = _marker_from_key(key)
            buf.clear()
        elif ch == '"' and not escaped:
            in_quotes = not in_quotes
            buf.append(ch)
        elif ch == "\\" and in_quotes and not escaped:
            escaped = True
            buf.append(ch)
        elif ch in "{[" and not in_quotes:
            brackets += 1
            buf.append(ch)
        elif ch in "}]" and not in_quotes:
            brackets -= 1
            buf.append(ch)
            if brackets < 0:
                raise SchemaError(
                    f'unmatched "{ch}" in markers "{text.strip()}"; JSON values need their opening bracket'
                )
        elif _is_space(ch) and not in_quotes and brackets == 0:
            if current is not None:
                result.append(MarkerValue(current, _process_value("".join(buf))))
                current = None
                buf.clear()
        else:
            if escaped and in_quotes:
                escaped = False
            buf.append(ch)

    if current is None:
        word = "".join(buf)
        if not word.strip() and result:
            # kro's scanner reads the space after the last marker as the start of
            # another one, so "string | required=true " is rejected by kro.
            raise SchemaError(
                f'whitespace after the last marker in "{text.strip()}"; kro rejects it, remove the trailing space'
            )
        if not word.strip():
            raise SchemaError('"|" is not followed by any marker; remove the "|" or add markers like required=true')
        raise SchemaError(f'marker "{word}" has no value; write {word}=<value>, e.g. required=true')
    result.append(MarkerValue(current, _process_value("".join(buf))))
    if in_quotes:
        raise SchemaError(f'unclosed double quote in markers "{text.strip()}"; close the quoted value with "')
    if brackets > 0:
        raise SchemaError(f'unclosed bracket in markers "{text.strip()}"; close the JSON value with "]" or "}}"')
    return tuple(result)


def _process_value(value: str) -> str:
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return _unescape(value[1:-1])
    return value.strip()


def _unescape(text: str) -> str:
    """Drop the backslash before ``"`` and ``\\``; keep every other escape as written."""
    out: list[str] = []
    escaped = False
    for ch in text:
        if escaped:
            if ch not in '"\\':
                out.append("\\")
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            out.append(ch)
    return "".join(out)


# --- value parsers (Go strconv semantics, restricted to what JSON can carry) ---

_GO_BOOL = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
            "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}
_GO_INT = re.compile(r"[+-]?[0-9]+\Z")
_GO_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")
_JSON_INT = re.compile(r"-?(0|[1-9][0-9]*)\Z")
_JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")
_INT64 = (-(2**63), 2**63 - 1)


def _parse_bool(marker: Marker, value: str) -> bool:
    if value not in _GO_BOOL:
        raise SchemaError(f'{marker}={value} is not a boolean; write {marker}=true or {marker}=false')
    return _GO_BOOL[value]


def _parse_int(marker: Marker, value: str) -> int:
    if _GO_INT.match(value) and _INT64[0] <= int(value) <= _INT64[1]:
        return int(value)
    raise SchemaError(f"{marker}={value} is not an integer; write a whole number, e.g. {marker}=3")


def _parse_float(marker: Marker, value: str) -> int | float:
    """Go ParseFloat, emitted the way Go's JSON encoder writes a float64 (``1``, not ``1.0``)."""
    if not _GO_FLOAT.match(value):
        raise SchemaError(f"{marker}={value} is not a number; write e.g. {marker}=0 or {marker}=0.5")
    number = float(value)
    if not math.isfinite(number):
        raise SchemaError(f"{marker}={value} is out of range; write a finite number")
    if number.is_integer() and abs(number) < 1e21:
        return int(number)
    return number


# --- apply functions: one per marker ---------------------------------------


@dataclass(slots=True)
class _Target:
    """What a marker may edit: the field's schema and its parent's ``required`` list."""

    schema: dict[str, Any]
    key: str
    parent_required: list[str]


def _require_type(marker: Marker, schema: dict[str, Any], *allowed: str) -> None:
    actual = schema.get("type", "")
    if actual not in allowed:
        kinds = " or ".join({"array": "array ([]T)", "string": "string"}.get(a, a) for a in allowed)
        raise SchemaError(f"{marker} applies to {kinds} fields only, not to type {actual}; remove {marker}=")


def _apply_required(t: _Target, value: str) -> None:
    if _parse_bool(Marker.REQUIRED, value) and t.key not in t.parent_required:
        t.parent_required.append(t.key)


def _apply_default(t: _Target, value: str) -> None:
    schema = t.schema
    kind = schema.get("type")
    if kind == "string":
        # kro writes "<value>" as raw JSON: escapes in the value are JSON escapes.
        try:
            parsed: object = json.loads(f'"{value}"')
        except json.JSONDecodeError:
            raise SchemaError(
                f"default={value} is not a valid string default; remove stray double quotes or backslashes"
            ) from None
    elif kind == "integer":
        if not (_JSON_INT.match(value) and _INT64[0] <= int(value) <= _INT64[1]):
            raise SchemaError(f"default value must be a valid integer, got {value!r}; write e.g. default=3")
        parsed = int(value)
    elif kind == "number":
        if not _JSON_NUMBER.match(value):
            raise SchemaError(f"default value must be a valid number, got {value!r}; write e.g. default=0.5")
        parsed = json.loads(value)
    elif kind == "boolean":
        if value not in ("true", "false"):
            raise SchemaError(f"default value must be a valid boolean, got {value!r}; write default=true or default=false")
        parsed = value == "true"
    else:
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            raise SchemaError(
                f"default={value} is not valid JSON; write arrays and objects as JSON, "
                'e.g. default=["a","b"] or default={"k":"v"}'
            ) from None
        problem = _shape_problem(parsed, schema, "default")
        if problem:
            raise SchemaError(problem)
    schema["default"] = parsed


def _shape_problem(value: object, schema: dict[str, Any], where: str) -> str | None:
    """A stdlib-only type check of a JSON default against its schema (the API server's rule)."""
    kind = schema.get("type")
    ok: Callable[[object], bool] = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }.get(kind or "", lambda v: True)
    if not ok(value):
        return f"{where} {json.dumps(value)} is not of type {kind}; give a JSON {kind}"
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            problem = _shape_problem(item, schema["items"], f"{where}[{i}]")
            if problem:
                return problem
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for k, v in value.items():
            sub = props.get(k, extra if isinstance(extra, dict) else None)
            if sub is not None:
                problem = _shape_problem(v, sub, f"{where}.{k}")
                if problem:
                    return problem
    return None


def _apply_description(t: _Target, value: str) -> None:
    t.schema["description"] = value


def _apply_minimum(t: _Target, value: str) -> None:
    t.schema["minimum"] = _parse_float(Marker.MINIMUM, value)


def _apply_maximum(t: _Target, value: str) -> None:
    t.schema["maximum"] = _parse_float(Marker.MAXIMUM, value)


def _apply_validation(t: _Target, value: str) -> None:
    if not value.strip():
        raise SchemaError('validation="" is empty; write a CEL rule, e.g. validation="self > 0"')
    _check_rule(value)
    t.schema.setdefault("x-kubernetes-validations", []).append({"rule": value, "message": "validation failed"})


def _check_rule(rule: str) -> None:
    """Reject a rule the API server would refuse when kro creates the CRD: it must parse, and read only ``self``.

    The CEL engine is imported only here, for schemas that have rules.
    """
    from pykro.celengine import check, references
    from pykro.errors import CelError

    try:
        check(rule)
        roots = {ref[0] for ref in references(rule)}
    except CelError as exc:
        raise SchemaError(f"validation rule is not valid CEL: {exc.message}", expression=rule) from None
    unknown = sorted(roots - {"self", "oldSelf"})
    if unknown:
        raise SchemaError(
            f"validation rule reads {', '.join(unknown)}; a rule sees only its own field, as self "
            "(and oldSelf, the previous value, on updates)",
            expression=rule,
        )


def _apply_immutable(t: _Target, value: str) -> None:
    if _parse_bool(Marker.IMMUTABLE, value):
        t.schema.setdefault("x-kubernetes-validations", []).append(
            {"rule": "self == oldSelf", "message": "field is immutable"}
        )


def _apply_enum(t: _Target, value: str) -> None:
    kind = t.schema.get("type")
    values: list[object] = []
    for raw in value.split(","):
        item = raw.strip()
        if not item:
            raise SchemaError(f'enum="{value}" has an empty value; write enum="a,b,c"')
        if kind == "string":
            values.append(item)
        elif kind == "integer":
            if not (_GO_INT.match(item) and _INT64[0] <= int(item) <= _INT64[1]):
                raise SchemaError(f'enum value {item!r} is not an integer; an integer enum is written enum="1,2,3"')
            values.append(int(item))
        else:
            raise SchemaError(f"enum applies to string and integer fields only, not to type {kind}; remove enum=")
    t.schema["enum"] = values


def _apply_min_length(t: _Target, value: str) -> None:
    _require_type(Marker.MIN_LENGTH, t.schema, "string")
    t.schema["minLength"] = _parse_int(Marker.MIN_LENGTH, value)


def _apply_max_length(t: _Target, value: str) -> None:
    _require_type(Marker.MAX_LENGTH, t.schema, "string")
    t.schema["maxLength"] = _parse_int(Marker.MAX_LENGTH, value)


def _apply_pattern(t: _Target, value: str) -> None:
    if value == "":
        raise SchemaError('pattern="" is empty; write a regular expression, e.g. pattern="^[a-z]+$"')
    _require_type(Marker.PATTERN, t.schema, "string")
    # The API server checks `pattern` with Go's regexp (RE2), so it is read as RE2, not as Python's re.
    from pykro.celengine.re2 import RE2Error, compile_re2

    try:
        compile_re2(value)
    except RE2Error as exc:
        raise SchemaError(
            f"pattern {value!r} is not a valid regular expression in Go's RE2 syntax (what Kubernetes uses): {exc}"
        ) from None
    t.schema["pattern"] = value


def _apply_unique_items(t: _Target, value: str) -> None:
    unique = _parse_bool(Marker.UNIQUE_ITEMS, value)
    _require_type(Marker.UNIQUE_ITEMS, t.schema, "array")
    if unique:
        current = t.schema.get("x-kubernetes-list-type")
        if current is not None and current != "set":
            raise SchemaError(f"uniqueItems=true conflicts with listType={current}; keep only one of them")
        # Kubernetes forbids uniqueItems in CRDs; a set-typed list is how it says "unique".
        t.schema["x-kubernetes-list-type"] = "set"


def _apply_min_items(t: _Target, value: str) -> None:
    _require_type(Marker.MIN_ITEMS, t.schema, "array")
    t.schema["minItems"] = _parse_int(Marker.MIN_ITEMS, value)


def _apply_max_items(t: _Target, value: str) -> None:
    _require_type(Marker.MAX_ITEMS, t.schema, "array")
    t.schema["maxItems"] = _parse_int(Marker.MAX_ITEMS, value)


def _apply_list_type(t: _Target, value: str) -> None:
    _require_type(Marker.LIST_TYPE, t.schema, "array")
    if value not in ("atomic", "set", "map"):
        raise SchemaError(f"listType={value} is not supported; write listType=atomic, listType=set or listType=map")
    current = t.schema.get("x-kubernetes-list-type")
    if current is not None and current != value:
        raise SchemaError(
            f"listType={value} conflicts with listType {current} (set by uniqueItems=true or an earlier listType); "
            "keep only one of them"
        )
    t.schema["x-kubernetes-list-type"] = value


def _apply_list_map_key(t: _Target, value: str) -> None:
    _require_type(Marker.LIST_MAP_KEY, t.schema, "array")
    keys = t.schema.setdefault("x-kubernetes-list-map-keys", [])
    if value in keys:
        raise SchemaError(f"listMapKey={value} is given twice; list each key once")
    keys.append(value)


_APPLY: dict[Marker, Callable[[_Target, str], None]] = {
    Marker.REQUIRED: _apply_required,
    Marker.DEFAULT: _apply_default,
    Marker.DESCRIPTION: _apply_description,
    Marker.MINIMUM: _apply_minimum,
    Marker.MAXIMUM: _apply_maximum,
    Marker.VALIDATION: _apply_validation,
    Marker.ENUM: _apply_enum,
    Marker.IMMUTABLE: _apply_immutable,
    Marker.PATTERN: _apply_pattern,
    Marker.UNIQUE_ITEMS: _apply_unique_items,
    Marker.MIN_LENGTH: _apply_min_length,
    Marker.MAX_LENGTH: _apply_max_length,
    Marker.MIN_ITEMS: _apply_min_items,
    Marker.MAX_ITEMS: _apply_max_items,
    Marker.LIST_TYPE: _apply_list_type,
    Marker.LIST_MAP_KEY: _apply_list_map_key,
}


def apply_markers(
    schema: dict[str, Any], markers: tuple[MarkerValue, ...], key: str, parent_required: list[str]
) -> None:
    """Apply ``markers`` in order to ``schema`` (the field ``key``), then check them together.

    ``required=true`` appends ``key`` to ``parent_required``; every other marker
    edits ``schema`` in place. Order matters as in kro: ``uniqueItems=true
    listType=map`` fails on the second marker.
    """
    target = _Target(schema, key, parent_required)
    for item in markers:
        _APPLY[item.marker](target, item.value)
    if schema.get("x-kubernetes-list-map-keys"):
        list_type = schema.get("x-kubernetes-list-type")
        if list_type is None:
            raise SchemaError("listMapKey is set but listType is not; add listType=map")
        if list_type != "map":
            raise SchemaError(f"listMapKey is set while listType is {list_type}; write listType=map")
