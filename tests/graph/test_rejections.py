"""Everything kro rejects is rejected when the graph is built, with a message naming the field.

One row per rule: (id, builder-returning-resources, status, expected error type, substrings of the message).
"""

from __future__ import annotations

from typing import Any, Callable, Literal

import pytest

from pykro import (
    Cel,
    CelError,
    CycleError,
    GraphError,
    ReferenceUsageError,
    SchemaError,
    Spec,
    Status,
    external_ref,
    for_each,
    manifest,
    resource,
    simple,
    to_resource_graph,
)


class AppSpec(Spec):
    name: str
    replicas: int = 1
    enabled: bool = True
    regions: list[str] = []


class AppStatus(Status):
    ready: bool


def _graph(resources: Callable[[Any], dict], status_builder: Callable[[Any, Any], dict] | None = None,
           **definition: Any):
    d = {"name": "app", "apiVersion": "example.com/v1alpha1", "kind": "App", "spec": AppSpec}
    d.update(definition)
    return to_resource_graph(d, resources, status_builder)


def _dep(s: Any, image: Any = "nginx", **kw: Any):
    return simple.Deployment(name=s.spec.name, image=image, **kw)


def _cycle(s: Any) -> dict:
    a = resource("v1", "ConfigMap", "a", fields={"data": {}})
    b = resource("v1", "ConfigMap", b_name := "b", fields={"data": {"x": a.metadata.name}})
    # a reads b, b reads a: rebuild a with the reference now that b exists
    a2 = resource("v1", "ConfigMap", "a", fields={"data": {"y": b.metadata.name}})
    b._template["data"] = {"x": a2.metadata.name}
    return {"first": a2, "second": b}


def _shared(s: Any) -> dict:
    d = _dep(s)
    return {"one": d, "two": d}


ROWS = [
    ("id-not-lower-camel", lambda s: {"My-app": _dep(s)}, None, GraphError, ["'My-app'", "lowerCamelCase"]),
    ("id-reserved-schema", lambda s: {"schema": _dep(s)}, None, GraphError, ["'schema'", "reserved"]),
    ("id-reserved-cel", lambda s: {"in": _dep(s)}, None, GraphError, ["'in'", "reserved"]),
    ("id-reserved-each", lambda s: {"each": _dep(s)}, None, GraphError, ["'each'", "reserved"]),
    ("same-resource-twice", _shared, None, GraphError, ["two ids", "'one'", "'two'"]),
    ("not-a-resource", lambda s: {"app": {"kind": "Deployment"}}, None, GraphError, ["resources[app]", "not a resource"]),
    ("builder-returns-list", lambda s: [_dep(s)], None, GraphError, ["dict of id -> resource"]),
    ("missing-apiVersion", lambda s: {"x": manifest({"kind": "ConfigMap", "metadata": {"name": "x"}})}, None,
     GraphError, ["resources[x].template.apiVersion"]),
    ("missing-kind", lambda s: {"x": manifest({"apiVersion": "v1", "metadata": {"name": "x"}})}, None,
     GraphError, ["resources[x].template.kind"]),
    ("missing-metadata", lambda s: {"x": manifest({"apiVersion": "v1", "kind": "ConfigMap"})}, None,
     GraphError, ["resources[x].template.metadata", "mapping"]),
    ("missing-name", lambda s: {"x": manifest({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})}, None,
     GraphError, ["resources[x].template.metadata.name", "required"]),
    ("namespace-on-cluster-scoped", lambda s: {"ns": resource("v1", "Namespace", s.spec.name, namespace="x")}, None,
     GraphError, ["resources[ns].template.metadata.namespace", "cluster-scoped"]),
    ("kro-label", lambda s: {"app": _dep(s, labels={"kro.run/owned": "x"})}, None,
     GraphError, ["resources[app].template.metadata.labels", "kro.run/"]),
    ("kro-annotation", lambda s: {"app": _dep(s, annotations={"internal.kro.run/x": "y"})}, None,
     GraphError, ["resources[app].template.metadata.annotations", "reserved"]),
    ("cycle", _cycle, None, CycleError, ["graph contains a cycle", "first -> second -> first"]),
    ("unknown-identifier", lambda s: {"app": _dep(s, replicas=Cel.expr("foo.bar"))}, None,
     CelError, ["unknown identifier 'foo'", "resources[app].template.spec.replicas", "foo.bar"]),
    ("invalid-cel", lambda s: {"app": _dep(s, replicas=Cel.expr("schema.spec.replicas +"))}, None,
     CelError, ["resources[app]", "spec.replicas", "schema.spec.replicas +"]),
    ("invalid-cel-in-string", lambda s: {"app": _dep(s, image="${schema.spec.name ==}")}, None,
     CelError, ["resources[app]", "image"]),
    ("nested-expression", lambda s: {"app": _dep(s, image="${a(${b})}")}, None,
     CelError, ["nested ${...}", "resources[app]"]),
    ("non-string-template-part", lambda s: {"app": _dep(s, image="nginx:${schema.spec.replicas}")}, None,
     CelError, ["parts must be strings", "int", "string(schema.spec.replicas)"]),
    ("include-when-not-bool", lambda s: {"app": _dep(s, include_when=s.spec.name)}, None,
     CelError, ["includeWhen must be a bool", "string", "resources[app]"]),
    ("ready-when-other-resource", lambda s: {"cm": resource("v1", "ConfigMap", "c"),
                                             "app": _dep(s, ready_when=Cel.expr("cm.metadata.name == 'c'"))}, None,
     CelError, ["unknown identifier 'cm'", "readyWhen", "own id"]),
    ("ready-when-not-bool", lambda s: {"app": _dep(s, ready_when=lambda r: r.status.readyReplicas + 1)}, None,
     CelError, ["readyWhen must be a bool"]),
    ("foreach-var-not-in-name", lambda s: {"cm": for_each({"region": s.spec.regions},
                                                          lambda region: resource("v1", "ConfigMap", "fixed",
                                                                                  fields={"data": {"r": region}}))},
     None, GraphError, ["forEach iterator 'region'", "metadata.name"]),
    ("foreach-reserved-var", lambda s: {"cm": for_each({"item": s.spec.regions},
                                                       lambda item: resource("v1", "ConfigMap", f"c-{item}"))},
     None, GraphError, ["forEach iterator 'item'", "reserved"]),
    ("external-with-foreach", lambda s: {"cm": for_each({"region": s.spec.regions},
                                                        lambda region: external_ref("v1", "ConfigMap", f"c-{region}"))},
     None, GraphError, ["external reference cannot have forEach"]),
    ("status-missing", lambda s: {"app": _dep(s)}, lambda s, r: {}, GraphError,
     ["status field 'ready'", "AppStatus", "no expression"]),
    ("status-extra", lambda s: {"app": _dep(s)}, lambda s, r: {"ready": r["app"].status.x == 1, "other": 1},
     GraphError, ["status field 'other'", "not declared"]),
    ("status-wrong-type", lambda s: {"app": _dep(s)}, lambda s, r: {"ready": r["app"].metadata.name}, GraphError,
     ["status field 'ready'", "declared bool", "string"]),
    ("status-unknown-identifier", lambda s: {"app": _dep(s)}, lambda s, r: {"ready": Cel.expr("dep.status.ok")},
     CelError, ["unknown identifier 'dep'", "status.ready"]),
    ("reference-outside-graph", lambda s: {"svc": simple.Service(name=_dep(s).metadata.name, selector={}, ports=[])},
     None, GraphError, ["not in the graph", "resources[svc]"]),
    ("expression-in-key", lambda s: {"cm": resource("v1", "ConfigMap", "c", fields={"data": {f"{s.spec.name}": "v"}})},
     None, GraphError, ["mapping key cannot hold an expression"]),
    ("unknown-spec-field", lambda s: {"app": simple.Deployment(name=s.spec.nme, image="x")}, None,
     SchemaError, ["AppSpec has no field 'nme'", "name, replicas, enabled, regions"]),
    ("unwritable-value", lambda s: {"cm": resource("v1", "ConfigMap", "c", fields={"data": {"x": object()}})},
     None, GraphError, ["cannot be written to YAML", "resources[cm].template.data.x"]),
]


@pytest.mark.parametrize("resources,status,error,expected", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_rejected_at_build_time(resources, status, error, expected):
    with pytest.raises(error) as info:
        _graph(resources, status, status=AppStatus if status else None)
    message = str(info.value)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"
    assert info.value.file and info.value.file.endswith("test_rejections.py"), "the graph module's file is named"


DEFINITION_ROWS = [
    ("kind-lower", {"kind": "app"}, GraphError, ["kind 'app'", "UpperCamelCase"]),
    ("kind-symbols", {"kind": "My-App"}, GraphError, ["UpperCamelCase"]),
    ("bad-version", {"apiVersion": "example.com/version1"}, GraphError, ["version 'version1'", "Kubernetes version"]),
    ("bad-group", {"apiVersion": "Example_Com/v1"}, GraphError, ["group 'Example_Com'", "DNS"]),
    ("bad-name", {"name": "My App"}, GraphError, ["graph name 'My App'"]),
    ("bad-scope", {"scope": "Global"}, GraphError, ["scope 'Global'"]),
    ("spec-not-a-class", {"spec": {"name": "string"}}, SchemaError, ["Spec subclass"]),
]


@pytest.mark.parametrize("definition,error,expected", [r[1:] for r in DEFINITION_ROWS], ids=[r[0] for r in DEFINITION_ROWS])
def test_definition_rejected(definition, error, expected):
    with pytest.raises(error) as info:
        _graph(lambda s: {"app": _dep(s)}, **definition)
    for part in expected:
        assert part in str(info.value)


def test_cluster_scoped_instance_needs_namespaces():
    with pytest.raises(GraphError) as info:
        _graph(lambda s: {"app": _dep(s)}, scope="Cluster")
    assert "must set metadata.namespace when the instance is cluster-scoped" in str(info.value)
    # ...and is fine once the namespace is set.
    _graph(lambda s: {"app": _dep(s, namespace=s.spec.name)}, scope="Cluster")


class _Unsupported:
    pass


class SetSpec(Spec):
    x: set[str]


class UnionSpec(Spec):
    x: int | str


class IntKeysSpec(Spec):
    x: dict[int, str]


class MixedLiteralSpec(Spec):
    x: Literal["a", 1]


class PlainClassSpec(Spec):
    x: _Unsupported


SCHEMA_ROWS = [
    ("set-type", SetSpec, ["has no SimpleSchema equivalent"]),
    ("union", UnionSpec, ["only Optional[T]"]),
    ("int-keys", IntKeysSpec, ["map keys must be str"]),
    ("mixed-literal", MixedLiteralSpec, ["all strings or all integers"]),
    ("plain-class", PlainClassSpec, ["has no SimpleSchema equivalent"]),
]


@pytest.mark.parametrize("spec,expected", [r[1:] for r in SCHEMA_ROWS], ids=[r[0] for r in SCHEMA_ROWS])
def test_spec_types_without_simpleschema(spec, expected):
    with pytest.raises(SchemaError) as info:
        _graph(lambda s: {"app": _dep(s)}, spec=spec)
    for part in expected:
        assert part in str(info.value)
    assert info.value.path == "x"


def test_default_of_wrong_type():
    class BadDefault(Spec):
        replicas: int = "two"  # type: ignore[assignment]

    with pytest.raises(SchemaError, match=r"default 'two' of BadDefault.replicas is not a integer"):
        _graph(lambda s: {"app": _dep(s)}, spec=BadDefault)


def test_reserved_status_field():
    class BadStatus(Status):
        conditions: str

    with pytest.raises(SchemaError, match="status field 'conditions' is reserved by kro"):
        _graph(lambda s: {"app": _dep(s)}, lambda s, r: {"conditions": r["app"].metadata.name}, status=BadStatus)


# -- references used where Python needs a value -----------------------------------

USAGE_ROWS = [
    ("if", lambda s: bool(s.spec.enabled), ["cannot test it", "include_when=", "Cel.conditional"]),
    ("and", lambda s: s.spec.enabled and 1, ["cannot test it"]),
    ("len", lambda s: len(s.spec.regions), ["no length", "Cel.size"]),
    ("iterate", lambda s: [r for r in s.spec.regions], ["cannot be iterated", "for_each("]),
    ("int", lambda s: int(s.spec.replicas), ["no int value", "Cel.int"]),
    ("float", lambda s: float(s.spec.replicas), ["no float value", "Cel.double"]),
    ("range", lambda s: range(s.spec.replicas), ["no int value"]),
    ("in", lambda s: "x" in s.spec.regions, ["needs a concrete value"]),
    ("format-spec", lambda s: f"{s.spec.replicas:03d}", ["format spec '03d'"]),
    ("assign", lambda s: setattr(s.spec, "name", "x"), ["read-only"]),
    ("floordiv", lambda s: s.spec.replicas // 2, ["no CEL equivalent"]),
]


@pytest.mark.parametrize("use,expected", [r[1:] for r in USAGE_ROWS], ids=[r[0] for r in USAGE_ROWS])
def test_reference_used_as_a_value(use, expected):
    def builder(s: Any) -> dict:
        use(s)
        return {"app": _dep(s)}

    with pytest.raises(TypeError) as info:  # ReferenceUsageError is a TypeError
        _graph(builder)
    assert isinstance(info.value, ReferenceUsageError)
    for part in expected:
        assert part in str(info.value), str(info.value)

