"""Building a graph from what a resource builder returned.

The steps, in order (each names the field of any error it raises):

1. **Ids**: the builder's keys, by kro's rules (:mod:`.ids`); each resource
   object gets its id, so references to it can be written.
2. **Templates**: every value is resolved to plain data with :class:`Field`
   leaves: expressions from operators, f-string placeholders, ``Cel``
   helpers, and kro ``${...}`` text written by hand or read from YAML.
3. **Expressions**: each expression's references are read from its text
   (:func:`pykro.celengine.references`, a lexer, no CEL engine); identifiers
   must be in scope (``schema``, resource ids, forEach iterators; only its own
   id in ``readyWhen``); hand-written CEL is syntax-checked with celpy.
4. **kro's rules**: object structure, namespaces and scopes, kro-owned
   labels, ``includeWhen``/``readyWhen`` types, template part types, status.
5. **Dependencies**: from the references and ``depends_on``; a cycle raises
   :class:`~pykro.errors.CycleError`.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from ..errors import CelError, GraphError, PykroError, SchemaError
from ..refs import Expr, Literal, Placeholders, Raw, Ref, Template, cel_literal, check_operand_types
from ..resources import ForEachVar, Resource, ready_conditions
from ..schema import SCHEMA, Spec, Status, _Type
from . import template as _template
from .dag import topological_order
from .ids import RESERVED, check_id
from .model import CelExpr, Field, Graph, Node

__all__ = ["build", "CLUSTER_SCOPED_KINDS", "field_path"]

_VERSION = re.compile(r"v\d+(?:(?:alpha|beta)\d+)?\Z")
_KIND = re.compile(r"[A-Z][a-zA-Z0-9]{0,62}\Z")
_KRO_PREFIXES = ("kro.run/", "internal.kro.run/")
_RESERVED_STATUS = frozenset({"conditions", "state"})
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# Core kinds that are cluster-scoped (kro looks the scope up in the cluster;
# we know these offline). Anything else is taken as namespaced.
CLUSTER_SCOPED_KINDS = frozenset(
    """
    Namespace Node PersistentVolume ClusterRole ClusterRoleBinding StorageClass CSIDriver CSINode
    CustomResourceDefinition PriorityClass IngressClass RuntimeClass APIService
    ValidatingWebhookConfiguration MutatingWebhookConfiguration ValidatingAdmissionPolicy
    ValidatingAdmissionPolicyBinding MutatingAdmissionPolicy MutatingAdmissionPolicyBinding
    VolumeAttachment CertificateSigningRequest FlowSchema PriorityLevelConfiguration
    ResourceGraphDefinition ClusterIssuer
    """.split()
)


def field_path(parts: tuple[str | int, ...]) -> str:
    """kro's way of writing a field path: ``spec.containers[0].image``, ``labels["a.b"]``."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif _IDENT.match(p):
            out += f".{p}" if out else p
        else:
            out += f'["{p}"]'
    return out


class _Scope:
    """What expressions may name, and how references are written."""

    def __init__(
        self, ids: dict[int, str], placeholders: Placeholders, spec_type: Callable[[tuple[str, ...]], str]
    ) -> None:
        self.ids = ids  # id(resource object) -> resource id
        self.placeholders = placeholders
        self.spec_type = spec_type
        self.names = frozenset(ids.values())
        self.collections: frozenset[str] = frozenset()  # ids of forEach resources: lists in kro's CEL

    def name_of(self, root: object) -> str:
        if root is SCHEMA:
            return "schema"
        if isinstance(root, Resource):
            rid = self.ids.get(id(root))
            if rid is None:
                raise GraphError(
                    f"an expression references a {root._kind} that is not in the graph",
                    hint="return every resource you reference from the builder, under its id",
                )
            return rid
        if isinstance(root, ForEachVar):
            return root.name
        raise GraphError(f"an expression references {root!r}, which is not a graph object")


def _references(text: str) -> tuple[tuple[str, ...], ...]:
    from ..celengine import references

    return references(text)


def _check_syntax(text: str) -> None:
    """Syntax, and that every function called is one kro has (memoized per expression)."""
    from ..celengine import check_kro

    check_kro(text)


def _contains_raw(expr: Expr) -> bool:
    """Whether hand-written CEL is inside (only that needs a syntax check)."""
    return isinstance(expr, Raw) or any(_contains_raw(child) for child in expr._children())


_OPENAPI_CEL = {"string": "string", "integer": "int", "boolean": "bool", "number": "double", "array": "list"}


def _openapi_types(spec_schema: dict[str, Any], types: dict[str, Any]) -> Callable[[tuple[str, ...]], str]:
    """Static CEL types of ``schema.spec`` paths for a SimpleSchema mapping."""
    from ..simpleschema import to_openapi

    root = to_openapi(spec_schema, types or None)

    def lookup(path: tuple[str, ...]) -> str:
        node: Any = root
        for part in path:
            if not isinstance(node, dict):
                return "dyn"
            if node.get("type") == "array":
                node = node.get("items")
            elif "properties" in node:
                node = node["properties"].get(part)
            elif isinstance(node.get("additionalProperties"), dict):
                node = node["additionalProperties"]
            else:
                return "dyn"
        if not isinstance(node, dict):
            return "dyn"
        return _OPENAPI_CEL.get(node.get("type", ""), "map" if node.get("type") == "object" else "dyn")

    return lookup


def _spec_type(spec_cls: type[Spec], path: tuple[str, ...]) -> str:
    """Static CEL type of ``schema.spec.<path>``, "dyn" when unknown."""
    t: _Type | None = _Type("struct", struct=spec_cls)
    for part in path:
        if t is None:
            return "dyn"
        if t.kind == "struct":
            assert t.struct is not None
            match = [f for f in t.struct._pykro_fields() if f.name == part]
            if not match:
                return "dyn"
            t = match[0].type
        elif t.kind in ("list", "map"):
            t = t.item
        else:
            return "dyn"
    return t.cel_type if t is not None else "dyn"


class _Resolver:
    def __init__(self, scope: _Scope) -> None:
        self.scope = scope
        # Off in readyWhen, whose scope check names the one identifier allowed there.
        self.collection_check = True

    def cel(self, expr: Expr) -> CelExpr:
        text = expr._cel(self.scope.name_of)
        check_operand_types(expr, text)
        if _contains_raw(expr):
            _check_syntax(text)
        refs = _references(text)
        self.no_collection_fields(refs, text)
        return CelExpr(text, refs, expr._cel_type)

    def no_collection_fields(self, refs: tuple[tuple[str, ...], ...], text: str) -> None:
        """A collection's id is a list in kro's CEL: ``cfgs.metadata`` does not type-check, ``cfgs[0]...`` does."""
        for ref in refs if self.collection_check else ():
            if len(ref) > 1 and ref[0] in self.scope.collections and not ref[1].isdigit():
                rid, rest = ref[0], ".".join(ref[1:])
                raise CelError(
                    f"{rid!r} is a collection (forEach), a list in kro's CEL: {rid}.{ref[1]} selects a field of the list",
                    expression=text,
                    hint=f"write {rid}.map(x, x.{rest}), {rid}[0].{rest} or size({rid})",
                )

    def raw(self, text: str) -> CelExpr:
        _check_syntax(text)
        refs = _references(text)
        self.no_collection_fields(refs, text)
        etype = "dyn"
        stripped = text.strip()
        if refs and len(refs) == 1 and refs[0][:2] == ("schema", "spec") and _is_plain_path(stripped):
            etype = self.scope.spec_type(refs[0][2:])
        return CelExpr(text, refs, etype)

    def string(self, value: str, path: str) -> Field | str:
        pieces = self.scope.placeholders.split(value)
        parts: list[str | CelExpr] = []
        generated: set[int] = set()  # indices of expressions pykro wrote (f-strings): may be converted
        for piece in pieces if pieces is not None else (value,):
            if isinstance(piece, Expr):
                generated.add(len(parts))
                parts.append(self.cel(piece))
                continue
            split = _template.split(piece)
            if split is None:
                if piece:
                    parts.append(piece)
                continue
            for text, is_expr in split:
                parts.append(self.raw(text) if is_expr else text)
        if not any(isinstance(p, CelExpr) for p in parts):
            return value
        if len(parts) == 1:
            only = parts[0]
            assert isinstance(only, CelExpr)
            if 0 in generated and only.type != "string":
                # f"{replicas}" is a str in Python: keep it a string in YAML too.
                only = CelExpr(f"string({only.text})", only.refs, "string")
            return Field((only,), standalone=True)
        fixed: list[str | CelExpr] = []
        for i, p in enumerate(parts):
            if isinstance(p, CelExpr) and p.type != "string" and (i in generated or p.type != "dyn"):
                if i in generated:
                    p = CelExpr(f"string({p.text})", p.refs, "string")
                else:
                    raise CelError(
                        f"a string template's parts must be strings; this one is {p.type}",
                        path=path,
                        expression=p.text,
                        hint=f"write ${{string({p.text})}}",
                    )
            fixed.append(p)
        return Field(tuple(fixed), standalone=False)

    def template(self, value: Template) -> Field:
        """A ``Cel.template``/``Cel.concat`` in a field: a kro string template, not one CEL expression."""
        parts: list[str | CelExpr] = []
        for p in value.parts:
            if isinstance(p, str):
                parts.append(p)
            else:
                expr = self.cel(p)
                if expr.type != "string":
                    expr = CelExpr(f"string({expr.text})", expr.refs, "string")
                parts.append(expr)
        if len(parts) == 1 and isinstance(parts[0], CelExpr):
            return Field((parts[0],), standalone=True)
        return Field(tuple(parts), standalone=False)

    def value(self, value: Any, path: tuple[str | int, ...]) -> Any:
        if isinstance(value, Template):
            try:
                return self.template(value)
            except PykroError as exc:
                raise exc.located(path=field_path(path)) from None
        if isinstance(value, Expr):
            try:
                return Field((self.cel(value),), standalone=True)
            except PykroError as exc:
                raise exc.located(path=field_path(path)) from None
        if isinstance(value, str):
            try:
                return self.string(value, field_path(path))
            except PykroError as exc:
                raise exc.located(path=field_path(path)) from None
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if isinstance(k, Expr) or (isinstance(k, str) and (self.scope.placeholders.split(k) or "${" in k)):
                    raise GraphError(
                        "a mapping key cannot hold an expression (kro evaluates values only)",
                        path=field_path(path),
                    )
                if not isinstance(k, str):
                    raise GraphError(f"mapping key {k!r} is not a string", path=field_path(path))
                out[k] = self.value(v, path + (k,))
            return out
        if isinstance(value, (list, tuple)):
            return [self.value(v, path + (i,)) for i, v in enumerate(value)]
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, Resource):
            raise GraphError(
                "a resource cannot be a field value", path=field_path(path), hint="reference one of its fields, e.g. x.metadata.name"
            )
        raise GraphError(f"{type(value).__name__} {value!r} cannot be written to YAML", path=field_path(path))

    def condition(self, value: Any, path: str) -> Field:
        """An includeWhen/readyWhen entry: one whole boolean expression."""
        if isinstance(value, bool):
            value_field = Field((CelExpr(cel_literal(value), (), "bool"),), standalone=True)
        else:
            self.collection_check = path != "readyWhen"
            try:
                resolved = self.value(value, (path,))
            finally:
                self.collection_check = True
            if not isinstance(resolved, Field) or not resolved.standalone:
                raise GraphError(f"{path} takes one whole expression, got {value!r}", path=path)
            value_field = resolved
        (expr,) = value_field.expressions
        if expr.type not in ("bool", "dyn"):
            raise CelError(f"{path} must be a bool expression, got {expr.type}", path=path, expression=expr.text)
        return value_field


def _is_plain_path(text: str) -> bool:
    from ..celengine import is_field_path

    return is_field_path(text)


def _walk_fields(value: Any, path: tuple[str | int, ...] = ()):  # type: ignore[no-untyped-def]
    if isinstance(value, Field):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _walk_fields(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk_fields(v, path + (i,))


def _parse_api_version(api_version: str) -> tuple[str, str]:
    if "/" in api_version:
        group, _, version = api_version.partition("/")
    else:
        group, version = "kro.run", api_version
    if not _VERSION.match(version):
        raise GraphError(
            f"version {version!r} is not a Kubernetes version (v1, v1alpha1, v2beta3...)", path="apiVersion"
        )
    if not group or not re.match(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z", group):
        raise GraphError(f"group {group!r} is not a DNS subdomain", path="apiVersion")
    return group, version


def build(
    definition: Mapping[str, Any],
    resources: Mapping[str, Any],
    status: Mapping[str, Any] | None,
    placeholders: Placeholders,
) -> Graph:
    """Validate and resolve a graph (see the module docstring for the steps)."""
    name = definition.get("name")
    if not isinstance(name, str) or not re.match(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?\Z", name):
        raise GraphError(f"graph name {name!r} must be a lowercase DNS name", path="name")
    kind = definition.get("kind")
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise GraphError(f"kind {kind!r} is not UpperCamelCase (^[A-Z][a-zA-Z0-9]{{0,62}}$)", path="kind")
    api_version = definition.get("apiVersion", "v1alpha1")
    if not isinstance(api_version, str):
        raise GraphError("apiVersion must be a string such as 'example.com/v1alpha1'", path="apiVersion")
    group, version = _parse_api_version(api_version)
    scope_name = definition.get("scope", "Namespaced")
    if scope_name not in ("Namespaced", "Cluster"):
        raise GraphError(f"scope {scope_name!r} must be Namespaced or Cluster", path="scope")
    spec_def = definition.get("spec")
    status_cls = definition.get("status")
    if status_cls is not None and not (isinstance(status_cls, type) and issubclass(status_cls, Status)):
        raise SchemaError("definition 'status' must be a Status subclass", path="status")
    spec_type: Callable[[tuple[str, ...]], str]
    if isinstance(spec_def, type) and issubclass(spec_def, Spec):
        from ..schema import to_simpleschema

        spec_schema, types = to_simpleschema(spec_def)
        spec_cls = spec_def
        spec_type = lambda path: _spec_type(spec_cls, path)  # noqa: E731
    elif isinstance(spec_def, Mapping):
        # A SimpleSchema mapping, as read from an RGD written in YAML.
        spec_schema = dict(spec_def)
        types = dict(definition.get("types") or {})
        spec_type = _openapi_types(spec_schema, types)
    else:
        raise SchemaError("definition 'spec' must be a Spec subclass", path="spec")

    if not isinstance(resources, Mapping):
        raise GraphError(f"the resource builder must return a dict of id -> resource, got {type(resources).__name__}")

    # 1. ids
    ids: dict[int, str] = {}
    for rid, res in resources.items():
        check_id(rid)
        if not isinstance(res, Resource):
            raise GraphError(
                f"{type(res).__name__} is not a resource; use a factory (simple.*, resource, yaml_file...)",
                path=f"resources[{rid}]",
            )
        if id(res) in ids:
            raise GraphError(
                f"the same resource is returned under two ids, {ids[id(res)]!r} and {rid!r}", path=f"resources[{rid}]"
            )
        ids[id(res)] = rid
        object.__setattr__(res, "_id", rid)
    scope = _Scope(ids, placeholders, spec_type)
    scope.collections = frozenset(rid for rid, res in resources.items() if res._for_each)
    resolver = _Resolver(scope)
    resource_ids = frozenset(resources)

    # 2-4. nodes
    nodes: list[Node] = []
    for rid, res in resources.items():
        try:
            nodes.append(_node(rid, res, resolver, resource_ids, scope_name))
        except PykroError as exc:
            raise res._locate(exc) from None

    # status
    status_fields = _status(status_cls, status, resolver, resource_ids)

    # 5. dependencies
    edges = {n.id: n.dependencies for n in nodes}
    order = topological_order([n.id for n in nodes], edges)

    columns = tuple(definition.get("printer_columns", ()) or ())
    for i, column in enumerate(columns):
        if not isinstance(column, Mapping) or not all(isinstance(k, str) for k in column):
            raise GraphError(
                "a printer column is a mapping (jsonPath, name, type...)", path=f"additionalPrinterColumns[{i}]"
            )
    annotations = definition.get("annotations") or {}
    if not isinstance(annotations, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in annotations.items()
    ):
        raise GraphError("annotations must map strings to strings", path="annotations")
    return Graph(
        name=name,
        group=group,
        version=version,
        kind=kind,
        scope=scope_name,
        spec_schema=spec_schema,
        types=types,
        status=status_fields,
        nodes=tuple(nodes),
        order=order,
        printer_columns=columns,
        annotations=tuple(sorted(annotations.items())),
    )


def _refuse_omit(conditions: tuple[Field, ...], where: str) -> None:
    from ..celengine.refs import calls_omit

    for i, f in enumerate(conditions):
        for expr in f.expressions:
            if calls_omit(expr.text):
                raise CelError(
                    f"omit() is only valid as the whole value of a template field; kro rejects it in {where}",
                    path=f"{where}[{i}]",
                    expression=expr.text,
                    hint=f"{where} takes a bool expression; to drop a field, write ${{cond ? value : omit()}} as its value",
                )


def _check_scope(fields: Any, allowed: frozenset[str], where: str, what: str) -> None:
    for path, f in _walk_fields(fields):
        for expr in f.expressions:
            for root in sorted(expr.roots - allowed):
                raise CelError(
                    f"unknown identifier {root!r} in {what}",
                    path=field_path((where,) + path) if path else where,
                    expression=expr.text,
                    hint="in scope: " + ", ".join(sorted(allowed)),
                )


def _node(rid: str, res: Resource, resolver: _Resolver, resource_ids: frozenset[str], scope_name: str) -> Node:
    where = f"resources[{rid}]"
    tmpl = res._template
    try:
        for key in ("apiVersion", "kind"):
            if not isinstance(tmpl.get(key), str) or not tmpl.get(key):
                raise GraphError(f"{key} must be a literal string", path=f"template.{key}")
        metadata = tmpl.get("metadata")
        if not isinstance(metadata, dict):
            raise GraphError("metadata must be a mapping", path="template.metadata")
        if "name" not in metadata:
            raise GraphError("metadata.name is required", path="template.metadata.name")
        for key in ("labels", "annotations"):
            for k in (metadata.get(key) or {}) if isinstance(metadata.get(key), dict) else ():
                if isinstance(k, str) and k.startswith(_KRO_PREFIXES):
                    prefix = next(p for p in _KRO_PREFIXES if k.startswith(p))
                    raise GraphError(f"{key} with prefix {prefix} are reserved for kro ({k!r})",
                                     path=f"template.metadata.{key}")  # fmt: skip
        kind = tmpl["kind"]
        if kind in CLUSTER_SCOPED_KINDS and "namespace" in metadata:
            raise GraphError(f"{kind} is cluster-scoped and must not set metadata.namespace", path="template.metadata.namespace")
        namespace = metadata.get("namespace")
        no_namespace = namespace is None or (isinstance(namespace, str) and not namespace)
        if scope_name == "Cluster" and kind not in CLUSTER_SCOPED_KINDS and no_namespace and not res._external:
            raise GraphError(
                f"{kind} is namespaced and must set metadata.namespace when the instance is cluster-scoped",
                path="template.metadata.namespace",
            )

        template = resolver.value(tmpl, ("template",))
        for_each = tuple(
            (var.name, _whole(resolver, source, f"forEach[{i}].{var.name}"))
            for i, (var, source) in enumerate(res._for_each)
        )
        iterators = frozenset(name for name, _ in for_each)
        for it in iterators:
            if it in RESERVED or it in resource_ids or not re.match(r"[a-z][a-zA-Z0-9]*\Z", it):
                raise GraphError(
                    f"forEach iterator {it!r} must be lowerCamelCase, not reserved, and not a resource id",
                    path="forEach",
                )
        include_when = tuple(resolver.condition(c, "includeWhen") for c in res._include_when)
        ready_when = tuple(resolver.condition(c, "readyWhen") for c in ready_conditions(res))
    except PykroError as exc:
        raise _prefix(exc, where).located(file=res._source) from None

    graph_scope = frozenset({"schema"}) | resource_ids
    try:
        _check_scope(template, graph_scope | iterators, "template", "a template")
        _check_scope(dict(for_each), graph_scope, "forEach", "forEach")
        _check_scope(list(include_when), graph_scope, "includeWhen", "includeWhen")
        if for_each:  # kro v0.9: a collection's readyWhen sees `each` (the current item), not its id (a list)
            _check_scope(list(ready_when), frozenset({"each"}), "readyWhen",
                         "a collection's readyWhen (only `each`, the current item, is in scope)")
        else:
            _check_scope(list(ready_when), frozenset({rid}), "readyWhen", "readyWhen (only the resource's own id is in scope)")
        _refuse_omit(include_when, "includeWhen")
        _refuse_omit(ready_when, "readyWhen")
    except PykroError as exc:
        raise _prefix(exc, where) from None

    # forEach iterators must make names distinct.
    if iterators:
        name_field = template["metadata"].get("name")
        ns_field = template["metadata"].get("namespace")
        used: set[str] = set()
        for f in (name_field, ns_field):
            if isinstance(f, Field):
                for e in f.expressions:
                    used |= e.roots
        missing = sorted(iterators - used)
        if missing:
            raise GraphError(
                f"forEach iterator {missing[0]!r} must appear in metadata.name or metadata.namespace, "
                "so that each copy has its own name",
                path=f"{where}.template.metadata.name",
            )

    deps: set[str] = set()
    for _, f in _walk_fields(template):
        for e in f.expressions:
            deps |= e.roots & resource_ids
    for _, f in for_each:
        for e in f.expressions:
            deps |= e.roots & resource_ids
    for f in include_when:
        for e in f.expressions:
            deps |= e.roots & resource_ids
    if rid in deps:
        from ..errors import CycleError

        raise CycleError((rid, rid), path=where)
    explicit = []
    for d in res._depends_on:
        did = resolver.scope.ids.get(id(d))
        if did is None:
            raise GraphError("depends_on names a resource that is not in the graph", path=f"{where}.depends_on")
        explicit.append(did)
    deps |= set(explicit)
    return Node(
        id=rid,
        template=template,
        external=res._external,
        ready_when=ready_when,
        include_when=include_when,
        for_each=for_each,
        depends_on=tuple(explicit),
        dependencies=tuple(sorted(deps)),
        source=res._source,
        origin=res._origin,
    )


def _whole(resolver: _Resolver, value: Any, path: str) -> Field:
    resolved = resolver.value(value, (path,))
    if not isinstance(resolved, Field) or not resolved.standalone:
        raise GraphError(f"{path} takes one whole expression giving a list, got {value!r}", path=path)
    (expr,) = resolved.expressions
    if expr.type not in ("list", "map", "dyn"):
        raise CelError(f"{path} must be a list expression, got {expr.type}", path=path, expression=expr.text)
    return resolved


def _prefix(exc: PykroError, where: str) -> PykroError:
    exc.path = f"{where}.{exc.path}" if exc.path else where
    return exc


def _status(
    status_cls: type[Status] | None,
    status: Mapping[str, Any] | None,
    resolver: _Resolver,
    resource_ids: frozenset[str],
) -> tuple[tuple[str, Field], ...]:
    status = dict(status or {})
    declared: dict[str, Any] = {}
    if status_cls is not None:
        for f in status_cls._pykro_fields():
            declared[f.name] = f
    for name in sorted(set(status) | set(declared)):
        if name in _RESERVED_STATUS:
            raise SchemaError(f"status field {name!r} is reserved by kro", path=f"status.{name}")
    if status_cls is not None:
        missing = [n for n in declared if n not in status]
        if missing:
            raise GraphError(
                f"status field {missing[0]!r} of {status_cls.__name__} has no expression",
                path=f"status.{missing[0]}",
                hint="return it from the status builder",
            )
        extra = [n for n in status if n not in declared]
        if extra:
            raise GraphError(
                f"status field {extra[0]!r} is not declared in {status_cls.__name__}", path=f"status.{extra[0]}"
            )
    out = []
    allowed = frozenset({"schema"}) | resource_ids
    for name, value in status.items():
        path = f"status.{name}"
        if not isinstance(value, (Expr, str)):
            value = Literal(value)
        resolved = resolver.value(value, ("status", name))
        if isinstance(resolved, str):
            resolved = Field((CelExpr(cel_literal(resolved), (), "string"),), standalone=True)
        if not isinstance(resolved, Field):
            raise GraphError("a status field must be an expression", path=path)
        _check_scope(resolved, allowed, path, "status")
        if name in declared and len(resolved.expressions) == 1 and resolved.standalone:
            want = declared[name].type.cel_type
            got = resolved.expressions[0].type
            if got != "dyn" and want not in ("dyn",) and got != want and not (want == "double" and got == "int"):
                raise GraphError(f"status field {name!r} is declared {want} but its expression is {got}", path=path)
        out.append((name, resolved))
    return tuple(out)

