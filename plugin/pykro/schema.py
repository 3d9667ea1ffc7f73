"""Schema classes: the typed spec and status of a graph's custom resource.

A platform engineer writes::

    class WebAppSpec(Spec):
        name: str
        replicas: Annotated[int, field(minimum=1, maximum=20)] = 2

and pykro derives from the annotations both kro's SimpleSchema (what goes in
the RGD) and, through :func:`pykro.simpleschema.to_openapi`, the OpenAPI
schema that instance values are validated against. The same class gives the
graph builder typed references: ``schema.spec.replicas`` is known to be an
``int``, so a typo is an error at build time and an ``int`` used inside a
string template is converted explicitly, as kro requires.

Mapping of Python types to SimpleSchema (kro's own names; an ``int`` is
``integer``, never ``float``):

=========================  ===============================================
``str``                    ``string``
``int``                    ``integer``
``bool``                   ``boolean``
``float``                  ``float`` (OpenAPI ``number``)
``list[T]``                ``[]T``
``dict[str, T]``           ``map[string]T``
``dict`` / ``Any``         ``object`` (schemaless)
``Literal["a", "b"]``      ``string | enum="a,b"``
``Optional[T]``            ``T``, not required
a ``Spec`` subclass        a nested mapping; inside ``list``/``dict`` a
                           custom type under ``schema.types``
=========================  ===============================================

A field without a default (and not ``Optional``) is ``required=true``.
"""

from __future__ import annotations

import json
import re
import sys
import types as _pytypes
import typing
from dataclasses import dataclass
from typing import Any, Iterator, Literal, Union, get_args, get_origin

from .errors import SchemaError
from .refs import Ref

__all__ = ["Spec", "Status", "field", "FieldInfo", "SchemaProxy", "SCHEMA"]

_MISSING: Any = object()


@dataclass(frozen=True)
class FieldInfo:
    """SimpleSchema markers for one field; created with :func:`field`."""

    minimum: int | float | None = None
    maximum: int | float | None = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool | None = None
    enum: tuple[str | int, ...] | None = None
    description: str | None = None
    immutable: bool | None = None
    validation: str | None = None
    list_type: str | None = None
    list_map_key: str | None = None
    required: bool | None = None


def field(
    *,
    minimum: int | float | None = None,
    maximum: int | float | None = None,
    pattern: str | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    min_items: int | None = None,
    max_items: int | None = None,
    unique_items: bool | None = None,
    enum: "tuple[str | int, ...] | list[str | int] | None" = None,
    description: str | None = None,
    immutable: bool | None = None,
    validation: str | None = None,
    list_type: str | None = None,
    list_map_key: str | None = None,
    required: bool | None = None,
) -> FieldInfo:
    """Markers for a field, used as ``Annotated[int, field(minimum=1)]``.

    ``validation`` is a CEL rule on the field (``self`` is the value);
    ``immutable`` adds kro's ``self == oldSelf`` rule; ``required`` overrides
    the default rule (required unless defaulted or Optional).
    """
    return FieldInfo(
        minimum=minimum,
        maximum=maximum,
        pattern=pattern,
        min_length=min_length,
        max_length=max_length,
        min_items=min_items,
        max_items=max_items,
        unique_items=unique_items,
        enum=tuple(enum) if enum is not None else None,
        description=description,
        immutable=immutable,
        validation=validation,
        list_type=list_type,
        list_map_key=list_map_key,
        required=required,
    )


# -- the type model ------------------------------------------------------------


@dataclass(frozen=True)
class _Type:
    """A field type: ``kind`` is a SimpleSchema atom, "list", "map" or "struct"."""

    kind: str
    item: "_Type | None" = None
    struct: "type[Spec] | None" = None
    enum: tuple[str | int, ...] | None = None

    @property
    def cel_type(self) -> str:
        return {
            "string": "string",
            "integer": "int",
            "boolean": "bool",
            "float": "double",
            "object": "dyn",
            "list": "list",
            "map": "map",
            "struct": "map",
        }[self.kind]


@dataclass(frozen=True)
class _Field:
    name: str
    type: _Type
    required: bool
    default: Any
    info: FieldInfo


_ATOMS: dict[Any, str] = {str: "string", int: "integer", bool: "boolean", float: "float"}


def _classify(annotation: Any, where: str) -> tuple[_Type, FieldInfo | None, bool]:
    """(type, markers, optional) of an annotation."""
    info: FieldInfo | None = None
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        base, *extras = get_args(annotation)
        infos = [e for e in extras if isinstance(e, FieldInfo)]
        if len(infos) > 1:
            raise SchemaError("more than one field(...) in Annotated", path=where)
        info = infos[0] if infos else None
        t, inner_info, optional = _classify(base, where)
        if inner_info is not None and info is not None:
            raise SchemaError("field(...) given at two levels", path=where)
        return t, info or inner_info, optional
    if origin in (Union, _pytypes.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) != 1 or len(get_args(annotation)) != 2:
            raise SchemaError(
                f"union {annotation!r} has no SimpleSchema equivalent; only Optional[T] is supported", path=where
            )
        t, info, _ = _classify(args[0], where)
        return t, info, True
    if annotation in _ATOMS:
        return _Type(_ATOMS[annotation]), None, False
    if annotation is Any or annotation is dict or annotation is object:
        return _Type("object"), None, False
    if origin is Literal:
        values = get_args(annotation)
        if all(isinstance(v, str) for v in values):
            return _Type("string", enum=values), None, False
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return _Type("integer", enum=values), None, False
        raise SchemaError("Literal[...] values must be all strings or all integers (kro enums)", path=where)
    if origin is list:
        item = (get_args(annotation) or (Any,))[0]
        t, _, _ = _classify(item, where + "[]")
        return _Type("list", item=t), None, False
    if origin is dict:
        key_value = get_args(annotation)
        if key_value and key_value[0] is not str:
            raise SchemaError(
                f"map keys must be str (kro supports map[string]T only), got {key_value[0]!r}", path=where
            )
        item = key_value[1] if key_value else Any
        t, _, _ = _classify(item, where + "{}")
        return _Type("map", item=t), None, False
    if isinstance(annotation, type) and issubclass(annotation, Spec):
        return _Type("struct", struct=annotation), None, False
    raise SchemaError(
        f"type {annotation!r} has no SimpleSchema equivalent",
        path=where,
        hint="use str, int, bool, float, list[T], dict[str, T], Literal[...], Optional[T] or a Spec subclass",
    )


class Spec:
    """Base class of a graph's spec, and of nested objects within it.

    Subclass it with annotated fields. Defaults are plain class attributes.
    """

    _pykro_cache = None  # not annotated: get_type_hints would read it as a field

    @classmethod
    def _pykro_fields(cls) -> tuple[_Field, ...]:
        cached: tuple[_Field, ...] | None = cls.__dict__.get("_pykro_cache")
        if cached is not None:
            return cached
        module = sys.modules.get(cls.__module__)
        try:
            hints = typing.get_type_hints(
                cls, globalns=getattr(module, "__dict__", None), include_extras=True
            )
        except Exception as exc:  # a NameError from a forward reference, typically
            raise SchemaError(f"cannot read the annotations of {cls.__name__}: {exc}") from exc
        fields = []
        for name, annotation in hints.items():
            if name.startswith("_") or get_origin(annotation) is typing.ClassVar:
                continue
            t, info, optional = _classify(annotation, name)
            default = getattr(cls, name, _MISSING)
            if default is None and optional:
                default = _MISSING  # `x: Optional[T] = None`: simply not required, no default
            info = info or FieldInfo()
            if t.enum is not None and info.enum is None:
                info = FieldInfo(**{**info.__dict__, "enum": t.enum})
            required = info.required if info.required is not None else (default is _MISSING and not optional)
            if default is not _MISSING:
                _check_default(cls, name, t, default)
            fields.append(_Field(name, t, required, default, info))
        result = tuple(fields)
        cls._pykro_cache = result
        return result

    @classmethod
    def _pykro_field(cls, name: str) -> _Field:
        for f in cls._pykro_fields():
            if f.name == name:
                return f
        known = ", ".join(f.name for f in cls._pykro_fields()) or "none"
        raise SchemaError(f"{cls.__name__} has no field {name!r} (fields: {known})")


class Status(Spec):
    """Base class of a graph's status: the fields the status builder must fill."""


def _check_default(cls: type, name: str, t: _Type, default: Any) -> None:
    ok = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "object": lambda v: isinstance(v, dict),
        "list": lambda v: isinstance(v, (list, tuple)),
        "map": lambda v: isinstance(v, dict),
        "struct": lambda v: isinstance(v, dict),
    }[t.kind](default)
    if not ok:
        raise SchemaError(
            f"default {default!r} of {cls.__name__}.{name} is not a {t.kind}", path=name
        )
    if t.enum is not None and default not in t.enum:
        raise SchemaError(f"default {default!r} of {cls.__name__}.{name} is not one of {list(t.enum)}", path=name)


# -- SimpleSchema ----------------------------------------------------------------


_PLAIN_MARKER = re.compile(r"[A-Za-z0-9_.:/@+^$*?()-]+\Z")


def _quote_marker(text: str) -> str:
    """A double-quoted marker value: kro's parser drops the backslash before ``"`` and ``\\`` only."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _marker_value(value: Any) -> str:
    """A marker value as kro's marker parser reads it back exactly (quoted unless plainly safe)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    return text if _PLAIN_MARKER.match(text) else _quote_marker(text)


def _default_text(t: _Type, value: Any) -> str:
    if t.kind == "string":
        # kro unquotes a marker value (dropping the backslash before " and \\),
        # then reads a string default as the inside of a JSON string: encode twice.
        return _quote_marker(json.dumps(value, ensure_ascii=False)[1:-1])
    if t.kind in ("integer", "boolean", "float"):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _type_text(t: _Type, types: dict[str, Any], where: str) -> str:
    if t.kind == "list":
        assert t.item is not None
        return "[]" + _type_text(t.item, types, where)
    if t.kind == "map":
        assert t.item is not None
        return "map[string]" + _type_text(t.item, types, where)
    if t.kind == "struct":
        assert t.struct is not None
        name = t.struct.__name__
        existing = types.get(name)
        body = _struct_schema(t.struct, types, where)
        if existing is not None and existing != body:
            raise SchemaError(f"two different classes named {name} used as custom types", path=where)
        types[name] = body
        return name
    return t.kind


def _field_text(f: _Field, types: dict[str, Any], where: str) -> str:
    text = _type_text(f.type, types, where)
    info = f.info
    markers: list[str] = []
    if f.required:
        markers.append("required=true")
    if f.default is not _MISSING:
        markers.append("default=" + _default_text(f.type, f.default))
    if info.description is not None:
        markers.append("description=" + _marker_value(info.description))
    for key, value in (
        ("minimum", info.minimum),
        ("maximum", info.maximum),
        ("pattern", info.pattern),
        ("minLength", info.min_length),
        ("maxLength", info.max_length),
        ("minItems", info.min_items),
        ("maxItems", info.max_items),
        ("uniqueItems", info.unique_items),
        ("listType", info.list_type),
        ("listMapKey", info.list_map_key),
    ):
        if value is not None:
            markers.append(f"{key}={_marker_value(value)}")
    if info.enum is not None:
        markers.append("enum=" + _quote_marker(",".join(str(v) for v in info.enum)))
    if info.immutable:
        markers.append("immutable=true")
    if info.validation is not None:
        markers.append("validation=" + _quote_marker(info.validation))
    return f"{text} | {' '.join(markers)}" if markers else text


def _struct_schema(cls: type[Spec], types: dict[str, Any], where: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in cls._pykro_fields():
        path = f"{where}.{f.name}" if where else f.name
        if f.type.kind == "struct" and f.default is _MISSING:
            assert f.type.struct is not None
            if f.info != FieldInfo(required=f.info.required) and f.info != FieldInfo():
                raise SchemaError("markers on a nested object are not expressible in SimpleSchema", path=path)
            out[f.name] = _struct_schema(f.type.struct, types, path)
        else:
            out[f.name] = _field_text(f, types, path)
    return out


def to_simpleschema(cls: type[Spec]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(spec, types) SimpleSchema mappings of a Spec class, as they go in an RGD."""
    types: dict[str, Any] = {}
    spec = _struct_schema(cls, types)
    return spec, dict(sorted(types.items()))


# -- references into the schema ---------------------------------------------------


class _SchemaRoot:
    """The ``schema`` identifier of kro's CEL scope."""

    def _pykro_name(self) -> str:
        return "schema"

    def __repr__(self) -> str:
        return "schema"


SCHEMA = _SchemaRoot()

_METADATA_TYPES = {
    "name": "string",
    "namespace": "string",
    "uid": "string",
    "generateName": "string",
    "labels": "map",
    "annotations": "map",
    "resourceVersion": "string",
    "selfLink": "string",
    "generation": "int",
    "deletionGracePeriodSeconds": "int",
    "finalizers": "list",
    "ownerReferences": "list",
    "managedFields": "list",
}
# kro types ``schema.metadata`` as Kubernetes' ObjectMeta (pkg/graph/schema ObjectMetaSchema, v0.9):
# these fields and no others.
_METADATA_FIELDS = frozenset(_METADATA_TYPES) | {"creationTimestamp", "deletionTimestamp"}


def _typed_child(t: _Type | None) -> Any:
    def child(parent: Ref, key: str | int) -> Ref:
        if t is None or t.kind == "object":
            return Ref(parent._root, parent._path + (key,))
        if t.kind == "struct":
            assert t.struct is not None
            if not isinstance(key, str):
                raise SchemaError(f"{t.struct.__name__} is an object; index it by field name", path=_dotted(parent))
            try:
                f = t.struct._pykro_field(key)
            except SchemaError as exc:
                raise exc.located(path=_dotted(parent)) from None
            return Ref(parent._root, parent._path + (key,), f.type.cel_type, _typed_child(f.type))
        if t.kind == "list":
            if not isinstance(key, int):
                raise SchemaError(f"a list is indexed by int, not {key!r}", path=_dotted(parent))
            assert t.item is not None
            return Ref(parent._root, parent._path + (key,), t.item.cel_type, _typed_child(t.item))
        if t.kind == "map":
            assert t.item is not None
            return Ref(parent._root, parent._path + (key,), t.item.cel_type, _typed_child(t.item))
        raise SchemaError(f"a {t.kind} has no field {key!r}", path=_dotted(parent))

    return child


def _dotted(ref: Ref) -> str:
    return "schema." + ".".join(str(p) for p in ref._path)


class SchemaProxy:
    """The ``schema`` object handed to a resource builder.

    ``spec`` fields are typed by the Spec class. ``overrides`` serves graph
    composition: a graph included into another sees the including graph's
    expressions (or literals) in place of its own ``schema.spec`` fields.
    """

    def __init__(self, spec_cls: type[Spec], overrides: dict[str, Any] | None = None) -> None:
        self._spec_cls = spec_cls
        self._overrides = overrides
        root_type = _Type("struct", struct=spec_cls)
        spec_child = _typed_child(root_type)
        if overrides is not None:
            spec_child = self._override_child(spec_child)
        self.spec = Ref(SCHEMA, ("spec",), "map", spec_child)
        self.metadata = Ref(SCHEMA, ("metadata",), "map", _metadata_child)

    def _override_child(self, typed: Any) -> Any:
        overrides = self._overrides or {}

        def child(parent: Ref, key: str | int) -> Any:
            typed(parent, key)  # validates the name against the included graph's Spec
            f = self._spec_cls._pykro_field(str(key))
            # Concrete values come back as themselves, so the included graph's
            # f-strings and fields see "web", not an expression about it.
            if key in overrides:
                return overrides[key]
            if f.default is not _MISSING:
                return f.default
            raise SchemaError(
                f"the included graph needs spec.{key} and it was not given", path=f"spec.{key}"
            )

        return child

    def __repr__(self) -> str:
        return f"<schema of {self._spec_cls.__name__}>"


def _metadata_child(parent: Ref, key: str | int) -> Ref:
    if key not in _METADATA_FIELDS:
        raise SchemaError(
            f"schema.metadata has no field {key!r} (the instance's ObjectMeta: {', '.join(sorted(_METADATA_FIELDS))})"
        )
    return Ref(parent._root, parent._path + (key,), _METADATA_TYPES.get(str(key), "dyn"))


def iter_fields(cls: type[Spec]) -> Iterator[_Field]:
    return iter(cls._pykro_fields())
