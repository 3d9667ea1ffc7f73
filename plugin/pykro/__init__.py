"""pykro: typed Kubernetes resource graphs, rendered for GitOps.

Write a graph::

    from pykro import Cel, Spec, Status, field, simple, to_resource_graph

and render it with ``graph.to_yaml()`` (the kro ResourceGraphDefinition),
``graph.to_yaml(values)`` (an instance), or through a project's
``pykro.yaml`` with ``pykro render`` (kro or direct mode, per environment).

Names are imported on first use (PEP 562): Argo CD runs ``pykro generate``
on every refresh, and a cache hit must not pay for the graph DSL.
"""

from __future__ import annotations

# No `typing` import: it costs a cache hit of `pykro generate` several ms.
TYPE_CHECKING = False

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    # what users write
    "Spec": "schema",
    "Status": "schema",
    "field": "schema",
    "Cel": "cel",
    "simple": "factories",
    "resource": "factories",
    "manifest": "factories",
    "external_ref": "factories",
    "yaml_file": "factories",
    "yaml_files": "factories",
    "for_each": "resources",
    "Resource": "resources",
    # the graph
    "to_resource_graph": "resource_graph",
    "include": "resource_graph",
    "ResourceGraph": "resource_graph",
    # errors
    "PykroError": "errors",
    "SchemaError": "errors",
    "ReferenceUsageError": "errors",
    "GraphError": "errors",
    "CycleError": "errors",
    "CelError": "errors",
    "ValuesError": "errors",
    "ProjectError": "errors",
    "RenderError": "errors",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> "object":
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pykro' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from .cel import Cel
    from .errors import (
        CelError,
        CycleError,
        GraphError,
        ProjectError,
        PykroError,
        ReferenceUsageError,
        RenderError,
        SchemaError,
        ValuesError,
    )
    from .factories import external_ref, manifest, resource, simple, yaml_file, yaml_files
    from .resources import Resource, for_each
    from .resource_graph import ResourceGraph, include, to_resource_graph
    from .schema import Spec, Status, field
