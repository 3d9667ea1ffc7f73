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


def graph_from_rgd(
    doc: Mapping[str, Any], *, file: str | None = None, positions: Mapping[tuple[Any, ...], tuple[int, int]] | None = None
) -> Graph:
    """The graph of an RGD object (as loaded from YAML).

    ``positions`` (from :func:`pykro.project.yamlpos.load`) give an error the
    line and column of the node it is about.
    """
    try:
        return _graph(doc)
    except PykroError as exc:
        if positions is not None:
            locate(exc, doc, positions)
        raise exc.located(file=file) from None


def locate(exc: PykroError, doc: Any, positions: Mapping[tuple[Any, ...], tuple[int, int]]) -> PykroError:
    """Give ``exc`` the line and column of the RGD node its field path names (the nearest one that exists).

    Paths are the builder's (``resources[cm].template.metadata.name``,
    ``status.url``, ``kind``) or the RGD's own (``spec.resources[0].id``).
    """
    if exc.line is not None:
        return exc
    node = _yaml_path(_split_path(exc.path or ""), doc)
    for i in range(len(node), -1, -1):
        found = positions.get(node[:i])
        if found is not None:
            return exc.located(line=found[0], column=found[1])
    return exc


# Builder paths of the definition, and where an RGD writes them.
_DEFINITION = {
    "name": ("metadata", "name"),
    "annotations": ("metadata", "annotations"),
    "apiVersion": ("spec", "schema", "apiVersion"),
    "kind": ("spec", "schema", "kind"),
    "scope": ("spec", "schema", "scope"),
    "spec": ("spec", "schema", "spec"),
    "types": ("spec", "schema", "types"),
    "status": ("spec", "schema", "status"),
    "additionalPrinterColumns": ("spec", "schema", "additionalPrinterColumns"),
}


def _split_path(text: str) -> tuple[str | int, ...]:
    """``a.b[0]["c.d"][id]`` -> ``("a", "b", 0, "c.d", "id")``."""
    parts: list[str | int] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == ".":
            i += 1
        elif c == "[":
            end = text.find("]", i)
            if text.startswith('["', i):
                end = text.find('"]', i + 2)
                parts.append(text[i + 2 : end if end >= 0 else n])
                i = end + 2 if end >= 0 else n
                continue
            inner = text[i + 1 : end if end >= 0 else n]
            parts.append(int(inner) if inner.isdigit() else inner)
            i = end + 1 if end >= 0 else n
        else:
            j = i
            while j < n and text[j] not in ".[":
                j += 1
            parts.append(text[i:j])
            i = j
    return tuple(parts)


def _yaml_path(parts: tuple[str | int, ...], doc: Any) -> tuple[Any, ...]:
    if not parts:
        return ()
    head = parts[0]
    if head == "resources" and len(parts) > 1 and isinstance(parts[1], str):
        entries = (doc.get("spec") or {}).get("resources") if isinstance(doc, Mapping) else None
        for index, entry in enumerate(entries if isinstance(entries, list) else ()):
            if isinstance(entry, Mapping) and entry.get("id") == parts[1]:
                rest = parts[2:]
                if rest[:1] == ("template",) and "template" not in entry:
                    rest = ("externalRef",) + rest[1:]
                return ("spec", "resources", index) + rest
        return ("spec", "resources")
    if head == "spec" and parts[1:2] in (("schema",), ("resources",)):
        return parts
    if head == "metadata":
        return parts
    if isinstance(head, str) and head in _DEFINITION:
        return _DEFINITION[head] + parts[1:]
    return parts


def _mapping(value: Any, path: str, *, default: Any = None) -> dict[str, Any]:
    """``value`` as a mapping with string keys, or an error naming ``path`` (None -> empty)."""
    if value is None:
        return dict(default or {})
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise GraphError(f"must be a mapping with string keys, got {type(value).__name__}", path=path)
    return dict(value)


def _list(value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise GraphError(f"must be a list, got {type(value).__name__}", path=path)
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise GraphError(f"must be a non-empty string, got {value!r}", path=path)
    return value


def _conditions(value: Any, path: str) -> list[str]:
    items = _list(value, path)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise GraphError(f"must be a ${{...}} expression string, got {item!r}", path=f"{path}[{i}]")
    return items


def _graph(doc: Any) -> Graph:
    if not isinstance(doc, Mapping):
        raise GraphError(f"an RGD is a mapping, got {type(doc).__name__}")
    if doc.get("kind") != "ResourceGraphDefinition" or not str(doc.get("apiVersion", "")).startswith("kro.run/"):
        raise GraphError("not a kro ResourceGraphDefinition (apiVersion kro.run/..., kind ResourceGraphDefinition)")
    metadata = _mapping(doc.get("metadata"), "metadata")
    spec = _mapping(doc.get("spec"), "spec")
    if not isinstance(spec.get("schema"), Mapping):
        raise GraphError("spec.schema is required", path="spec.schema")
    schema = _mapping(spec["schema"], "spec.schema")
    group = schema.get("group", "kro.run")
    version = _string(schema.get("apiVersion"), "spec.schema.apiVersion")
    if not isinstance(group, str):
        raise GraphError(f"must be a string, got {group!r}", path="spec.schema.group")
    columns = _list(schema.get("additionalPrinterColumns"), "spec.schema.additionalPrinterColumns")
    annotations = _mapping(metadata.get("annotations"), "metadata.annotations")
    definition = {
        "name": metadata.get("name"),
        "apiVersion": f"{group}/{version}",
        "kind": schema.get("kind"),
        "spec": _mapping(schema.get("spec"), "spec.schema.spec"),
        "types": _mapping(schema.get("types"), "spec.schema.types"),
        "scope": schema.get("scope", "Namespaced"),
        "printer_columns": columns,
        "annotations": annotations,
    }
    resources: dict[str, Resource] = {}
    entries = _list(spec.get("resources"), "spec.resources")
    for i, entry in enumerate(entries):
        where = f"spec.resources[{i}]"
        if not isinstance(entry, Mapping) or "id" not in entry:
            raise GraphError("each resource needs an id", path=where)
        rid = entry["id"]
        if not isinstance(rid, str):
            raise GraphError(f"resource id {rid!r} is not a string", path=f"{where}.id")
        has_template, has_ref = "template" in entry, "externalRef" in entry
        if has_template == has_ref:
            raise GraphError(f"resource {rid!r}: exactly one of template or externalRef must be provided", path=where)
        if has_ref and entry.get("forEach"):
            raise GraphError(f"resource {rid!r}: cannot use externalRef with forEach", path=where)
        if rid in resources:
            raise GraphError(f"found duplicate resource IDs {rid}", path=where)
        body_key = "externalRef" if has_ref else "template"
        body = _mapping(entry[body_key], f"{where}.{body_key}")
        res = Resource(
            body,
            external=has_ref,
            ready_when=_conditions(entry.get("readyWhen"), f"{where}.readyWhen"),
            include_when=_conditions(entry.get("includeWhen"), f"{where}.includeWhen"),
        )
        for_each = []
        for dim in _list(entry.get("forEach"), f"{where}.forEach"):
            if not isinstance(dim, Mapping) or len(dim) != 1:
                raise GraphError("each forEach entry maps one iterator name to an expression", path=f"{where}.forEach")
            ((name, source),) = dim.items()
            if not isinstance(name, str) or not isinstance(source, str):
                raise GraphError("a forEach iterator maps a name to a ${...} expression string", path=f"{where}.forEach")
            for_each.append((ForEachVar(name), source))
        object.__setattr__(res, "_for_each", tuple(for_each))
        object.__setattr__(res, "_origin", None)  # located in the RGD file instead
        resources[rid] = res
    status = _mapping(schema.get("status"), "spec.schema.status")
    with Placeholders() as placeholders:
        return build(definition, resources, status, placeholders)
