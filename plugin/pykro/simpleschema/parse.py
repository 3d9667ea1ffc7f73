"""Parse one SimpleSchema field string into a typed :class:`Field`.

Mirrors kro's ``pkg/simpleschema/parse.go``: the text splits on the first
``|``; the left side is a type expression (``string``, ``[]T``,
``map[string]T``, ``object`` or a custom type name), the right side is
markers. Unknown type names become :class:`~.types.Custom` here and are only
resolved when the schema is built, because ``schema.types`` may define them.
Type nesting is limited so pathological input fails fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pykro.errors import SchemaError
from pykro.simpleschema.markers import MarkerValue, parse_markers
from pykro.simpleschema.types import ATOMIC_TYPES, Atomic, Custom, Map, Object, Slice, Struct, Type

__all__ = ["Field", "MAX_TYPE_NESTING_DEPTH", "join_path", "parse_field", "parse_type", "parse_spec"]

#: kro's ``maxTypeNestingDepth``: sixteen ``[]``/``map[string]`` levels are fine, seventeen are not.
MAX_TYPE_NESTING_DEPTH = 16


@dataclass(frozen=True, slots=True)
class Field:
    """One parsed ``"type | markers"`` string."""

    type: Type
    markers: tuple[MarkerValue, ...] = ()


def parse_field(text: str) -> Field:
    """Parse ``"[]string | default=["a"] minItems=1"`` into its type and markers."""
    type_text, bar, marker_text = text.partition("|")
    typ = parse_type(type_text, whole=text)
    markers = parse_markers(marker_text) if bar else ()
    return Field(typ, markers)


def parse_type(text: str, *, whole: str | None = None) -> Type:
    """Parse a type expression (no markers)."""
    if not text.strip():
        shown = whole if whole is not None else text
        raise SchemaError(f'empty type in "{shown}"; start with a type, e.g. "string | required=true"')
    return _parse_type(text, 0)


def _parse_type(text: str, depth: int) -> Type:
    if depth > MAX_TYPE_NESTING_DEPTH:
        raise SchemaError(
            f'type nesting too deep (max {MAX_TYPE_NESTING_DEPTH}) in "{text.strip()}"; use a custom type or object'
        )
    s = text.strip()
    if s in ATOMIC_TYPES:
        return Atomic(s)
    if s == "object":
        return Object()
    if s.startswith("[]"):
        elem = s[2:]
        if elem == "":
            raise SchemaError('"[]" needs an element type; write e.g. "[]string"')
        return Slice(_parse_type(elem, depth + 1))
    if s.startswith("map["):
        if not s.startswith("map[string]"):
            raise SchemaError(f'map keys must be string in "{s}"; write "map[string]<type>"')
        value = s[len("map[string]") :].strip()
        if value == "":
            raise SchemaError(f'"{s}" needs a value type; write e.g. "map[string]string"')
        return Map(_parse_type(value, depth + 1))
    return Custom(s)


def parse_spec(spec: Any, path: str = "") -> Type:
    """Parse a custom type definition: a field string or a mapping of fields.

    Only the types matter here (markers are checked when the schema is built);
    kro uses this to learn which custom types a type depends on. Errors carry
    ``path`` joined with the offending field's name.
    """
    try:
        if isinstance(spec, str):
            return parse_type(spec.partition("|")[0], whole=spec)
        if isinstance(spec, dict):
            return Struct(tuple((str(k), parse_spec(v, join_path(path, str(k)))) for k, v in spec.items()))
        raise SchemaError(describe_bad_spec(spec))
    except SchemaError as exc:
        raise exc.located(path=path or None)


def join_path(path: str, key: str | int) -> str:
    """Extend a kro-style field path: ``a.b``, ``a[0]``, and ``a["x.y"]`` for keys with dots."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key == "" or "." in key:
        return f'{path}["{key}"]'
    return f"{path}.{key}" if path else key


def describe_bad_spec(spec: Any) -> str:
    """The message for a field whose value is neither a type string nor a mapping."""
    if spec is None:
        return 'field has no type; write a type such as "string" or a nested mapping of fields'
    return (
        f"expected a type string such as \"integer | default=3\" or a nested mapping of fields, "
        f"got {type(spec).__name__} {spec!r}; quote it if it is meant as a type"
    )
