"""``to_resource_graph``: the entry point of a graph module.

It runs the builders once, at import of the graph module, so a mistake is
reported against the module while its author is looking at it, and returns
a :class:`ResourceGraph` that renders in every mode.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Mapping

from .errors import GraphError, PykroError, SchemaError
from .graph.builder import build
from .graph.model import Graph
from .refs import Placeholders
from .resources import Resource
from .schema import SchemaProxy, Spec, to_simpleschema

__all__ = ["ResourceGraph", "to_resource_graph", "include"]

ResourceBuilder = Callable[[SchemaProxy], Mapping[str, Resource]]
StatusBuilder = Callable[[SchemaProxy, Mapping[str, Resource]], Mapping[str, Any]]


class ResourceGraph:
    """A typed resource graph: renders its RGD, instances and (through a project) plain manifests."""

    def __init__(
        self,
        definition: Mapping[str, Any],
        resource_builder: ResourceBuilder,
        status_builder: StatusBuilder | None,
        graph: Graph,
        module_file: str | None,
    ) -> None:
        self.definition = dict(definition)
        self._resource_builder = resource_builder
        self._status_builder = status_builder
        self.graph = graph
        self.module_file = module_file

    @property
    def name(self) -> str:
        return self.graph.name

    @property
    def spec_class(self) -> type[Spec]:
        spec: type[Spec] = self.definition["spec"]
        return spec

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI schema kro generates for the instance's ``spec``."""
        from .simpleschema import to_openapi

        return to_openapi(self.graph.spec_schema, self.graph.types or None)

    def rgd(self) -> dict[str, Any]:
        from .render.kro import rgd

        return rgd(self.graph)

    def instance(self, values: Mapping[str, Any], *, name: str | None = None, namespace: str | None = None) -> dict[str, Any]:
        """An instance with ``values`` as its spec, after checking them against the schema."""
        from .render.kro import instance
        from .values import checked

        checked(self, values)
        if name is None:
            given = values.get("name")
            name = given if isinstance(given, str) else self.graph.name
        return instance(self.graph, values, name=name, namespace=namespace)

    def to_yaml(self, values: Mapping[str, Any] | None = None, *, name: str | None = None, namespace: str | None = None) -> str:
        """The RGD as YAML; with ``values``, an instance of its API instead."""
        from .yamlout import dump

        if values is None:
            return dump(self.rgd())
        return dump(self.instance(values, name=name, namespace=namespace))

    def __repr__(self) -> str:
        return f"<ResourceGraph {self.graph.name} {self.graph.api_version}/{self.graph.kind}>"


def to_resource_graph(
    definition: Mapping[str, Any],
    resource_builder: ResourceBuilder,
    status_builder: StatusBuilder | None = None,
) -> ResourceGraph:
    """Build a graph: ``definition`` names its API, the builders return resources and status.

    ``definition``: ``name``, ``apiVersion`` (``group/version`` or a version
    in kro's default group), ``kind``, ``spec`` (a :class:`Spec` subclass),
    ``status`` (a :class:`Status` subclass), and optionally ``scope``
    (``Namespaced``/``Cluster``), ``printer_columns`` (kro's
    additionalPrinterColumns) and ``annotations`` of the RGD itself (e.g.
    ``kro.run/allow-breaking-changes: "true"``).
    """
    caller = sys._getframe(1)
    module_file = caller.f_globals.get("__file__")
    line = caller.f_lineno
    try:
        spec_cls = definition.get("spec")
        if not (isinstance(spec_cls, type) and issubclass(spec_cls, Spec)):
            raise SchemaError("definition 'spec' must be a Spec subclass", path="spec")
        to_simpleschema(spec_cls)  # schema errors first: they explain the rest
        schema = SchemaProxy(spec_cls)
        with Placeholders() as placeholders:
            resources = resource_builder(schema)
            if not isinstance(resources, Mapping):
                raise GraphError(
                    f"the resource builder must return a dict of id -> resource, got {type(resources).__name__}"
                )
            status = status_builder(schema, resources) if status_builder is not None else None
            graph = build(definition, resources, status, placeholders)
    except PykroError as exc:
        raise exc.located(file=module_file, line=line) from None
    return ResourceGraph(definition, resource_builder, status_builder, graph, module_file)


def include(graph: ResourceGraph, *, prefix: str, spec: Mapping[str, Any] | None = None) -> dict[str, Resource]:
    """Another graph's resources, for composing graphs: ``{**include(db, prefix="db", spec={...}), ...}``.

    The included graph's builder runs again with ``spec`` standing in for its
    ``schema.spec`` (expressions of the including graph, or plain values;
    missing fields take the included graph's defaults). Ids are prefixed
    (``db`` + ``service`` -> ``dbService``) so they cannot clash with the
    included graph's own.
    """
    if not isinstance(graph, ResourceGraph):
        raise GraphError(f"include() takes a ResourceGraph, got {type(graph).__name__}")
    from .graph.ids import check_id

    check_id(prefix)
    overrides = dict(spec or {})
    for key in overrides:
        graph.spec_class._pykro_field(key)
    proxy = SchemaProxy(graph.spec_class, overrides)
    resources = graph._resource_builder(proxy)
    return {prefix + rid[0].upper() + rid[1:]: res for rid, res in resources.items()}
