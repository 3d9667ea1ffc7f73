"""Instance values: kro-style defaulting, then validation against the graph's schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from .errors import ValuesError

if TYPE_CHECKING:
    from .resource_graph import ResourceGraph

__all__ = ["checked"]


def checked(graph: "ResourceGraph", values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with the schema's defaults applied, or a :class:`ValuesError` naming every bad field.

    This is what the API server does to an instance (defaulting, then
    validation), done before the instance ever reaches it.
    """
    from .simpleschema import apply_defaults, validate_values

    if not isinstance(values, Mapping):
        raise ValuesError(f"values must be a mapping, got {type(values).__name__}", path="spec")
    openapi = graph.openapi()
    defaulted = apply_defaults(openapi, dict(values))
    problems = validate_values(openapi, defaulted)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more: " + "; ".join(f"{p.path}: {p.message}" for p in problems[1:]) + ")" if len(problems) > 1 else ""
        err = ValuesError(first.message + more, path=first.path)
        err.problems = problems  # type: ignore[attr-defined]
        raise err
    return defaulted
