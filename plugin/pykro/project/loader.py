"""Loading graphs named in ``pykro.yaml``: Python modules and RGD files.

A graph module is ordinary Python run from the repository. Its failures are
the user's, so any exception while importing it becomes one
:class:`~pykro.errors.ProjectError` naming the module's file and line (the
deepest frame inside the repository), never a traceback on Argo CD's screen.
The repository files it imports are recorded as inputs of the render.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import _inputs
from .._listing import listing_digest
from ..errors import ProjectError, PykroError
from ..graph.model import Graph
from .config import GraphSource

__all__ = ["LoadedGraph", "load_graph"]


@dataclass(frozen=True)
class LoadedGraph:
    name: str
    graph: Graph
    file: str
    # Repository files this graph's loading read: path -> sha256 (the module, what it imported, what it opened).
    inputs: tuple[tuple[Path, str | None], ...]
    resource_graph: Any = None  # the ResourceGraph of a Python graph
    # Repository directories its loading listed (imports, globs): path -> listing digest.
    listings: tuple[tuple[Path, str | None], ...] = ()


# Per process: a graph module is executed once per content; validating every
# environment, or rendering several, reuses it.
_loaded: dict[tuple[str, str], LoadedGraph] = {}

def _is_user_file(file: Path, root: Path) -> bool:
    """In the repository, and not pykro's or the Python installation's (a ``.venv`` in the repository)."""
    return (file == root or root in file.parents) and not _inputs.is_installed(file)


def _written(exc: PykroError, source: GraphSource, referrer: str) -> PykroError:
    """``exc`` located where ``source`` is written: its entry under ``graphs:`` in pykro.yaml."""
    if source.line is None:  # not from a pykro.yaml (a command-line argument)
        return exc.located(file=referrer)
    return exc.located(file=referrer, line=source.line, column=source.column, path=f"graphs.{source.name}")


def load_graph(source: GraphSource, base: Path, referrer: str) -> LoadedGraph:
    try:
        path = _inputs.inside(source.path, base=base, what=f"graph {source.name!r}", referrer=referrer)
        data = _inputs.read(path, what=f"graph {source.name!r} file", referrer=referrer, written=source.path)
    except ProjectError as exc:
        raise _written(exc, source, referrer) from None
    key = (str(path), hashlib.sha256(data).hexdigest())
    cached = _loaded.get(key)
    if cached is not None:
        current = [(dep, dep.read_bytes() if dep.is_file() else None) for dep, _ in cached.inputs]
        if all((hashlib.sha256(d).hexdigest() if d is not None else None) == digest
               for (_, d), (_, digest) in zip(current, cached.inputs)) and all(
                   listing_digest(str(dep)) == digest for dep, digest in cached.listings):  # fmt: skip
            for dep, content in current:
                _inputs.record(dep, content)
            for dep, digest in cached.listings:
                _inputs.record_listing(dep, digest)
            return cached
    if source.is_python:
        try:
            loaded = _load_python(source, path, data)
        except ProjectError as exc:
            if exc.file is not None:
                raise
            raise _written(exc, source, referrer) from None  # the attribute named in pykro.yaml
    else:
        loaded = _load_rgd(source, path, data)
    _loaded[key] = loaded
    return loaded


def _load_rgd(source: GraphSource, path: Path, data: bytes) -> LoadedGraph:
    from ..graph.from_rgd import graph_from_rgd
    from .yamlpos import load

    try:
        doc, positions = load(data.decode("utf-8"), str(path))
    except UnicodeDecodeError as exc:
        raise ProjectError(f"not UTF-8: {exc.reason}", file=str(path)) from None
    if not isinstance(doc, dict):
        raise ProjectError("an RGD file holds one ResourceGraphDefinition", file=str(path))
    # The loader builds positions anyway (it checks duplicate keys on the nodes): errors use them.
    graph = graph_from_rgd(doc, file=str(path), positions=positions)
    return LoadedGraph(source.name, graph, str(path), ((path, hashlib.sha256(data).hexdigest()),))


def _load_python(source: GraphSource, path: Path, data: bytes) -> LoadedGraph:
    from ..resource_graph import ResourceGraph

    session = _inputs.current()
    root = session.root if session else path.parent
    module_name = "pykro_graph_" + hashlib.sha256(str(path).encode()).hexdigest()[:16]
    before = set(sys.modules)
    if session is not None:
        session.settle()  # what was noted before belongs to the render, not to this module
    sys.path.insert(0, str(path.parent))
    # Finders keep directory listings between imports; forget them so this
    # import lists (and the audit hook records) the directories it searches.
    importlib.invalidate_caches()
    try:
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ProjectError("cannot be loaded as a Python module", file=str(path))
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            code = compile(data, str(path), "exec")
            exec(code, module.__dict__)
        except PykroError as exc:
            raise exc.located(file=str(path)) from None
        except SyntaxError as exc:
            raise ProjectError(
                f"syntax error: {exc.msg}", file=exc.filename or str(path), line=exc.lineno, column=exc.offset
            ) from None
        except Exception as exc:  # the user's code failed: say where, in their file
            raise _user_failure(exc, path, root) from None
    finally:
        try:
            sys.path.remove(str(path.parent))
        except ValueError:
            pass
        sys.modules.pop(module_name, None)
    inputs: list[tuple[Path, str | None]] = [(path, hashlib.sha256(data).hexdigest())]
    for name in sorted(set(sys.modules) - before):
        file = getattr(sys.modules[name], "__file__", None)
        if not file:
            continue
        dep = Path(file).resolve()
        if dep != path and _is_user_file(dep, root):
            content = dep.read_bytes()
            _inputs.record(dep, content)
            inputs.append((dep, hashlib.sha256(content).hexdigest()))
            # Forget the repository's own modules: the next load (another
            # graph, another commit in a long-lived process) imports them
            # afresh, so it reads their current content and records them.
            del sys.modules[name]
    listings: list[tuple[Path, str | None]] = []
    if session is not None:
        recorded = {dep for dep, _ in inputs}
        for dep, is_dir, digest in session.settle():
            if is_dir:
                listings.append((dep, digest))
            elif dep not in recorded:
                inputs.append((dep, digest))
    attribute = source.attribute or source.name
    graph = module.__dict__.get(attribute)
    if graph is None:
        found = sorted(k for k, v in module.__dict__.items() if isinstance(v, ResourceGraph))
        # No file: load_graph names where the attribute is written.
        raise ProjectError(
            f"graph module {source.path!r} has no attribute {attribute!r}"
            + (f" (graphs in it: {', '.join(found)})" if found else ""),
            hint=f"name it as {source.path}:<attribute>",
        )
    if not isinstance(graph, ResourceGraph):
        raise ProjectError(
            f"{attribute!r} of graph module {source.path!r} is a {type(graph).__name__}, "
            "not a graph made by to_resource_graph"
        )
    return LoadedGraph(source.name, graph.graph, str(path), tuple(inputs), graph, tuple(listings))


def _user_failure(exc: BaseException, path: Path, root: Path) -> ProjectError:
    frames = traceback.extract_tb(exc.__traceback__)
    where = None
    for frame in frames:
        f = Path(frame.filename)
        if f == path or (f.is_absolute() and _is_user_file(f, root)):
            where = frame
    message = f"{type(exc).__name__}: {exc}"
    if where is None:
        return ProjectError(f"failed while loading: {message}", file=str(path))
    return ProjectError(f"failed while loading: {message}", file=where.filename, line=where.lineno)
