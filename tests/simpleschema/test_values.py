"""apply_defaults and validate_values: the API server's admission of instance values."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pykro.errors import SchemaError, ValuesError
from pykro.simpleschema import ValuesProblem, apply_defaults, to_openapi, validate_values
from tests.simpleschema.test_transform import E2E_SPEC, E2E_TYPES, INSTANCES, RGDS

P = ValuesProblem


def schema_of(rgd: str) -> dict:
    return to_openapi(RGDS[rgd].get("spec"), RGDS[rgd].get("types"))


@pytest.mark.parametrize("instance,rgd,spec", INSTANCES, ids=[i[0] for i in INSTANCES])
def test_every_kro_example_instance_is_admitted(instance: str, rgd: str, spec: dict) -> None:
    openapi = schema_of(rgd)
    defaulted = apply_defaults(openapi, spec)
    assert validate_values(openapi, spec) == []
    assert validate_values(openapi, defaulted) == []
    assert apply_defaults(openapi, defaulted) == defaulted  # defaulting is idempotent
    for key, value in spec.items():  # what the user wrote survives, objects only grow
        if isinstance(value, dict):
            assert set(value) <= set(defaulted[key])
        else:
            assert defaulted[key] == value


# (example instance, expected spec after the API server's defaulting)
EXPECTED_DEFAULTED = [
    ("defaults/instance.yaml", {
        "config": {"field2": 200, "field3": 2002}, "element": "e", "elements": ["a", "b", "c", "d"],
        "enabled": True, "name": "app3", "number": 100, "required": 15}),
    ("webapp/instance.yaml", {
        "image": "nginx", "ingress": {"enabled": True}, "name": "test-app", "namespace": "default", "port": 80,
        "replicas": 1, "service": {"enabled": True}, "serviceAccount": "default"}),
    ("job-example/instance.yaml", {"delayInSeconds": 20, "replicas": 2}),
    ("saas-multi-tenant/tenant-instance.yaml", {"image": "nginx", "replicas": 2, "tenantId": "tenant001"}),
    ("additionalPrinterColumns/instance.yaml", {"image": "nginx", "ingress": {"enabled": True}, "name": "test-app"}),
    ("cel-functions/instance.yaml", {"fullDNSName": "a.b.c.d.example.com", "name": "app"}),
]


@pytest.mark.parametrize("instance,want", EXPECTED_DEFAULTED, ids=[e[0] for e in EXPECTED_DEFAULTED])
def test_example_instance_defaults(instance: str, want: dict) -> None:
    (_, rgd, spec), = [i for i in INSTANCES if i[0] == instance]
    got = apply_defaults(schema_of(rgd), spec)
    assert got == want
    assert json.dumps(got) == json.dumps(want, sort_keys=True)  # keys sorted, as the API server serves them


def test_core_dns_empty_objects_are_filled() -> None:
    (_, rgd, spec), = [i for i in INSTANCES if i[0] == "core-dns/coredns-instance.yaml"]
    got = apply_defaults(schema_of(rgd), spec)["values"]
    assert got["deployment"] == {
        "annotations": {"deployment.kubernetes.io/revision": '"1"'},
        "labels": {"eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"},
        "replicas": 2,
    }
    assert got["resources"] == {"limits": {"cpu": "100m", "memory": "128Mi"},
                                "requests": {"cpu": "100m", "memory": "128Mi"}}
    assert got["service"]["clusterIPs"] == ["10.100.123.45"]


def test_defaults_example_without_config_still_gets_config() -> None:
    openapi = schema_of("defaults/rg.yaml")
    got = apply_defaults(openapi, {"required": 1})
    assert got["config"] == {"field2": 200, "field3": 2002}
    assert validate_values(openapi, {}) == [P("spec.required", "required value is missing")]


# kro's chainsaw check-required-default-interactions: valid-instance.yaml and
# the spec the cluster returned for it (valid-instance-assert.yaml, a subset).
E2E_INSTANCE = {
    "appName": "my-application",
    "database": {"host": "db.example.com", "username": "admin"},
    "endpoints": [{"name": "api", "url": "https://api.example.com"}],
    "annotations": {"app": "test"},
    "clusterId": "cluster-123",
}
E2E_ASSERTED = {
    "appName": "my-application", "environment": "development", "replicas": 1,
    "database": {"host": "db.example.com", "port": 8080, "username": "admin", "database": "postgres"},
    "retry": {"maxRetries": 3, "backoffMs": 1000, "exponential": True},
    "endpoints": [{"name": "api", "url": "https://api.example.com", "timeout": 30}],
    "resources": {"cpu": "100m", "memory": "128Mi"},
}


def _is_subset(want: Any, got: Any) -> bool:
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and _is_subset(v, got[k]) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(want) == len(got) and all(map(_is_subset, want, got))
    return want == got


def test_e2e_required_default_interactions_instance() -> None:
    openapi = to_openapi(E2E_SPEC, E2E_TYPES)
    got = apply_defaults(openapi, E2E_INSTANCE)
    assert _is_subset(E2E_ASSERTED, got)
    assert validate_values(openapi, E2E_INSTANCE) == []


# kro's chainsaw check-validation-markers RGD and its rejected instances
MARKERS_SPEC = {
    "email": 'string | pattern="^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$" description="Valid email address"',
    "username": 'string | minLength=3 maxLength=15 pattern="^[a-zA-Z0-9_]+$" description="Username"',
    "tags": '[]string | uniqueItems=true minItems=1 maxItems=3 description="1-3 unique tags"',
    "priorities": '[]integer | minItems=0 maxItems=3 description="Up to 3 priority levels"',
    "description": 'string | default="Test application" maxLength=100',
    "replicas": "integer | default=1 minimum=1 maximum=10",
}
VALID_MARKERS = {"email": "user@example.com", "username": "testuser123", "tags": ["production", "frontend", "webapp"],
                 "priorities": [1, 3], "description": "A test application", "replicas": 3}

MARKER_CASES = [
    ("valid", {}, []),
    ("min-items", {"tags": []}, [P("spec.tags", "must have at least 1 items, got 0")]),
    ("max-items", {"tags": ["a", "b", "c", "d"]}, [P("spec.tags", "must have at most 3 items, got 4")]),
    ("array-limits", {"tags": [f"tag{i}" for i in range(1, 7)], "priorities": [1, 2, 3, 4]},
     [P("spec.priorities", "must have at most 3 items, got 4"), P("spec.tags", "must have at most 3 items, got 6")]),
    ("too-short", {"username": "ab"}, [P("spec.username", "must be at least 3 characters long, got 2")]),
    ("pattern", {"email": "invalid-email-format"},
     [P("spec.email", 'must match the regular expression "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\\\.[a-zA-Z]{2,}$", '
                      'got string "invalid-email-format"')]),
    ("duplicate", {"tags": ["production", "staging", "production"]},
     [P("spec.tags[2]", 'duplicate value string "production" in a set-typed list')]),
    ("maximum", {"replicas": 11}, [P("spec.replicas", "must be <= 10, got 11")]),
    ("minimum", {"replicas": 0}, [P("spec.replicas", "must be >= 1, got 0")]),
    ("type", {"replicas": "3"}, [P("spec.replicas", 'must be of type integer, got string "3"')]),
    ("whole-float-is-integer", {"replicas": 3.0}, []),
    ("fractional-float", {"replicas": 2.5}, [P("spec.replicas", "must be of type integer, got number 2.5")]),
    ("bool-is-not-integer", {"replicas": True}, [P("spec.replicas", "must be of type integer, got boolean true")]),
    ("item-type", {"priorities": [1, "x"]}, [P("spec.priorities[1]", 'must be of type integer, got string "x"')]),
    ("unknown-field", {"replica": 3}, [P("spec.replica", 'unknown field "replica"; did you mean "replicas"?')]),
    ("null-is-pruned", {"username": None}, []),
]


@pytest.mark.parametrize("change,want", [c[1:] for c in MARKER_CASES], ids=[c[0] for c in MARKER_CASES])
def test_validation_markers_instances(change: dict, want: list[ValuesProblem]) -> None:
    openapi = to_openapi(MARKERS_SPEC)
    assert validate_values(openapi, VALID_MARKERS | change) == want


# (id, simple schema, types, values, expected defaulted values)
DEFAULTING = [
    ("absent-object-without-default-stays-absent", {"o": {"a": "string"}}, None, {}, {}),
    ("absent-object-with-default-is-created", {"o": {"a": "integer | default=1"}}, None, {}, {"o": {"a": 1}}),
    ("spec-default-applies-to-absent-spec", {"o": {"a": "integer | default=1"}}, None, None, {"o": {"a": 1}}),
    ("required-child-blocks-object-default",
     {"o": {"r": "string | required=true", "a": "integer | default=1"}}, None, {}, {}),
    ("present-object-gets-child-defaults-despite-required",
     {"o": {"r": "string | required=true", "a": "integer | default=1"}}, None, {"o": {}}, {"o": {"a": 1}}),
    ("present-values-win", {"n": "integer | default=5", "b": "boolean | default=true", "s": 'string | default="x"'},
     None, {"n": 0, "b": False, "s": ""}, {"b": False, "n": 0, "s": ""}),
    ("null-replaced-by-default", {"n": "integer | default=5"}, None, {"n": None}, {"n": 5}),
    ("null-without-default-pruned", {"n": "integer", "m": "integer | default=1"}, None, {"n": None}, {"m": 1}),
    ("array-items-defaulted", {"xs": "[]Item"}, {"Item": {"name": "string", "port": "integer | default=80"}},
     {"xs": [{"name": "a"}, {"name": "b", "port": 81}]}, {"xs": [{"name": "a", "port": 80}, {"name": "b", "port": 81}]}),
    ("map-values-defaulted", {"m": "map[string]Item"}, {"Item": {"port": "integer | default=80"}},
     {"m": {"x": {}, "y": {"port": 1}}}, {"m": {"x": {"port": 80}, "y": {"port": 1}}}),
    ("default-value-is-itself-defaulted", {"o": 'Conf | default={"name":"n"}'},
     {"Conf": {"name": "string", "port": "integer | default=80"}}, {}, {"o": {"name": "n", "port": 80}}),
    ("schemaless-object-untouched", {"v": "object"}, None, {"v": {"z": None, "a": [1, {"b": 2}]}},
     {"v": {"a": [1, {"b": 2}], "z": None}}),
    ("whole-float-on-integer-becomes-int", {"n": "integer", "f": "float"}, None, {"n": 3.0, "f": 3.0},
     {"f": 3.0, "n": 3}),
    ("unknown-fields-kept-for-validation", {"a": "string"}, None, {"b": 1}, {"b": 1}),
    ("keys-sorted", {"b": "string | default=x", "a": "string"}, None, {"a": "y"}, {"a": "y", "b": "x"}),
]


@pytest.mark.parametrize("spec,types,values,want", [d[1:] for d in DEFAULTING], ids=[d[0] for d in DEFAULTING])
def test_apply_defaults(spec: dict, types: dict | None, values: dict | None, want: dict) -> None:
    openapi = to_openapi(spec, types)
    before = copy.deepcopy(values)
    got = apply_defaults(openapi, values)
    assert got == want
    assert list(got) == sorted(got)
    assert values == before  # input untouched
    assert type(got.get("n", 0)) is type(want.get("n", 0))


def test_apply_defaults_rejects_non_mapping() -> None:
    with pytest.raises(ValuesError) as info:
        apply_defaults(to_openapi({"a": "string"}), ["a"])  # type: ignore[arg-type]
    assert info.value.path == "spec"
    assert "expected a mapping of spec fields, got list" in info.value.message


# (id, simple schema, types, values, expected problems)
VALIDATION = [
    ("required-nested-path", {"db": "DB"}, {"DB": {"host": "string | required=true"}}, {"db": {}},
     [P("spec.db.host", "required value is missing")]),
    ("required-in-list-item", {"eps": "[]EP"}, {"EP": {"url": "string | required=true"}}, {"eps": [{}, {"url": "u"}, {}]},
     [P("spec.eps[0].url", "required value is missing"), P("spec.eps[2].url", "required value is missing")]),
    ("enum", {"mode": 'string | enum="debug,info"'}, None, {"mode": "warn"},
     [P("spec.mode", 'must be one of "debug", "info", got string "warn"')]),
    ("integer-enum", {"code": 'integer | enum="400,404"'}, None, {"code": 500},
     [P("spec.code", "must be one of 400, 404, got integer 500")]),
    ("unknown-field-lists-known", {"a": "string", "b": "string"}, None, {"zzz": 1},
     [P("spec.zzz", 'unknown field "zzz"; known fields: a, b')]),
    ("unknown-nested-field", {"o": {"port": "integer"}}, None, {"o": {"prot": 1}},
     [P("spec.o.prot", 'unknown field "prot"; did you mean "port"?')]),
    ("dotted-key-path", {"o": "map[string]integer"}, None, {"o": {"a.b": "x"}},
     [P('spec.o["a.b"]', 'must be of type integer, got string "x"')]),
    ("schemaless-accepts-anything", {"v": "object | required=true"}, None, {"v": {"any": [1, "x", None]}}, []),
    ("map-of-schemaless", {"v": "map[string]object"}, None, {"v": {"a": {"b": 1}}}, []),
    ("list-map-duplicate-key", {"cs": "[]C | listType=map listMapKey=name"},
     {"C": {"name": "string | required=true", "port": "integer"}},
     {"cs": [{"name": "a", "port": 1}, {"name": "a", "port": 2}]},
     [P("spec.cs[1]", 'duplicate entry with name=string "a" in a listType=map list')]),
    ("list-set-duplicate-objects", {"xs": "[]map[string]integer | uniqueItems=true"}, None,
     {"xs": [{"a": 1, "b": 2}, {"b": 2, "a": 1}]}, [P("spec.xs[1]", 'duplicate value object {"a": 1, "b": 2} in a set-typed list')]),
    ("atomic-list-allows-duplicates", {"xs": "[]string | listType=atomic"}, None, {"xs": ["a", "a"]}, []),
    ("several-problems-sorted", {"a": "integer", "b": "string | required=true"}, None, {"a": "x", "c": 1},
     [P("spec.a", 'must be of type integer, got string "x"'), P("spec.b", "required value is missing"),
      P("spec.c", 'unknown field "c"; known fields: a, b')]),
    ("float-accepts-integer", {"f": "float | minimum=0.5"}, None, {"f": 1}, []),
]


@pytest.mark.parametrize("spec,types,values,want", [v[1:] for v in VALIDATION], ids=[v[0] for v in VALIDATION])
def test_validate_values(spec: dict, types: dict | None, values: dict, want: list[ValuesProblem]) -> None:
    assert validate_values(to_openapi(spec, types), values) == want


def test_validate_values_non_mapping() -> None:
    assert validate_values(to_openapi({}), "x") == [P("spec", 'must be of type object, got string "x"')]  # type: ignore[arg-type]


def _openapi(prop: dict) -> dict:
    return {"type": "object", "properties": {"x": prop}}


# OpenAPI-only keywords a hand-written or other-tool schema may carry
# (id, property schema, value, expected messages for spec.x)
OPENAPI_ONLY = [
    ("int32-in-range", {"type": "integer", "format": "int32"}, 2**31 - 1, []),
    ("int32-overflow", {"type": "integer", "format": "int32"}, 2**31, [f"must be a valid int32, got integer {2**31}"]),
    ("int64-overflow", {"type": "integer", "format": "int64"}, 2**63, [f"must be a valid int64, got integer {2**63}"]),
    ("date-time", {"type": "string", "format": "date-time"}, "2024-01-02T03:04:05Z", []),
    ("bad-date-time", {"type": "string", "format": "date-time"}, "yesterday",
     ['must be a valid date-time, got string "yesterday"']),
    ("date", {"type": "string", "format": "date"}, "2024-02-30", ['must be a valid date, got string "2024-02-30"']),
    ("byte", {"type": "string", "format": "byte"}, "aGVsbG8=", []),
    ("bad-byte", {"type": "string", "format": "byte"}, "not base64!", ['must be a valid byte, got string "not base64!"']),
    ("uuid", {"type": "string", "format": "uuid"}, "123e4567-e89b-12d3-a456-426614174000", []),
    ("ipv4", {"type": "string", "format": "ipv4"}, "10.0.0.256", ['must be a valid ipv4, got string "10.0.0.256"']),
    ("cidr", {"type": "string", "format": "cidr"}, "10.0.0.0/8", []),
    ("unknown-format-ignored", {"type": "string", "format": "k8s-special"}, "anything", []),
    ("nullable-null", {"type": "string", "nullable": True}, None, []),
    ("int-or-string-int", {"x-kubernetes-int-or-string": True}, 8080, []),
    ("int-or-string-string", {"x-kubernetes-int-or-string": True}, "http", []),
    ("int-or-string-bool", {"x-kubernetes-int-or-string": True}, True, ["*"]),
    ("x-kubernetes-keys-ignored", {"type": "string", "x-kubernetes-map-type": "atomic"}, "v", []),
    ("exclusive-maximum", {"type": "integer", "maximum": 5, "exclusiveMaximum": True}, 5, ["must be < 5, got 5"]),
]


@pytest.mark.parametrize("prop,value,want", [o[1:] for o in OPENAPI_ONLY], ids=[o[0] for o in OPENAPI_ONLY])
def test_openapi_only_keywords(prop: dict, value: Any, want: list[str]) -> None:
    problems = validate_values(_openapi(prop), {"x": value})
    if want == ["*"]:
        assert problems and all(p.path == "spec.x" for p in problems)
    else:
        assert problems == [P("spec.x", m) for m in want]


# CEL x-kubernetes-validations rules, evaluated as the API server does on create:
# (id, SimpleSchema spec, values, expected problems)
RULE_CASES = [
    ("holds", {"n": 'integer | validation="self > 0"'}, {"n": 3}, []),
    ("fails-with-kro-message", {"n": 'integer | validation="self > 0"'}, {"n": 0},
     [P("spec.n", 'validation failed: rule "self > 0" is false for integer 0')]),
    ("string-function", {"s": "string | validation=\"self.startsWith('web-')\""}, {"s": "api-1"},
     [P("spec.s", 'validation failed: rule "self.startsWith(\'web-\')" is false for string "api-1"')]),
    ("absent-field-not-checked", {"n": 'integer | validation="self > 0"'}, {}, []),
    ("default-is-checked-too", {"n": 'integer | default=0 validation="self > 0"'}, {},
     [P("spec.n", 'validation failed: rule "self > 0" is false for integer 0')]),
    ("number-is-a-double", {"f": 'float | validation="self > 0.5"'}, {"f": 1}, []),
    ("type-error-blocks-rules", {"n": 'integer | validation="self > 0"'}, {"n": "x"},
     [P("spec.n", 'must be of type integer, got string "x"')]),
    ("list-items-by-index", {"xs": "[]Item"}, {"xs": [{"p": 1}, {"p": 0}]},
     [P("spec.xs[1].p", 'validation failed: rule "self > 0" is false for integer 0')]),
    ("map-values-by-key", {"m": "map[string]Item"}, {"m": {"a": {"p": -1}}},
     [P("spec.m.a.p", 'validation failed: rule "self > 0" is false for integer -1')]),
    ("transition-rule-skipped-on-create", {"s": "string | immutable=true"}, {"s": "x"}, []),
    ("non-bool-result", {"n": 'integer | validation="self + 1"'}, {"n": 1},
     [P("spec.n", 'rule "self + 1" must give a bool, got integer 2')]),
    ("runtime-error", {"s": 'string | validation="int(self) > 0"'}, {"s": "abc"}, ["*"]),
]


@pytest.mark.parametrize("spec,values,want", [r[1:] for r in RULE_CASES], ids=[r[0] for r in RULE_CASES])
def test_cel_validation_rules(spec: dict, values: dict, want: list) -> None:
    openapi = to_openapi(spec, {"Item": {"p": 'integer | validation="self > 0"'}})
    problems = validate_values(openapi, apply_defaults(openapi, values))
    if want == ["*"]:
        assert len(problems) == 1 and "could not be evaluated" in problems[0].message
    else:
        assert problems == want


@pytest.mark.parametrize("rule,fragment", [
    ("self >", "validation rule is not valid CEL"),
    ("schema.spec.n > 0", "validation rule reads schema; a rule sees only its own field"),
])
def test_bad_validation_rules_are_schema_errors(rule: str, fragment: str) -> None:
    with pytest.raises(SchemaError) as info:
        to_openapi({"n": f'integer | validation="{rule}"'})
    assert fragment in info.value.message


def test_same_input_same_problems() -> None:
    openapi = to_openapi(MARKERS_SPEC)
    bad = {"tags": [], "username": "a", "email": "e", "replicas": 99, "x": 1, "y": 2}
    first = validate_values(openapi, bad)
    assert first == validate_values(openapi, dict(reversed(list(bad.items()))))
    assert first == sorted(first, key=lambda p: (p.path, p.message))
    assert len(first) == 6


_LAZY = """
import sys
import pykro.simpleschema as ss
schema = ss.to_openapi({"a": "integer | default=1", "b": '[]string | default=["x"]'})
ss.apply_defaults(schema, {})
ss.parse_field("string | required=true")
assert "jsonschema" not in sys.modules, "jsonschema imported too early"
assert "celpy" not in sys.modules, "celpy imported"
assert ss.validate_values(schema, {"a": "x"})
assert "jsonschema" not in sys.modules
"""


def test_heavy_imports_are_lazy() -> None:
    subprocess.run([sys.executable, "-c", _LAZY], check=True, cwd=Path(__file__).resolve().parents[2])


def test_public_surface() -> None:
    import pykro.simpleschema as ss

    assert sorted(ss.__all__) == sorted(
        ["to_openapi", "parse_field", "apply_defaults", "validate_values", "ValuesProblem", "Field", "Marker"]
    )


def test_hand_written_pattern_pykro_cannot_match_as_re2() -> None:
    from pykro.errors import SchemaError

    with pytest.raises(SchemaError) as info:
        validate_values(_openapi({"type": "string", "pattern": "\\p{Greek}"}), {"x": "a"})
    assert info.value.path == "spec"
    assert "cannot be checked with Go's RE2 semantics" in info.value.message


# `pattern` is checked as the API server checks it, with Go's RE2 semantics, not Python's re.
@pytest.mark.parametrize("pattern,value,ok", [
    ("^[a-z]+$", "abc", True),
    ("^[a-z]+$", "abc\n", False),  # Python's $ also matches before a final newline; RE2's does not
    ("^\\w+$", "héllo", False),  # RE2's \w is ASCII
    ("^[[:alpha:]]+$", "abc", True),  # POSIX classes inside brackets
    ("^a{,2}$", "a{,2}", True),  # not a repetition in RE2: a literal
], ids=["plain", "final-newline", "ascii-word", "posix-class", "literal-brace"])
def test_patterns_have_re2_semantics(pattern: str, value: str, ok: bool) -> None:
    openapi = to_openapi({"x": f"string | pattern={json.dumps(pattern)}"})
    assert (validate_values(openapi, {"x": value}) == []) is ok


@pytest.mark.parametrize("pattern", ["(?=a)", "(a)\\1", "a*+", "(?>a)"])
def test_patterns_re2_rejects_are_schema_errors(pattern: str) -> None:
    with pytest.raises(SchemaError) as info:
        to_openapi({"x": f"string | pattern={json.dumps(pattern)}"})
    assert "Go's RE2 syntax" in info.value.message
