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
    include,
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


def _regions(s: Any, **kw: Any):
    """A collection (forEach) of ConfigMaps, one per region."""
    return for_each({"region": s.spec.regions}, lambda region: simple.ConfigMap(name=f"c-{region}", **kw))


class _DbSpec(Spec):
    name: str


_DB = to_resource_graph({"name": "db", "apiVersion": "v1alpha1", "kind": "Db", "spec": _DbSpec},
                        lambda s: {"sts": simple.StatefulSet(name=s.spec.name, image="pg"),
                                   "svc": simple.Service(name=s.spec.name, selector={}, ports=[])})
_VC = to_resource_graph({"name": "vc", "apiVersion": "v1alpha1", "kind": "Vc", "spec": _DbSpec},
                        lambda s: {"vc": simple.ConfigMap(name=s.spec.name)})
_SVC = to_resource_graph({"name": "svc", "apiVersion": "v1alpha1", "kind": "Svc", "spec": _DbSpec},
                         lambda s: {"sVc": simple.ConfigMap(name=s.spec.name)})


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
    ("unknown-schema-metadata-field", lambda s: {"app": _dep(s, labels={"x": s.metadata.nme})}, None,
     SchemaError, ["schema.metadata has no field 'nme'", "name, namespace"]),
    # kro v0.9: a collection's readyWhen sees only `each`, the current item.
    ("collection-ready-when-names-id", lambda s: {"cm": _regions(s, ready_when=Cel.expr("cm.metadata.name != ''"))},
     None, CelError, ["unknown identifier 'cm'", "resources[cm].readyWhen", "collection's readyWhen", "each"]),
    # A collection is a list in kro's CEL: no field selection on its id.
    ("collection-field-selection", lambda s: (lambda cm: {"cm": cm, "app": _dep(s, image=cm.metadata.name)})(_regions(s)),
     None, CelError, ["'cm' is a collection", "resources[app].template", "image", "cm.map(x, x.metadata.name)"]),
    ("collection-field-selection-raw", lambda s: {"cm": _regions(s), "app": _dep(s, image="${cm.data.x}")},
     None, CelError, ["'cm' is a collection", "resources[app]", "cm[0].data.x"]),
    ("collection-field-in-include-when", lambda s: (lambda cm: {"cm": cm, "app": _dep(s, include_when=cm.metadata.name == "x")})(_regions(s)),
     None, CelError, ["'cm' is a collection", "resources[app].includeWhen"]),
    ("collection-field-in-status", lambda s: {"cm": _regions(s), "app": _dep(s)},
     lambda s, r: {"ready": r["cm"].metadata.name == "x"}, CelError, ["'cm' is a collection", "status.ready"]),
    # Functions kro's CEL environment does not have.
    ("unknown-function", lambda s: {"app": _dep(s, image=Cel.expr("nosuchfn(schema.spec.name)"))}, None,
     CelError, ["undeclared reference to 'nosuchfn'", "no such function", "resources[app]", "image"]),
    ("unknown-method", lambda s: {"app": _dep(s, image=Cel.expr("schema.spec.name.lowerAsci()"))}, None,
     CelError, ["undeclared reference to 'lowerAsci'", "no such method", "did you mean .lowerAscii()?"]),
    ("unknown-namespaced-function", lambda s: {"app": _dep(s, replicas=Cel.expr("math.least(1, 2)"))}, None,
     CelError, ["'math.least'", "[a, b].min()", "resources[app].template.spec.replicas"]),
    ("unknown-function-in-string", lambda s: {"app": _dep(s, image="${sise(schema.spec.name)}")}, None,
     CelError, ["'sise'", "did you mean size()?", "resources[app]"]),
    # Python operators on typed references: what CEL's type checker refuses.
    ("bitwise-and-on-int", lambda s: {"app": _dep(s, replicas=s.spec.replicas & 1)}, None,
     CelError, ["`&` is CEL's logical `&&`", "not int", "resources[app].template.spec.replicas", "only on bool"]),
    ("invert-int", lambda s: {"app": _dep(s, replicas=~s.spec.replicas)}, None,
     CelError, ["logical not `!`", "needs a bool, not int", "resources[app].template.spec.replicas"]),
    ("int-plus-string", lambda s: {"app": _dep(s, image=s.spec.replicas + s.spec.name)}, None,
     CelError, ["`+` on int and string", "Cel.string(x)", "resources[app]", "image"]),
    ("int-plus-double", lambda s: {"app": _dep(s, replicas=s.spec.replicas + 0.5)}, None,
     CelError, ["`+` on int and double", "Cel.double(x) + y", "resources[app].template.spec.replicas"]),
    ("string-times-int", lambda s: {"app": _dep(s, image=s.spec.name * 2)}, None,
     CelError, ["`*` is not defined on string", "resources[app]", "image"]),
    ("int-equals-string", lambda s: {"app": _dep(s, include_when=s.spec.replicas == "1")}, None,
     CelError, ["`==` compares int with string", "resources[app].includeWhen"]),
    # include(): Python's dict keeps the last value of a key, silently dropping an included resource.
    ("include-id-clash", lambda s: {**include(_DB, prefix="a", spec={"name": "x"}), "aSvc": _dep(s)}, None,
     GraphError, ["resources[aSvc]", "id 'aSvc' from include('db', prefix='a')", "builder's own 'aSvc'"]),
    ("include-include-clash", lambda s: {**include(_VC, prefix="aS", spec={"name": "x"}),
                                         **include(_SVC, prefix="a", spec={"name": "y"})}, None,
     GraphError, ["id 'aSVc'", "include('vc', prefix='aS')", "include('svc', prefix='a')"]),
]


@pytest.mark.parametrize("resources,status,error,expected", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_rejected_at_build_time(resources, status, error, expected):
    with pytest.raises(error) as info:
        _graph(resources, status, status=AppStatus if status else None)
    message = str(info.value)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"
    assert info.value.file and info.value.file.endswith("test_rejections.py"), "the graph module's file is named"


def _by_id(graph: Any) -> dict[str, dict]:
    return {r["id"]: r for r in graph.rgd()["spec"]["resources"]}


def _with_collection(s: Any, **kw: Any) -> dict:
    cm = _regions(s)
    return {"cm": cm, "app": _dep(s, **{k: (v(cm) if callable(v) else v) for k, v in kw.items()})}


# What must still be accepted next to the rules above: (id, builder, status, check of the RGD's resources).
ACCEPTED_ROWS = [
    ("collection-ready-when-function-is-each", lambda s: {"cm": _regions(s, ready_when=lambda r: r.metadata.name != "")},
     None, lambda res: res["cm"]["readyWhen"] == ['${each.metadata.name != ""}']),
    ("collection-ready-when-each-text", lambda s: {"cm": _regions(s, ready_when=Cel.expr("each.metadata.name != ''"))},
     None, lambda res: res["cm"]["readyWhen"] == ["${each.metadata.name != ''}"]),
    ("ready-when-list-of-functions", lambda s: {"app": _dep(s, ready_when=[lambda r: r.status.readyReplicas > 0,
                                                                           Cel.expr("app.status.x == 1"),
                                                                           lambda r: r.status.y == r.spec.replicas])},
     None, lambda res: res["app"]["readyWhen"] == ["${app.status.readyReplicas > 0}", "${app.status.x == 1}",
                                                   "${app.status.y == app.spec.replicas}"]),
    ("collection-as-a-list", lambda s: _with_collection(s, image=lambda cm: cm[0].metadata.name,
                                                        include_when=Cel.expr("size(cm) > 0"),
                                                        labels={"n": Cel.expr("cm.map(x, x.metadata.name).join(',')"),
                                                                "raw": "${cm[0].data.x}"}),
     lambda s, r: {"ready": Cel.expr("cm.all(x, has(x.data))")},
     lambda res: res["app"]["template"]["spec"]["template"]["spec"]["containers"][0]["image"] == "${cm[0].metadata.name}"),
    ("depends-on-collection", lambda s: _with_collection(s, depends_on=lambda cm: [cm]), None,
     lambda res: res["app"]["template"]["metadata"]["annotations"] == {"pykro.io/depends-on": "${string(size(cm))}"}),
    ("known-functions-and-macros", lambda s: {"app": _dep(s, image=Cel.expr(
        "schema.spec.name.lowerAscii() + string(size(schema.spec.regions.filter(r, r != '')))"
        " + (schema.spec.regions.exists(i, v, v == 'a') ? hash.fnv64a('x') : '')"
        " + optional.of('x').orValue('') + cel.bind(y, 'z', y) + (has(schema.spec.name) ? '' : dyn('b'))"))},
     None, lambda res: "lowerAscii" in str(res["app"])),
    ("typed-operators", lambda s: {"app": _dep(s, replicas=(s.spec.replicas + 1) * 2 % 3 - -s.spec.replicas,
                                               include_when=s.spec.enabled & ~(s.spec.replicas < 1.5) | (s.spec.replicas == 2),
                                               image=s.spec.name + "-x")},
     None, lambda res: res["app"]["includeWhen"] == ["${schema.spec.enabled && !(schema.spec.replicas < 1.5)"
                                                     " || schema.spec.replicas == 2}"]),
    # Fields of arbitrary kinds are dyn: their operators are kro's to check (but `&` on a known int never types).
    ("untyped-operators", lambda s: {"app": _dep(s, ready_when=lambda r: r.status.x & (r.status.y + 1 > r.spec.z))},
     None, lambda res: res["app"]["readyWhen"] == ["${app.status.x && app.status.y + 1 > app.spec.z}"]),
    ("schema-metadata-fields", lambda s: {"app": _dep(s, labels={"a": s.metadata.labels["team"], "b": s.metadata.uid,
                                                                 "c": f"{s.metadata.generation}"})},
     None, lambda res: res["app"]["template"]["metadata"]["labels"]["c"] == "${string(schema.metadata.generation)}"),
    ("include-filtered", lambda s: {k: v for k, v in include(_DB, prefix="a", spec={"name": "x"}).items() if k != "aSvc"},
     None, lambda res: list(res) == ["aSts"]),
    ("include-renamed", lambda s: {**include(_DB, prefix="a", spec={"name": "x"}), "bSvc": _dep(s)}, None,
     lambda res: list(res) == ["aSts", "aSvc", "bSvc"]),
]


@pytest.mark.parametrize("resources,status,check", [r[1:] for r in ACCEPTED_ROWS], ids=[r[0] for r in ACCEPTED_ROWS])
def test_accepted(resources, status, check):
    graph = _graph(resources, status, status=AppStatus if status else None)
    assert check(_by_id(graph)), _by_id(graph)


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

