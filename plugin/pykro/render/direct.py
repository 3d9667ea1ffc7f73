"""Direct mode: plain manifests, every expression evaluated at render time.

No kro in the cluster: pykro does offline what kro's controller would do for
one instance. Resources are evaluated in dependency order against the
instance's values and the manifests already rendered, so
``${deployment.metadata.name}`` reads the name this render gave the
Deployment. ``includeWhen`` is evaluated (and, as in kro, a resource that
depends on an excluded one is excluded too), ``forEach`` is expanded.

What exists only in the cluster cannot be known here: ``status``, server-set
metadata (``uid``, ``resourceVersion``...), fields the API server fills
(``spec.clusterIP``), and the contents of external references. A reference
to any of them is an error that names the resource, the field and the
expression, and suggests kro mode. Status and ``readyWhen`` are not rendered:
in direct mode, readiness is the GitOps controller's health check.
"""

from __future__ import annotations

import itertools
from typing import Any, Mapping

from ..errors import CelError, PykroError, RenderError
from ..graph.builder import CLUSTER_SCOPED_KINDS, field_path
from ..graph.model import CelExpr, Field, Graph, Node

__all__ = ["render", "render_by_id", "evaluate_field"]

_RUNTIME_METADATA = frozenset(
    {"uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "managedFields",
     "ownerReferences", "selfLink", "finalizers"}
)  # fmt: skip


class _Excluded:
    """Marks a resource left out by includeWhen (and everything depending on it)."""


_EXCLUDED = _Excluded()


class _External:
    """Marks an external reference: its contents exist only in the cluster."""


_EXTERNAL = _External()


def _evaluate(expr: CelExpr, activation: Mapping[str, Any]) -> Any:
    from ..celengine import evaluate

    return evaluate(expr.text, activation)


def _runtime_only(root: str, path: tuple[str, ...], expr: CelExpr, why: str) -> RenderError:
    ref = ".".join((root,) + path)
    return RenderError(
        f"{ref} {why}: it exists only in the cluster, so direct mode cannot render it",
        expression=expr.text,
        hint="render this graph in kro mode, or compute the value from schema.spec",
    )


def _check_static(expr: CelExpr, activation: Mapping[str, Any]) -> None:
    """Refuse references to what only the cluster knows, before evaluating."""
    tolerant = "has(" in expr.text or ".?" in expr.text or "[?" in expr.text
    for ref in expr.refs:
        root, path = ref[0], ref[1:]
        value = activation.get(root)
        if root == "schema":
            if path[:1] == ("status",):
                raise _runtime_only(root, path, expr, "is the instance's status")
            if path[:1] == ("metadata",) and path[1:2] and path[1] in _RUNTIME_METADATA:
                raise _runtime_only(root, path, expr, "is set by the API server")
            continue
        if value is _EXTERNAL:
            raise _runtime_only(root, path, expr, "is read from an external reference")
        if value is _EXCLUDED or not isinstance(value, (dict, list)):
            continue
        if path[:1] == ("status",):
            raise _runtime_only(root, path, expr, "is status, written by the cluster")
        if path[:1] == ("metadata",) and path[1:2] and path[1] in _RUNTIME_METADATA:
            raise _runtime_only(root, path, expr, "is set by the API server")
        if tolerant or isinstance(value, list):
            continue
        node: Any = value
        for part in path:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, (dict, list)):
                raise _runtime_only(root, path, expr, "is not set by the graph (the API server fills it)")
            else:
                break


def _field(f: Field, activation: Mapping[str, Any], static: bool = True) -> Any:
    if f.standalone:
        (expr,) = f.expressions
        if static:
            _check_static(expr, activation)
        return _evaluate(expr, activation)
    out = []
    for part in f.parts:
        if isinstance(part, str):
            out.append(part)
            continue
        if static:
            _check_static(part, activation)
        value = _evaluate(part, activation)
        if not isinstance(value, str):
            raise CelError(
                f"a string template's parts must be strings; this one gave {type(value).__name__} {value!r}",
                expression=part.text,
                hint=f"write ${{string({part.text})}}",
            )
        out.append(value)
    return "".join(out)


def _value(value: Any, activation: Mapping[str, Any], path: tuple[str | int, ...]) -> Any:
    if isinstance(value, Field):
        try:
            return _field(value, activation)
        except PykroError as exc:
            raise exc.located(path=field_path(path)) from None
    if isinstance(value, dict):
        return {k: _value(v, activation, path + (k,)) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v, activation, path + (i,)) for i, v in enumerate(value)]
    return value


def _condition(f: Field, activation: Mapping[str, Any], where: str) -> bool:
    from ..celengine.refs import calls_omit

    for expr in f.expressions:
        if not calls_omit(expr.text):
            continue
        # kro too refuses it here, so kro mode is no way out: say what is valid instead.
        raise CelError(
            "omit() is only valid as the whole value of a template field; kro rejects it in includeWhen",
            path=where,
            expression=expr.text,
            hint="includeWhen takes a bool expression; to drop a field, write ${cond ? value : omit()} as its value",
        )
    try:
        result = _field(f, activation)
    except PykroError as exc:
        raise exc.located(path=where) from None
    if not isinstance(result, bool):
        (expr,) = f.expressions
        raise CelError(f"includeWhen must give a bool, got {type(result).__name__} {result!r}", path=where,
                       expression=expr.text)  # fmt: skip
    return result


def _with_namespace(obj: dict[str, Any], namespace: str | None) -> dict[str, Any]:
    if namespace is None or obj.get("kind") in CLUSTER_SCOPED_KINDS:
        return obj
    meta = obj.get("metadata")
    if isinstance(meta, dict) and not meta.get("namespace"):
        obj = dict(obj)
        obj["metadata"] = {**meta, "namespace": namespace}
    return obj


def _render_node(node: Node, activation: dict[str, Any], namespace: str | None) -> Any:
    where = f"resources[{node.id}]"
    if any(activation.get(d) is _EXCLUDED for d in node.dependencies):
        return _EXCLUDED
    for i, f in enumerate(node.include_when):
        if not _condition(f, activation, f"{where}.includeWhen[{i}]"):
            return _EXCLUDED
    if node.external:
        return _EXTERNAL
    if not node.for_each:
        try:
            return _with_namespace(_value(node.template, activation, ()), namespace)
        except PykroError as exc:
            raise _at(exc, where, "template") from None
    dimensions = []
    for name, f in node.for_each:
        try:
            items = _field(f, activation)
        except PykroError as exc:
            raise _at(exc, where, f"forEach.{name}") from None
        if isinstance(items, dict):
            items = list(items.values())
        if not isinstance(items, list):
            raise CelError(f"forEach {name!r} must give a list, got {type(items).__name__}", path=f"{where}.forEach",
                           expression=f.expressions[0].text)  # fmt: skip
        dimensions.append([(name, item) for item in items])
    copies = []
    for combo in itertools.product(*dimensions):
        scope = dict(activation)
        scope.update(combo)
        try:
            copies.append(_with_namespace(_value(node.template, scope, ()), namespace))
        except PykroError as exc:
            raise _at(exc, where, "template") from None
    return copies


def _at(exc: PykroError, where: str, part: str) -> PykroError:
    exc.path = f"{where}.{part}.{exc.path}" if exc.path else f"{where}.{part}"
    return exc


def render(
    graph: Graph,
    values: Mapping[str, Any],
    *,
    name: str,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The manifests kro would create for an instance ``name`` with spec ``values`` (defaults applied)."""
    metadata: dict[str, Any] = {"name": name, "labels": dict(labels or {}), "annotations": dict(annotations or {})}
    if namespace is not None:
        metadata["namespace"] = namespace
    activation: dict[str, Any] = {"schema": {"spec": dict(values), "metadata": metadata}}
    by_id = {n.id: n for n in graph.nodes}
    for node_id in graph.order:
        node = by_id[node_id]
        try:
            activation[node_id] = _render_node(node, activation, namespace)
        except PykroError as exc:
            if node.origin is not None and node.source is None and exc.file in (None, node.origin[0]):
                exc.located(file=node.origin[0], line=node.origin[1])  # the line of its factory call
            raise
    out: list[dict[str, Any]] = []
    for node_id in graph.order:
        value = activation[node_id]
        if isinstance(value, dict):
            out.append(value)
        elif isinstance(value, list):
            out.extend(value)
    return out


def evaluate_field(f: Field, activation: Mapping[str, Any]) -> Any:
    """A field evaluated against live data (status, readiness): no static-only check."""
    return _field(f, activation, static=False)


def render_by_id(
    graph: Graph, values: Mapping[str, Any], *, name: str, namespace: str | None = None
) -> dict[str, dict[str, Any]]:
    """Where each (non-collection, non-external) resource lands: apiVersion, kind, name, namespace.

    Only identity fields are evaluated, so a graph whose other fields read
    status can still be placed (``pykro status`` matches live objects this way).
    """
    activation: dict[str, Any] = {
        "schema": {"spec": dict(values), "metadata": {"name": name, "namespace": namespace, "labels": {},
                                                      "annotations": {}}}
    }  # fmt: skip
    placed: dict[str, dict[str, Any]] = {}
    by_id = {n.id: n for n in graph.nodes}
    for node_id in graph.order:
        node = by_id[node_id]
        if node.external or node.for_each:
            continue
        meta = node.template.get("metadata") or {}
        identity = {
            "apiVersion": node.template.get("apiVersion"),
            "kind": node.template.get("kind"),
            "metadata": {k: meta[k] for k in ("name", "namespace") if k in meta},
        }
        obj = _with_namespace(_value(identity, activation, ()), namespace)
        activation[node_id] = obj
        placed[node_id] = obj
    return placed
