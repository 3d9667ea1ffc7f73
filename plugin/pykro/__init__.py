"""pykro: typed Kubernetes resource graphs, rendered for GitOps.

Write a graph::

    from pykro import Cel, Spec, Status, field, simple, to_resource_graph

and render it with ``graph.to_yaml()`` (the kro ResourceGraphDefinition),
``graph.to_yaml(values)`` (an instance), or through a project's
``pykro.yaml`` with ``pykro render`` (kro or direct mode, per environment).
"""

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
from .resource import Resource, for_each
from .resource_graph import ResourceGraph, include, to_resource_graph
from .schema import Spec, Status, field

__version__ = "0.1.0"

__all__ = [
    # what users write
    "Spec",
    "Status",
    "field",
    "Cel",
    "simple",
    "resource",
    "manifest",
    "external_ref",
    "yaml_file",
    "yaml_files",
    "for_each",
    "Resource",
    # the graph
    "to_resource_graph",
    "include",
    "ResourceGraph",
    # errors
    "PykroError",
    "SchemaError",
    "ReferenceUsageError",
    "GraphError",
    "CycleError",
    "CelError",
    "ValuesError",
    "ProjectError",
    "RenderError",
]
