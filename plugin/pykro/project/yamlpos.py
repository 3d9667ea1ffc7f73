"""YAML with positions: data plus the line and column of every field.

Errors about values must name the file, line and column of the offending
field. pyyaml's composer keeps marks on nodes; this module constructs the
data from those nodes itself and keeps a map from field path to position,
with one parser (libyaml's, when available) and no second library on the
render path.

Kubernetes reads YAML 1.1 scalars, but not timestamps (they stay strings);
this loader does the same. Duplicate keys are an error, not "last one wins".
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import ProjectError

__all__ = ["load", "Positions"]

Positions = dict[tuple[Any, ...], tuple[int, int]]

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str, file: str) -> tuple[Any, Positions]:
    """(data, positions) of a single-document YAML text; positions are 1-based (line, column)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        positions: Positions = {}
        data = _construct(loader, node, (), positions, file) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProjectError(
            f"malformed YAML: {problem}",
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    finally:
        loader.dispose()
    return data, positions


def _construct(loader: Any, node: Any, path: tuple[Any, ...], positions: Positions, file: str) -> Any:
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise ProjectError(
                    "a mapping key must be a scalar", file=file, line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                )  # fmt: skip
            if key in out:
                raise ProjectError(
                    f"duplicate key {key!r}", file=file, line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1, path=_dotted(path + (key,)),
                )  # fmt: skip
            out[key] = _construct(loader, value_node, path + (key,), positions, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, item, path + (i,), positions, file) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out
