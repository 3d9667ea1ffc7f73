"""jsonschema errors said the way a user can act on them.

jsonschema's own messages name Python reprs (``'three' is not of type
'integer', 'null'``) and put an unknown field on its parent; these name the
field itself, in JSON spelling, with a suggestion when one is obvious.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

__all__ = ["describe", "json_type", "quote"]

# Above this many allowed fields a list stops helping; a close match still does.
_MAX_LISTED = 12


def json_type(value: Any) -> str:
    """The JSON name of a Python value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def quote(value: Any) -> str:
    """A value as JSON (double quotes), whatever it is."""
    try:
        return json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


def _expected_types(value: Any) -> str:
    types = [t for t in (value if isinstance(value, list) else [value]) if t != "null"]
    return " or ".join(types) or "null"


def _unknown_field(name: str, allowed: list[str], explain: str | None) -> str:
    import difflib  # only when a field is unknown

    message = f'unknown field "{name}"'
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.75)
    if close:
        return f'{message}; did you mean "{close[0]}"?'
    if not allowed:
        return f"{message}; this object has no fields"
    if len(allowed) <= _MAX_LISTED:
        return f"{message}; expected one of: {', '.join(allowed)}"
    if explain:
        return f"{message}; see the fields with: kubectl explain {explain}"
    return f"{message}; it is not one of this object's {len(allowed)} fields"


def describe(error: Any, object_kind: str | None = None) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """``(path segments, message)`` for one jsonschema error; several for required/unknown fields.

    ``object_kind``, for Kubernetes objects, lets an unknown field point at ``kubectl explain``.
    """
    segments: tuple[str | int, ...] = tuple(error.absolute_path)
    kind = error.validator
    value = error.validator_value
    instance = error.instance
    parent = error.schema if isinstance(error.schema, dict) else {}
    if kind == "required" and isinstance(instance, dict):
        for name in value:
            if name not in instance:
                yield segments + (name,), f'missing required field "{name}"'
        return
    if kind == "additionalProperties" and isinstance(instance, dict) and value is False:
        allowed = sorted(parent.get("properties") or {})
        for name in instance:
            if name not in allowed:
                explain = (
                    ".".join([object_kind.lower(), *(s for s in segments if isinstance(s, str))])
                    if object_kind
                    else None
                )
                yield segments + (str(name),), _unknown_field(str(name), allowed, explain)
        return
    if kind == "type":
        message = f"expected {_expected_types(value)}, got {json_type(instance)} {quote(instance)}"
    elif kind in ("anyOf", "oneOf") and _branch_types(value):
        message = f"expected {' or '.join(_branch_types(value))}, got {json_type(instance)} {quote(instance)}"
    elif kind == "pattern":
        # The Go spelling of the pattern, when the schema was translated for Python.
        message = f"{quote(instance)} does not match {parent.get('x-go-pattern', value)}"
    elif kind == "enum":
        message = f"{quote(instance)} is not one of: " + ", ".join(quote(v) for v in value if v is not None)
    elif kind in ("minProperties", "maxProperties"):
        bound = "at least" if kind == "minProperties" else "at most"
        message = f"has {len(instance)} fields; expected {bound} {value}"
    elif kind in ("minLength", "maxLength"):
        bound = "at least" if kind == "minLength" else "at most"
        message = f"{quote(instance)} has {len(instance)} characters; expected {bound} {value}"
    elif kind in ("minItems", "maxItems"):
        bound = "at least" if kind == "minItems" else "at most"
        message = f"has {len(instance)} items; expected {bound} {value}"
    elif kind in ("minimum", "maximum"):
        bound = "at least" if kind == "minimum" else "at most"
        message = f"{quote(instance)} is out of range; expected {bound} {value}"
    elif kind == "uniqueItems":
        message = "has duplicate items; every item must be unique"
    else:
        message = error.message
    yield segments, message


def _branch_types(branches: Any) -> list[str]:
    """The types of a one-of whose branches are bare types (IntOrString, Quantity, int-or-string); else []."""
    if not isinstance(branches, list):
        return []
    types: list[str] = []
    for branch in branches:
        if not isinstance(branch, dict) or set(branch) != {"type"}:
            return []
        for t in branch["type"] if isinstance(branch["type"], list) else [branch["type"]]:
            if t != "null" and t not in types:
                types.append(t)
    return types
