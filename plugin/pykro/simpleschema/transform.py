"""Turn a SimpleSchema mapping into the OpenAPI v3 schema of kro's instance CRD.

Mirrors kro's ``pkg/simpleschema/transform.go``:

1. Custom types (``schema.types``) are parsed, their dependencies checked
   (unknown names and cycles are errors even for unused types, as in kro) and
   built in topological order, so each one can inline the ones it uses.
2. The spec mapping is built field by field: a string is parsed and its
   markers applied; a nested mapping becomes an object with ``properties``.
3. An object none of whose fields is required but one of which has a default
   gets ``default: {}``. That is what makes the API server apply the nested
   defaults when the user leaves the whole object out.

Output is canonical: ``required`` is sorted (kro sorts it to avoid
server-side-apply diffs), and every schema dict has its keys, and its
``properties``, in sorted order, which is how the API server serves the CRD.
Errors carry the field path (``spec.a.b``, ``types.Person.name``).
"""

from __future__ import annotations

import copy
import heapq
from typing import Any, Mapping

from pykro.errors import SchemaError
from pykro.simpleschema.markers import apply_markers
from pykro.simpleschema.parse import describe_bad_spec, join_path, parse_field, parse_spec
from pykro.simpleschema.types import Custom

__all__ = ["to_openapi"]

_TYPE_HINTS = {
    "int": "integer",
    "int32": "integer",
    "int64": "integer",
    "number": "float",
    "double": "float",
    "bool": "boolean",
    "str": "string",
    "list": "[]<type>",
    "array": "[]<type>",
    "dict": "object or map[string]<type>",
    "map": "map[string]<type>",
    "any": "object",
}


def to_openapi(spec: Mapping[str, Any] | None, types: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI v3 schema kro generates for an instance CRD's ``spec``.

    ``spec`` is the RGD's ``schema.spec`` (``{field: "type | markers"}`` or
    nested mappings), ``types`` its ``schema.types``. The result is
    ``{"type": "object", "properties": ..., "required": [sorted], "default":
    {} when kro adds it}``, every dict with sorted keys. Raises
    :class:`~pykro.errors.SchemaError` with the field path (``spec.a.b`` or
    ``types.Name.field``) on anything kro rejects: unknown marker or type, bad
    default for the type, non-string map key, nesting deeper than 16, cyclic
    or undefined custom types.
    """
    if spec is None:
        spec = {}
    # The annotation is the contract; the checks stay for untyped callers (YAML, plain Python).
    if not isinstance(spec, Mapping):
        raise SchemaError(f"expected a mapping of fields, got {type(spec).__name__}", path="spec")
    if types is not None and isinstance(types, Mapping):
        types = dict(types)
    transformer = _Transformer(types)
    return _canonical(transformer.build_object(dict(spec), "spec"))


class _Transformer:
    """Holds the built custom types; acts as the :class:`~.types.Resolver`."""

    def __init__(self, types: Any) -> None:
        self._schemas: dict[str, dict[str, Any]] = {}
        self._required: dict[str, bool] = {}
        if types is not None:
            self._load_custom_types(types)

    def resolve(self, name: str) -> dict[str, Any]:
        schema = self._schemas.get(name)
        if schema is None:
            raise _unknown_type(name)
        return copy.deepcopy(schema)

    def _load_custom_types(self, types: Any) -> None:
        if not isinstance(types, dict):
            raise SchemaError(f"expected a mapping of type names, got {type(types).__name__}", path="types")
        specs: dict[str, Any] = {}
        deps: dict[str, list[str]] = {}
        for raw, spec in types.items():
            name = _key(raw, "types")
            specs[name] = spec
            deps[name] = sorted(set(parse_spec(spec, join_path("types", name)).deps()))
        for name, needed in deps.items():
            for dep in needed:
                if dep == name:
                    raise SchemaError(
                        f"cyclic dependency in type {name}: {name} -> {name}; "
                        "a type cannot contain itself, use object or an inline mapping",
                        path=join_path("types", name),
                    )
                if dep not in specs:
                    raise _unknown_type(dep).located(path=join_path("types", name))
        cycle = _find_cycle(deps)
        if cycle:
            raise SchemaError(
                f"cyclic dependency in type {cycle[0]}: {' -> '.join(cycle)}; "
                "break the cycle with object or an inline mapping",
                path=join_path("types", cycle[0]),
            )
        for name in _topological_order(deps):
            path = join_path("types", name)
            spec = specs[name]
            if isinstance(spec, str):
                # An alias such as `RequiredString: string | required=true`: a
                # required=true inside it makes every field of that type required.
                marks: list[str] = []
                self._schemas[name] = self._field_from_string(name, spec, marks, path)
                self._required[name] = bool(marks)
            else:
                self._schemas[name] = self.build_object(spec, path)
                self._required[name] = False

    def build_object(self, spec: dict[str, Any], path: str) -> dict[str, Any]:
        """The schema of a nested mapping of fields (and of the spec itself)."""
        props: dict[str, dict[str, Any]] = {}
        required: list[str] = []
        for raw, field_spec in spec.items():
            name = _key(raw, path)
            field_path = join_path(path, name)
            if isinstance(field_spec, str):
                props[name] = self._field_from_string(name, field_spec, required, field_path)
            elif isinstance(field_spec, dict):
                props[name] = self.build_object(field_spec, field_path)
            else:
                raise SchemaError(describe_bad_spec(field_spec), path=field_path)
        schema: dict[str, Any] = {"type": "object"}
        if props:
            schema["properties"] = props
        if required:
            schema["required"] = sorted(required)
        # `default: {}` on an object with required fields would itself be
        # invalid, so kro adds it only when nothing inside is required.
        elif any("default" in p for p in props.values()):
            schema["default"] = {}
        return schema

    def _field_from_string(self, name: str, text: str, parent_required: list[str], path: str) -> dict[str, Any]:
        try:
            field = parse_field(text)
            schema = field.type.schema(self)
            if isinstance(field.type, Custom) and self._required.get(field.type.name) and name not in parent_required:
                parent_required.append(name)
            apply_markers(schema, field.markers, name, parent_required)
        except SchemaError as exc:
            raise exc.located(path=path)
        return schema


def _unknown_type(name: str) -> SchemaError:
    hint = _TYPE_HINTS.get(name)
    if hint:
        return SchemaError(f'unknown type "{name}"; write {hint}')
    return SchemaError(
        f'unknown type "{name}"; use string, integer, boolean, float, object, []T, map[string]T '
        "or a type defined under schema.types"
    )


def _key(raw: Any, path: str) -> str:
    """A field name as kro sees it (YAML booleans and numbers become their JSON text)."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int):
        return str(raw)
    raise SchemaError(f"field names must be strings, got {type(raw).__name__} {raw!r}; quote the name", path=path)


def _find_cycle(deps: dict[str, list[str]]) -> list[str] | None:
    """A dependency cycle as ``[a, b, ..., a]``, found deterministically, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in deps.get(node, ()):
            if state.get(dep) == 1:
                return stack[stack.index(dep) :] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in deps:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _topological_order(deps: dict[str, list[str]]) -> list[str]:
    """Dependencies first; ties broken by name, as kro's DAG does when all orders are equal."""
    remaining = {name: len(needed) for name, needed in deps.items()}
    dependents: dict[str, list[str]] = {}
    for name, needed in deps.items():
        for dep in needed:
            dependents.setdefault(dep, []).append(name)
    ready = [name for name, count in remaining.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        name = heapq.heappop(ready)
        order.append(name)
        for dependent in dependents.get(name, ()):
            remaining[dependent] -= 1
            if remaining[dependent] == 0:
                heapq.heappush(ready, dependent)
    return order


def _canonical(schema: dict[str, Any]) -> dict[str, Any]:
    """Sort schema keys and properties recursively; values of default/enum stay as written."""
    out: dict[str, Any] = {}
    for key in sorted(schema):
        value = schema[key]
        if key == "properties":
            value = {name: _canonical(value[name]) for name in sorted(value)}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            value = _canonical(value)
        elif key == "x-kubernetes-validations":
            value = [{k: rule[k] for k in sorted(rule)} for rule in value]
        out[key] = value
    return out
