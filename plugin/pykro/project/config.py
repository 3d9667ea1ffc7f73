"""``pykro.yaml``: the graphs of an application directory and its environments.

The minimal form names graphs and gives each environment a namespace and
values. The rest is what a Helm or Kustomize user expects::

    mode: kro                      # default mode: kro | rgd | instance | direct
    namespace: web                 # default namespace
    allowEmpty: false              # an empty render is an error unless true
    graphs:
      webapp: graphs/webapp.py:webapp   # Python module : attribute (default: the graph name)
      tenant: rgds/tenant.yaml          # or an RGD written in YAML
    valueFiles: [values/common.yaml]    # base values, every environment
    values: {webapp: {image: nginx}}    # base values, inline
    environments:
      prod:
        namespace: web-prod
        mode: direct
        valueFiles: [values/prod.yaml]  # {graph: {field: value}}; later files win
        values: {webapp: {replicas: 3}} # inline values win over files

Values merge like Helm's: mappings merge key by key, anything else (lists
included) is replaced by the later source. Order: base ``valueFiles``, base
``values``, environment ``valueFiles``, environment ``values``.

Every path is relative to ``pykro.yaml`` and must stay inside the
repository. Unknown keys are errors: a misspelt ``namepsace`` silently
ignored would deploy to the wrong place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ProjectError
from .yamlpos import Positions

__all__ = ["Project", "Environment", "GraphSource", "MODES", "parse"]

MODES = ("kro", "rgd", "instance", "direct")

_TOP_KEYS = frozenset({"graphs", "environments", "mode", "namespace", "values", "valueFiles", "allowEmpty"})
_ENV_KEYS = frozenset({"namespace", "mode", "values", "valueFiles", "allowEmpty"})
_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")


@dataclass(frozen=True)
class GraphSource:
    """Where a graph comes from: a Python module attribute, or an RGD YAML file."""

    name: str
    path: str
    attribute: str | None
    line: int | None
    column: int | None = None  # where the path is written in pykro.yaml

    @property
    def is_python(self) -> bool:
        return self.path.endswith(".py")


@dataclass(frozen=True)
class Environment:
    name: str
    namespace: str | None
    mode: str
    value_files: tuple[str, ...]
    values: dict[str, Any]
    allow_empty: bool
    line: int | None


@dataclass(frozen=True)
class Project:
    """A parsed ``pykro.yaml``."""

    file: Path
    graphs: tuple[GraphSource, ...]
    environment_configs: dict[str, Environment]
    default_mode: str
    value_files: tuple[str, ...]
    values: dict[str, Any]
    positions: Positions = field(repr=False, default_factory=dict)

    @property
    def directory(self) -> Path:
        return self.file.parent

    @property
    def environments(self) -> tuple[str, ...]:
        return tuple(self.environment_configs)

    def environment(self, name: str) -> Environment:
        try:
            return self.environment_configs[name]
        except KeyError:
            known = ", ".join(self.environments) or "none"
            raise ProjectError(
                f"unknown environment {name!r} (environments: {known})", file=str(self.file), path="environments"
            ) from None


def _line(positions: Positions, path: tuple[Any, ...]) -> int | None:
    found = positions.get(path)
    return found[0] if found else None


def _where(file: str, positions: Positions, path: tuple[Any, ...]) -> dict[str, Any]:
    line_col = None
    for i in range(len(path), -1, -1):
        line_col = positions.get(path[:i])
        if line_col:
            break
    dotted = ".".join(str(p) for p in path) or None
    return {"file": file, "line": line_col[0] if line_col else None, "column": line_col[1] if line_col else None,
            "path": dotted}  # fmt: skip


def _fail(message: str, file: str, positions: Positions, path: tuple[Any, ...], hint: str | None = None) -> ProjectError:
    return ProjectError(message, hint=hint, **_where(file, positions, path))


def _check_keys(data: dict[str, Any], allowed: frozenset[str], file: str, positions: Positions, path: tuple[Any, ...]) -> None:
    for key in data:
        if key not in allowed:
            raise _fail(f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})", file, positions, path + (key,))


def _mode(value: Any, file: str, positions: Positions, path: tuple[Any, ...]) -> str:
    if value not in MODES:
        raise _fail(f"mode {value!r} is not one of {', '.join(MODES)}", file, positions, path)
    mode: str = value  # one of MODES
    return mode


def _files(value: Any, file: str, positions: Positions, path: tuple[Any, ...]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail("valueFiles must be a list of paths", file, positions, path)
    return tuple(value)


def _values(value: Any, file: str, positions: Positions, path: tuple[Any, ...]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail("values must be a mapping of graph name to that graph's values", file, positions, path)
    for graph, graph_values in value.items():
        if not isinstance(graph_values, dict):
            raise _fail(f"values of graph {graph!r} must be a mapping", file, positions, path + (graph,))
    return value


def _namespace(value: Any, file: str, positions: Positions, path: tuple[Any, ...]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _NAME.match(value) or len(value) > 63:
        raise _fail(f"namespace {value!r} is not a DNS label", file, positions, path)
    return value


def parse(data: Any, positions: Positions, file: Path) -> Project:
    """A :class:`Project` from the loaded ``pykro.yaml``, every problem named with its line."""
    name = str(file)
    if not isinstance(data, dict):
        raise ProjectError("pykro.yaml must be a mapping with graphs and environments", file=name, line=1)
    _check_keys(data, _TOP_KEYS, name, positions, ())
    graphs_data = data.get("graphs")
    if not isinstance(graphs_data, dict) or not graphs_data:
        raise _fail("graphs must map each graph's name to its module (path.py:attribute) or RGD file", name, positions,
                    ("graphs",))  # fmt: skip
    graphs = []
    for key, spec in graphs_data.items():
        if not isinstance(key, str) or not _NAME.match(key):
            raise _fail(f"graph name {key!r} must be a lowercase DNS label", name, positions, ("graphs", key))
        if not isinstance(spec, str) or not spec:
            raise _fail("a graph is 'path/to/module.py:attribute' or 'path/to/rgd.yaml'", name, positions, ("graphs", key))
        module_path, _, attribute = spec.partition(":")
        if not (module_path.endswith(".py") or module_path.endswith((".yaml", ".yml"))):
            raise _fail(f"graph {key!r}: {module_path!r} is neither a Python module (.py) nor an RGD file (.yaml)",
                        name, positions, ("graphs", key))  # fmt: skip
        if attribute and not module_path.endswith(".py"):
            raise _fail(f"graph {key!r}: an RGD file takes no ':attribute'", name, positions, ("graphs", key))
        line, column = positions.get(("graphs", key), (None, None))
        graphs.append(GraphSource(key, module_path, attribute or (key if module_path.endswith(".py") else None), line,
                                  column))  # fmt: skip
    default_mode = _mode(data.get("mode", "kro"), name, positions, ("mode",))
    default_ns = _namespace(data.get("namespace"), name, positions, ("namespace",))
    allow_empty = data.get("allowEmpty", False)
    if not isinstance(allow_empty, bool):
        raise _fail("allowEmpty must be true or false", name, positions, ("allowEmpty",))
    envs_data = data.get("environments")
    if not isinstance(envs_data, dict) or not envs_data:
        raise _fail("environments must map each environment's name to its settings", name, positions, ("environments",))
    envs = {}
    for env_name, env in envs_data.items():
        path = ("environments", env_name)
        if not isinstance(env_name, str) or not _NAME.match(env_name):
            raise _fail(f"environment name {env_name!r} must be a lowercase DNS label", name, positions, path)
        env = env or {}
        if not isinstance(env, dict):
            raise _fail("an environment is a mapping (namespace, mode, values, valueFiles)", name, positions, path)
        _check_keys(env, _ENV_KEYS, name, positions, path)
        env_allow = env.get("allowEmpty", allow_empty)
        if not isinstance(env_allow, bool):
            raise _fail("allowEmpty must be true or false", name, positions, path + ("allowEmpty",))
        envs[env_name] = Environment(
            name=env_name,
            namespace=_namespace(env.get("namespace", default_ns), name, positions, path + ("namespace",)),
            mode=_mode(env.get("mode", default_mode), name, positions, path + ("mode",)),
            value_files=_files(env.get("valueFiles"), name, positions, path + ("valueFiles",)),
            values=_values(env.get("values"), name, positions, path + ("values",)),
            allow_empty=env_allow,
            line=_line(positions, path),
        )
    known = {g.name for g in graphs}
    for where, values in [(("values",), _values(data.get("values"), name, positions, ("values",)))] + [
        (("environments", e.name, "values"), e.values) for e in envs.values()
    ]:
        for graph in values:
            if graph not in known:
                raise _fail(f"values for unknown graph {graph!r} (graphs: {', '.join(sorted(known))})", name,
                            positions, where + (graph,))  # fmt: skip
    return Project(
        file=file,
        graphs=tuple(graphs),
        environment_configs=envs,
        default_mode=default_mode,
        value_files=_files(data.get("valueFiles"), name, positions, ("valueFiles",)),
        values=_values(data.get("values"), name, positions, ("values",)),
        positions=positions,
    )
