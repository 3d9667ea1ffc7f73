"""The typed AST of a SimpleSchema type expression.

Mirrors kro's ``pkg/simpleschema/types``: every node answers two questions,
which custom types it needs (:meth:`deps`, used to order ``schema.types``
before any schema is built) and which OpenAPI schema it stands for
(:meth:`schema`, given a :class:`Resolver` for custom types). Keeping the two
apart lets the transformer detect cycles and unknown types before emitting
anything.

The schemas returned are plain dicts, freshly built on every call, so callers
may mutate them (markers do) without affecting other fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Union

__all__ = [
    "ATOMIC_TYPES",
    "Atomic",
    "Custom",
    "Map",
    "Object",
    "Resolver",
    "Slice",
    "Struct",
    "Type",
]

#: SimpleSchema's scalar type names. There is no ``number`` and no ``int``:
#: kro treats any other word as the name of a custom type.
ATOMIC_TYPES = ("string", "integer", "boolean", "float")


class Resolver(Protocol):
    """Looks up the OpenAPI schema of a custom type by name."""

    def resolve(self, name: str) -> dict[str, Any]:
        """Return a private copy of the schema of ``name``; raise SchemaError if unknown."""
        ...


@dataclass(frozen=True, slots=True)
class Atomic:
    """``string``, ``integer``, ``boolean`` or ``float``."""

    name: str

    def deps(self) -> tuple[str, ...]:
        return ()

    def schema(self, resolver: Resolver) -> dict[str, Any]:
        # OpenAPI (and CEL) know no "float": kro emits "number" so that CEL
        # type-checking sees the field at all.
        return {"type": "number" if self.name == "float" else self.name}


@dataclass(frozen=True, slots=True)
class Object:
    """``object``: a schemaless object whose content the API server keeps as-is."""

    def deps(self) -> tuple[str, ...]:
        return ()

    def schema(self, resolver: Resolver) -> dict[str, Any]:
        return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


@dataclass(frozen=True, slots=True)
class Slice:
    """``[]T``."""

    elem: "Type"

    def deps(self) -> tuple[str, ...]:
        return self.elem.deps()

    def schema(self, resolver: Resolver) -> dict[str, Any]:
        return {"type": "array", "items": self.elem.schema(resolver)}


@dataclass(frozen=True, slots=True)
class Map:
    """``map[string]T`` (kro accepts string keys only)."""

    value: "Type"

    def deps(self) -> tuple[str, ...]:
        return self.value.deps()

    def schema(self, resolver: Resolver) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": self.value.schema(resolver)}


@dataclass(frozen=True, slots=True)
class Struct:
    """A nested mapping of fields; only its dependencies matter to kro.

    kro builds the schema of nested mappings in the transformer (which knows
    markers and required fields); this node exists so that custom types can be
    ordered by what they reference. Its :meth:`schema` mirrors kro's
    ``Struct.Schema`` for completeness: field types only, ``default: {}`` when a
    child has a default.
    """

    fields: tuple[tuple[str, "Type"], ...]

    def deps(self) -> tuple[str, ...]:
        out: list[str] = []
        for _, typ in self.fields:
            out.extend(typ.deps())
        return tuple(out)

    def schema(self, resolver: Resolver) -> dict[str, Any]:
        props = {name: typ.schema(resolver) for name, typ in self.fields}
        result: dict[str, Any] = {"type": "object", "properties": props}
        if any("default" in p for p in props.values()):
            result["default"] = {}
        return result


@dataclass(frozen=True, slots=True)
class Custom:
    """A name from ``schema.types``, resolved only when a schema is built."""

    name: str

    def deps(self) -> tuple[str, ...]:
        return (self.name,)

    def schema(self, resolver: Resolver) -> dict[str, Any]:
        return resolver.resolve(self.name)


Type = Union[Atomic, Object, Slice, Map, Struct, Custom]
