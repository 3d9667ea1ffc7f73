"""pykro's own values validator against the jsonschema reference it replaces.

``validate_values`` runs on ``pykro.simpleschema._validator`` (stdlib only);
``values._validate_values_reference`` is the jsonschema implementation it must
equal. Hypothesis builds random SimpleSchema specs (through ``to_openapi``),
hand-written OpenAPI properties and kro's example schemas, then random values
that conform or miss by one (bounds, lengths, duplicates, wrong types, unknown
and missing fields), and requires the two engines to report the same
problems: same paths and same messages, in the same order.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pykro.errors import SchemaError
from pykro.simpleschema import ValuesProblem, to_openapi, validate_values
from pykro.simpleschema import values as values_module
from pykro.simpleschema.values import _validate_values_reference as reference
from tests.simpleschema.test_transform import E2E_SPEC, E2E_TYPES, RGDS

P = ValuesProblem
ROOT = Path(__file__).resolve().parents[2]
SETTINGS = settings(
    derandomize=True,
    deadline=None,
    max_examples=1000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# --- random SimpleSchema specs --------------------------------------------------------

NAMES = ["name", "port", "replicas", "tags", "a.b", "image", "mode"]
PATTERNS = ["^[a-z]+$", "^a", "[0-9]", "^(foo|bar)$", "x{2,}", "^$"]
STRING_DEFAULTS = ['"foo"', '""', "abc", '"a1"']


@st.composite
def _type_text(draw: st.DrawFn, depth: int, customs: tuple[str, ...]) -> str:
    options = ["string", "integer", "boolean", "float", "object"]
    if depth > 0:
        options += ["[]", "map"]
    options += list(customs)
    choice = draw(st.sampled_from(options))
    if choice == "[]":
        return "[]" + draw(_type_text(depth - 1, customs))
    if choice == "map":
        return "map[string]" + draw(_type_text(depth - 1, customs))
    return choice


@st.composite
def _markers(draw: st.DrawFn, kind: str, customs: dict[str, Any]) -> list[str]:
    """Markers that fit ``kind`` (so to_openapi accepts the field)."""
    out: list[str] = []
    if draw(st.booleans()):
        out.append(f"required={draw(st.sampled_from(['true', 'false']))}")
    if kind == "integer":
        low = draw(st.integers(-3, 3))
        if draw(st.booleans()):
            out.append(f"minimum={low}")
        if draw(st.booleans()):
            out.append(f"maximum={low + draw(st.integers(0, 4))}")
        if draw(st.booleans()):
            out.append(f'enum="{",".join(str(v) for v in draw(st.lists(st.integers(-2, 5), min_size=1, max_size=3)))}"')
        if draw(st.booleans()):
            out.append(f"default={draw(st.integers(-4, 8))}")
    elif kind == "float":
        if draw(st.booleans()):
            out.append(f"minimum={draw(st.sampled_from(['0', '0.5', '-1.25', '2']))}")
        if draw(st.booleans()):
            out.append(f"maximum={draw(st.sampled_from(['1', '2.5', '10']))}")
        if draw(st.booleans()):
            out.append(f"default={draw(st.sampled_from(['0', '1.5', '3', '-2.5']))}")
    elif kind == "string":
        if draw(st.booleans()):
            out.append(f"minLength={draw(st.integers(0, 3))}")
        if draw(st.booleans()):
            out.append(f"maxLength={draw(st.integers(0, 5))}")
        if draw(st.booleans()):
            out.append(f'pattern="{draw(st.sampled_from(PATTERNS))}"')
        if draw(st.booleans()):
            out.append(f'enum="{",".join(draw(st.lists(st.sampled_from(["foo", "bar", "a", "xx"]), min_size=1, max_size=3)))}"')
        if draw(st.booleans()):
            out.append(f"default={draw(st.sampled_from(STRING_DEFAULTS))}")
    elif kind == "boolean":
        if draw(st.booleans()):
            out.append(f"default={draw(st.sampled_from(['true', 'false']))}")
    elif kind.startswith("[]"):
        if draw(st.booleans()):
            out.append(f"minItems={draw(st.integers(0, 2))}")
        if draw(st.booleans()):
            out.append(f"maxItems={draw(st.integers(0, 3))}")
        elem = kind[2:]
        list_type = draw(st.sampled_from([None, "uniqueItems", "atomic", "set", "map"]))
        if list_type == "uniqueItems":
            out.append("uniqueItems=true")
        elif list_type in ("atomic", "set"):
            out.append(f"listType={list_type}")
        elif list_type == "map" and isinstance(customs.get(elem), dict) and customs[elem]:
            keys = draw(st.lists(st.sampled_from(sorted(customs[elem])), min_size=1, max_size=2, unique=True))
            out.append("listType=map")
            out += [f"listMapKey={k}" for k in keys]
        if draw(st.booleans()):
            out.append(f"default={draw(st.sampled_from(['[]', json.dumps(['a']) if elem == 'string' else '[]']))}")
    elif kind == "object" and draw(st.booleans()):
        out.append('default={"k": 1}')
    if draw(st.integers(0, 5)) == 0:
        out.append('description="some text"')
    if draw(st.integers(0, 5)) == 0:
        out.append('validation="self != null"')
    return out


@st.composite
def _fields(draw: st.DrawFn, depth: int, customs: dict[str, Any]) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=0 if depth < 2 else 1, max_size=4, unique=True))
    spec: dict[str, Any] = {}
    for name in names:
        if depth > 0 and draw(st.integers(0, 4)) == 0:
            spec[name] = draw(_fields(depth - 1, customs))
            continue
        kind = draw(_type_text(2, tuple(customs)))
        marks = draw(_markers(kind, customs))
        spec[name] = kind + (" | " + " ".join(marks) if marks else "")
    return spec


@st.composite
def simple_schemas(draw: st.DrawFn) -> dict:
    """An OpenAPI schema built by to_openapi from random SimpleSchema (spec, types)."""
    types: dict[str, Any] = {}
    if draw(st.booleans()):
        types["Item"] = draw(_fields(0, {}))
    if draw(st.booleans()):
        types["Port"] = "integer | default=80 minimum=1 maximum=65535"
    spec = draw(_fields(2, types))
    try:
        return to_openapi(spec, types or None)
    except SchemaError:
        # e.g. a default outside an enum's type rules: not what this test is about
        return to_openapi({"fallback": "string | required=true"})


# --- hand-written OpenAPI keywords to_openapi does not emit ------------------------------

HAND_WRITTEN = [
    {"type": "integer", "format": "int32"},
    {"type": "integer", "format": "int64"},
    {"type": "string", "format": "date-time"},
    {"type": "string", "format": "date"},
    {"type": "string", "format": "byte"},
    {"type": "string", "format": "uuid"},
    {"type": "string", "format": "ipv4"},
    {"type": "string", "format": "ipv6"},
    {"type": "string", "format": "cidr"},
    {"type": "string", "format": "hostname"},
    {"type": "string", "format": "email"},
    {"type": "string", "format": "duration"},
    {"type": "string", "format": "mac"},
    {"type": "string", "format": "k8s-special"},
    {"format": "int32"},
    {"type": "string", "nullable": True},
    {"type": "string", "enum": ["a", "b"], "nullable": True},
    {"x-kubernetes-int-or-string": True},
    {"x-kubernetes-int-or-string": True, "nullable": True},
    {"type": "integer", "maximum": 5, "exclusiveMaximum": True},
    {"type": "number", "minimum": 0.5, "exclusiveMinimum": True},
    {"type": "number", "multipleOf": 0.5},
    {"type": "integer", "multipleOf": 3},
    {"type": "object", "minProperties": 1, "maxProperties": 2, "additionalProperties": {"type": "string"}},
    {"type": "object", "additionalProperties": True},
    {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {"a": {"type": "integer"}}},
    {"anyOf": [{"type": "integer"}, {"type": "string", "minLength": 2}]},
    {"allOf": [{"minimum": 1}, {"maximum": 3}]},
    {"type": "array", "items": {"type": "number"}, "x-kubernetes-list-type": "set"},
    {"type": "array", "items": {"type": "boolean"}, "x-kubernetes-list-type": "set"},
    {"type": "array", "x-kubernetes-list-type": "set"},
    {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
     "x-kubernetes-list-type": "set"},
    {"type": "array", "items": {"type": "object", "properties": {"k": {"type": "string"}, "v": {"type": "integer"}}},
     "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["k"]},
    {"enum": [1, "1", True, None, [1], {"a": 1}]},
    {"type": "string", "pattern": "^[a-z]+$", "minLength": 1, "maxLength": 3},
]

SCALAR_POOL = [None, True, False, 0, 1, -1, 2, 3, 5, 2.5, 3.0, 0.5, -0.0, 2**31 - 1, 2**31, 2**63, -(2**63) - 1,
               math.inf, "", "a", "ab", "abc", "abcd", "1", "foo", "bar", "xx", "2024-01-02", "2024-02-30",
               "2024-01-02T03:04:05Z", "2024-01-02 03:04:05+01:00", "10.0.0.1", "10.0.0.256", "::1", "10.0.0.0/8",
               "aGVsbG8=", "not base64!", "1h30m", "5x", "user@example.com", "123e4567-e89b-12d3-a456-426614174000",
               "00:1a:2b:3c:4d:5e", "host-1.example.com", "-bad-", "é"]


@st.composite
def hand_written_schemas(draw: st.DrawFn) -> dict:
    props = draw(st.lists(st.sampled_from(range(len(HAND_WRITTEN))), min_size=1, max_size=6, unique=True))
    schema: dict = {"type": "object", "properties": {f"p{i}": HAND_WRITTEN[i] for i in props}}
    if draw(st.booleans()):
        schema["required"] = [f"p{props[0]}"]
    return schema


EXAMPLE_SCHEMAS = {name: to_openapi(rgd.get("spec"), rgd.get("types")) for name, rgd in sorted(RGDS.items())}
EXAMPLE_SCHEMAS["e2e"] = to_openapi(E2E_SPEC, E2E_TYPES)

schemas = st.one_of(simple_schemas(), hand_written_schemas(), st.sampled_from(sorted(EXAMPLE_SCHEMAS.items())).map(lambda i: i[1]))


# --- values: conforming or one step off ---------------------------------------------------


FORMAT_SAMPLES = {
    "int32": [2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2.0**31],
    "int64": [2**63 - 1, 2**63, -(2**63) - 1, 1e300],
    "date": ["2024-01-02", "2024-02-30", "2024-1-2"],
    "date-time": ["2024-01-02T03:04:05Z", "2024-01-02 03:04:05+01:00", "2024-01-02T25:04:05Z", "yesterday"],
    "byte": ["aGVsbG8=", "aGVsbG8", "not base64!", ""],
    "uuid": ["123e4567-e89b-12d3-a456-426614174000", "123e4567e89b12d3a456426614174000"],
    "ipv4": ["10.0.0.1", "10.0.0.256", "::1"],
    "ipv6": ["::1", "10.0.0.1", "fe80::1%eth0"],
    "cidr": ["10.0.0.0/8", "10.0.0.1/8", "10.0.0.0/33", "::/0"],
    "hostname": ["host-1.example.com", "-bad-", "a" * 64],
    "email": ["user@example.com", "user@host", "@x.y"],
    "duration": ["1h30m", "5x", "0", "-1.5s"],
    "mac": ["00:1a:2b:3c:4d:5e", "00:1a:2b:3c:4d", "0000.1111.2222"],
}
PATTERN_PROBES = ["x1", "1", "axx", "xx", "a", "", "foo", "Ab", "bar", "bar1", "é"]


def _near(number: Any) -> list:
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return [number]
    return [number - 1, number, number + 1, float(number), number - 0.5, number + 0.5]


def _candidates(schema: dict) -> tuple[list, list]:
    """Scalars that sit on, or one step off, every limit the schema sets; then generic ones."""
    out: list = []
    for each in schema.get("enum") or ():
        out += [each, str(each)] + _near(each)
        if each in (0, 1) and not isinstance(each, bool):
            out.append(bool(each))
    for key in ("minimum", "maximum", "multipleOf"):
        if key in schema:
            out += _near(schema[key])
    for key in ("minLength", "maxLength"):
        if key in schema:
            out += ["a" * max(0, schema[key] + d) for d in (-1, 0, 1)]
    if "pattern" in schema:
        out += PATTERN_PROBES
    out += FORMAT_SAMPLES.get(schema.get("format"), [])
    return out, [True, False, None, 0, 1, 3.0, 2.5, "3", "s", [], {}]


@st.composite
def value_for(draw: st.DrawFn, schema: Any, depth: int = 4) -> Any:
    if not isinstance(schema, dict) or depth == 0 or draw(st.integers(0, 15)) == 0:
        return draw(st.sampled_from(SCALAR_POOL) | st.just([]) | st.just({}) | st.just([1, 1.0]) | st.just([True, 1]))
    if "default" in schema and draw(st.integers(0, 4)) == 0:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        out: dict = {}
        for name, sub in props.items():
            required = name in schema.get("required", ())
            if draw(st.integers(0, 9)) < (8 if required else 6):
                out[name] = draw(value_for(sub, depth - 1))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key in draw(st.lists(st.sampled_from(["x", "a.b", "", "k"]), max_size=3, unique=True)):
                out[key] = draw(value_for(extra, depth - 1))
        if draw(st.integers(0, 5)) == 0:  # an unknown field, often a near miss
            near = [n + "s" for n in props] + [n[:-1] for n in props if len(n) > 1] + ["zzz", "other.key"]
            out[draw(st.sampled_from(near))] = draw(st.sampled_from(SCALAR_POOL))
        return out
    if kind == "array":
        size_bounds = [schema.get("minItems", 0), schema.get("maxItems", 3)]
        size = draw(st.sampled_from(sorted({max(0, n + d) for n in size_bounds for d in (-1, 0, 1)})))
        items = [draw(value_for(schema.get("items"), depth - 1)) for _ in range(size)]
        if items and draw(st.integers(0, 2)) == 0:  # a duplicate, maybe written differently
            twin = items[draw(st.integers(0, len(items) - 1))]
            if isinstance(twin, (int, float)) and not isinstance(twin, bool) and draw(st.booleans()):
                twin = float(twin) if isinstance(twin, int) else twin
            items.append(twin)
        return items
    if kind in ("integer", "number", "string", "boolean") or "enum" in schema or not kind:
        specific, generic = _candidates(schema)
        return draw(st.sampled_from(specific if specific and draw(st.integers(0, 3)) else generic))
    return draw(st.sampled_from(SCALAR_POOL))


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict, Any]:
    schema = draw(schemas)
    return schema, draw(value_for(schema))


@SETTINGS
@given(cases())
def test_fast_validator_equals_jsonschema_reference(case: tuple[dict, Any]) -> None:
    schema, values = case
    try:
        want = reference(schema, values)
    except SchemaError as exc:  # a pattern Python cannot check: both engines must say so
        with pytest.raises(SchemaError) as info:
            validate_values(schema, values)
        assert info.value.message == exc.message
        return
    got = validate_values(schema, values)
    assert [p.path for p in got] == [p.path for p in want]
    assert got == want


# --- fixed cases: messages that come from jsonschema, fallback, memo ------------------------

# (id, property schema, value, problems the reference shows for spec.x)
JSONSCHEMA_MESSAGES = [
    ("int-or-string-bool", {"x-kubernetes-int-or-string": True}, True,
     [P("spec.x", "True is not valid under any of the given schemas")]),
    ("int-or-string-list", {"x-kubernetes-int-or-string": True}, [1],
     [P("spec.x", "[1] is not valid under any of the given schemas")]),
    ("set-equal-numbers-written-apart", {"type": "array", "items": {"type": "number"}, "x-kubernetes-list-type": "set"},
     [1, 1.0], [P("spec.x", "[1, 1.0] has non-unique elements")]),
    ("set-true-and-one-are-distinct", {"type": "array", "x-kubernetes-list-type": "set"}, [True, 1], []),
    ("set-duplicate-shown-by-index", {"type": "array", "x-kubernetes-list-type": "set"}, [0, "a", "a"],
     [P("spec.x[2]", 'duplicate value string "a" in a set-typed list')]),
    ("set-nested-one-and-true-are-distinct", {"type": "array", "x-kubernetes-list-type": "set"}, [[1], [True]], []),
    # jsonschema compares sorted neighbours only: a twin sorted apart is missed, and so are we
    ("set-twin-sorted-apart", {"type": "array", "x-kubernetes-list-type": "set"}, [[1], [True], [1]], []),
    ("set-unsortable-twins", {"type": "array", "x-kubernetes-list-type": "set"}, [{"a": 1}, "b", {"a": 1}],
     [P("spec.x[2]", 'duplicate value object {"a": 1} in a set-typed list')]),
    ("enum-one-is-not-true", {"enum": [True]}, 1, [P("spec.x", "must be one of true, got integer 1")]),
    ("multiple-of-float", {"type": "number", "multipleOf": 0.5}, 1.25, [P("spec.x", "must be a multiple of 0.5, got 1.25")]),
    ("min-properties", {"type": "object", "minProperties": 1}, {}, [P("spec.x", "must have at least 1 entries, got 0")]),
]


@pytest.mark.parametrize("prop,value,want", [c[1:] for c in JSONSCHEMA_MESSAGES], ids=[c[0] for c in JSONSCHEMA_MESSAGES])
def test_messages_match_the_reference(prop: dict, value: Any, want: list[ValuesProblem]) -> None:
    schema = {"type": "object", "properties": {"x": prop}}
    assert reference(schema, {"x": value}) == want
    assert validate_values(schema, {"x": value}) == want
    assert values_module._compiled(schema) is not None  # checked by the fast engine, not the fallback


# (id, property schema using a keyword outside kro's subset, value, expected problems)
FALLBACK = [
    ("one-of", {"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 1, ["1 is valid under each of"]),
    ("not", {"not": {"type": "string"}}, "s", ["'s' should not be valid under"]),
    ("pattern-properties", {"type": "object", "patternProperties": {"^a": {"type": "integer"}}}, {"ab": "x"},
     ['must be of type integer, got string "x"']),
    ("unknown-type-name", {"type": "float"}, 1.5, None),
]


@pytest.mark.parametrize("prop,value,want", [c[1:] for c in FALLBACK], ids=[c[0] for c in FALLBACK])
def test_keywords_outside_the_subset_use_the_reference(prop: dict, value: Any, want: list[str] | None) -> None:
    schema = {"type": "object", "properties": {"x": prop}}
    assert values_module._compiled(schema) is None
    if want is None:  # jsonschema itself cannot check it: the same error as before
        import jsonschema

        with pytest.raises(jsonschema.exceptions.UnknownType):
            validate_values(schema, {"x": value})
        return
    got = validate_values(schema, {"x": value})
    assert got == reference(schema, {"x": value})
    assert [p.message[: len(w)] for p, w in zip(got, want)] == want


def test_compiled_once_per_schema_text() -> None:
    schema = to_openapi({"n": "integer | minimum=1"})
    first = values_module._compiled(schema)
    assert values_module._compiled(to_openapi({"n": "integer | minimum=1"})) is first
    schema["properties"]["n"]["minimum"] = 5  # mutated in place: recompiled, never stale
    assert values_module._compiled(schema) is not first
    assert validate_values(schema, {"n": 3}) == [P("spec.n", "must be >= 5, got 3")]


def test_bad_pattern_only_fails_when_a_string_reaches_it() -> None:
    schema = {"type": "object", "properties": {"x": {"pattern": "\\p{Greek}"}}}
    assert validate_values(schema, {"x": 1}) == reference(schema, {"x": 1}) == []
    with pytest.raises(SchemaError) as info:
        validate_values(schema, {"x": "a"})
    assert "cannot be checked with Go's RE2 semantics" in info.value.message


_NO_JSONSCHEMA = """
import sys
import pykro.simpleschema as ss
schema = ss.to_openapi({
    "a": "integer | default=1 minimum=0", "b": '[]string | uniqueItems=true', "m": "map[string]integer",
    "s": 'string | pattern="^[a-z]+$" enum="x,y"', "o": {"p": "float | maximum=2"},
})
assert ss.validate_values(schema, {"a": "x", "b": ["q", "q"], "s": "Z", "zz": 1, "o": {"p": 3}})
assert ss.validate_values(schema, {"a": 2, "b": ["q"], "s": "x", "m": {"k": 1}}) == []
hand = {"type": "object", "properties": {"t": {"type": "string", "format": "date-time"},
                                         "n": {"x-kubernetes-int-or-string": True}}}
assert ss.validate_values(hand, {"t": "now", "n": True})
assert "jsonschema" not in sys.modules, "jsonschema imported"
assert "ipaddress" not in sys.modules, "ipaddress imported without an ip format"
"""


def test_validate_values_does_not_import_jsonschema() -> None:
    subprocess.run([sys.executable, "-c", _NO_JSONSCHEMA], check=True, cwd=ROOT)
