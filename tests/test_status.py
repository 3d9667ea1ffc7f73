"""pykro status: a graph's status and readyWhen, evaluated against live objects without a cluster."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WEBAPP = ROOT / "examples" / "webapp" / "graphs" / "webapp.py"
KRO_WEBAPP = Path(ROOT.parent / "shared" / "kro" / "examples" / "webapp" / "rg.yaml")

INSTANCE = {"apiVersion": "example.com/v1alpha1", "kind": "WebApp", "metadata": {"name": "demo", "namespace": "web"},
            "spec": {"name": "web"}}  # fmt: skip
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "web"},
              "spec": {"replicas": 2}, "status": {"readyReplicas": 2, "availableReplicas": 2}}  # fmt: skip
SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web-svc", "namespace": "web"},
           "spec": {"clusterIP": "10.0.0.7"}}  # fmt: skip


def _status(tmp_path: Path, graph: str, instance: dict, objects: list[dict]) -> subprocess.CompletedProcess:
    (tmp_path / "instance.yaml").write_text(yaml.safe_dump(instance))
    (tmp_path / "live.yaml").write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": objects}))
    return subprocess.run(
        [sys.executable, "-m", "pykro", "status", graph, "--instance", "instance.yaml", "--objects", "live.yaml"],
        cwd=tmp_path, capture_output=True,
    )  # fmt: skip


def test_status_of_the_contract_graph(tmp_path):
    result = _status(tmp_path, f"{WEBAPP}:webapp", INSTANCE, [DEPLOYMENT, SERVICE])
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout) == {
        "status": {"ready": True, "url": "http://10.0.0.7"},
        "ready": {"app": True, "svc": True},
    }


def test_not_ready_and_missing_resource(tmp_path):
    scaling = {**DEPLOYMENT, "status": {"readyReplicas": 0}}
    result = _status(tmp_path, f"{WEBAPP}:webapp", INSTANCE, [scaling])
    assert result.returncode == 0, result.stderr
    out = yaml.safe_load(result.stdout)
    assert out["status"] == {"ready": False}
    assert out["missing"] == ["svc"] and out["unresolved"] == ["url"]


def test_keys_a_live_object_lacks_leave_fields_unset(tmp_path):
    # Kubernetes omits status.readyReplicas while it is 0, and a new Service has no status at all:
    # kro leaves such fields unset and the resource not ready, it does not fail.
    starting = {**DEPLOYMENT, "status": {"replicas": 2, "unavailableReplicas": 2}}
    result = _status(tmp_path, f"{WEBAPP}:webapp", INSTANCE, [starting, SERVICE])
    assert result.returncode == 0, result.stderr
    out = yaml.safe_load(result.stdout)
    assert out["status"] == {"url": "http://10.0.0.7"}
    assert out["unresolved"] == ["ready"] and "missing" not in out


def test_a_type_error_is_still_an_error(tmp_path):
    broken = {**DEPLOYMENT, "status": {"readyReplicas": "two"}}
    result = _status(tmp_path, f"{WEBAPP}:webapp", INSTANCE, [broken, SERVICE])
    assert result.returncode == 1 and result.stdout == b""
    assert b"status.ready" in result.stderr


def test_ready_when_of_an_rgd_file(tmp_path):
    instance = {"apiVersion": "kro.run/v1alpha1", "kind": "WebApp", "metadata": {"name": "test-app"},
                "spec": {"name": "test-app", "service": {}, "ingress": {"enabled": False}}}  # fmt: skip
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "test-app", "namespace": "default"},
                  "spec": {"replicas": 1}, "status": {"availableReplicas": 0, "conditions": []}}  # fmt: skip
    result = _status(tmp_path, str(KRO_WEBAPP), instance, [deployment])
    assert result.returncode == 0, result.stderr
    out = yaml.safe_load(result.stdout)
    assert out["ready"]["deployment"] is False  # replicas 1 != availableReplicas 0
    assert out["status"]["availableReplicas"] == 0
    assert "url" in out["unresolved"]  # the ingress is not there


def test_bad_objects_file_is_one_error(tmp_path):
    (tmp_path / "instance.yaml").write_text(yaml.safe_dump(INSTANCE))
    (tmp_path / "live.yaml").write_text("items: [\n")
    result = subprocess.run(
        [sys.executable, "-m", "pykro", "status", f"{WEBAPP}:webapp", "--instance", "instance.yaml",
         "--objects", "live.yaml"], cwd=tmp_path, capture_output=True)  # fmt: skip
    assert result.returncode == 1 and result.stdout == b""
    assert "live.yaml:2:1: malformed YAML" in result.stderr.decode()
