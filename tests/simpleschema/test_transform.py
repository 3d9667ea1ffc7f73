"""to_openapi: kro's transform_test.go tables, its e2e CRD assertions, and the shipped examples."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pykro.errors import SchemaError
from pykro.simpleschema import to_openapi

from tests._paths import KRO_EXAMPLES as EXAMPLES


def load_examples() -> tuple[dict[str, dict], list[tuple[str, str, dict]]]:
    """kro's example RGD schemas by file (relative path), and (file, rgd file, spec) of each instance.

    An instance belongs to the RGD of its kind in its own directory (two
    examples share the kind ``Something``).
    """
    rgds: dict[str, dict] = {}
    docs: list[tuple[str, dict]] = []
    for path in sorted(EXAMPLES.rglob("*.yaml")):
        rel = str(path.relative_to(EXAMPLES))
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict):
                docs.append((rel, doc))
    for rel, doc in docs:
        if doc.get("kind") == "ResourceGraphDefinition":
            rgds[rel] = doc["spec"]["schema"]
    instances = []
    for rel, doc in docs:
        if doc.get("apiVersion", "").startswith("kro.run/") and doc.get("kind") != "ResourceGraphDefinition":
            owners = [r for r, s in rgds.items()
                      if s["kind"] == doc["kind"] and Path(r).parent == Path(rel).parent]
            assert len(owners) == 1, (rel, owners)
            instances.append((rel, owners[0], doc.get("spec")))
    return rgds, instances


RGDS, INSTANCES = load_examples()


def S(kind: str, **extra: Any) -> dict:
    return {"type": kind, **extra}


def obj(props: dict | None = None, **extra: Any) -> dict:
    out: dict = {"type": "object", **extra}
    if props:
        out["properties"] = props
    return out


def arr(items: dict, **extra: Any) -> dict:
    return {"type": "array", "items": items, **extra}


def amap(value: dict, **extra: Any) -> dict:
    return {"type": "object", "additionalProperties": value, **extra}


PRESERVE = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
IMMUTABLE = {"message": "field is immutable", "rule": "self == oldSelf"}
PERSON = {"name": "string", "age": "integer"}
PERSON_SCHEMA = obj({"name": S("string"), "age": S("integer")})

# (id, spec, types, expected schema) — kro's TestBuildOpenAPISchema and TestDefaultPropagation
OK = [
    ("complex-nested",
     {"name": "string | required=true", "age": "integer | default=18",
      "contacts": {"email": "string", "phone": 'string | default="000-000-0000"', "address": "Address"},
      "tags": "[]string", "metadata": "map[string]string", "scores": "[]integer",
      "attributes": "map[string]boolean", "friends": "[]Person"},
     {"Address": {"street": "string", "city": "string", "country": "string"}, "Person": PERSON},
     obj({"name": S("string"), "age": S("integer", default=18),
          "contacts": obj({"email": S("string"), "phone": S("string", default="000-000-0000"),
                           "address": obj({"street": S("string"), "city": S("string"), "country": S("string")})},
                          default={}),
          "tags": arr(S("string")), "metadata": amap(S("string")), "scores": arr(S("integer")),
          "attributes": amap(S("boolean")), "friends": arr(PERSON_SCHEMA)},
         required=["name"])),
    ("complex-map", {"config": "map[string]map[string]integer"}, None,
     obj({"config": amap(amap(S("integer")))})),
    ("complex-array-float-is-number", {"matrix": "[][]float"}, None, obj({"matrix": arr(arr(S("number")))})),
    ("array-of-objects", {"items": "[]object"}, None, obj({"items": arr(PRESERVE)})),
    ("nested-array-of-objects", {"matrix": "[][]object"}, None, obj({"matrix": arr(arr(PRESERVE))})),
    ("nested-slices", {"matrix": "[][][]string"}, None, obj({"matrix": arr(arr(arr(S("string"))))})),
    ("nested-slices-custom", {"matrix": "[][][]Person"}, {"Person": PERSON},
     obj({"matrix": arr(arr(arr(PERSON_SCHEMA)))})),
    ("nested-maps-custom", {"matrix": "map[string]map[string]map[string]Person"}, {"Person": PERSON},
     obj({"matrix": amap(amap(amap(PERSON_SCHEMA)))})),
    ("map-of-arrays", {"tags": "map[string][]string"}, None, obj({"tags": amap(arr(S("string")))})),
    ("array-of-maps", {"configs": "[]map[string]integer"}, None, obj({"configs": arr(amap(S("integer")))})),
    ("custom-nested-collections", {"data": "Record"},
     {"Record": {"tags": "map[string][]string", "matrix": "[][]integer"}},
     obj({"data": obj({"tags": amap(arr(S("string"))), "matrix": arr(arr(S("integer")))})})),
    ("map-of-objects", {"config": "map[string]object"}, None, obj({"config": amap(PRESERVE)})),
    ("nested-map-of-objects", {"config": "map[string]map[string]object"}, None,
     obj({"config": amap(amap(PRESERVE))})),
    ("enums",
     {"logLevel": 'string | enum="debug,info,warn,error" default="info"',
      "features": {"logFormat": 'string | enum="json,text,csv" default="json"',
                   "errorCode": 'integer | enum="400,404,500" default=500'}},
     None,
     obj({"logLevel": S("string", default="info", enum=["debug", "info", "warn", "error"]),
          "features": obj({"logFormat": S("string", default="json", enum=["json", "text", "csv"]),
                           "errorCode": S("integer", default=500, enum=[400, 404, 500])}, default={})},
         default={})),
    ("schemaless-object", {"values": "object"}, None, obj({"values": PRESERVE})),
    ("schemaless-object-required", {"values": "object | required=true"}, None,
     obj({"values": PRESERVE}, required=["values"])),
    ("schemaless-object-default", {"values": 'object | default={"a":"b"}'}, None,
     obj({"values": PRESERVE | {"default": {"a": "b"}}}, default={})),
    ("validation", {"name": "string | validation=\"self.name != 'invalid'\""}, None,
     obj({"name": S("string", **{"x-kubernetes-validations": [
         {"message": "validation failed", "rule": "self.name != 'invalid'"}]})})),
    ("immutable", {"id": "string | immutable=true"}, None,
     obj({"id": S("string", **{"x-kubernetes-validations": [IMMUTABLE]})})),
    ("immutable-false", {"name": "string | immutable=false"}, None, obj({"name": S("string")})),
    ("immutable-with-others", {"resourceId": 'string | required=true immutable=true description="Unique resource identifier"'},
     None,
     obj({"resourceId": S("string", description="Unique resource identifier",
                          **{"x-kubernetes-validations": [IMMUTABLE]})}, required=["resourceId"])),
    ("custom-alias-required", {"myValue": "myType"}, {"myType": 'string | required=true description="my description"'},
     obj({"myValue": S("string", description="my description")}, required=["myValue"])),
    ("pattern", {"email": 'string | pattern="^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$"'}, None,
     obj({"email": S("string", pattern="^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$")})),
    ("unique-items", {"tags": "[]string | uniqueItems=true"}, None,
     obj({"tags": arr(S("string"), **{"x-kubernetes-list-type": "set"})})),
    ("zero-min-items-kept", {"optional": "[]string | minItems=0"}, None,
     obj({"optional": arr(S("string"), minItems=0)})),
    ("empty-spec", {}, None, obj()),
    ("empty-nested-mapping", {"config": {}}, None, obj({"config": obj()})),
    ("dotted-and-yaml-keys", {"a.b": "string", 2: "integer", True: "boolean"}, None,
     obj({"a.b": S("string"), "2": S("integer"), "true": S("boolean")})),
    # TestDefaultPropagation
    ("defaults-propagate", {"timeout": "integer | default=30", "retries": "integer | default=3"}, None,
     obj({"timeout": S("integer", default=30), "retries": S("integer", default=3)}, default={})),
    ("required-blocks-default", {"name": "string | required=true", "timeout": "integer | default=30"}, None,
     obj({"name": S("string"), "timeout": S("integer", default=30)}, required=["name"])),
    ("no-defaults-no-default", {"name": "string", "timeout": "integer"}, None,
     obj({"name": S("string"), "timeout": S("integer")})),
    ("custom-type-defaults", {"config": "Config"},
     {"Config": {"timeout": "integer | default=30", "retries": "integer | default=3"}},
     obj({"config": obj({"timeout": S("integer", default=30), "retries": S("integer", default=3)}, default={})},
         default={})),
    ("custom-type-required-blocks", {"config": "Config"},
     {"Config": {"name": "string | required=true", "timeout": "integer | default=30"}},
     obj({"config": obj({"name": S("string"), "timeout": S("integer", default=30)}, required=["name"])})),
    ("nested-custom-defaults", {"app": "App"},
     {"Config": {"port": "integer | default=8080"}, "App": {"name": "string", "config": "Config"}},
     obj({"app": obj({"name": S("string"),
                      "config": obj({"port": S("integer", default=8080)}, default={})}, default={})},
         default={})),
    ("deep-required-blocks-its-level-only",
     {"outer": {"inner": {"required_field": "string | required=true", "optional_field": "integer | default=42"},
                "sibling": 'string | default="hello"'}},
     None,
     obj({"outer": obj({"inner": obj({"required_field": S("string"), "optional_field": S("integer", default=42)},
                                     required=["required_field"]),
                        "sibling": S("string", default="hello")}, default={})},
         default={})),
    ("transitive-custom-types", {"ceo": "Employee"},
     {"Employee": {"name": "string", "company": "Company"}, "Company": {"name": "string", "headquarters": "Address"},
      "Address": {"street": "string", "city": "string"}},
     obj({"ceo": obj({"name": S("string"), "company": obj({
         "name": S("string"), "headquarters": obj({"street": S("string"), "city": S("string")})})})})),
    ("list-map-on-custom", {"containers": "[]Container | listType=map listMapKey=name listMapKey=port"},
     {"Container": {"name": "string | required=true", "port": "integer | required=true"}},
     obj({"containers": arr(obj({"name": S("string"), "port": S("integer")}, required=["name", "port"]),
                            **{"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name", "port"]})})),
]


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


@pytest.mark.parametrize("spec,types,want", [r[1:] for r in OK], ids=[r[0] for r in OK])
def test_to_openapi(spec: dict, types: dict | None, want: dict) -> None:
    assert canonical(to_openapi(spec, types)) == canonical(want)


# (id, spec, types, expected error path, message fragment)
ERRORS = [
    ("unknown-type", {"invalid": "unknownType"}, None, "spec.invalid", 'unknown type "unknownType"'),
    ("number-hint", {"price": "number"}, None, "spec.price", 'unknown type "number"; write float'),
    ("int-hint", {"count": "int | default=1"}, None, "spec.count", "write integer"),
    ("cycle", {"data": "TypeA"}, {"TypeA": "TypeB", "TypeB": "TypeA"}, "types.TypeA",
     "cyclic dependency in type TypeA: TypeA -> TypeB -> TypeA"),
    ("doc-cycle", {"p": "Person"}, {"Person": {"name": "string", "employer": "Company"},
                                    "Company": {"name": "string", "employees": "[]Person"}},
     "types.Person", "cyclic dependency in type Person: Person -> Company -> Person"),
    ("self-reference", {"n": "Node"}, {"Node": {"children": "[]Node"}}, "types.Node", "Node -> Node"),
    ("undefined-reference-even-if-unused", {"data": "string"}, {"TypeA": "UndefinedType"}, "types.TypeA",
     'unknown type "UndefinedType"'),
    ("custom-spec-not-string", {"data": "string"}, {"BadType": 123}, "types.BadType", "got int 123"),
    ("custom-string-bad-type", {"data": "string"}, {"BadType": "[]"}, "types.BadType", '"[]" needs an element type'),
    ("custom-map-bad-field", {"data": "string"}, {"BadType": {"field": 123}}, "types.BadType.field", "got int 123"),
    ("field-not-string", {"data": 123}, None, "spec.data", "got int 123"),
    ("field-null", {"data": None}, None, "spec.data", "field has no type"),
    ("field-bool", {"enabled": True}, None, "spec.enabled", "got bool True"),
    ("custom-alias-bad-marker", {"data": "string"}, {"BadType": "string | minLength=abc"}, "types.BadType",
     "minLength=abc is not an integer"),
    ("custom-map-bad-marker", {"data": "string"}, {"BadType": {"field": "string | minLength=abc"}},
     "types.BadType.field", "minLength=abc is not an integer"),
    ("nested-bad-marker", {"outer": {"inner": "string | minLength=abc"}}, None, "spec.outer.inner",
     "minLength=abc is not an integer"),
    ("bad-marker-syntax", {"data": "string | =bad"}, None, "spec.data", "empty name"),
    ("unknown-marker", {"data": "string | optional=true"}, None, "spec.data", 'unknown marker "optional"'),
    ("slice-of-undefined", {"items": "[]UndefinedType"}, None, "spec.items", 'unknown type "UndefinedType"'),
    ("map-of-undefined", {"data": "map[string]UndefinedType"}, None, "spec.data", 'unknown type "UndefinedType"'),
    ("map-int-key", {"data": "map[int]string"}, None, "spec.data", "map keys must be string"),
    ("too-deep", {"deep": "[]" * 17 + "string"}, None, "spec.deep", "type nesting too deep"),
    ("bad-default-for-type", {"n": "integer | default=three"}, None, "spec.n", "default value must be a valid integer"),
    ("dotted-path", {"a.b": {"c": "integer | default=x"}}, None, 'spec["a.b"].c', "valid integer"),
    ("spec-not-mapping", ["string"], None, "spec", "expected a mapping of fields"),
    ("types-not-mapping", {"a": "string"}, ["string"], "types", "expected a mapping of type names"),
    ("float-key", {1.5: "string"}, None, "spec", "field names must be strings"),
]


@pytest.mark.parametrize("spec,types,path,fragment", [r[1:] for r in ERRORS], ids=[r[0] for r in ERRORS])
def test_to_openapi_errors(spec: Any, types: Any, path: str, fragment: str) -> None:
    with pytest.raises(SchemaError) as info:
        to_openapi(spec, types)
    assert info.value.path == path
    assert fragment in info.value.message
    assert fragment in str(info.value) and str(info.value).startswith(f"{path}: ")


# kro's test/e2e/chainsaw/check-required-default-interactions: its RGD and the
# spec schema of the CRD kro generated from it (instancecrd-assert.yaml).
E2E_TYPES = {
    "RequiredString": "string | required=true",
    "Port": "integer | default=8080 minimum=1 maximum=65535",
    "DatabaseConfig": {"host": "string | required=true", "port": "Port", "username": "string | required=true",
                       "database": 'string | default="postgres"'},
    "RetryConfig": {"maxRetries": "integer | default=3 minimum=0 maximum=10", "backoffMs": "integer | default=1000",
                    "exponential": "boolean | default=true"},
    "ServiceEndpoint": {"name": "RequiredString", "url": 'string | required=true pattern="^https?://"',
                        "timeout": "integer | default=30 minimum=1 maximum=300"},
}
E2E_SPEC = {
    "appName": "RequiredString",
    "environment": 'string | default="development" enum="development,staging,production"',
    "database": "DatabaseConfig",
    "retry": "RetryConfig",
    "endpoints": "[]ServiceEndpoint | minItems=1",
    "annotations": "map[string]string",
    "clusterId": "string | immutable=true",
    "replicas": 'integer | default=1 minimum=0 maximum=100 validation="self <= 10 || self % 2 == 0"',
    "resources": {"cpu": 'string | default="100m" pattern="^[0-9]+m?$"',
                  "memory": 'string | default="128Mi" pattern="^[0-9]+(Mi|Gi)$"'},
}
E2E_CRD_SPEC = yaml.safe_load(r"""
type: object
required: [appName]
properties:
  appName: {type: string}
  environment: {type: string, default: development, enum: [development, staging, production]}
  database:
    type: object
    required: [host, username]
    properties:
      host: {type: string}
      port: {type: integer, default: 8080, minimum: 1, maximum: 65535}
      username: {type: string}
      database: {type: string, default: postgres}
  retry:
    type: object
    default: {}
    properties:
      maxRetries: {type: integer, default: 3, minimum: 0, maximum: 10}
      backoffMs: {type: integer, default: 1000}
      exponential: {type: boolean, default: true}
  endpoints:
    type: array
    minItems: 1
    items:
      type: object
      required: [name, url]
      properties:
        name: {type: string}
        url: {type: string, pattern: "^https?://"}
        timeout: {type: integer, default: 30, minimum: 1, maximum: 300}
  annotations: {type: object, additionalProperties: {type: string}}
  clusterId:
    type: string
    x-kubernetes-validations: [{rule: self == oldSelf, message: field is immutable}]
  replicas:
    type: integer
    default: 1
    minimum: 0
    maximum: 100
    x-kubernetes-validations: [{rule: "self <= 10 || self % 2 == 0", message: validation failed}]
  resources:
    type: object
    default: {}
    properties:
      cpu: {type: string, default: 100m, pattern: "^[0-9]+m?$"}
      memory: {type: string, default: 128Mi, pattern: "^[0-9]+(Mi|Gi)$"}
""")


def test_e2e_required_default_interactions_crd() -> None:
    assert canonical(to_openapi(E2E_SPEC, E2E_TYPES)) == canonical(E2E_CRD_SPEC)


def test_required_sorted_at_every_level() -> None:
    spec = {name: f"{t} | required=true" for name, t in
            [("zebra", "string"), ("alpha", "string"), ("mike", "integer"), ("bravo", "boolean"),
             ("yankee", "string"), ("charlie", "integer")]}
    spec["optional"] = "string"
    spec["config"] = {"zulu": "string | required=true", "alpha": "string | required=true",
                      "november": "integer | required=true"}
    schema = to_openapi(spec)
    assert schema["required"] == ["alpha", "bravo", "charlie", "mike", "yankee", "zebra"]
    assert schema["properties"]["config"]["required"] == ["alpha", "november", "zulu"]


def _assert_keys_sorted(schema: dict, path: str = "spec") -> None:
    assert list(schema) == sorted(schema), path
    for name, prop in schema.get("properties", {}).items():
        _assert_keys_sorted(prop, f"{path}.{name}")
    if "properties" in schema:
        assert list(schema["properties"]) == sorted(schema["properties"]), path
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _assert_keys_sorted(schema[key], f"{path}.{key}")


def test_output_keys_sorted_like_the_api_server_serves_them() -> None:
    _assert_keys_sorted(to_openapi(E2E_SPEC, E2E_TYPES))


def test_custom_types_are_copied_not_shared() -> None:
    schema = to_openapi({"a": "Config", "b": "Config | description=\"only b\""},
                        {"Config": {"x": "integer | default=1"}})
    assert "description" not in schema["properties"]["a"]
    assert schema["properties"]["b"]["description"] == "only b"
    schema["properties"]["a"]["properties"]["x"]["default"] = 99
    assert schema["properties"]["b"]["properties"]["x"]["default"] == 1


_DETERMINISM_SCRIPT = """
import json, sys
from pykro.simpleschema import to_openapi
from tests.simpleschema.test_transform import E2E_SPEC, E2E_TYPES
sys.stdout.write(json.dumps(to_openapi(E2E_SPEC, E2E_TYPES)))
"""


def test_deterministic_across_processes_and_hash_seeds() -> None:
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", _DETERMINISM_SCRIPT], env=env, capture_output=True,
                                text=True, check=True, cwd=Path(__file__).resolve().parents[2])
        outputs.add(result.stdout)
    outputs.add(json.dumps(to_openapi(E2E_SPEC, E2E_TYPES)))
    assert len(outputs) == 1


def test_field_order_of_input_does_not_change_output() -> None:
    forward = to_openapi(E2E_SPEC, E2E_TYPES)
    backward = to_openapi(dict(reversed(list(E2E_SPEC.items()))), dict(reversed(list(E2E_TYPES.items()))))
    assert json.dumps(forward) == json.dumps(backward)


@pytest.mark.parametrize("rgd", sorted(RGDS))
def test_every_kro_example_schema_builds(rgd: str) -> None:
    schema = RGDS[rgd]
    result = to_openapi(schema.get("spec"), schema.get("types"))
    assert result["type"] == "object"
    assert set(result.get("properties", {})) == {str(k) for k in (schema.get("spec") or {})}


def test_example_defaults_rgd() -> None:
    schema = RGDS["defaults/rg.yaml"]
    result = to_openapi(schema["spec"], schema.get("types"))
    props = result["properties"]
    # the required top-level field keeps the spec itself from getting default: {}
    assert result["required"] == ["required"] and "default" not in result
    # the nested config gets default: {} so its field2/field3 defaults apply when config is omitted
    assert props["config"]["default"] == {}
    assert props["config"]["properties"]["field2"] == {"default": 200, "type": "integer"}
    assert props["config"]["properties"]["field3"] == {"default": 2002, "type": "integer"}
    assert props["elements"] == {"default": ["a", "b", "c", "d"], "items": {"type": "string"}, "type": "array"}
    assert props["enabled"] == {"default": True, "type": "boolean"}
    assert props["number"] == {"default": 100, "type": "integer"}
    assert props["element"] == {"default": "e", "type": "string"}


def test_example_core_dns_json_map_defaults() -> None:
    schema = RGDS["core-dns/core-dns.yaml"]
    values = to_openapi(schema["spec"])["properties"]["values"]
    assert values["default"] == {}
    annotations = values["properties"]["clusterRoleBinding"]["properties"]["annotations"]
    assert annotations["default"] == {"rbac.authorization.kubernetes.io/autoupdate": '"true"'}
    assert values["properties"]["service"]["properties"]["clusterIPs"]["default"] == ["10.100.123.45"]
    assert values["properties"]["image"]["properties"]["tag"]["default"] == "1.11.3"


def test_example_string_default_that_looks_like_a_number_stays_a_string() -> None:
    schema = RGDS["saas-multi-tenant/tenant-application-rgd.yaml"]
    image = to_openapi(schema["spec"])["properties"]["image"]
    assert image == {"default": "100", "type": "string"}
