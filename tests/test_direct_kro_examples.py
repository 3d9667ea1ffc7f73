"""Direct mode on kro's example RGDs and on their Python re-expressions (examples/kro).

Each kro example file is read with ``graph_from_rgd``, its instance's spec is
defaulted as the API server would (``apply_defaults`` on the instance CRD's
OpenAPI schema) and rendered by :func:`pykro.render.direct.render`; the
interesting fields are checked (names, includeWhen outcomes, CEL library
results computed here independently), and our Python module for the same
example must render the same manifests.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import json
import re
from typing import Any

import pytest

from pykro.errors import RenderError
from pykro.graph.model import Graph
from pykro.render.direct import render
from pykro.simpleschema import apply_defaults, to_openapi

from .test_kro_examples import EXAMPLES, Example, kro_doc, kro_graph, our_graph

BY_ID = {e.id: e for e in EXAMPLES}


def defaulted(graph: Graph, spec: dict[str, Any]) -> dict[str, Any]:
    return apply_defaults(to_openapi(graph.spec_schema, graph.types or None), spec)


def instance_of(example: Example) -> tuple[dict[str, Any], str, str]:
    """(spec, name, namespace) of the example's instance file."""
    assert example.instance is not None
    doc = kro_doc(example.instance)
    meta = doc["metadata"]
    return dict(doc.get("spec") or {}), meta["name"], meta.get("namespace", "default")


def render_both(example: Example, spec: dict[str, Any], name: str, namespace: str) -> tuple[list, list]:
    kro, ours = kro_graph(example), our_graph(example)
    return (
        render(kro, defaulted(kro, spec), name=name, namespace=namespace),
        render(ours, defaulted(ours, spec), name=name, namespace=namespace),
    )


def get(obj: Any, path: str) -> Any:
    """``spec.containers[0].image`` / ``metadata.labels["a/b"]`` of a manifest."""
    for key, index in _tokens(path):
        obj = obj[key] if index is None else obj[index]
    return obj


def _tokens(path: str) -> list[tuple[str | None, int | None]]:
    out: list[tuple[str | None, int | None]] = []
    for quoted, plain, number in re.findall(r'\["([^"]+)"\]|([^.\[\]]+)|\[(\d+)\]', path):
        out.append((None, int(number)) if number else (quoted or plain, None))
    return out


def by_kind_name(manifests: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(m["kind"], m["metadata"]["name"]): m for m in manifests}


def fnv1a64(data: bytes) -> bytes:
    """FNV-1a, 64 bits, as Go's hash/fnv Sum: big-endian bytes."""
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) % (1 << 64)
    return h.to_bytes(8, "big")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# -- per example: the instance's manifests and their interesting fields ---------------------------

# (example id, spec changes over the instance file's spec, expected manifests (kind, name) in
#  render order, {(kind, name, field path): value}).
CASES = [
    ("webapp", {}, [("Deployment", "test-app"), ("Service", "test-app"), ("Ingress", "test-app")], {
        ("Deployment", "test-app", "metadata.namespace"): "default",  # spec.namespace's default
        ("Deployment", "test-app", "spec.replicas"): 1,
        ("Deployment", "test-app", "spec.template.spec.containers[0].image"): "nginx",
        ("Deployment", "test-app", "spec.template.spec.containers[0].ports[0].containerPort"): 80,
        ("Deployment", "test-app", "spec.template.spec.serviceAccountName"): "default",
        ("Deployment", "test-app", 'metadata.labels["app.kubernetes.io/name"]'): "test-app",
        ("Service", "test-app", "metadata.namespace"): "default",
        ("Service", "test-app", "spec.ports[0].targetPort"): 80,
        ("Ingress", "test-app", "spec.rules[0].http.paths[0].backend.service.name"): "test-app",
    }),
    # service.enabled=false leaves the Service out, and the Ingress with it: it reads the Service's name.
    ("webapp", {"service": {"enabled": False}}, [("Deployment", "test-app")], {}),
    ("webapp", {"ingress": {}, "namespace": "shop", "replicas": 3},
     [("Deployment", "test-app"), ("Service", "test-app")], {
        ("Deployment", "test-app", "spec.replicas"): 3,
        ("Service", "test-app", "metadata.namespace"): "shop",
    }),
    ("defaults", {}, [], {}),
    ("job-example", {}, [("Job", "example-job-deployment-job"), ("Deployment", "example-job-deployment")], {
        ("Job", "example-job-deployment-job", "spec.template.spec.containers[0].command"): ["sleep", "20"],
        ("Deployment", "example-job-deployment", "spec.replicas"): 2,
        ("Deployment", "example-job-deployment", "spec.selector.matchLabels.app"): "example-job-deployment",
    }),
    ("additionalPrinterColumns", {}, [("Deployment", "test-app"), ("Service", "test-app-service")], {
        ("Deployment", "test-app", "spec.replicas"): 3,
        ("Service", "test-app-service", "spec.selector"): {"app": "test-app"},
    }),
    ("vote-app", {}, [("Deployment", "vote-app-demo-vote"), ("Service", "vote-app-demo-vote-service"),
                      ("Ingress", "vote-app-demo-vote-ingress")], {
        ("Deployment", "vote-app-demo-vote", "spec.replicas"): 2,
        ("Deployment", "vote-app-demo-vote", "spec.template.spec.containers[0].env"):
            [{"name": "REDIS_HOST", "value": "your-redis-endpoint-here"}],
        ("Ingress", "vote-app-demo-vote-ingress", "spec.rules[0].http.paths[0].backend.service.name"):
            "vote-app-demo-vote-service",
        ("Ingress", "vote-app-demo-vote-ingress", "spec.ingressClassName"): "alb",
    }),
    ("vote-app", {"ingress": {"enabled": False}},
     [("Deployment", "vote-app-demo-vote"), ("Service", "vote-app-demo-vote-service")], {}),
    ("result-app", {}, [("Deployment", "result-app-demo-result"), ("Service", "result-app-demo-result-service"),
                        ("Ingress", "result-app-demo-result-ingress")], {
        ("Deployment", "result-app-demo-result", "spec.template.spec.containers[0].env[2].valueFrom"):
            {"secretKeyRef": {"name": "your-postgres-secret-name", "key": "password"}},
        ("Service", "result-app-demo-result-service", "metadata.labels.app"): "result-app-demo-result",
    }),
    ("worker-app", {}, [("Deployment", "worker-app-demo-worker")], {
        ("Deployment", "worker-app-demo-worker", "spec.template.spec.containers[0].env[0].value"):
            "your-redis-endpoint-here",
        ("Deployment", "worker-app-demo-worker", "spec.template.spec.containers[0].env[1].value"):
            "your-postgres-endpoint-here",
    }),
    ("tenant", {}, [("TenantEnvironment", "tenant001"), ("TenantApplication", "tenant001")], {
        ("TenantEnvironment", "tenant001", "spec"): {"tenantId": "tenant001"},
        ("TenantApplication", "tenant001", "spec"): {"tenantId": "tenant001", "image": "nginx", "replicas": 2},
        ("TenantApplication", "tenant001", "metadata.namespace"): "default",
    }),
]
CASE_IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    out.update(copy.deepcopy(changes))
    return out


@pytest.mark.parametrize(("example_id", "changes", "expected", "fields"), CASES, ids=CASE_IDS)
def test_instance_renders(example_id: str, changes: dict, expected: list, fields: dict) -> None:
    example = BY_ID[example_id]
    spec, name, namespace = instance_of(example)
    kro, ours = render_both(example, _merge(spec, changes), name, namespace)
    assert [(m["kind"], m["metadata"]["name"]) for m in kro] == expected
    manifests = by_kind_name(kro)
    for (kind, obj_name, path), value in fields.items():
        assert get(manifests[(kind, obj_name)], path) == value, (kind, obj_name, path)
    assert ours == kro


def test_get_reads_quoted_keys_and_indexes() -> None:
    obj = {"a": {"b.c": [{"d": 1}, {"d": 2}]}}
    assert get(obj, 'a["b.c"][1].d') == 2
    with pytest.raises(KeyError):
        get(obj, "a.x")


# -- cel-functions: kro's CEL libraries, evaluated offline ------------------------------------------


def _without_env(graph: Graph, env_name: str) -> Graph:
    """The graph with one env entry of the Deployment's container left out."""
    nodes = []
    for node in graph.nodes:
        template = copy.deepcopy(node.template)
        for container in template.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
            if "env" in container:
                container["env"] = [e for e in container["env"] if e["name"] != env_name]
        nodes.append(dataclasses.replace(node, template=template))
    return dataclasses.replace(graph, nodes=tuple(nodes))


@pytest.mark.parametrize("which", ["kro", "ours"])
def test_cel_functions_needs_the_cluster_uid(which: str) -> None:
    example = BY_ID["cel-functions"]
    graph = kro_graph(example) if which == "kro" else our_graph(example)
    spec, name, namespace = instance_of(example)
    with pytest.raises(RenderError) as info:
        render(graph, defaulted(graph, spec), name=name, namespace=namespace)
    err = info.value
    assert "schema.metadata.uid" in str(err) and "only in the cluster" in str(err)
    assert err.expression == "random.seededString(10, schema.metadata.uid)"
    assert err.path == "resources[deployment].template.spec.template.spec.containers[0].env[3].value"


@pytest.mark.parametrize(
    ("dns", "partials"),
    [("a.b.c.d.example.com", "a.b.c"), ("x.y", "x.y")],
    ids=["default-dns-name", "two-labels"],
)
def test_cel_functions_values(dns: str, partials: str) -> None:
    example = BY_ID["cel-functions"]
    spec, name, namespace = instance_of(example)
    spec = _merge(spec, {"fullDNSName": dns}) if dns != "a.b.c.d.example.com" else spec
    rendered = []
    for graph in (kro_graph(example), our_graph(example)):
        graph = _without_env(graph, "RANDOM_SEEDED_STRING")
        rendered.append(render(graph, defaulted(graph, spec), name=name, namespace=namespace))
    kro, ours = rendered
    assert ours == kro
    deployment, service = kro
    app = spec["name"]
    env = {e["name"]: e["value"] for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env == {
        "FULL_DNS_NAME": dns,
        "DNS_FIRST_PART": dns.split(".")[0],
        "DNS_PARTIALS": ".".join(dns.split(".")[0:1]),
        "LISTS_SUM": str(sum([100, 200, 300])),
        "JSON_UNMARSHAL_EXAMPLE": "exampleJSONValue",
        "JSON_MARSHAL_EXAMPLE": json.dumps({"name": app}, separators=(",", ":")),
        "QUANTITY_COMPARISON": "small",  # 500Mi < 1Gi
        "HASH_FNV64A_BASE64": b64(fnv1a64(app.encode())),
        "HASH_SHA256_BASE64": b64(hashlib.sha256(app.encode()).digest()),
    }
    assert deployment["spec"]["template"]["spec"]["containers"][0]["name"] == f"{app}-deployment"
    assert service["metadata"]["labels"] == {
        "app": "deployment", "dns": dns, "partials": partials, "first_part": dns.split(".")[0],
    }


def test_fnv1a64_known_vectors() -> None:
    # Published FNV-1a 64 test vectors (the empty string is the offset basis).
    assert fnv1a64(b"").hex() == "cbf29ce484222325"
    assert fnv1a64(b"a").hex() == "af63dc4c8601ec8c"


# -- saas-multi-tenant: a Tenant's two instances render through the other two graphs ---------------


def _nested(example_id: str, instance: dict[str, Any], which: str) -> list[dict[str, Any]]:
    example = BY_ID[example_id]
    graph = kro_graph(example) if which == "kro" else our_graph(example)
    meta = instance["metadata"]
    return render(graph, defaulted(graph, instance["spec"]), name=meta["name"], namespace=meta.get("namespace"))


@pytest.mark.parametrize("which", ["kro", "ours"])
def test_tenant_composition(which: str) -> None:
    tenant_example = BY_ID["tenant"]
    spec, name, namespace = instance_of(tenant_example)
    graph = kro_graph(tenant_example) if which == "kro" else our_graph(tenant_example)
    environment, application = render(graph, defaulted(graph, spec), name=name, namespace=namespace)

    env = by_kind_name(_nested("tenant-environment", environment, which))
    assert list(env) == [
        ("Namespace", "tenant001"), ("ResourceQuota", "tenant001-quota"), ("NetworkPolicy", "tenant001-isolation"),
    ]
    assert "namespace" not in env[("Namespace", "tenant001")]["metadata"]  # cluster-scoped
    assert env[("ResourceQuota", "tenant001-quota")]["metadata"]["namespace"] == "tenant001"
    assert env[("ResourceQuota", "tenant001-quota")]["spec"]["hard"]["limits.memory"] == "2Gi"
    policy = env[("NetworkPolicy", "tenant001-isolation")]
    # The one stated difference (see test_kro_examples): null matchLabels in kro's YAML, {} in ours.
    assert policy["spec"]["podSelector"] == ({"matchLabels": None} if which == "kro" else {})
    assert policy["spec"]["ingress"] == [{"from": [{"podSelector": {}}]}]

    app = by_kind_name(_nested("tenant-application", application, which))
    assert list(app) == [("Deployment", "tenant001-deployment"), ("Service", "tenant001-service")]
    deployment = app[("Deployment", "tenant001-deployment")]
    assert deployment["metadata"]["namespace"] == "tenant001"
    assert deployment["spec"]["replicas"] == 2
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx"  # the Tenant's default
    assert app[("Service", "tenant001-service")]["metadata"]["labels"]["saas/tenant"] == "true"


def test_tenant_graphs_render_the_same_but_for_the_stated_selector() -> None:
    instance = {"metadata": {"name": "t1"}, "spec": {"tenantId": "t1"}}
    for example_id in ("tenant-environment", "tenant-application"):
        kro, ours = _nested(example_id, instance, "kro"), _nested(example_id, instance, "ours")
        if example_id == "tenant-environment":
            kro = copy.deepcopy(kro)
            assert kro[2]["spec"]["podSelector"] == {"matchLabels": None}
            kro[2]["spec"]["podSelector"] = {}
        assert ours == kro, example_id


def test_defaults_fills_the_instance() -> None:
    example = BY_ID["defaults"]
    spec, _, _ = instance_of(example)
    for graph in (kro_graph(example), our_graph(example)):
        assert defaulted(graph, spec) == {
            "config": {"field2": 200, "field3": 2002},
            "element": "e",
            "elements": ["a", "b", "c", "d"],
            "enabled": True,
            "name": "app3",
            "number": 100,
            "required": 15,
        }
