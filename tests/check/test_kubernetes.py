"""check_template: Kubernetes kinds' strict JSON schemas, ${...} values allowed anywhere."""

from __future__ import annotations

import copy
import time
from typing import Any, Callable

import jsonschema
import pytest

from pykro.check import (
    Problem,
    SchemaUnavailable,
    check_rgd,
    check_template,
    check_templates,
    has_schema,
    kubernetes_versions,
)
from pykro.check import kubernetes
from tests.check.test_crd import EXAMPLE_RGDS, webapp_rgd


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "${schema.spec.name}", "labels": {"app.kubernetes.io/name": "${schema.spec.name}"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:1.27",
                            "ports": [{"containerPort": 8080}],
                            "resources": {"limits": {"cpu": "500m", "memory": 1024}},
                        }
                    ]
                },
            },
        },
    }


def service() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
    }


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(obj: dict[str, Any]) -> None:
        node = obj
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def edit(obj: dict[str, Any]) -> None:
        node = obj
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return edit


POD = ("spec", "template", "spec")
C0 = POD + ("containers", 0)
PORT0 = ("spec", "ports", 0)

# (id, factory, edit, expected problems)
ROWS: list[tuple[str, Callable[[], dict[str, Any]], Callable[[dict[str, Any]], None], list[Problem]]] = [
    ("valid-deployment", deployment, lambda o: None, []),
    ("valid-service", service, lambda o: None, []),
    ("misspelt-replicas", deployment, _set(("spec", "replicass"), 3),
     [Problem("spec.replicass", 'unknown field "replicass"; did you mean "replicas"?')]),
    ("replicas-wrong-type", deployment, _set(("spec", "replicas"), "three"),
     [Problem("spec.replicas", 'expected integer, got string "three"')]),
    ("replicas-expression", deployment, _set(("spec", "replicas"), "${schema.spec.replicas}"), []),
    ("replicas-string-template-is-a-string", deployment, _set(("spec", "replicas"), "${schema.spec.replicas}0"),
     [Problem("spec.replicas", 'expected integer, got string "${schema.spec.replicas}0"')]),
    ("two-expressions-are-a-string-template", deployment, _set(("spec", "replicas"), "${a}${b}"),
     [Problem("spec.replicas", 'expected integer, got string "${a}${b}"')]),
    ("object-position-expression", deployment, _set(POD, "${schema.spec.podSpec}"), []),
    ("array-position-expression", deployment, _set(POD + ("containers",), "${schema.spec.containers}"), []),
    ("array-item-expression", deployment, _set(POD + ("containers", 0, "ports", 0), "${schema.spec.port}"), []),
    ("nested-integer-expression", deployment, _set(C0 + ("ports", 0, "containerPort"), "${schema.spec.port}"), []),
    ("literal-dollar-is-not-an-expression", deployment, _set(("spec", "replicas"), '${"${"}'), []),
    ("unknown-field-next-to-expression", deployment, _set(C0 + ("imagee",), "${schema.spec.image}"),
     [Problem("spec.template.spec.containers[0].imagee", 'unknown field "imagee"; did you mean "image"?')]),
    ("misspelt-metadata-field", deployment, _set(("metadata", "lables"), {}),
     [Problem("metadata.lables", 'unknown field "lables"; did you mean "labels"?')]),
    ("unknown-field-far-from-any", deployment, _set(C0 + ("sidecar",), True),
     [Problem("spec.template.spec.containers[0].sidecar",
              'unknown field "sidecar"; see the fields with: '
              "kubectl explain deployment.spec.template.spec.containers")]),
    ("missing-selector", deployment, _delete(("spec", "selector")),
     [Problem("spec.selector", 'missing required field "selector"')]),
    ("missing-container-name", deployment, _delete(C0 + ("name",)),
     [Problem("spec.template.spec.containers[0].name", 'missing required field "name"')]),
    ("label-value-not-a-string", deployment, _set(("metadata", "labels", "tier"), 1),
     [Problem("metadata.labels.tier", "expected string, got integer 1")]),
    ("quantity-expression", deployment, _set(C0 + ("resources", "limits", "cpu"), "${schema.spec.cpu}"), []),
    ("quantity-wrong-type", deployment, _set(C0 + ("resources", "limits", "cpu"), True),
     [Problem("spec.template.spec.containers[0].resources.limits.cpu", "expected string or number, got boolean true")]),
    ("int-or-string-expression", service, _set(PORT0 + ("targetPort",), "${schema.spec.port}"), []),
    ("int-or-string-named-port", service, _set(PORT0 + ("targetPort",), "http"), []),
    ("int-or-string-wrong-type", service, _set(PORT0 + ("targetPort",), True),
     [Problem("spec.ports[0].targetPort", "expected string or integer, got boolean true")]),
    ("misspelt-port-field", service, _set(PORT0 + ("targetport",), 80),
     [Problem("spec.ports[0].targetport", 'unknown field "targetport"; did you mean "targetPort"?')]),
    ("missing-kind", service, _delete(("kind",)), [Problem("kind", 'missing required field "kind"')]),
    ("missing-apiVersion", service, _delete(("apiVersion",)),
     [Problem("apiVersion", 'missing required field "apiVersion"')]),
    ("kind-from-expression-is-unchecked", service, _set(("kind",), "${schema.spec.kind}"), []),
    ("custom-resource-is-unchecked", service, _set(("apiVersion",), "example.com/v1"), []),
    ("same-kind-other-group-is-unchecked", deployment, _set(("apiVersion",), "apps.example.com/v1"), []),
]


@pytest.mark.parametrize("factory,edit,expected", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_check_template(
    factory: Callable[[], dict[str, Any]], edit: Callable[[dict[str, Any]], None], expected: list[Problem]
) -> None:
    obj = factory()
    edit(obj)
    before = copy.deepcopy(obj)
    assert check_template(obj) == expected
    assert obj == before


def test_not_a_mapping() -> None:
    expected = [Problem("", "expected a Kubernetes object (a mapping), got string")]
    assert check_template("kind: Pod") == expected  # type: ignore[arg-type]


def test_the_three_cases_of_the_brief_together() -> None:
    obj = deployment()
    obj["spec"]["replicass"] = 2
    obj["spec"]["replicas"] = "three"
    assert check_template(obj) == [
        Problem("spec.replicas", 'expected integer, got string "three"'),
        Problem("spec.replicass", 'unknown field "replicass"; did you mean "replicas"?'),
    ]
    obj["spec"]["replicas"] = "${schema.spec.replicas}"
    del obj["spec"]["replicass"]
    assert check_template(obj) == []


HAS_SCHEMA = [
    ("apps/v1", "Deployment", True),
    ("v1", "Service", True),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", True),
    ("networking.k8s.io/v1", "Ingress", True),
    ("apps/v1", "deployment", False),
    ("apps.example.com/v1", "Deployment", False),
    ("kro.run/v1alpha1", "ResourceGraphDefinition", False),
    ("v1", "NoSuchKind", False),
]


@pytest.mark.parametrize("api_version,kind,known", HAS_SCHEMA, ids=[f"{a} {k}" for a, k, _ in HAS_SCHEMA])
def test_has_schema(api_version: str, kind: str, known: bool) -> None:
    assert has_schema(api_version, kind) is known


# --- Kubernetes versions ------------------------------------------------------------------------


def test_versions_are_listed_oldest_first_and_the_newest_is_the_default() -> None:
    versions = kubernetes_versions()
    assert len(versions) >= 2
    as_numbers = [tuple(int(p) for p in v.split(".")) for v in versions]
    assert as_numbers == sorted(as_numbers)
    pod_resources = _set(POD + ("resources",), {"limits": {"cpu": "1"}})  # PodSpec.resources: Kubernetes 1.32+
    obj = deployment()
    pod_resources(obj)
    assert check_template(obj) == check_template(obj, kubernetes_version=versions[-1]) == []


VERSIONED = [("1.25", ["spec.template.spec.resources"]), ("v1.25.3", ["spec.template.spec.resources"]), ("1.32", [])]


@pytest.mark.parametrize("version,paths", VERSIONED, ids=[v for v, _ in VERSIONED])
def test_the_kubernetes_version_picks_the_schemas(version: str, paths: list[str]) -> None:
    obj = deployment()
    obj["spec"]["template"]["spec"]["resources"] = {"limits": {"cpu": "1"}}
    assert [p.path for p in check_template(obj, kubernetes_version=version)] == paths


BAD_VERSIONS = ["1.10", "2.0", "latest", "1"]


@pytest.mark.parametrize("version", BAD_VERSIONS, ids=BAD_VERSIONS)
def test_a_version_not_installed_is_refused(version: str) -> None:
    versions = kubernetes_versions()
    with pytest.raises(SchemaUnavailable) as info:
        check_template(service(), kubernetes_version=version)
    assert info.value.message == (
        f"no Kubernetes schemas for version {version!r}; installed: {versions[0]} to {versions[-1]}"
    )
    assert info.value.hint == "pick one of those (written like 1.30) or upgrade kubernetes-validate"


def test_without_the_package_the_caller_is_told_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kubernetes.importlib.util, "find_spec", lambda name: None)
    kubernetes._shipped.cache_clear()
    try:
        for call in (lambda: check_template(service()), lambda: check_templates({"spec": {}}), kubernetes_versions):
            with pytest.raises(SchemaUnavailable) as info:
                call()
            assert str(info.value) == (
                "the Kubernetes JSON schemas are not installed (package kubernetes-validate); "
                "install pykro[kubernetes-schemas] (pip install 'pykro[kubernetes-schemas]')"
            )
    finally:
        kubernetes._shipped.cache_clear()


# --- expressions inside one-of positions and string templates ---------------------------------

_SYNTHETIC = {
    "type": "object",
    "properties": {
        "policy": {"type": "string", "enum": ["Always", "Never"]},
        "port": {"anyOf": [{"type": "object", "properties": {"n": {"type": "integer"}}}, {"type": "boolean"}]},
    },
}

EXPLAINED = [
    ("enum-literal-wrong", {"policy": "Sometimes"}, [False]),
    ("enum-string-template", {"policy": "${a}ways"}, [True]),
    ("enum-whole-expression", {"policy": "${schema.spec.policy}"}, [True]),
    ("anyOf-branch-fails-only-at-expression", {"port": {"n": "${schema.spec.n}"}}, [True]),
    ("anyOf-branch-fails-elsewhere", {"port": {"n": "x"}}, [False]),
]


@pytest.mark.parametrize("instance,explained", [e[1:] for e in EXPLAINED], ids=[e[0] for e in EXPLAINED])
def test_errors_explained_by_expressions(instance: dict[str, Any], explained: list[bool]) -> None:
    whole: set[tuple[Any, ...]] = set()
    templated: set[tuple[Any, ...]] = set()
    kubernetes._expression_fields(instance, (), whole, templated)
    errors = list(jsonschema.Draft202012Validator(_SYNTHETIC).iter_errors(instance))
    assert [kubernetes._explained(e, whole, templated) for e in errors] == explained


# --- whole RGDs -----------------------------------------------------------------------------------


def test_the_webapp_example_templates_pass() -> None:
    rgd = webapp_rgd()
    assert check_rgd(rgd) == []
    templates = [r["template"] for r in rgd["spec"]["resources"]]
    assert [has_schema(t["apiVersion"], t["kind"]) for t in templates] == [True, True]
    assert check_templates(rgd) == []


def test_check_templates_prefixes_paths_from_the_rgd_root() -> None:
    rgd = webapp_rgd()
    rgd["spec"]["resources"][0]["template"]["spec"]["replicass"] = 1
    rgd["spec"]["resources"][1]["template"]["metadata"]["labels"] = {"a.b/c": 2}
    assert check_templates(rgd) == [
        Problem("spec.resources[0].template.spec.replicass", 'unknown field "replicass"; did you mean "replicas"?'),
        Problem('spec.resources[1].template.metadata.labels["a.b/c"]', "expected string, got integer 2"),
    ]


@pytest.mark.parametrize("rgd", [r for _, r in EXAMPLE_RGDS], ids=[i for i, _ in EXAMPLE_RGDS])
def test_kro_example_templates_pass(rgd: dict[str, Any]) -> None:
    assert check_templates(rgd) == []


def test_kro_examples_templates_are_mostly_checked() -> None:
    """The examples' templates are built-in kinds: a passing run must have looked at them."""
    kinds = [
        (r["template"]["apiVersion"], r["template"]["kind"])
        for _, rgd in EXAMPLE_RGDS
        for r in rgd["spec"].get("resources", [])
        if "template" in r
    ]
    checked = [k for k in kinds if has_schema(*k)]
    assert len(checked) >= 20 and len(checked) >= len(kinds) // 2


def test_first_call_cost_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    """Printed, not asserted: the schema load of a version happens once per process."""
    kubernetes._definitions.cache_clear()
    kubernetes._validator.cache_clear()
    start = time.perf_counter()
    check_template(deployment())
    first = time.perf_counter() - start
    start = time.perf_counter()
    check_template(deployment())
    again = time.perf_counter() - start
    with capsys.disabled():
        print(f"\ncheck_template: first call {first * 1000:.1f} ms (schema load), next {again * 1000:.2f} ms")
