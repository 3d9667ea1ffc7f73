"""simple.* factories: sensible defaults, and every one a valid Kubernetes object.

Each factory is rendered in direct mode and checked against the Kubernetes JSON schema of its
kind (strict: unknown fields are errors), so a factory that writes a misspelt or misplaced field
fails here.
"""

from __future__ import annotations

from typing import Any

import pytest

from pykro import Spec, simple, to_resource_graph
from pykro.check import check_template
from pykro.render.direct import render


class S(Spec):
    name: str = "web"
    image: str = "nginx:1.27"


def _build(schema: Any) -> dict:
    app = simple.Deployment(name=schema.spec.name, image=schema.spec.image, replicas=2,
                            ports=[{"containerPort": 8080}], env={"MODE": "prod"},
                            resources={"requests": {"cpu": "100m"}})
    return {
        "app": app,
        "sts": simple.StatefulSet(name="db", image="postgres:16", volume_claim_templates=[
            {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                   "resources": {"requests": {"storage": "1Gi"}}}}]),
        "ds": simple.DaemonSet(name="agent", image="agent:1"),
        "job": simple.Job(name="migrate", image=schema.spec.image, command=["migrate"], backoff_limit=2),
        "cron": simple.CronJob(name="backup", schedule="0 3 * * *", image="backup:1", time_zone="UTC"),
        "svc": simple.Service(name=f"{schema.spec.name}-svc", selector={"app": schema.spec.name},
                              ports=[{"port": 80, "targetPort": 8080}], type="ClusterIP"),
        "ing": simple.Ingress(name=schema.spec.name, host="web.example.com", service_name=f"{schema.spec.name}-svc",
                              ingress_class_name="nginx"),
        "netpol": simple.NetworkPolicy(name="deny-all", policy_types=["Ingress"]),
        "cm": simple.ConfigMap(name="cfg", data={"a": "1"}),
        "secret": simple.Secret(name="creds", string_data={"password": "x"}, type="Opaque"),
        "pvc": simple.Pvc(name="data", size="10Gi", storage_class="standard"),
        "pv": simple.PersistentVolume(name="pv0", size="10Gi", host_path="/data"),
        "hpa": simple.Hpa(name="web", target=app, min_replicas=2, max_replicas=10, cpu_utilization=70),
    }


GRAPH = to_resource_graph({"name": "all", "apiVersion": "v1alpha1", "kind": "All", "spec": S}, _build)
MANIFESTS = {m["kind"]: m for m in render(GRAPH.graph, {"name": "web", "image": "nginx:1.27"}, name="all",
                                             namespace="apps")}  # fmt: skip


def test_every_simple_factory_is_covered():
    assert sorted(MANIFESTS) == sorted(
        ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service", "Ingress", "NetworkPolicy",
         "ConfigMap", "Secret", "PersistentVolumeClaim", "PersistentVolume", "HorizontalPodAutoscaler"]
    )


@pytest.mark.parametrize("kind", sorted(MANIFESTS))
def test_factory_output_is_a_valid_kubernetes_object(kind):
    assert check_template(MANIFESTS[kind]) == []


def test_labels_selectors_and_container_names_match():
    dep = MANIFESTS["Deployment"]
    assert dep["metadata"]["labels"] == {"app": "web"}
    assert dep["spec"]["selector"]["matchLabels"] == dep["spec"]["template"]["metadata"]["labels"] == {"app": "web"}
    assert dep["spec"]["template"]["spec"]["containers"][0]["name"] == "web"
    assert MANIFESTS["Service"]["spec"]["selector"] == {"app": "web"}
    assert dep["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "MODE", "value": "prod"}]


def test_namespaces_follow_scope():
    assert MANIFESTS["Deployment"]["metadata"]["namespace"] == "apps"
    assert "namespace" not in MANIFESTS["PersistentVolume"]["metadata"]


def test_references_between_factories():
    assert MANIFESTS["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    backend = MANIFESTS["Ingress"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    assert backend == {"service": {"name": "web-svc", "port": {"number": 80}}}
    assert GRAPH.graph.node("hpa").dependencies == ("app",)


def test_workload_container_name_and_pod_labels():
    g = to_resource_graph(
        {"name": "x", "apiVersion": "v1alpha1", "kind": "X", "spec": S},
        lambda s: {"app": simple.Deployment(name=s.spec.name, image="nginx", labels={"team": "web"},
                                            pod_labels={"app": s.spec.name}, container_name="web")},
    )
    t = g.rgd()["spec"]["resources"][0]["template"]
    assert t["metadata"]["labels"] == {"team": "web"}
    assert t["spec"]["selector"] == {"matchLabels": {"app": "${schema.spec.name}"}}
    assert t["spec"]["template"]["metadata"]["labels"] == {"app": "${schema.spec.name}"}
    assert t["spec"]["template"]["spec"]["containers"][0]["name"] == "web"
