"""Markers: kro's TestParseMarkers and TestApplyMarkers tables, re-expressed."""

from __future__ import annotations

import pytest

from pykro.errors import SchemaError
from pykro.simpleschema import Marker
from pykro.simpleschema.markers import MarkerValue, apply_markers, parse_markers

M = Marker


def mv(marker: Marker, value: str) -> MarkerValue:
    return MarkerValue(marker, value)


def test_marker_set_is_kros() -> None:
    assert {m.value for m in Marker} == {
        "required", "default", "description", "minimum", "maximum", "validation", "enum", "immutable",
        "pattern", "uniqueItems", "minLength", "maxLength", "minItems", "maxItems", "listType", "listMapKey",
    }


# (id, input, expected markers)
PARSE_OK = [
    ("simple", 'required=true description="This is a description"',
     [mv(M.REQUIRED, "true"), mv(M.DESCRIPTION, "This is a description")]),
    ("three", 'required=true default=5 description="This is a description"',
     [mv(M.REQUIRED, "true"), mv(M.DEFAULT, "5"), mv(M.DESCRIPTION, "This is a description")]),
    ("array-default-kept-verbatim", 'default=["key": "value"] required=true',
     [mv(M.DEFAULT, '["key": "value"]'), mv(M.REQUIRED, "true")]),
    ("json-default-and-escaped-description",
     'default={"key": "value"} description="A complex \\"description\\"" required=true',
     [mv(M.DEFAULT, '{"key": "value"}'), mv(M.DESCRIPTION, 'A complex "description"'), mv(M.REQUIRED, "true")]),
    ("min-max", "minimum=0 maximum=100", [mv(M.MINIMUM, "0"), mv(M.MAXIMUM, "100")]),
    ("decimal-min-max", "minimum=0.1 maximum=1.5", [mv(M.MINIMUM, "0.1"), mv(M.MAXIMUM, "1.5")]),
    ("spaces-in-values", 'description="This has spaces" default=5 required=true',
     [mv(M.DESCRIPTION, "This has spaces"), mv(M.DEFAULT, "5"), mv(M.REQUIRED, "true")]),
    ("escapes", 'description="This has \\"quotes\\" and a \\n newline" default="\\"quoted\\""',
     [mv(M.DESCRIPTION, 'This has "quotes" and a \\n newline'), mv(M.DEFAULT, '"quoted"')]),
    ("immutable", "immutable=true required=false", [mv(M.IMMUTABLE, "true"), mv(M.REQUIRED, "false")]),
    ("pattern", 'pattern="^[a-zA-Z0-9]+$"', [mv(M.PATTERN, "^[a-zA-Z0-9]+$")]),
    ("min-max-length", "minLength=5 maxLength=20", [mv(M.MIN_LENGTH, "5"), mv(M.MAX_LENGTH, "20")]),
    ("string-validation", 'pattern="[a-z]+" minLength=3 maxLength=15 description="String field with validation"',
     [mv(M.PATTERN, "[a-z]+"), mv(M.MIN_LENGTH, "3"), mv(M.MAX_LENGTH, "15"),
      mv(M.DESCRIPTION, "String field with validation")]),
    ("regex-specials", 'pattern="^(foo|bar)\\d{2,4}$"', [mv(M.PATTERN, "^(foo|bar)\\d{2,4}$")]),
    ("zero-min-length", "minLength=0", [mv(M.MIN_LENGTH, "0")]),
    ("list-type", "listType=map", [mv(M.LIST_TYPE, "map")]),
    ("list-map-key", "listMapKey=name", [mv(M.LIST_MAP_KEY, "name")]),
    ("two-list-map-keys", "listMapKey=name listMapKey=namespace",
     [mv(M.LIST_MAP_KEY, "name"), mv(M.LIST_MAP_KEY, "namespace")]),
    ("list-type-and-keys", "listType=map listMapKey=name listMapKey=id",
     [mv(M.LIST_TYPE, "map"), mv(M.LIST_MAP_KEY, "name"), mv(M.LIST_MAP_KEY, "id")]),
    ("unique-true", "uniqueItems=true", [mv(M.UNIQUE_ITEMS, "true")]),
    ("unique-false", "uniqueItems=false", [mv(M.UNIQUE_ITEMS, "false")]),
    ("unique-description", 'uniqueItems=true description="Array with unique elements"',
     [mv(M.UNIQUE_ITEMS, "true"), mv(M.DESCRIPTION, "Array with unique elements")]),
    ("min-items", "minItems=2", [mv(M.MIN_ITEMS, "2")]),
    ("max-items", "maxItems=10", [mv(M.MAX_ITEMS, "10")]),
    ("array-all", 'uniqueItems=true minItems=2 maxItems=8 description="Array with comprehensive validation"',
     [mv(M.UNIQUE_ITEMS, "true"), mv(M.MIN_ITEMS, "2"), mv(M.MAX_ITEMS, "8"),
      mv(M.DESCRIPTION, "Array with comprehensive validation")]),
    ("zero-min-items", "minItems=0", [mv(M.MIN_ITEMS, "0")]),
    # beyond kro's table
    ("leading-spaces", "   required=true", [mv(M.REQUIRED, "true")]),
    ("nested-json-with-spaces", 'default={"a": [1, 2], "b": {"c": "d e"}} minItems=0',
     [mv(M.DEFAULT, '{"a": [1, 2], "b": {"c": "d e"}}'), mv(M.MIN_ITEMS, "0")]),
    ("brackets-inside-quotes", 'description="a ] b" required=true',
     [mv(M.DESCRIPTION, "a ] b"), mv(M.REQUIRED, "true")]),
    ("validation-cel", "validation=\"self.matches('^(a|b)$')\"", [mv(M.VALIDATION, "self.matches('^(a|b)$')")]),
]


@pytest.mark.parametrize("text,want", [r[1:] for r in PARSE_OK], ids=[r[0] for r in PARSE_OK])
def test_parse_markers(text: str, want: list[MarkerValue]) -> None:
    assert parse_markers(text) == tuple(want)


PARSE_ERRORS = [
    ("unknown-key", "invalid=true", 'unknown marker "invalid"; use one of: required, default'),
    ("unclosed-quote", 'description="Unclosed quote', "unclosed double quote"),
    ("unclosed-brace", 'default={"unclosed": "brace"', "unclosed bracket"),
    ("empty-key", "=value", "empty name"),
    ("unmatched-closing", "default=}", 'unmatched "}"'),
    ("word-without-equals", "optional", 'marker "optional" has no value'),
    ("word-without-equals-at-end", 'description="some description" optional', 'marker "optional" has no value'),
    # kro glues a leading bare word onto the next key, which then is unknown
    ("word-without-equals-at-start", 'optional description="some description"', 'unknown marker "optionaldescription"'),
    ("word-without-equals-in-middle", 'default=5 optional description="x"', 'unknown marker "optionaldescription"'),
    ("nothing", "", '"|" is not followed by any marker'),
    ("trailing-space", "required=true ", "whitespace after the last marker"),
]


@pytest.mark.parametrize("text,fragment", [r[1:] for r in PARSE_ERRORS], ids=[r[0] for r in PARSE_ERRORS])
def test_parse_markers_errors(text: str, fragment: str) -> None:
    with pytest.raises(SchemaError) as info:
        parse_markers(text)
    assert fragment in info.value.message


VALIDATION_FAILED = {"rule": "self.size() > 0", "message": "validation failed"}
IMMUTABLE = {"rule": "self == oldSelf", "message": "field is immutable"}

# (id, schema type, markers, expected schema, expected parent required)
APPLY_OK = [
    ("required-true", "string", "required=true", {"type": "string"}, ["field"]),
    ("required-false", "string", "required=false", {"type": "string"}, []),
    ("required-go-bool-T", "string", "required=T", {"type": "string"}, ["field"]),
    ("string-default-quoted", "string", 'default="hello"', {"type": "string", "default": "hello"}, []),
    ("string-default-bare", "string", "default=hello", {"type": "string", "default": "hello"}, []),
    ("string-default-number-text", "string", "default=100", {"type": "string", "default": "100"}, []),
    ("string-default-empty", "string", 'default=""', {"type": "string", "default": ""}, []),
    ("string-default-json-escape", "string", 'default="a\\tb"', {"type": "string", "default": "a\tb"}, []),
    ("integer-default", "integer", "default=42", {"type": "integer", "default": 42}, []),
    ("negative-integer-default", "integer", "default=-7", {"type": "integer", "default": -7}, []),
    ("number-default", "number", "default=0.5", {"type": "number", "default": 0.5}, []),
    ("number-default-whole", "number", "default=3", {"type": "number", "default": 3}, []),
    ("boolean-default", "boolean", "default=true", {"type": "boolean", "default": True}, []),
    ("boolean-default-false", "boolean", "default=false", {"type": "boolean", "default": False}, []),
    ("array-default", "array", 'default=["a","b"]', {"type": "array", "default": ["a", "b"]}, []),
    ("object-default", "object", 'default={"a":"b"}', {"type": "object", "default": {"a": "b"}}, []),
    ("description", "string", 'description="A helpful description"',
     {"type": "string", "description": "A helpful description"}, []),
    ("minimum", "integer", "minimum=0", {"type": "integer", "minimum": 0}, []),
    ("maximum", "integer", "maximum=100", {"type": "integer", "maximum": 100}, []),
    ("min-and-max", "number", "minimum=0.5 maximum=99.5", {"type": "number", "minimum": 0.5, "maximum": 99.5}, []),
    ("validation", "string", 'validation="self.size() > 0"',
     {"type": "string", "x-kubernetes-validations": [VALIDATION_FAILED]}, []),
    ("immutable-true", "string", "immutable=true", {"type": "string", "x-kubernetes-validations": [IMMUTABLE]}, []),
    ("immutable-false", "string", "immutable=false", {"type": "string"}, []),
    ("string-enum", "string", 'enum="a,b,c"', {"type": "string", "enum": ["a", "b", "c"]}, []),
    ("string-enum-spaces", "string", 'enum="a, b ,c"', {"type": "string", "enum": ["a", "b", "c"]}, []),
    ("integer-enum", "integer", 'enum="1,2,3"', {"type": "integer", "enum": [1, 2, 3]}, []),
    ("pattern", "string", 'pattern="^[a-z]+$"', {"type": "string", "pattern": "^[a-z]+$"}, []),
    ("min-max-length", "string", "minLength=3 maxLength=20", {"type": "string", "minLength": 3, "maxLength": 20}, []),
    ("unique-true", "array", "uniqueItems=true", {"type": "array", "x-kubernetes-list-type": "set"}, []),
    ("unique-false", "array", "uniqueItems=false", {"type": "array"}, []),
    ("min-max-items", "array", "minItems=2 maxItems=10", {"type": "array", "minItems": 2, "maxItems": 10}, []),
    ("list-type-map", "array", "listType=map listMapKey=name",
     {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}, []),
    ("list-type-set", "array", "listType=set", {"type": "array", "x-kubernetes-list-type": "set"}, []),
    ("list-type-atomic", "array", "listType=atomic", {"type": "array", "x-kubernetes-list-type": "atomic"}, []),
    ("unique-then-set", "array", "uniqueItems=true listType=set", {"type": "array", "x-kubernetes-list-type": "set"}, []),
    ("composite-map-keys", "array", "listType=map listMapKey=name listMapKey=namespace",
     {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name", "namespace"]}, []),
    ("combined", "string", 'required=true default="test" description="A test field"',
     {"type": "string", "default": "test", "description": "A test field"}, ["field"]),
    ("immutable-then-validation", "string", "immutable=true validation=\"self.matches('^(pending|active|done)$')\"",
     {"type": "string", "x-kubernetes-validations": [
         IMMUTABLE, {"rule": "self.matches('^(pending|active|done)$')", "message": "validation failed"}]}, []),
    ("validation-then-immutable", "string", 'validation="self.size() > 0" immutable=true',
     {"type": "string", "x-kubernetes-validations": [VALIDATION_FAILED, IMMUTABLE]}, []),
]


@pytest.mark.parametrize(
    "schema_type,markers,want,want_required", [r[1:] for r in APPLY_OK], ids=[r[0] for r in APPLY_OK]
)
def test_apply_markers(schema_type: str, markers: str, want: dict, want_required: list[str]) -> None:
    schema: dict = {"type": schema_type}
    required: list[str] = []
    apply_markers(schema, parse_markers(markers), "field", required)
    assert schema == want
    assert required == want_required
    # JSON values keep their JSON types: 42 is an int, true a bool, never strings
    if "default" in want:
        assert type(schema["default"]) is type(want["default"])


# (id, schema type, markers, message fragment)
APPLY_ERRORS = [
    ("required-invalid", "string", "required=invalid", "required=invalid is not a boolean"),
    ("integer-string-default", "integer", 'default="hello"', "default value must be a valid integer"),
    ("integer-float-default", "integer", "default=3.14", "default value must be a valid integer"),
    ("number-string-default", "number", 'default="notanumber"', "default value must be a valid number"),
    ("number-inf-default", "number", "default=inf", "default value must be a valid number"),
    ("boolean-string-default", "boolean", 'default="maybe"', "default value must be a valid boolean"),
    ("boolean-yes-default", "boolean", "default=yes", "default value must be a valid boolean"),
    ("boolean-python-True-default", "boolean", "default=True", "default value must be a valid boolean"),
    ("array-not-json", "array", "default=[a,b]", "is not valid JSON"),
    ("array-wrong-shape", "array", 'default={"a":1}', "is not of type array"),
    ("string-default-bad-escape", "string", 'default="a\\qb"', "not a valid string default"),
    ("minimum-invalid", "integer", "minimum=notanumber", "minimum=notanumber is not a number"),
    ("maximum-invalid", "integer", "maximum=notanumber", "maximum=notanumber is not a number"),
    ("empty-validation", "string", 'validation=""', 'validation="" is empty'),
    ("immutable-invalid", "string", "immutable=invalid", "immutable=invalid is not a boolean"),
    ("integer-enum-invalid", "integer", 'enum="1,2,abc"', "enum value 'abc' is not an integer"),
    ("enum-empty-value", "string", 'enum="a,,c"', "has an empty value"),
    ("enum-boolean", "boolean", 'enum="true,false"', "enum applies to string and integer fields only"),
    ("pattern-invalid", "string", 'pattern="[unclosed"', "is not a valid regular expression"),
    ("pattern-empty", "string", 'pattern=""', 'pattern="" is empty'),
    ("pattern-non-string", "integer", 'pattern="[0-9]+"', "pattern applies to string fields only"),
    ("pattern-lookahead", "string", 'pattern="^(?=a)"', "RE2"),
    ("pattern-backreference", "string", 'pattern="(a)\\1"', "RE2"),
    ("min-length-invalid", "string", "minLength=abc", "minLength=abc is not an integer"),
    ("max-length-invalid", "string", "maxLength=xyz", "maxLength=xyz is not an integer"),
    ("min-length-non-string", "integer", "minLength=5", "minLength applies to string fields only"),
    ("max-length-non-string", "boolean", "maxLength=10", "maxLength applies to string fields only"),
    ("unique-invalid", "array", "uniqueItems=invalid", "uniqueItems=invalid is not a boolean"),
    ("unique-non-array", "string", "uniqueItems=true", "uniqueItems applies to array ([]T) fields only"),
    ("min-items-invalid", "array", "minItems=abc", "minItems=abc is not an integer"),
    ("max-items-invalid", "array", "maxItems=xyz", "maxItems=xyz is not an integer"),
    ("min-items-non-array", "string", "minItems=5", "minItems applies to array ([]T) fields only"),
    ("max-items-non-array", "integer", "maxItems=10", "maxItems applies to array ([]T) fields only"),
    ("list-type-invalid", "array", "listType=invalid", "listType=invalid is not supported"),
    ("list-type-non-array", "string", "listType=map", "listType applies to array ([]T) fields only"),
    ("unique-then-map", "array", "uniqueItems=true listType=map", "listType=map conflicts with listType set"),
    ("map-then-unique", "array", "listType=map uniqueItems=true", "uniqueItems=true conflicts with listType=map"),
    ("map-key-without-type", "array", "listMapKey=name", "listMapKey is set but listType is not"),
    ("map-key-with-set", "array", "listType=set listMapKey=name", "listMapKey is set while listType is set"),
    ("map-key-non-array", "string", "listMapKey=name", "listMapKey applies to array ([]T) fields only"),
    ("duplicate-map-key", "array", "listType=map listMapKey=name listMapKey=name", "listMapKey=name is given twice"),
]


@pytest.mark.parametrize("schema_type,markers,fragment", [r[1:] for r in APPLY_ERRORS], ids=[r[0] for r in APPLY_ERRORS])
def test_apply_markers_errors(schema_type: str, markers: str, fragment: str) -> None:
    with pytest.raises(SchemaError) as info:
        apply_markers({"type": schema_type}, parse_markers(markers), "field", [])
    assert fragment in info.value.message


def test_required_is_listed_once() -> None:
    required: list[str] = []
    apply_markers({"type": "string"}, parse_markers("required=true required=true"), "field", required)
    assert required == ["field"]
