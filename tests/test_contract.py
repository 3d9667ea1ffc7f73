"""The contract module of issue 2, rendered field by field as kro expects.

Compared with TypeKro's output for the same graph (shared/reference/typekro.md), minus its
listed mistakes: replicas is ``integer`` (never float), the status expressions name resource
ids (never Python variable names), every status field is a ``${...}`` expression.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MODULE = ROOT / "examples" / "webapp" / "graphs" / "webapp.py"


def _load():
    spec = importlib.util.spec_from_file_location("contract_webapp", MODULE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.webapp


@pytest.fixture(scope="module")
def webapp():
    return _load()


@pytest.fixture(scope="module")
def rgd(webapp):
    return yaml.safe_load(webapp.to_yaml())


def test_rgd_header(rgd):
    assert rgd["apiVersion"] == "kro.run/v1alpha1"
    assert rgd["kind"] == "ResourceGraphDefinition"
    assert rgd["metadata"] == {"name": "webapp"}


def test_schema(rgd):
    schema = rgd["spec"]["schema"]
    assert schema["apiVersion"] == "v1alpha1"
    assert schema["kind"] == "WebApp"
    assert schema["group"] == "example.com"
    assert schema["spec"] == {
        "name": "string | required=true",
        "image": 'string | default="nginx:1.27"',
        "replicas": "integer | default=2 minimum=1 maximum=20",
    }
    assert schema["status"] == {
        "ready": "${app.status.readyReplicas > 0}",
        "url": "http://${string(svc.spec.clusterIP)}",
    }


def test_simpleschema_parses_as_kro_would(rgd):
    from pykro.simpleschema import to_openapi

    openapi = to_openapi(rgd["spec"]["schema"]["spec"])
    assert openapi["required"] == ["name"]
    props = openapi["properties"]
    assert props["replicas"] == {"type": "integer", "default": 2, "minimum": 2 - 1, "maximum": 20}
    assert props["image"] == {"type": "string", "default": "nginx:1.27"}
    assert props["name"] == {"type": "string"}


def test_deployment_template(rgd):
    app = rgd["spec"]["resources"][0]
    assert app["id"] == "app"
    assert set(app) == {"id", "template"}
    t = app["template"]
    assert (t["apiVersion"], t["kind"]) == ("apps/v1", "Deployment")
    assert t["metadata"] == {"name": "${schema.spec.name}", "labels": {"app": "${schema.spec.name}"}}
    assert t["spec"]["replicas"] == "${schema.spec.replicas}"
    assert t["spec"]["selector"] == {"matchLabels": {"app": "${schema.spec.name}"}}
    pod = t["spec"]["template"]
    assert pod["metadata"]["labels"] == {"app": "${schema.spec.name}"}
    assert pod["spec"]["containers"] == [
        {"name": "${schema.spec.name}", "image": "${schema.spec.image}", "ports": [{"containerPort": 8080}]}
    ]


def test_service_template(rgd):
    svc = rgd["spec"]["resources"][1]
    assert svc["id"] == "svc"
    t = svc["template"]
    assert (t["apiVersion"], t["kind"]) == ("v1", "Service")
    # An f-string over a string field is a kro string template; no string() noise for a typed string.
    assert t["metadata"] == {"name": "${schema.spec.name}-svc"}
    assert t["spec"] == {"selector": {"app": "${schema.spec.name}"}, "ports": [{"port": 80, "targetPort": 8080}]}


def test_conventional_key_order(webapp):
    text = webapp.to_yaml()
    lines = [line for line in text.splitlines() if not line.startswith(" ")]
    assert lines == ["apiVersion: kro.run/v1alpha1", "kind: ResourceGraphDefinition", "metadata:", "spec:"]
    assert text.index("  schema:") < text.index("  resources:"), "the API (schema) reads before its resources"


def test_instance(webapp):
    instance = yaml.safe_load(webapp.to_yaml({"name": "demo", "replicas": 3}))
    assert instance == {
        "apiVersion": "example.com/v1alpha1",
        "kind": "WebApp",
        "metadata": {"name": "demo"},
        "spec": {"name": "demo", "replicas": 3},
    }


@pytest.mark.parametrize(
    "values,expected",
    [
        ({"replicas": 3}, ["name", "required"]),
        ({"name": "demo", "replicas": 0}, ["spec.replicas", ">= 1"]),
        ({"name": "demo", "replicas": "3"}, ["spec.replicas", "integer"]),
        ({"name": "demo", "replicass": 3}, ["replicass"]),
    ],
    ids=["missing-required", "below-minimum", "wrong-type", "unknown-field"],
)
def test_instance_values_are_validated(webapp, values, expected):
    from pykro import ValuesError

    with pytest.raises(ValuesError) as info:
        webapp.to_yaml(values)
    for part in expected:
        assert part in str(info.value)


def test_deterministic_across_processes_and_hash_seeds():
    code = (
        "import importlib.util,sys;"
        f"s=importlib.util.spec_from_file_location('m', {str(MODULE)!r});m=importlib.util.module_from_spec(s);"
        "s.loader.exec_module(m);sys.stdout.write(m.webapp.to_yaml()+m.webapp.to_yaml({'name':'d'}))"
    )
    outputs = set()
    for seed, tz, lang in (("0", "UTC", "C"), ("1", "Asia/Kolkata", "de_DE.UTF-8"), ("12345", "America/New_York", "tr_TR.UTF-8")):
        env = dict(os.environ, PYTHONHASHSEED=seed, TZ=tz, LANG=lang, LC_ALL=lang)
        outputs.add(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True).stdout)
    assert len(outputs) == 1
