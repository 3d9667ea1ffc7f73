"""Status, offline: a graph's status and ``readyWhen`` evaluated against live objects.

A team tests its status logic without a cluster: give the instance (its
spec is the values) and the objects as ``kubectl get -o yaml`` prints them.
Each resource of the graph is matched to a live object by apiVersion, kind,
name and namespace, where direct mode would have named it, so the match is
the one kro makes. Status fields whose resources are absent are left unset,
as kro leaves them; the rest are evaluated with the same CEL engine as
direct mode.

Live objects are often incomplete: Kubernetes omits ``status.readyReplicas``
while it is 0, a Service has no ``status.loadBalancer.ingress`` until one is
assigned. kro treats an expression that reads such a key as not resolvable
yet, not as a failure: the status field stays unset and the resource is not
ready. So does this. Every other evaluation error (a type error, a non-bool
``readyWhen``) is the graph's fault and is raised, naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from ..errors import PykroError, RenderError
from ..graph.model import Graph
from . import direct

__all__ = ["StatusReport", "evaluate_status"]


@dataclass(frozen=True)
class StatusReport:
    status: dict[str, Any]
    ready: dict[str, bool]
    missing: tuple[str, ...]  # resource ids with no live object
    unresolved: tuple[str, ...]  # status fields left unset: a resource or a key they read is missing


def _key(obj: Mapping[str, Any]) -> tuple[str, str, str, str]:
    meta = obj.get("metadata") or {}
    return (str(obj.get("apiVersion")), str(obj.get("kind")), str(meta.get("name")), str(meta.get("namespace") or ""))


def evaluate_status(
    graph: Graph,
    values: Mapping[str, Any],
    objects: Sequence[Mapping[str, Any]],
    *,
    name: str,
    namespace: str | None = None,
) -> StatusReport:
    """Status fields and per-resource readiness of an instance, from its live objects."""
    from ..celengine import evaluate

    live = {_key(o): o for o in objects}
    wanted: dict[str, dict[str, Any]] = {}
    # Where direct mode places each resource tells which live object is which.
    placed = direct.render_by_id(graph, values, name=name, namespace=namespace)
    for rid, obj in placed.items():
        wanted[rid] = obj
    activation: dict[str, Any] = {
        "schema": {"spec": dict(values), "metadata": {"name": name, "namespace": namespace}},
    }
    missing = []
    for node in graph.nodes:
        placed_obj = wanted.get(node.id)
        found = live.get(_key(placed_obj)) if placed_obj is not None else None
        if found is None and placed_obj is not None and not _key(placed_obj)[3]:
            where = _key(placed_obj)[:3]
            found = next((o for k, o in live.items() if k[:3] == where), None)
        if found is None:
            missing.append(node.id)
        else:
            activation[node.id] = found
    ready: dict[str, bool] = {}
    for node in graph.nodes:
        if node.id not in activation:
            continue
        results: list[object] = []
        for i, f in enumerate(node.ready_when):
            (expr,) = f.expressions
            try:
                results.append(evaluate(expr.text, activation))
            except PykroError as exc:
                if _pending(exc):
                    results.append(False)
                    continue
                raise exc.located(path=f"resources[{node.id}].readyWhen[{i}]") from None
        for i, r in enumerate(results):
            if not isinstance(r, bool):
                raise RenderError(f"readyWhen must give a bool, got {r!r}", path=f"resources[{node.id}].readyWhen[{i}]")
        ready[node.id] = all(results)
    status: dict[str, Any] = {}
    unresolved = []
    for field_name, f in graph.status:
        roots = set().union(*(e.roots for e in f.expressions)) if f.expressions else set()
        if any(r in missing for r in roots):
            unresolved.append(field_name)
            continue
        try:
            status[field_name] = direct.evaluate_field(f, activation)
        except PykroError as exc:
            if _pending(exc):
                unresolved.append(field_name)
                continue
            raise exc.located(path=f"status.{field_name}") from None
    return StatusReport(status, ready, tuple(missing), tuple(unresolved))


def _pending(exc: PykroError) -> bool:
    """Whether evaluation failed only because a key is not (yet) in a live object."""
    return exc.message.startswith("no such key")
