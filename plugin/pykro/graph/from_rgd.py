"""A graph from a ResourceGraphDefinition written in YAML.

App teams use RGDs published by a platform team; kro's own examples are
RGDs. Reading one into the same :class:`~.model.Graph` as a Python module
gives it every mode: its instances are validated against its SimpleSchema,
and direct mode evaluates its expressions as kro would.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..errors import GraphError, PykroError
from ..refs import Placeholders
from ..resources import ForEachVar, Resource
from .builder import build
from .model import Graph

__all__ = ["graph_from_rgd"]


def graph_from_rgd(doc: Mapping[str, Any], *, file: str | None = None) -> Graph:
    """The graph of an RGD object (as loaded from YAML)."""
    try:
        return _graph(doc)
    except PykroError as exc:
        raise exc.located(file=file) from None


def _graph(doc: Mapping[str, Any]) -> Graph:
    if doc.get("kind") != "ResourceGraphDefinition" or not str(doc.get("apiVersion", "")).startswith("kro.run/"):
        raise GraphError("not a kro ResourceGraphDefinition (apiVersion kro.run/..., kind ResourceGraphDefinition)")
    spec = doc.get("spec")
    if not isinstance(spec, Mapping) or not isinstance(spec.get("schema"), Mapping):
        raise GraphError("spec.schema is required", path="spec.schema")
    schema = spec["schema"]
    group = schema.get("group", "kro.run")
    version = schema.get("apiVersion")
    if not isinstance(version, str):
        raise GraphError("spec.schema.apiVersion is required (e.g. v1alpha1)", path="spec.schema.apiVersion")
    definition = {
        "name": (doc.get("metadata") or {}).get("name"),
        "apiVersion": f"{group}/{version}",
        "kind": schema.get("kind"),
        "spec": dict(schema.get("spec") or {}),
        "types": dict(schema.get("types") or {}),
        "scope": schema.get("scope", "Namespaced"),
        "printer_columns": list(schema.get("additionalPrinterColumns") or ()),
        "annotations": dict((doc.get("metadata") or {}).get("annotations") or {}),
    }
    resources: dict[str, Resource] = {}
    entries = spec.get("resources") or []
    if not isinstance(entries, list):
        raise GraphError("spec.resources must be a list", path="spec.resources")
    for i, entry in enumerate(entries):
        where = f"spec.resources[{i}]"
        if not isinstance(entry, Mapping) or "id" not in entry:
            raise GraphError("each resource needs an id", path=where)
        rid = entry["id"]
        has_template, has_ref = "template" in entry, "externalRef" in entry
        if has_template == has_ref:
            raise GraphError(f"resource {rid!r}: exactly one of template or externalRef must be provided", path=where)
        if has_ref and entry.get("forEach"):
            raise GraphError(f"resource {rid!r}: cannot use externalRef with forEach", path=where)
        if rid in resources:
            raise GraphError(f"found duplicate resource IDs {rid}", path=where)
        body = entry["externalRef"] if has_ref else entry["template"]
        if not isinstance(body, Mapping):
            raise GraphError("template must be a mapping", path=f"{where}.template")
        res = Resource(
            dict(body),
            external=has_ref,
            ready_when=list(entry.get("readyWhen") or ()),
            include_when=list(entry.get("includeWhen") or ()),
        )
        for_each = []
        for dim in entry.get("forEach") or ():
            if not isinstance(dim, Mapping) or len(dim) != 1:
                raise GraphError("each forEach entry maps one iterator name to an expression", path=f"{where}.forEach")
            ((name, source),) = dim.items()
            for_each.append((ForEachVar(name), source))
        object.__setattr__(res, "_for_each", tuple(for_each))
        resources[rid] = res
    status = dict(schema.get("status") or {})
    with Placeholders() as placeholders:
        return build(definition, resources, status, placeholders)
