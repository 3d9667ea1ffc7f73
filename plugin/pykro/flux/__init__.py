"""Rendered manifests for Flux: one directory tree per application, every environment in it.

Flux has no generator plugin, so CI renders before Flux sees the files and
commits the tree to a branch (or pushes it as an OCI artifact). For each
environment this writes::

    OUT/<env>/rgds/   manifests.yaml + kustomization.yaml   (kro and rgd modes)
    OUT/<env>/app/    manifests.yaml + kustomization.yaml   (instances, or direct-mode manifests)
    OUT/flux/<env>.yaml                                     (the Flux Kustomizations for them)

RGDs and their instances go in two Flux Kustomizations, the instances'
``dependsOn`` the RGDs' one, which ``wait``s: kro must have created the CRD
before an instance can be applied. Neither uses ``postBuild.substitute``,
which would rewrite kro's ``${...}``.

The whole tree is rendered first; it replaces ``OUT`` only when every
environment rendered, so a failure leaves the previous tree as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ProjectError

__all__ = ["FluxSource", "write_tree"]

_KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- manifests.yaml\n"


@dataclass(frozen=True)
class FluxSource:
    """The Flux source holding the rendered tree, and where the tree sits in it."""

    kind: str = "GitRepository"  # or OCIRepository
    name: str = "rendered"
    namespace: str = "flux-system"
    path_prefix: str = "."  # the tree's path inside the source
    interval: str = "10m"


def _kustomization(name: str, path: str, source: FluxSource, *, depends_on: str | None,
                   wait: bool) -> dict[str, Any]:  # fmt: skip
    # No targetNamespace: every rendered object already carries its namespace,
    # and kustomize would also stamp one on cluster-scoped custom kinds.
    spec: dict[str, Any] = {
        "interval": source.interval,
        "path": path,
        "prune": True,
        "sourceRef": {"kind": source.kind, "name": source.name},
        "wait": wait,
    }
    if depends_on:
        spec["dependsOn"] = [{"name": depends_on}]
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": source.namespace},
        "spec": spec,
    }


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_tree(app_dir: str | Path, out: str | Path, *, environments: tuple[str, ...] = (),
               source: FluxSource = FluxSource(), name: str | None = None) -> list[Path]:  # fmt: skip
    """Render ``environments`` (default: all) of ``app_dir`` into the tree ``out``; return the files written."""
    from ..project import load_project, render
    from ..yamlout import dump_all

    app = Path(app_dir).resolve()
    project = load_project(app)
    app_name = name or app.name
    chosen = environments or project.environments
    for env in chosen:
        project.environment(env)  # unknown environments fail before anything is written
    out_dir = Path(out).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    written: list[Path] = []
    try:
        for env in chosen:
            config = project.environment(env)
            rendered = render(app, env)
            rgds = [d for d in rendered.documents if d.get("kind") == "ResourceGraphDefinition"]
            rest = [d for d in rendered.documents if d.get("kind") != "ResourceGraphDefinition"]
            flux_docs = []
            rgds_name = f"{app_name}-{env}-rgds"
            prefix = source.path_prefix.rstrip("/") or "."
            if rgds:
                _write(staging / env / "rgds" / "manifests.yaml", dump_all(rgds))
                _write(staging / env / "rgds" / "kustomization.yaml", _KUSTOMIZATION)
                flux_docs.append(_kustomization(rgds_name, f"{prefix}/{env}/rgds", source, depends_on=None,
                                                wait=True))  # fmt: skip
            if rest:
                _write(staging / env / "app" / "manifests.yaml", dump_all(rest))
                _write(staging / env / "app" / "kustomization.yaml", _KUSTOMIZATION)
                flux_docs.append(_kustomization(f"{app_name}-{env}", f"{prefix}/{env}/app", source,
                                                depends_on=rgds_name if rgds else None, wait=False))  # fmt: skip
            if not flux_docs and not config.allow_empty:
                raise ProjectError(f"environment {env!r} renders no objects", file=str(project.file))
            _write(staging / "flux" / f"{env}.yaml", dump_all(flux_docs))
        written = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
        _swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out_dir / p for p in written]


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Put the finished tree at ``out_dir``: the old tree stays whole until the new one is complete."""
    os.chmod(staging, 0o755)
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
    os.rmdir(retired)
    os.rename(out_dir, retired)
    os.rename(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)
