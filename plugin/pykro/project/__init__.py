"""Projects: an application directory's ``pykro.yaml``, rendered one environment at a time.

``render(app_dir, "prod")`` is what ``pykro render`` and the Argo CD plugin
call. It returns the YAML stream and the repository files it read (the
cache reuses a render while those are unchanged). Nothing is written
anywhere: callers print the text only when the whole render succeeded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .. import _inputs
from ..errors import ProjectError, PykroError, RenderError, ValuesError
from ..graph.model import Field
from .config import MODES, Environment, Project, parse

__all__ = ["Rendered", "Project", "Environment", "MODES", "load_project", "render", "validate", "find_repo_root",
           "SYNC_WAVE", "SYNC_OPTIONS"]  # fmt: skip

PROJECT_FILE = "pykro.yaml"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"


@dataclass(frozen=True)
class Rendered:
    """One environment's render."""

    text: str
    inputs: Mapping[str, str | None]
    kinds: tuple[tuple[str, str], ...]
    defines: tuple[tuple[str, str], ...]
    documents: tuple[dict[str, Any], ...] = ()
    # The environment says an empty render is intended (allowEmpty: true).
    empty_allowed: bool = False


def find_repo_root(start: Path) -> Path:
    """The nearest directory holding ``.git`` above ``start`` (``start`` itself if none)."""
    start = start.resolve()
    for d in (start, *start.parents):
        if (d / ".git").exists():
            return d
    return start


def _load_project_file(app_dir: Path) -> Project:
    from .yamlpos import load

    file = (app_dir / PROJECT_FILE).resolve()
    if not file.is_file():
        raise ProjectError(f"no {PROJECT_FILE} in {app_dir}", file=str(app_dir / PROJECT_FILE))
    data = _inputs.read(file, what=PROJECT_FILE)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProjectError(f"not UTF-8: {exc.reason}", file=str(file)) from None
    loaded, positions = load(text, str(file))
    return parse(loaded, positions, file)


def load_project(app_dir: str | Path) -> Project:
    """The parsed ``pykro.yaml`` of ``app_dir``."""
    return _load_project_file(Path(app_dir))


# -- values -------------------------------------------------------------------------

_Where = tuple[str, int | None, int | None]
_PATH_PART = re.compile(r'\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


def _parse_path(text: str) -> tuple[Any, ...]:
    out: list[Any] = []
    pos = 0
    while pos < len(text):
        m = _PATH_PART.match(text, pos)
        if not m:
            break
        out.append(m.group(1) if m.group(1) is not None else int(m.group(2)) if m.group(2) is not None else m.group(3))
        pos = m.end()
    return tuple(out)


class _Merged:
    """Values merged from several sources, remembering where each field came from."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.where: dict[tuple[Any, ...], _Where] = {}

    def add(self, source: Mapping[str, Any], file: str, positions: Mapping[tuple[Any, ...], tuple[int, int]],
            prefix: tuple[Any, ...]) -> None:  # fmt: skip
        self._merge(self.data, source, (), file, positions, prefix)

    def _record(self, value: Any, path: tuple[Any, ...], file: str, positions: Any, prefix: tuple[Any, ...]) -> None:
        for key in [k for k in self.where if k[: len(path)] == path]:
            del self.where[key]
        line, col = positions.get(prefix + path, (None, None))
        self.where[path] = (file, line, col)
        if isinstance(value, dict):
            for k, v in value.items():
                self._record(v, path + (k,), file, positions, prefix)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self._record(v, path + (i,), file, positions, prefix)

    def _merge(self, target: dict[str, Any], source: Mapping[str, Any], path: tuple[Any, ...], file: str,
               positions: Any, prefix: tuple[Any, ...]) -> None:  # fmt: skip
        for key, value in source.items():
            sub = path + (key,)
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                self._merge(target[key], value, sub, file, positions, prefix)
            else:
                target[key] = _copy(value)
                self._record(value, sub, file, positions, prefix)

    def locate(self, path: tuple[Any, ...]) -> _Where | None:
        for i in range(len(path), 0, -1):
            found = self.where.get(path[:i])
            if found:
                return found
        return None


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _values_for(project: Project, env: Environment, graph_name: str) -> _Merged:
    from .yamlpos import _dotted, load

    merged = _Merged()
    project_file = str(project.file)

    def from_files(files: tuple[str, ...], where: tuple[Any, ...]) -> None:
        for i, rel in enumerate(files):
            try:
                path = _inputs.inside(rel, base=project.directory, what="value file", referrer=project_file)
                data = _inputs.read(path, what="value file", referrer=project_file, written=rel)
            except ProjectError as exc:  # the mistake is where the path is written
                written_at = project.positions.get(where + (i,))
                raise exc.located(file=project_file, line=written_at[0] if written_at else None,
                                  column=written_at[1] if written_at else None, path=_dotted(where + (i,))) from None
            try:
                doc, positions = load(data.decode("utf-8"), str(path))
            except UnicodeDecodeError as exc:
                raise ProjectError(f"not UTF-8: {exc.reason}", file=str(path)) from None
            if doc is None:
                continue
            if not isinstance(doc, dict):
                raise ProjectError("a value file maps graph names to their values", file=str(path), line=1)
            for graph, values in doc.items():
                if graph not in {g.name for g in project.graphs}:
                    line = positions.get((graph,), (None, None))
                    raise ProjectError(f"values for unknown graph {graph!r}", file=str(path), line=line[0],
                                       column=line[1], path=str(graph))  # fmt: skip
                if not isinstance(values, dict):
                    line = positions.get((graph,), (None, None))
                    raise ProjectError(f"values of graph {graph!r} must be a mapping", file=str(path), line=line[0],
                                       column=line[1], path=str(graph))  # fmt: skip
            section = doc.get(graph_name)
            if section:
                merged.add(section, str(path), positions, (graph_name,))

    from_files(project.value_files, ("valueFiles",))
    if graph_name in project.values:
        merged.add(project.values[graph_name], project_file, project.positions, ("values", graph_name))
    from_files(env.value_files, ("environments", env.name, "valueFiles"))
    if graph_name in env.values:
        merged.add(env.values[graph_name], project_file, project.positions,
                   ("environments", env.name, "values", graph_name))  # fmt: skip
    return merged


def _secret_fed_paths(graph: Any) -> set[tuple[Any, ...]]:
    """The spec paths a graph writes into Secrets' ``data``/``stringData`` (or iterates to make Secrets)."""
    paths: set[tuple[Any, ...]] = set()

    def collect(value: Any) -> None:
        if isinstance(value, Field):
            for expr in value.expressions:
                paths.update(ref[2:] for ref in expr.refs if ref[:2] == ("schema", "spec") and len(ref) > 2)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    for node in graph.nodes:
        template = node.template
        if isinstance(template, dict) and template.get("apiVersion") == "v1" and template.get("kind") == "Secret":
            collect([template.get("data"), template.get("stringData")])
            collect([f for _, f in node.for_each])
    return paths


def _redact_secret_values(problems: list[Any], graph: Any, values: Mapping[str, Any]) -> list[Any]:
    """``problems`` with the values of Secret-bound fields left out of their messages.

    Argo CD shows a plugin's stderr to everyone who can see the application,
    and CI logs keep it: a value that is wrong for its field is still likely to
    be the real password. The message keeps the field, the rule and the type.
    """
    secret = _secret_fed_paths(graph)
    if not secret:
        return problems
    from ..simpleschema import ValuesProblem
    from ..simpleschema._validator import show

    out = []
    for problem in problems:
        path = _parse_path(problem.path)[1:]
        if any(path[: len(p)] == p or p[: len(path)] == path for p in secret):
            value: Any = values
            for part in path:
                try:
                    value = value[part]
                except (KeyError, IndexError, TypeError):
                    value = None
                    break
            if value is not None:
                kind = show(value).partition(" ")[0]
                problem = ValuesProblem(problem.path, problem.message.replace(
                    show(value), f"{kind} (value not shown: the field feeds a Secret)"))  # fmt: skip
        out.append(problem)
    return out


def _checked_values(loaded: Any, merged: _Merged, env: Environment, project: Project) -> dict[str, Any]:
    from ..simpleschema import apply_defaults, to_openapi, validate_values

    graph = loaded.graph
    openapi = to_openapi(graph.spec_schema, graph.types or None)
    defaulted = apply_defaults(openapi, merged.data)
    problems = validate_values(openapi, defaulted)
    if problems:
        problems = _redact_secret_values(problems, graph, defaulted)
        first = problems[0]
        path = _parse_path(first.path)
        if path[:1] == ("spec",):
            path = path[1:]
        where = merged.locate(path)
        file, line, col = where if where else (str(project.file), env.line, None)
        more = ""
        if len(problems) > 1:
            more = f" (and {len(problems) - 1} more: " + "; ".join(f"{p.path}: {p.message}" for p in problems[1:]) + ")"
        err = ValuesError(
            f"environment {env.name!r}, graph {loaded.name!r}: {first.message}{more}",
            file=file,
            line=line,
            column=col,
            path=first.path,
        )
        err.problems = problems  # type: ignore[attr-defined]
        raise err
    return defaulted


# -- rendering ------------------------------------------------------------------------


def render(
    app_dir: str | Path,
    environment: str,
    mode: str | None = None,
    *,
    repo_root: str | Path | None = None,
) -> Rendered:
    """Render one environment of the project in ``app_dir``.

    ``mode`` overrides the environment's mode. ``repo_root`` bounds every
    path the project may read (default: the enclosing Git checkout).
    """
    app = Path(app_dir).resolve()
    root = Path(repo_root).resolve() if repo_root is not None else find_repo_root(app)
    session = _inputs.Session(root=root)
    with _inputs.reading(session):
        project = _load_project_file(app)
        env = project.environment(environment)
        chosen = mode or env.mode
        if chosen not in MODES:
            raise ProjectError(f"mode {chosen!r} is not one of {', '.join(MODES)}", path="mode")
        docs, defines = _render_docs(project, env, chosen)
        session.settle()
    if not docs and not env.allow_empty:
        raise RenderError(
            f"environment {env.name!r} renders no objects in {chosen} mode",
            file=str(project.file),
            hint="an empty render makes Argo CD prune everything; set allowEmpty: true if that is intended",
        )
    from ..yamlout import dump_all

    kinds = tuple((str(d.get("apiVersion")), str(d.get("kind"))) for d in docs)
    return Rendered(dump_all(docs), dict(sorted(session.inputs.items())), kinds, tuple(defines), tuple(docs),
                    env.allow_empty)  # fmt: skip


def _render_docs(project: Project, env: Environment, mode: str) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    from ..render import direct, kro
    from .loader import load_graph

    rgds: list[dict[str, Any]] = []
    instances: list[dict[str, Any]] = []
    manifests: list[dict[str, Any]] = []
    defines: list[tuple[str, str]] = []
    for source in project.graphs:
        loaded = load_graph(source, project.directory, str(project.file))
        graph = loaded.graph
        if mode in ("kro", "rgd"):
            rgds.append(kro.rgd(graph, annotations={SYNC_WAVE: "-1"}))
            defines.append((graph.api_version, graph.kind))
        if mode == "rgd":
            continue
        merged = _values_for(project, env, source.name)
        defaulted = _checked_values(loaded, merged, env, project)
        if mode in ("kro", "instance"):
            instances.append(
                kro.instance(
                    graph,
                    merged.data,
                    name=source.name,
                    namespace=env.namespace,
                    annotations={SYNC_OPTIONS: "SkipDryRunOnMissingResource=true"},
                )
            )
        elif mode == "direct":
            try:
                manifests.extend(direct.render(graph, defaulted, name=source.name, namespace=env.namespace))
            except PykroError as exc:
                raise _located_in_graph(exc, loaded) from None
    return _unique(rgds + instances + manifests, project), sorted(set(defines))


def _located_in_graph(exc: PykroError, loaded: Any) -> PykroError:
    """A render error located in the graph's file; for an RGD file, at the node it names.

    The RGD is read again, with positions, only now: renders that succeed pay nothing.
    """
    if exc.line is None and loaded.resource_graph is None:
        from ..graph.from_rgd import locate
        from .yamlpos import load

        try:
            doc, positions = load(Path(loaded.file).read_text(encoding="utf-8"), loaded.file)
        except (OSError, UnicodeDecodeError, PykroError):
            pass
        else:
            locate(exc, doc, positions)
    return exc.located(file=loaded.file)


def _object_key(doc: Mapping[str, Any]) -> tuple[str, str, str, str]:
    meta = doc.get("metadata") or {}
    group = str(doc.get("apiVersion", "")).rpartition("/")[0]
    return (group, str(doc.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name")))


def _unique(docs: list[dict[str, Any]], project: Project) -> list[dict[str, Any]]:
    """Each object once; two objects of one name are an error, unless they are the same RGD.

    Two graph entries may share a module (two instances of one API): their
    RGD is the same object and is emitted once. Anything else named twice
    would be two owners of one object, and Argo CD refuses such a stream: the
    clash is reported here, by name.
    """
    seen: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    out = []
    for doc in docs:
        key = _object_key(doc)
        if key in seen:
            if seen[key] != doc or key[1] != "ResourceGraphDefinition":
                group, kind, namespace, name = key
                where = f"{namespace}/{name}" if namespace else name
                raise RenderError(
                    f"two {kind}{'.' + group if group else ''} objects are named {where}",
                    file=str(project.file),
                    hint="give the graphs (or their values) different names",
                )
            continue
        seen[key] = doc
        out.append(doc)
    return out


def validate(
    app_dir: str | Path,
    *,
    repo_root: str | Path | None = None,
    kubernetes: bool = False,
    kubernetes_version: str | None = None,
) -> list[tuple[str, str, PykroError]]:
    """Every (environment, mode, error) of the project: all problems, not just the first.

    Each environment renders in each mode; every RGD is checked against kro's
    CRD (schema and CEL rules); with ``kubernetes``, every template and
    manifest of a known kind against the Kubernetes schema of its kind.
    """
    from ..check import check_rgd, check_template, check_templates

    app = Path(app_dir).resolve()
    problems: list[tuple[str, str, PykroError]] = []
    try:
        project = load_project(app)
    except PykroError as exc:
        return [("*", "*", exc)]
    for env in project.environments:
        for mode in MODES:
            try:
                rendered = render(app, env, mode, repo_root=repo_root)
            except PykroError as exc:
                problems.append((env, mode, exc))
                continue
            for i, doc in enumerate(rendered.documents):
                found = []
                if doc.get("kind") == "ResourceGraphDefinition":
                    found += check_rgd(doc)
                    if kubernetes:
                        found += check_templates(doc, kubernetes_version=kubernetes_version)
                elif kubernetes and mode == "direct":
                    found += check_template(doc, kubernetes_version=kubernetes_version)
                name = f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
                for p in found:
                    problems.append((env, mode, RenderError(p.message, path=f"{name}: {p.path}")))
    return problems
