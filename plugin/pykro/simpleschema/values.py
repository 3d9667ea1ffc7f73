"""Instance values against a kro-generated schema: API-server defaulting and validation.

pykro's direct mode renders what kro would render, so the instance's spec
must look exactly as the controller sees it *after* the API server has
admitted it: nulls pruned, defaults filled (structural defaulting), then
validated against the CRD schema. :func:`apply_defaults` and
:func:`validate_values` reproduce those two admission steps for the schema
:func:`~pykro.simpleschema.to_openapi` returns. Values are the instance's
``spec`` mapping; problem paths start with ``spec``.

Validation follows JSON Schema draft 4 on the schema with the OpenAPI-only
parts translated (``_to_jsonschema``): integers accept whole floats (``3.0``)
as Kubernetes does, ``x-kubernetes-list-type: set|map`` become uniqueness
checks, objects without ``x-kubernetes-preserve-unknown-fields`` reject
unknown fields (kubectl's strict field validation), Kubernetes string formats
and ``int32``/``int64`` ranges are checked, and other ``x-kubernetes-*`` keys
are ignored.

Then, as the API server does on create, every CEL ``x-kubernetes-validations``
rule (SimpleSchema's ``validation=`` marker) is evaluated with ``self`` bound to
its field's value, by pykro's offline CEL engine (imported only when a schema has
rules). Transition rules (those reading ``oldSelf``, such as ``immutable=true``)
only run on updates, against the live object, and are skipped. Like the API
server, no rule runs while a value has the wrong type (a blocking error). In
direct mode nothing else would ever check these rules: no CRD is installed.

Two engines check that translated schema. The one used is pykro's own
(``_validator``, stdlib only, compiled once per schema): importing
``jsonschema`` alone costs more than a whole ``pykro render``. The jsonschema
one (``_validate_values_reference``) is kept as the reference the fast one is
tested against, and as the fallback for hand-written schemas using keywords
kro never emits (``$ref``, ``oneOf``, ``not``, ``patternProperties``...).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from pykro.errors import SchemaError, ValuesError
from pykro.simpleschema._validator import Unsupported, compile_schema, format_checks, show
from pykro.simpleschema.parse import join_path

__all__ = ["ValuesProblem", "apply_defaults", "validate_values"]

_ROOT = "spec"


@dataclass(frozen=True, slots=True)
class ValuesProblem:
    """One reason the API server would reject the values."""

    path: str
    message: str


def apply_defaults(openapi: dict[str, Any], values: dict[str, Any] | None) -> dict[str, Any]:
    """Return a copy of ``values`` defaulted as the API server defaults a custom resource.

    Null values of non-nullable fields are dropped (or replaced by the field's
    default); every absent field with a ``default`` gets a copy of it; then
    defaulting descends into every present value, including values that were
    just defaulted. So an absent object is created only if it has a default
    itself (kro gives objects whose fields have defaults, and nothing
    required, ``default: {}``), and its fields' defaults then apply.
    ``values=None`` stands for an absent spec. Keys come back sorted, as the
    API server serves them.
    """
    if values is None:
        values = copy.deepcopy(openapi.get("default", {}))
    if not isinstance(values, dict):
        raise ValuesError(f"expected a mapping of spec fields, got {type(values).__name__}", path=_ROOT)
    defaulted: dict[str, Any] = _sorted(_default(copy.deepcopy(values), openapi))
    return defaulted


def _default(value: Any, schema: Any) -> Any:
    if not isinstance(schema, dict):
        return value
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        for key in list(value):
            prop = props.get(key)
            if prop is not None and value[key] is None and "default" not in prop and not prop.get("nullable"):
                del value[key]
        for key, prop in props.items():
            if "default" in prop and (key not in value or (value[key] is None and not prop.get("nullable"))):
                value[key] = copy.deepcopy(prop["default"])
        extra = schema.get("additionalProperties")
        for key in list(value):
            if key in props:
                value[key] = _default(value[key], props[key])
            elif isinstance(extra, dict):
                value[key] = _default(value[key], extra)
        return value
    if isinstance(value, list):
        return [_default(item, schema.get("items")) for item in value]
    if schema.get("type") == "integer" and isinstance(value, float) and value.is_integer():
        # The API server stores a whole float as a JSON number that reads back as an integer.
        return int(value)
    return value


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def validate_values(openapi: dict[str, Any], values: dict[str, Any] | None) -> list[ValuesProblem]:
    """Every reason the API server would reject ``values`` (empty list: valid).

    The values are null-pruned and defaulted first, exactly as the API server
    does before validating; doing it again on already-defaulted values changes
    nothing. Problems are sorted by path, then message.

    The check runs on pykro's own validator (``_validator``), compiled once
    per schema; only a hand-written schema with keywords kro never emits
    (``$ref``, ``oneOf``, ``not``, ``patternProperties``...) falls back to
    the jsonschema reference, which is slower to import but checks the same.
    """
    if values is not None and not isinstance(values, dict):
        return [ValuesProblem(_ROOT, f"must be of type object, got {show(values)}")]
    instance = apply_defaults(openapi, values)
    problems_of = _compiled(openapi)
    try:
        if problems_of is None:
            problems = _reference_problems(openapi, instance)
        else:
            problems = {ValuesProblem(path, message) for path, message in problems_of(instance)}
    except (re.error, ValueError) as exc:  # RE2Error is a ValueError
        raise _bad_pattern(exc) from None
    if not any(p.message.startswith(_BLOCKING) for p in problems):
        problems.update(_rule_problems(openapi, instance))
    return sorted(problems, key=lambda p: (p.path, p.message))


def _validate_values_reference(openapi: dict[str, Any], values: dict[str, Any] | None) -> list[ValuesProblem]:
    """:func:`validate_values` on jsonschema alone: the reference the fast validator is tested against.

    Not used at run time (importing jsonschema costs more than a whole
    render); tests and ``benchmarks/bench_values.py`` call it.
    """
    if values is not None and not isinstance(values, dict):
        return [ValuesProblem(_ROOT, f"must be of type object, got {show(values)}")]
    instance = apply_defaults(openapi, values)
    try:
        problems = _reference_problems(openapi, instance)
    except re.error as exc:
        raise _bad_pattern(exc) from None
    if not any(p.message.startswith(_BLOCKING) for p in problems):
        problems.update(_rule_problems(openapi, instance))
    return sorted(problems, key=lambda p: (p.path, p.message))


def _bad_pattern(exc: Exception) -> SchemaError:
    # Only hand-written schemas get here: to_openapi rejects such patterns.
    return SchemaError(f"a pattern in the schema cannot be checked with Go's RE2 semantics: {exc}", path=_ROOT)


# --- CEL validation rules ------------------------------------------------------

# The API server skips CEL rules when the object has a type or enum error
# (field.ErrorTypeInvalid / NotSupported are "blocking"): the rules were
# type-checked against the schema and cannot run on values that break it.
_BLOCKING = ("must be of type ", "must be one of ")


def _rule_problems(openapi: dict[str, Any], instance: dict[str, Any]) -> set[ValuesProblem]:
    """The ``x-kubernetes-validations`` rules ``instance`` breaks, evaluated as on create."""
    found: list[tuple[str, Any, dict[str, Any], dict[str, Any]]] = []
    _collect_rules(openapi, instance, _ROOT, found)
    if not found:
        return set()
    from pykro.celengine import evaluate, references
    from pykro.errors import CelError

    problems: set[ValuesProblem] = set()
    for path, value, schema, entry in found:
        rule = entry.get("rule")
        if not isinstance(rule, str) or any(ref[0] == "oldSelf" for ref in references(rule)):
            continue  # a transition rule: it needs the live object, and create does not run it
        try:
            result = evaluate(rule, {"self": _as_cel(value, schema)})
        except CelError as exc:
            problems.add(ValuesProblem(path, f"rule {json.dumps(rule)} could not be evaluated: {exc.message}"))
            continue
        if result is True:
            continue
        if result is False:
            message = entry.get("message") or "failed rule"
            problems.add(ValuesProblem(path, f"{message}: rule {json.dumps(rule)} is false for {show(value)}"))
        else:
            problems.add(ValuesProblem(path, f"rule {json.dumps(rule)} must give a bool, got {show(result)}"))
    return problems


def _collect_rules(schema: Any, value: Any, path: str, out: list[tuple[str, Any, dict[str, Any], dict[str, Any]]]) -> None:
    if not isinstance(schema, dict) or value is None:
        return
    for entry in schema.get("x-kubernetes-validations") or ():
        if isinstance(entry, dict):
            out.append((path, value, schema, entry))
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key in sorted(value):
            _collect_rules(props[key] if key in props else extra, value[key], join_path(path, key), out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _collect_rules(schema.get("items"), item, join_path(path, index), out)


def _as_cel(value: Any, schema: Any) -> Any:
    """``value`` as the API server hands it to CEL: a ``number`` field is a double even when written ``3``."""
    if not isinstance(schema, dict):
        return value
    if schema.get("type") == "number" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        return {k: _as_cel(v, props[k] if k in props else extra) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_cel(item, schema.get("items")) for item in value]
    return value


# --- compiled validators, one per distinct schema --------------------------------

_COMPILED: dict[str, Callable[[Any], list[tuple[str, str]]] | None] = {}
_COMPILED_MAX = 64


def _compiled(openapi: dict[str, Any]) -> Callable[[Any], list[tuple[str, str]]] | None:
    """The compiled validator of ``openapi``, or None when only the reference can check it.

    Memoized on ``repr(openapi)``: the schema's full text, so an equal schema
    built again (every render builds its own) reuses the work and a schema
    mutated in place is never checked with a stale validator (the compiled
    closures keep a private copy of the lists they read: enum, required...).
    """
    key = repr(openapi)
    if key in _COMPILED:
        return _COMPILED[key]
    try:
        compiled: Callable[[Any], list[tuple[str, str]]] | None = compile_schema(copy.deepcopy(_to_jsonschema(openapi)))
    except Unsupported:
        compiled = None
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.pop(next(iter(_COMPILED)))
    _COMPILED[key] = compiled
    return compiled


def _reference_problems(openapi: dict[str, Any], instance: dict[str, Any]) -> set[ValuesProblem]:
    problems: set[ValuesProblem] = set()
    for error in _validator(openapi).iter_errors(instance):
        problems.update(_problems(error))
    return problems


# --- OpenAPI v3 (Kubernetes flavour) -> JSON Schema draft 4 ------------------

_LIST_MAP_KEYS = "x-pykro-list-map-keys"
_DROP = {"nullable", "default", "description", "example", "externalDocs", "title", "id", "$schema", "definitions"}


def _to_jsonschema(schema: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: _to_jsonschema(prop) for name, prop in value.items()}
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = _to_jsonschema(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [_to_jsonschema(item) for item in value]
        elif key.startswith("x-kubernetes-") or key in _DROP:
            continue
        else:
            out[key] = value
    if schema.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out.setdefault("allOf", []).append({"anyOf": [{"type": "integer"}, {"type": "string"}]})
    if schema.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if (
        schema.get("type") == "object"
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False  # the API server drops (kubectl rejects) unknown fields
    list_type = schema.get("x-kubernetes-list-type")
    if list_type == "set":
        out["uniqueItems"] = True
    elif list_type == "map" and schema.get("x-kubernetes-list-map-keys"):
        out[_LIST_MAP_KEYS] = list(schema["x-kubernetes-list-map-keys"])
    return out


def _validator(openapi: dict[str, Any]) -> Any:
    import jsonschema
    from jsonschema import validators

    def is_integer(_checker: Any, value: Any) -> bool:
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())

    def is_number(_checker: Any, value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    type_checker = jsonschema.Draft4Validator.TYPE_CHECKER.redefine_many(
        {"integer": is_integer, "number": is_number}
    )
    cls = validators.extend(
        jsonschema.Draft4Validator,
        validators={_LIST_MAP_KEYS: _check_list_map_keys},
        type_checker=type_checker,
    )
    checker = jsonschema.FormatChecker(formats=())
    for name, check in format_checks().items():
        checker.checks(name)(check)
    return cls(_to_jsonschema(openapi), format_checker=checker)


def _check_list_map_keys(validator: Any, keys: list[str], instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
    from jsonschema import ValidationError

    if not isinstance(instance, list):
        return
    seen: set[str] = set()
    for index, item in enumerate(instance):
        if not isinstance(item, dict):
            continue
        identity = json.dumps([item.get(k) for k in keys], sort_keys=True)
        if identity in seen:
            shown = ", ".join(f"{k}={show(item.get(k))}" for k in keys)
            yield ValidationError(f"duplicate entry with {shown} in a listType=map list", path=[index])
        seen.add(identity)


# --- errors -> problems ---------------------------------------------------------


def _problems(error: Any) -> list[ValuesProblem]:
    path = _ROOT
    for part in error.absolute_path:
        path = join_path(path, part)
    kind, expected, value = error.validator, error.validator_value, error.instance

    if kind == "required":
        missing = [k for k in expected if isinstance(value, dict) and k not in value]
        return [ValuesProblem(join_path(path, k), "required value is missing") for k in missing]
    if kind == "additionalProperties" and expected is False and isinstance(value, dict):
        known = sorted((error.schema.get("properties") or {}).keys())
        out = []
        import difflib

        for key in value:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f'; did you mean "{close[0]}"?' if close else (f"; known fields: {', '.join(known)}" if known else "")
            out.append(ValuesProblem(join_path(path, str(key)), f'unknown field "{key}"{hint}'))
        return out
    if kind == "uniqueItems" and isinstance(value, list):
        seen: set[str] = set()
        for index, item in enumerate(value):
            identity = json.dumps(item, sort_keys=True)
            if identity in seen:
                return [ValuesProblem(join_path(path, index), f"duplicate value {show(item)} in a set-typed list")]
            seen.add(identity)
    messages = {
        "type": lambda: f"must be of type {' or '.join(expected) if isinstance(expected, list) else expected}, got {show(value)}",
        "enum": lambda: f"must be one of {', '.join(json.dumps(v) for v in expected)}, got {show(value)}",
        "minLength": lambda: f"must be at least {expected} characters long, got {len(value)}",
        "maxLength": lambda: f"must be at most {expected} characters long, got {len(value)}",
        "minItems": lambda: f"must have at least {expected} items, got {len(value)}",
        "maxItems": lambda: f"must have at most {expected} items, got {len(value)}",
        "minProperties": lambda: f"must have at least {expected} entries, got {len(value)}",
        "maxProperties": lambda: f"must have at most {expected} entries, got {len(value)}",
        "minimum": lambda: f"must be {'>' if error.schema.get('exclusiveMinimum') else '>='} {expected}, got {value}",
        "maximum": lambda: f"must be {'<' if error.schema.get('exclusiveMaximum') else '<='} {expected}, got {value}",
        "pattern": lambda: f"must match the regular expression {json.dumps(expected)}, got {show(value)}",
        "format": lambda: f"must be a valid {expected}, got {show(value)}",
        "multipleOf": lambda: f"must be a multiple of {expected}, got {value}",
    }
    make = messages.get(kind)
    return [ValuesProblem(path, make() if make else error.message)]
