"""Resource ids, by kro's rules.

An id is a CEL identifier in the graph's expressions, so it must be
lowerCamelCase (``^[a-z][a-zA-Z0-9]*$``), unique, and not a name kro or CEL
reserves.
"""

from __future__ import annotations

import re

from ..errors import GraphError

__all__ = ["check_id", "RESERVED"]

_ID = re.compile(r"[a-z][a-zA-Z0-9]*\Z")

# kro's reserved words (pkg/graph: identifiers of the CEL scope and the
# instance's own fields) and CEL's reserved words and literals.
RESERVED = frozenset(
    # kro's pkg/graph/validation.go kroReservedKeyWords
    """
    apiVersion context dependency dependencies each externalRef externalReference
    externalRefs externalReferences graph instance item items kind kro metadata namespace
    object resource resourcegraphdefinition resourceGraphDefinition resources root runtime
    schema self serviceAccountName spec status this variables vars version
    """.split()
    # the CEL lexer's reserved symbols
    + "true false null in as break const continue else for function if import let loop package namespace return var void while".split()
)


def check_id(resource_id: object) -> str:
    """``resource_id`` if kro accepts it, else a :class:`GraphError` naming it."""
    if not isinstance(resource_id, str):
        raise GraphError(f"resource id {resource_id!r} is not a string", path="resources")
    if not _ID.match(resource_id):
        raise GraphError(
            f"resource id {resource_id!r} is not lowerCamelCase (^[a-z][a-zA-Z0-9]*$)",
            path=f"resources[{resource_id}]",
            hint="write ids like 'app', 'webService', 'dbSecret'",
        )
    if resource_id in RESERVED:
        raise GraphError(
            f"resource id {resource_id!r} is reserved by kro or CEL", path=f"resources[{resource_id}]"
        )
    return resource_id
