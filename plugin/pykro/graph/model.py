"""The built graph: plain, frozen data that renderers read.

Everything user code produced (proxies, placeholders, f-strings) is gone by
this point: a template is JSON-like data whose leaves may be :class:`Field`
objects, each a kro string template or one whole ``${...}`` expression, with
its CEL text and the references it reads already worked out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CelExpr", "Field", "Node", "Graph"]

_DOLLAR_BRACE = re.compile(r"\$\{")


@dataclass(frozen=True)
class CelExpr:
    """One CEL expression: its text (without ``${}``), what it reads, its static type."""

    text: str
    refs: tuple[tuple[str, ...], ...]
    type: str = "dyn"

    @property
    def roots(self) -> frozenset[str]:
        return frozenset(r[0] for r in self.refs)


@dataclass(frozen=True)
class Field:
    """A template leaf holding expressions.

    ``standalone`` is kro's distinction: a field that is exactly one
    ``${...}`` takes the expression's type; anything else is a string
    template whose parts must all be strings.
    """

    parts: tuple[str | CelExpr, ...]
    standalone: bool

    @property
    def expressions(self) -> tuple[CelExpr, ...]:
        return tuple(p for p in self.parts if isinstance(p, CelExpr))

    def kro(self) -> str:
        """The field as kro reads it (a literal ``${`` escaped as ``${"${"}``)."""
        out = []
        for p in self.parts:
            if isinstance(p, CelExpr):
                out.append("${" + p.text + "}")
            else:
                out.append(_DOLLAR_BRACE.sub('${"${"}', p))
        return "".join(out)


@dataclass(frozen=True)
class Node:
    """One resource of the graph, with its id known."""

    id: str
    template: Any
    external: bool
    ready_when: tuple[Field, ...]
    include_when: tuple[Field, ...]
    for_each: tuple[tuple[str, Field], ...]
    depends_on: tuple[str, ...]
    dependencies: tuple[str, ...]
    source: str | None = None
    # (file, line) of the factory call that made it, for errors found when rendering.
    origin: tuple[str, int] | None = field(default=None, compare=False)

    @property
    def api_version(self) -> Any:
        return self.template.get("apiVersion")

    @property
    def kind(self) -> Any:
        return self.template.get("kind")


@dataclass(frozen=True)
class Graph:
    """A validated resource graph."""

    name: str
    group: str
    version: str
    kind: str
    scope: str
    spec_schema: dict[str, Any]
    types: dict[str, Any]
    status: tuple[tuple[str, Field], ...]
    nodes: tuple[Node, ...]
    order: tuple[str, ...]
    printer_columns: tuple[dict[str, Any], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()  # on the RGD itself

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)
