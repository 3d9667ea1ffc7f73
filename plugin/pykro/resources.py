"""Resource: one node of a graph, as a factory returns it.

A resource is a manifest template (plain data with references and
expressions in it) plus kro's per-resource options. Its id is not known
here: it is the key the builder returns it under, assigned by the graph.

Attribute access reads the resource's own fields as references:
``app.metadata.name``, ``app.spec.replicas``, ``svc.status.loadBalancer``.
Everything the class itself needs is ``_``-prefixed so that no Kubernetes
field name is shadowed.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Iterable, Sequence

from .errors import GraphError, PykroError, ReferenceUsageError
from .refs import Expr, Ref

__all__ = ["Resource", "ForEachVar", "for_each", "ready_conditions"]

# Frames of pykro's own package are skipped to find where a resource was written.
_PKG_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep

_METADATA_TYPES = {"name": "string", "namespace": "string", "uid": "string", "generateName": "string"}


def _metadata_child(parent: Ref, key: str | int) -> Ref:
    kind = _METADATA_TYPES.get(str(key), "dyn") if len(parent._path) == 1 else "dyn"
    return Ref(parent._root, parent._path + (key,), kind, _metadata_child)


ReadyWhen = Expr | Callable[[Any], Any] | Sequence[Expr | Callable[[Any], Any]]


class _FieldReads:
    """``x.metadata``, ``x.spec``, ``x["field"]``: references rooted at :meth:`_ref_root`.

    Shared by a resource (references name its id) and kro's ``each`` in a
    collection's readyWhen (references name the current item).
    """

    __slots__ = ()

    def _ref_root(self) -> Any:
        raise NotImplementedError

    @property
    def metadata(self) -> Ref:
        return Ref(self._ref_root(), ("metadata",), "map", _metadata_child)

    def __getattr__(self, name: str) -> Ref:
        if name.startswith("_"):
            raise AttributeError(name)
        return Ref(self._ref_root(), (name,))

    def __getitem__(self, name: str) -> Ref:
        return Ref(self._ref_root(), (name,))


class Resource(_FieldReads):
    """A resource template with kro's options (``ready_when``, ``include_when``...)."""

    __slots__ = (
        "_template",
        "_external",
        "_ready_when",
        "_include_when",
        "_depends_on",
        "_for_each",
        "_source",
        "_origin",
        "_id",
    )
    # Declared so that type checkers see them, not the field proxy of __getattr__.
    _template: dict[str, Any]
    _external: bool
    _ready_when: tuple[Any, ...]
    _include_when: tuple[Any, ...]
    _depends_on: "tuple[Resource, ...]"
    _for_each: "tuple[tuple[ForEachVar, Any], ...]"
    _source: str | None
    _origin: tuple[str, int] | None  # (file, line) of the factory call in the user's code
    _id: str | None

    def __init__(
        self,
        template: dict[str, Any],
        *,
        external: bool = False,
        ready_when: Any = None,
        include_when: Any = None,
        depends_on: "Resource | Iterable[Resource] | None" = None,
        source: str | None = None,
    ) -> None:
        if not isinstance(template, dict):
            raise GraphError(f"a resource template is a mapping, got {type(template).__name__}")
        object.__setattr__(self, "_template", template)
        object.__setattr__(self, "_external", external)
        object.__setattr__(self, "_for_each", ())
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_origin", _origin())
        object.__setattr__(self, "_id", None)
        object.__setattr__(self, "_include_when", _as_list(include_when))
        if isinstance(depends_on, Resource):
            depends_on = [depends_on]
        deps = tuple(depends_on or ())
        for d in deps:
            if not isinstance(d, Resource):
                raise GraphError(f"depends_on takes resources, got {type(d).__name__}")
        object.__setattr__(self, "_depends_on", deps)
        # Functions are called when the graph is built (ready_conditions): on a
        # collection they see kro's `each`, the current item, not the resource.
        object.__setattr__(self, "_ready_when", _as_list(ready_when))

    # -- references -----------------------------------------------------------
    def _ref_root(self) -> Any:
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise ReferenceUsageError(
            f"cannot set {name!r} on a resource", hint="pass it to the factory, or build the template dict yourself"
        )

    def __bool__(self) -> bool:
        return True

    # -- facts ------------------------------------------------------------------
    @property
    def _api_version(self) -> Any:
        return self._template.get("apiVersion")

    @property
    def _kind(self) -> Any:
        return self._template.get("kind")

    def _pykro_name(self) -> str:
        if self._id is not None:
            return self._id
        return f"<{self._kind} not in a graph>"

    def __repr__(self) -> str:
        return f"<Resource {self._api_version}/{self._kind} id={self._id}>"

    def _locate(self, exc: PykroError) -> PykroError:
        """``exc`` located where this resource was written: its YAML file, or the factory call's line."""
        if self._source is not None:
            return exc.located(file=self._source)
        if self._origin is not None and exc.file in (None, self._origin[0]):
            return exc.located(file=self._origin[0], line=self._origin[1])
        return exc


def _origin() -> tuple[str, int] | None:
    """(file, line) of the innermost frame outside pykro: where the user called the factory.

    A few attribute reads per frame, once per resource; errors found later,
    when the graph is built, name this line instead of the whole graph's.
    """
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith(_PKG_DIR):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return None
    return frame.f_code.co_filename, frame.f_lineno


def _as_list(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def ready_conditions(res: "Resource") -> tuple[Any, ...]:
    """``res``'s readyWhen entries, each function called with what kro gives it.

    A plain resource's readyWhen sees the resource (its own id); a
    collection's sees only ``each``, the current item (kro rejects the
    collection's id there, which is a list).
    """
    subject: Any = _EachItem() if res._for_each else res
    return tuple(e(subject) if callable(e) and not isinstance(e, Expr) else e for e in res._ready_when)


class ForEachVar:
    """A kro ``forEach`` iterator variable (``${item}`` in the template)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def _pykro_name(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<forEach variable {self.name}>"


def for_each(iterables: dict[str, Any], build: Callable[..., Resource]) -> Resource:
    """A collection resource: one copy of ``build(...)`` per element.

    ``for_each({"region": schema.spec.regions}, lambda region: simple.ConfigMap(
    name=f"cfg-{region}", data={"region": region}))``: ``build`` receives one
    reference per iterator, named as the keys; kro expands the collection in
    the cluster, and direct mode expands it at render time. kro requires every
    iterator to appear in ``metadata.name`` (or the namespace) so that the
    copies have distinct names; the graph checks it.
    """
    if not iterables:
        raise GraphError("for_each needs at least one iterator")
    variables = {}
    for name, source in iterables.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise GraphError(f"forEach iterator name {name!r} is not an identifier")
        variables[name] = ForEachVar(name)
    # An iterator over a typed list (schema.spec.regions: list[str]) is typed
    # like its elements, so f"{region}" needs no string() conversion.
    refs = {name: Ref(var, (), _element_type(iterables[name])) for name, var in variables.items()}
    resource = build(**refs)
    if not isinstance(resource, Resource):
        raise GraphError(f"for_each's build function must return a resource, got {type(resource).__name__}")
    if resource._external:
        raise GraphError("an external reference cannot have forEach")
    object.__setattr__(
        resource, "_for_each", tuple((variables[name], source) for name, source in iterables.items())
    )
    return resource



def _element_type(source: Any) -> str:
    if isinstance(source, Ref) and source._cel_type == "list" and source._child is not None:
        try:
            return source[0]._cel_type
        except Exception:  # noqa: BLE001 - an untyped source simply gives an untyped iterator
            return "dyn"
    return "dyn"


EACH = ForEachVar("each")


class _EachItem(_FieldReads):
    """kro's ``each`` in a collection's readyWhen: reads like the resource, written ``each.``."""

    __slots__ = ()

    def _ref_root(self) -> Any:
        return EACH

    def __repr__(self) -> str:
        return "<each: the current item of a collection>"
