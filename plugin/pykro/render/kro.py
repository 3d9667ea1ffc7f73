"""kro mode: the ResourceGraphDefinition, and instances of its API.

kro evaluates every expression in the cluster; this renderer only writes
them where kro reads them. The RGD's resources keep the builder's order
(kro orders them itself), so a reviewer's diff follows the code.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..graph.model import Field, Graph, Node

__all__ = ["rgd", "instance", "KRO_API_VERSION", "DEPENDS_ON_ANNOTATION"]

KRO_API_VERSION = "kro.run/v1alpha1"

# kro has no explicit dependency field: it infers edges from references. An
# annotation whose value references each dependency's name gives kro the
# edge without changing anything the resource does. A collection (forEach) is
# a list in kro's CEL, so `x.metadata.name` would not type-check: its
# reference is `string(size(x))`, the number of items, which kro resolves
# once the collection is.
DEPENDS_ON_ANNOTATION = "pykro.io/depends-on"


def _depends_on(node: Node, collections: frozenset[str]) -> str:
    return ",".join(
        "${string(size(" + d + "))}" if d in collections else "${" + d + ".metadata.name}" for d in node.depends_on
    )


def _kro(value: Any) -> Any:
    if isinstance(value, Field):
        return value.kro()
    if isinstance(value, dict):
        return {k: _kro(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_kro(v) for v in value]
    return value


def _resource(node: Node, collections: frozenset[str] = frozenset()) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": node.id}
    template = _kro(node.template)
    if node.depends_on:
        meta = template.setdefault("metadata", {})
        annotations = dict(meta.get("annotations") or {})
        annotations[DEPENDS_ON_ANNOTATION] = _depends_on(node, collections)
        meta["annotations"] = annotations
    if node.for_each:
        entry["forEach"] = [{name: f.kro()} for name, f in node.for_each]
    if node.include_when:
        entry["includeWhen"] = [f.kro() for f in node.include_when]
    if node.ready_when:
        entry["readyWhen"] = [f.kro() for f in node.ready_when]
    entry["externalRef" if node.external else "template"] = template
    return entry


def rgd(graph: Graph, *, annotations: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The ResourceGraphDefinition object of ``graph``."""
    schema: dict[str, Any] = {
        "apiVersion": graph.version,
        "kind": graph.kind,
        "group": graph.group,
    }
    if graph.scope != "Namespaced":
        schema["scope"] = graph.scope
    schema["spec"] = graph.spec_schema
    if graph.types:
        schema["types"] = graph.types
    if graph.status:
        schema["status"] = {name: f.kro() for name, f in graph.status}
    if graph.printer_columns:
        schema["additionalPrinterColumns"] = [dict(c) for c in graph.printer_columns]
    metadata: dict[str, Any] = {"name": graph.name}
    collections = frozenset(n.id for n in graph.nodes if n.for_each)
    merged = {**dict(graph.annotations), **dict(annotations or {})}
    if merged:
        metadata["annotations"] = merged
    return {
        "apiVersion": KRO_API_VERSION,
        "kind": "ResourceGraphDefinition",
        "metadata": metadata,
        "spec": {"schema": schema, "resources": [_resource(n, collections) for n in graph.nodes]},
    }


def instance(
    graph: Graph,
    values: Mapping[str, Any],
    *,
    name: str,
    namespace: str | None = None,
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An instance of the graph's API with ``values`` as its spec (as given, not defaulted).

    Defaults are left to the API server, as ``kubectl apply`` of a hand-written
    instance would: the rendered YAML says what the team chose, and a changed
    default in the RGD reaches every instance without a re-render.
    """
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None and graph.scope == "Namespaced":
        metadata["namespace"] = namespace
    if annotations:
        metadata["annotations"] = dict(annotations)
    return {"apiVersion": graph.api_version, "kind": graph.kind, "metadata": metadata, "spec": dict(values)}
