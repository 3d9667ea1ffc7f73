"""Factories for any kind: whole manifests, CRDs, external objects, repository YAML."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Mapping

from .. import _inputs
from ..errors import GraphError, ProjectError
from ..resources import Resource

__all__ = ["resource", "manifest", "external_ref", "yaml_file", "yaml_files"]


def resource(
    api_version: str,
    kind: str,
    name: Any,
    *,
    namespace: Any = None,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, Any] | None = None,
    spec: Any = None,
    fields: Mapping[str, Any] | None = None,
    **options: Any,
) -> Resource:
    """Any kind, CRDs included: ``resource("cert-manager.io/v1", "Certificate", name, spec={...})``.

    ``fields`` holds top-level fields other than ``spec`` (``data``, ``rules``...).
    """
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    if labels:
        metadata["labels"] = dict(labels)
    if annotations:
        metadata["annotations"] = dict(annotations)
    template: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
    if spec is not None:
        template["spec"] = spec
    for key, value in (fields or {}).items():
        if key in template:
            raise GraphError(f"field {key!r} given twice", path=key)
        template[key] = value
    return Resource(template, **options)


def manifest(template: Mapping[str, Any], **options: Any) -> Resource:
    """A whole manifest written as a dict (it may hold references and expressions)."""
    return Resource(dict(template), **options)


def external_ref(api_version: str, kind: str, name: Any, namespace: Any = None, **options: Any) -> Resource:
    """An object that exists in the cluster and is read, never created (kro ``externalRef``).

    Its fields (``cfg.data.key``) are known only in the cluster: kro mode
    reads them there; direct mode refuses references to them.
    """
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    return Resource({"apiVersion": api_version, "kind": kind, "metadata": metadata}, external=True, **options)


def _caller_dir() -> tuple[Path, str | None]:
    frame = sys._getframe(2)
    filename = frame.f_globals.get("__file__")
    if filename:
        return Path(filename).resolve().parent, filename
    return Path.cwd(), None


def _load_documents(path: str, base: Path, referrer: str | None) -> tuple[Path, list[dict[str, Any]]]:
    import yaml  # only graphs that include files pay for the YAML parser

    resolved = _inputs.inside(path, base=base, what="YAML file", referrer=referrer)
    data = _inputs.read(resolved, what="YAML file", referrer=referrer, written=path)
    try:
        docs = [d for d in yaml.safe_load_all(data.decode("utf-8")) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ProjectError(
            f"malformed YAML: {getattr(exc, 'problem', exc)}",
            file=str(resolved),
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except UnicodeDecodeError as exc:
        raise ProjectError(f"not UTF-8: {exc.reason}", file=str(resolved)) from None
    for i, doc in enumerate(docs):
        if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
            raise ProjectError(
                f"document {i + 1} is not a Kubernetes object (needs apiVersion and kind)", file=str(resolved)
            )
    return resolved, docs


def yaml_file(path: str, **options: Any) -> Resource:
    """A manifest from a YAML file of the repository, read at render time.

    The path is relative to the graph module. Unlike TypeKro's ``yamlFile``
    (resolved at deploy time), the file is part of the render, so GitOps
    sees it, and the cache knows the render depends on it. The file must hold
    one document; use :func:`yaml_files` for several. Its strings may use
    kro's ``${...}`` expressions.
    """
    base, referrer = _caller_dir()
    resolved, docs = _load_documents(path, base, referrer)
    if len(docs) != 1:
        raise ProjectError(
            f"holds {len(docs)} documents; yaml_file takes one", file=str(resolved), hint="use yaml_files(path, prefix=...)"
        )
    return Resource(docs[0], source=str(resolved), **options)


def yaml_files(path: str, *, prefix: str, **options: Any) -> dict[str, Resource]:
    """Every document of a repository YAML file, as ``{prefix0: ..., prefix1: ...}``.

    Splat it into the builder's dict: ``{**yaml_files("rbac.yaml", prefix="rbac"), ...}``.
    """
    base, referrer = _caller_dir()
    resolved, docs = _load_documents(path, base, referrer)
    return {f"{prefix}{i}": Resource(doc, source=str(resolved), **options) for i, doc in enumerate(docs)}
