"""A small DAG: stable topological order and cycles reported as paths."""

from __future__ import annotations

from typing import Iterable, Mapping

from ..errors import CycleError

__all__ = ["topological_order"]


def topological_order(nodes: Iterable[str], edges: Mapping[str, Iterable[str]]) -> tuple[str, ...]:
    """Nodes ordered so each comes after what it depends on.

    ``edges[n]`` are the nodes ``n`` depends on. Among nodes free at the same
    time the original order is kept, so the output only moves what must move
    (a reviewer's diff stays small). A cycle raises :class:`CycleError` whose
    ``cycle`` reads ``a -> b -> a``.
    """
    order = list(nodes)
    position = {n: i for i, n in enumerate(order)}
    deps = {n: sorted(set(edges.get(n, ())), key=position.__getitem__) for n in order}
    done: set[str] = set()
    result: list[str] = []
    visiting: list[str] = []
    on_stack: set[str] = set()

    def visit(n: str) -> None:
        if n in done:
            return
        if n in on_stack:
            start = visiting.index(n)
            raise CycleError(tuple(visiting[start:]) + (n,))
        on_stack.add(n)
        visiting.append(n)
        for d in deps[n]:
            visit(d)
        visiting.pop()
        on_stack.discard(n)
        done.add(n)
        result.append(n)

    for n in order:
        visit(n)
    return tuple(result)
