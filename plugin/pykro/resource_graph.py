"""``to_resource_graph``: the entry point of a graph module.

It runs the builders once, at import of the graph module, so a mistake is
reported against the module while its author is looking at it, and returns
a :class:`ResourceGraph` that renders in every mode.
"""

from __future__ import annotations

import sys
from contextvars import ContextVar
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
            resources = _run_builder(resource_builder, schema)
            if not isinstance(resources, Mapping):
                raise GraphError(
                    f"the resource builder must return a dict of id -> resource, got {type(resources).__name__}"
                )
            status = status_builder(schema, resources) if status_builder is not None else None
            graph = build(definition, resources, status, placeholders)
    except PykroError as exc:
        raise _located(exc, module_file, line, status_builder) from None
    return ResourceGraph(definition, resource_builder, status_builder, graph, module_file)


def _located(exc: PykroError, module_file: str | None, line: int, status_builder: Any) -> PykroError:
    """``exc`` with the most precise line of the user's code that is known.

    In order: the line of the user's code that raised it while the builders
    ran (a factory given bad arguments, ``yaml_file`` of a missing file), the
    status builder for a status field, and the ``to_resource_graph`` call.
    Errors about a resource were located at its factory call by the builder.
    A Python line is only ever given to the Python file it belongs to.
    """
    if exc.line is None:
        where = _user_frame(exc.__traceback__)
        code = getattr(status_builder, "__code__", None)
        if where is not None and exc.file in (None, where[0]):
            exc.located(file=where[0], line=where[1])
        elif code is not None and (exc.path or "").startswith("status") and exc.file in (None, code.co_filename):
            exc.located(file=code.co_filename, line=code.co_firstlineno)
    if exc.file in (None, module_file):
        exc.located(file=module_file, line=line)
    return exc


def _user_frame(tb: Any) -> tuple[str, int] | None:
    """(file, line) of the innermost traceback frame outside pykro's package."""
    from .resources import _PKG_DIR

    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith(_PKG_DIR) and filename != "<string>":
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


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
    resources = _run_builder(graph._resource_builder, proxy)
    out = {prefix + rid[0].upper() + rid[1:]: res for rid, res in resources.items()}
    included = _INCLUDED.get()
    if included is not None:
        source = f"include({graph.graph.name!r}, prefix={prefix!r})"
        included.extend((rid, res, source) for rid, res in out.items())
    return out


# What include() returned during the resource builder now running: (id, resource, source).
# Python's dict keeps the last value of a key, so `{**include(...), "dbService": x}` would
# silently drop an included resource; the build compares the builder's result with this.
_INCLUDED: ContextVar[list[tuple[str, Resource, str]] | None] = ContextVar("pykro_included", default=None)


def _run_builder(builder: Callable[[SchemaProxy], Any], schema: SchemaProxy) -> Any:
    """``builder(schema)``, raising GraphError when an id include() returned was overwritten."""
    included: list[tuple[str, Resource, str]] = []
    token = _INCLUDED.set(included)
    try:
        resources = builder(schema)
    finally:
        _INCLUDED.reset(token)
    if not included or not isinstance(resources, Mapping):
        return resources
    for rid, res, source in included:
        kept = resources.get(rid, res)
        if kept is res:
            continue  # still there (or left out on purpose: that is not a clash)
        other = next((src for i, r, src in included if i == rid and r is kept), None)
        by = f"by {other}" if other else f"by the builder's own {rid!r}"
        raise GraphError(
            f"id {rid!r} from {source} is also produced {by}; the dict keeps only the last one",
            path=f"resources[{rid}]",
            hint="give the include another prefix, or rename the other resource",
        )
    return resources
