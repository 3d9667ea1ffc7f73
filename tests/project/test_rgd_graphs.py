"""Projects naming RGD files: app teams using APIs published elsewhere, next to their own Python graphs."""

from __future__ import annotations

import shutil

import pytest
import yaml

from pykro import ValuesError
from pykro.project import render

from .._paths import KRO_EXAMPLES
from .conftest import run_cli

PROJECT = """
graphs:
  shop: rgds/tenant-application.yaml
  webapp: graphs/webapp.py:webapp
mode: instance
environments:
  prod:
    namespace: shop
    values:
      shop: {tenantId: acme, replicas: 3}
      webapp: {name: web}
"""


@pytest.fixture
def app(repo):
    app = repo / "apps" / "web"
    (app / "rgds").mkdir()
    shutil.copy(KRO_EXAMPLES / "saas-multi-tenant" / "tenant-application-rgd.yaml", app / "rgds" / "tenant-application.yaml")
    (app / "pykro.yaml").write_text(PROJECT)
    return app


def _docs(text):
    return [d for d in yaml.safe_load_all(text) if d]


def test_instance_mode_renders_instances_of_both(app):
    docs = _docs(render(app, "prod").text)
    assert [(d["apiVersion"], d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("kro.run/v1alpha1", "TenantApplication", "shop"),
        ("example.com/v1alpha1", "WebApp", "webapp"),
    ]
    assert docs[0]["spec"] == {"tenantId": "acme", "replicas": 3}


def test_values_are_validated_against_the_rgds_simpleschema(app):
    (app / "pykro.yaml").write_text(PROJECT.replace("replicas: 3", "replicas: three"))
    with pytest.raises(ValuesError) as info:
        render(app, "prod")
    assert info.value.path == "spec.replicas"
    assert info.value.file.endswith("pykro.yaml") and info.value.line == 10
    assert "graph 'shop'" in str(info.value)


def test_rgd_graph_in_direct_mode_renders_what_kro_would(app):
    docs = _docs(render(app, "prod", "direct").text)
    names = [(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in docs]
    assert ("Deployment", "acme", "acme-deployment") in names
    assert ("Service", "acme", "acme-service") in names
    dep = next(d for d in docs if d["metadata"]["name"] == "acme-deployment")
    assert dep["spec"]["replicas"] == 3
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "100"  # kro's own default, a string


def test_kro_mode_republishes_the_rgd(app):
    docs = _docs(render(app, "prod", "kro").text)
    assert [d["kind"] for d in docs] == ["ResourceGraphDefinition", "ResourceGraphDefinition", "TenantApplication",
                                         "WebApp"]  # fmt: skip
    assert docs[0]["metadata"]["name"] == "tenantapplication.kro.run"


def test_broken_rgd_file_is_one_error(app):
    (app / "rgds" / "tenant-application.yaml").write_text("apiVersion: kro.run/v1alpha1\nkind: ResourceGraphDefinition\n"
                                                          "metadata: {name: x}\nspec: {resources: []}\n")
    result = run_cli("render", str(app), "--env", "prod")
    assert (result.returncode, result.stdout) == (1, b"")
    assert "tenant-application.yaml" in result.stderr.decode() and "spec.schema is required" in result.stderr.decode()
