"""The DSL's per-resource options and composition, in both modes.

for_each, include_when, ready_when, depends_on, external_ref, yaml_file(s) and include():
each rendered to kro (what the RGD says) and, where it applies, in direct mode (what the
manifests are).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from pykro import (
    Cel,
    GraphError,
    ProjectError,
    RenderError,
    SchemaError,
    Spec,
    Status,
    external_ref,
    for_each,
    include,
    resource,
    simple,
    to_resource_graph,
    yaml_file,
    yaml_files,
)
from pykro.render.direct import render


def _rgd_resources(graph) -> dict:
    return {r["id"]: r for r in graph.rgd()["spec"]["resources"]}


# -- for_each ---------------------------------------------------------------------------------


class RegionsSpec(Spec):
    name: str
    regions: list[str] = ["eu", "us"]


REGIONS = to_resource_graph(
    {"name": "regions", "apiVersion": "v1alpha1", "kind": "Regions", "spec": RegionsSpec},
    lambda schema: {
        "cfg": for_each(
            {"region": schema.spec.regions},
            lambda region: simple.ConfigMap(name=f"{schema.spec.name}-{region}", data={"region": region}),
        )
    },
)


def test_for_each_in_kro_mode():
    cfg = _rgd_resources(REGIONS)["cfg"]
    assert cfg["forEach"] == [{"region": "${schema.spec.regions}"}]
    assert cfg["template"]["metadata"]["name"] == "${schema.spec.name}-${region}"
    assert cfg["template"]["data"] == {"region": "${region}"}


def test_for_each_expands_in_direct_mode():
    out = render(REGIONS.graph, {"name": "app", "regions": ["eu", "us", "ap"]}, name="r", namespace="ns")
    assert [(m["metadata"]["name"], m["data"]["region"]) for m in out] == [("app-eu", "eu"), ("app-us", "us"),
                                                                           ("app-ap", "ap")]  # fmt: skip


# -- include_when / ready_when / depends_on ------------------------------------------------------


class ToggleSpec(Spec):
    name: str
    monitoring: bool = False


def _toggle(schema):
    app = simple.Deployment(name=schema.spec.name, image="nginx",
                            ready_when=lambda r: r.status.readyReplicas == r.spec.replicas)
    monitor = resource("monitoring.coreos.com/v1", "ServiceMonitor", f"{schema.spec.name}-monitor",
                       spec={"selector": {"matchLabels": {"app": app.metadata.name}}},
                       include_when=schema.spec.monitoring)  # fmt: skip
    migrate = simple.Job(name=f"{schema.spec.name}-migrate", image="migrate:1")
    setup = simple.ConfigMap(name="setup", data={"x": "1"}, depends_on=[migrate])
    return {"app": app, "monitor": monitor, "migrate": migrate, "setup": setup}


TOGGLE = to_resource_graph({"name": "toggle", "apiVersion": "v1alpha1", "kind": "Toggle", "spec": ToggleSpec}, _toggle)


def test_options_in_kro_mode():
    res = _rgd_resources(TOGGLE)
    assert res["app"]["readyWhen"] == ["${app.status.readyReplicas == app.spec.replicas}"]
    assert res["monitor"]["includeWhen"] == ["${schema.spec.monitoring}"]
    assert res["setup"]["template"]["metadata"]["annotations"] == {"pykro.io/depends-on": "${migrate.metadata.name}"}
    assert TOGGLE.graph.node("setup").dependencies == ("migrate",)
    assert TOGGLE.graph.node("monitor").dependencies == ("app",)


@pytest.mark.parametrize("monitoring,expected", [(False, 3), (True, 4)], ids=["excluded", "included"])
def test_include_when_in_direct_mode(monitoring, expected):
    out = render(TOGGLE.graph, {"name": "web", "monitoring": monitoring}, name="t")
    assert len(out) == expected
    assert ("ServiceMonitor" in [m["kind"] for m in out]) is monitoring


def test_depends_on_orders_direct_output():
    kinds = [m["kind"] for m in render(TOGGLE.graph, {"name": "web", "monitoring": False}, name="t")]
    assert kinds.index("Job") < kinds.index("ConfigMap")


# -- external_ref ------------------------------------------------------------------------------------


class ExtSpec(Spec):
    name: str


def _ext(schema):
    shared = external_ref("v1", "ConfigMap", "platform-settings", namespace="platform")
    app = simple.Deployment(name=schema.spec.name, image=Cel.expr(shared.data.image, type="string"))
    return {"settings": shared, "app": app}


EXT = to_resource_graph({"name": "ext", "apiVersion": "v1alpha1", "kind": "Ext", "spec": ExtSpec}, _ext)


def test_external_ref_in_kro_mode():
    settings = _rgd_resources(EXT)["settings"]
    assert settings == {"id": "settings", "externalRef": {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "platform-settings", "namespace": "platform"}}}
    assert EXT.graph.node("app").dependencies == ("settings",)


def test_external_ref_contents_are_runtime_only():
    with pytest.raises(RenderError, match=r"settings\.data\.image is read from an external reference.*kro mode"):
        render(EXT.graph, {"name": "web"}, name="e")


# -- yaml_file(s) --------------------------------------------------------------------------------------


def test_yaml_files_are_read_when_the_graph_is_built(tmp_path):
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "quota.yaml").write_text(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: ${schema.spec.name}-quota\nspec:\n  hard:\n"
        "    pods: '10'\n")
    (tmp_path / "manifests" / "rbac.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: deployer}\n---\napiVersion: v1\nkind: ServiceAccount\n"
        "metadata: {name: reader}\n")
    module = tmp_path / "graph.py"
    module.write_text(
        "from pykro import Spec, to_resource_graph, yaml_file, yaml_files\n"
        "class S(Spec):\n    name: str\n"
        "graph = to_resource_graph({'name': 'files', 'apiVersion': 'v1alpha1', 'kind': 'Files', 'spec': S},\n"
        "    lambda schema: {'quota': yaml_file('manifests/quota.yaml'), **yaml_files('manifests/rbac.yaml', "
        "prefix='sa')})\n")
    namespace: dict = {"__file__": str(module), "__name__": "files_graph"}
    exec(compile(module.read_text(), str(module), "exec"), namespace)
    graph = namespace["graph"]
    assert list(_rgd_resources(graph)) == ["quota", "sa0", "sa1"]
    out = render(graph.graph, {"name": "team"}, name="f", namespace="ns")
    assert [m["metadata"]["name"] for m in out] == ["team-quota", "deployer", "reader"]


def test_yaml_file_may_not_leave_the_repository(tmp_path):
    from pykro import _inputs

    (tmp_path / "repo").mkdir()
    (tmp_path / "secret.yaml").write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n")
    module = tmp_path / "repo" / "graph.py"
    module.write_text("from pykro import yaml_file\nres = yaml_file('../secret.yaml')\n")
    with _inputs.reading(_inputs.Session(root=tmp_path / "repo")):
        with pytest.raises(ProjectError, match="leaves the repository"):
            exec(compile(module.read_text(), str(module), "exec"), {"__file__": str(module)})


def test_yaml_file_must_hold_kubernetes_objects(tmp_path):
    (tmp_path / "bad.yaml").write_text("just: data\n")
    module = tmp_path / "graph.py"
    module.write_text("from pykro import yaml_file\nres = yaml_file('bad.yaml')\n")
    with pytest.raises(ProjectError, match=r"bad.yaml: document 1 is not a Kubernetes object"):
        exec(compile(module.read_text(), str(module), "exec"), {"__file__": str(module)})


# -- include(): composing graphs -----------------------------------------------------------------------


class DbSpec(Spec):
    name: str
    image: str = "postgres:16"
    storage: str = "1Gi"


DATABASE = to_resource_graph(
    {"name": "database", "apiVersion": "v1alpha1", "kind": "Database", "spec": DbSpec},
    lambda schema: {
        "db": simple.StatefulSet(name=schema.spec.name, image=schema.spec.image),
        "service": simple.Service(name=f"{schema.spec.name}-db", selector={"app": schema.spec.name},
                                  ports=[{"port": 5432}]),
    },
)


class StackSpec(Spec):
    name: str
    dbImage: Optional[str] = None


def _stack(schema):
    parts = include(DATABASE, prefix="db", spec={"name": f"{schema.spec.name}-pg"})
    app = simple.Deployment(name=schema.spec.name, image="app:1",
                            env={"DB_HOST": parts["dbService"].metadata.name})
    return {**parts, "app": app}


STACK = to_resource_graph({"name": "stack", "apiVersion": "v1alpha1", "kind": "Stack", "spec": StackSpec}, _stack)


def test_included_resources_are_prefixed_and_wired():
    res = _rgd_resources(STACK)
    assert list(res) == ["dbDb", "dbService", "app"]
    assert res["dbDb"]["template"]["metadata"]["name"] == "${schema.spec.name}-pg"
    assert res["dbDb"]["template"]["spec"]["template"]["spec"]["containers"][0]["image"] == "postgres:16"
    assert res["dbService"]["template"]["metadata"]["name"] == "${schema.spec.name}-pg-db"
    env = res["app"]["template"]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "DB_HOST", "value": "${dbService.metadata.name}"}]
    out = {m["kind"]: m for m in render(STACK.graph, {"name": "shop"}, name="s")}
    assert out["Service"]["metadata"]["name"] == "shop-pg-db"
    assert out["Deployment"]["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] == "shop-pg-db"


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        ({"prefix": "db", "spec": {}}, SchemaError, "needs spec.name"),
        ({"prefix": "db", "spec": {"name": "x", "nme": "y"}}, SchemaError, "DbSpec has no field 'nme'"),
        ({"prefix": "Db", "spec": {"name": "x"}}, GraphError, "'Db' is not lowerCamelCase"),
    ],
    ids=["missing-required", "unknown-field", "bad-prefix"],
)
def test_include_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        to_resource_graph({"name": "bad", "apiVersion": "v1alpha1", "kind": "Bad", "spec": StackSpec},
                          lambda schema: include(DATABASE, **kwargs))  # fmt: skip


# -- status types -----------------------------------------------------------------------------------------


class CountStatus(Status):
    replicas: int
    healthy: bool
    endpoint: str


def test_status_expressions_of_every_kind():
    graph = to_resource_graph(
        {"name": "st", "apiVersion": "v1alpha1", "kind": "St", "spec": ExtSpec, "status": CountStatus},
        lambda schema: {"app": simple.Deployment(name=schema.spec.name, image="x")},
        lambda schema, r: {
            "replicas": r["app"].status.availableReplicas,
            "healthy": Cel.has(r["app"].status.conditions) & (r["app"].status.availableReplicas > 0),
            "endpoint": Cel.conditional(r["app"].status.availableReplicas > 0, f"{r['app'].metadata.name}.svc", ""),
        },
    )
    status = graph.rgd()["spec"]["schema"]["status"]
    assert status == {
        "replicas": "${app.status.availableReplicas}",
        "healthy": "${has(app.status.conditions) && app.status.availableReplicas > 0}",
        "endpoint": '${app.status.availableReplicas > 0 ? app.metadata.name + ".svc" : ""}',
    }
