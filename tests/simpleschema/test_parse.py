"""parse_field / parse_type / parse_spec, re-expressing kro's parse_test.go tables."""

from __future__ import annotations

import dataclasses

import pytest

from pykro.errors import SchemaError
from pykro.simpleschema import Field, Marker, parse_field
from pykro.simpleschema.markers import MarkerValue
from pykro.simpleschema.parse import MAX_TYPE_NESTING_DEPTH, join_path, parse_spec, parse_type
from pykro.simpleschema.types import Atomic, Custom, Map, Object, Slice, Struct

S, I, B, F = Atomic("string"), Atomic("integer"), Atomic("boolean"), Atomic("float")

# (id, input, expected type, number of markers)
PARSE_OK = [
    ("string", "string", S, 0),
    ("integer", "integer", I, 0),
    ("boolean", "boolean", B, 0),
    ("float", "float", F, 0),
    ("object", "object", Object(), 0),
    ("slice-of-string", "[]string", Slice(S), 0),
    ("slice-of-integer", "[]integer", Slice(I), 0),
    ("nested-slice", "[][]string", Slice(Slice(S)), 0),
    ("triple-nested-slice", "[][][]integer", Slice(Slice(Slice(I))), 0),
    ("map-string-string", "map[string]string", Map(S), 0),
    ("map-string-integer", "map[string]integer", Map(I), 0),
    ("nested-map", "map[string]map[string]string", Map(Map(S)), 0),
    ("slice-of-map", "[]map[string]string", Slice(Map(S)), 0),
    ("map-of-slice", "map[string][]integer", Map(Slice(I)), 0),
    ("custom", "Person", Custom("Person"), 0),
    ("slice-of-custom", "[]Person", Slice(Custom("Person")), 0),
    ("map-of-custom", "map[string]Person", Map(Custom("Person")), 0),
    ("one-marker", "string | required=true", S, 1),
    ("two-markers", "string | required=true default=foo", S, 2),
    # beyond kro's table: whitespace is trimmed around every part
    ("spaces-around", "  []  string   |   required=true", Slice(S), 1),
    ("space-after-map-key", "map[string] integer", Map(I), 0),
    ("number-is-custom", "number", Custom("number"), 0),
    ("pipe-in-marker-value", 'string | pattern="a|b"', S, 1),
]


@pytest.mark.parametrize("text,want_type,n_markers", [r[1:] for r in PARSE_OK], ids=[r[0] for r in PARSE_OK])
def test_parse_field(text: str, want_type: object, n_markers: int) -> None:
    field = parse_field(text)
    assert field.type == want_type
    assert len(field.markers) == n_markers


# (id, input, message fragment)
PARSE_ERRORS = [
    ("empty-slice-elem", "[]", '"[]" needs an element type'),
    ("non-string-map-key", "map[integer]string", "map keys must be string"),
    ("invalid-marker-syntax", "string | =invalid", "empty name"),
    ("invalid-nested-slice-elem", "[][]", '"[]" needs an element type'),
    ("invalid-map-value", "map[string][]", '"[]" needs an element type'),
    ("empty-type", "", "empty type"),
    ("whitespace-type", "   ", "empty type"),
    ("markers-only", "| required=true", "empty type"),
    ("map-trailing-space", "map[string] ", "needs a value type"),
    ("incomplete-map", "map[string]", "needs a value type"),
    ("map-missing-bracket", "map[stringPerson", "map keys must be string"),
    ("too-deep", "[]" * 17 + "string", "type nesting too deep (max 16)"),
    ("too-deep-maps", "map[string]" * 17 + "string", "type nesting too deep"),
    ("bar-without-markers", "string |", '"|" is not followed by any marker'),
    ("unknown-marker", "string | optional=true", 'unknown marker "optional"'),
    # kro's scanner quirk: a space after the last marker starts an empty marker
    ("trailing-space", "string | required=true ", "whitespace after the last marker"),
]


@pytest.mark.parametrize("text,fragment", [r[1:] for r in PARSE_ERRORS], ids=[r[0] for r in PARSE_ERRORS])
def test_parse_field_errors(text: str, fragment: str) -> None:
    with pytest.raises(SchemaError) as info:
        parse_field(text)
    assert fragment in info.value.message


def test_nesting_limit_is_inclusive() -> None:
    deepest = "[]" * MAX_TYPE_NESTING_DEPTH + "string"
    typ = parse_type(deepest)
    for _ in range(MAX_TYPE_NESTING_DEPTH):
        assert isinstance(typ, Slice)
        typ = typ.elem
    assert typ == S


def test_field_is_frozen_and_keeps_marker_values() -> None:
    field = parse_field('[]string | default=["a","b"] description="two words"')
    assert field == Field(
        Slice(S),
        (MarkerValue(Marker.DEFAULT, '["a","b"]'), MarkerValue(Marker.DESCRIPTION, "two words")),
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        field.type = S  # type: ignore[misc]


# (id, spec, expected type) — kro's TestParseSpec
SPEC_OK = [
    ("struct", {"name": "string", "age": "integer"}, Struct((("name", S), ("age", I)))),
    ("nested-struct", {"person": {"name": "string"}}, Struct((("person", Struct((("name", S),))),))),
    ("markers-ignored", {"a": "[]Person | minItems=1"}, Struct((("a", Slice(Custom("Person"))),))),
]


@pytest.mark.parametrize("spec,want", [r[1:] for r in SPEC_OK], ids=[r[0] for r in SPEC_OK])
def test_parse_spec(spec: object, want: object) -> None:
    assert parse_spec(spec) == want


SPEC_ERRORS = [
    ("invalid-type", 123, "", "got int 123"),
    ("invalid-field", {"name": "string", "bad": 123}, "bad", "got int 123"),
    ("nested-invalid", {"outer": {"inner": None}}, "outer.inner", "field has no type"),
]


@pytest.mark.parametrize("spec,path,fragment", [r[1:] for r in SPEC_ERRORS], ids=[r[0] for r in SPEC_ERRORS])
def test_parse_spec_errors(spec: object, path: str, fragment: str) -> None:
    with pytest.raises(SchemaError) as info:
        parse_spec(spec)
    assert (info.value.path or "") == path
    assert fragment in info.value.message


def test_deps_of_struct_follow_fields() -> None:
    typ = parse_spec({"a": "Address", "b": "[]map[string]Person", "c": "string"})
    assert typ.deps() == ("Address", "Person")


JOIN = [
    ("first", "", "spec", "spec"),
    ("field", "spec", "name", "spec.name"),
    ("dotted", "spec", "a.b", 'spec["a.b"]'),
    ("index", "spec.items", 2, "spec.items[2]"),
]


@pytest.mark.parametrize("path,key,want", [r[1:] for r in JOIN], ids=[r[0] for r in JOIN])
def test_join_path(path: str, key: object, want: str) -> None:
    assert join_path(path, key) == want  # type: ignore[arg-type]
