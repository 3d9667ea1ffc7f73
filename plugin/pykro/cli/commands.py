"""click commands. Each imports the library inside its body (click's "further deferring imports")."""

from __future__ import annotations

import functools
import os
import sys
from typing import Any, Callable, TypeVar, overload

import click

__all__ = ["cli"]

_MODES = ("kro", "rgd", "instance", "direct")

_Command = TypeVar("_Command", bound=Callable[..., Any])


@overload
def _fails_cleanly(fn: _Command, *, code: int = 1) -> _Command: ...


@overload
def _fails_cleanly(fn: None = None, *, code: int = 1) -> Callable[[_Command], _Command]: ...


def _fails_cleanly(fn: Callable[..., Any] | None = None, *, code: int = 1) -> Any:
    """One line on stderr and exit ``code`` for a user error; nothing on stdout, ever, on failure.

    ``pykro diff`` fails with 2, since its 1 means "there are differences".
    """
    if fn is None:
        return functools.partial(_fails_cleanly, code=code)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..errors import PykroError

        try:
            return fn(*args, **kwargs)
        except PykroError as exc:
            click.echo(f"pykro: {exc}", err=True)
            sys.exit(code)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("PYKRO_DEBUG") == "1":
                raise
            click.echo(f"pykro: internal error: {type(exc).__name__}: {exc} (set PYKRO_DEBUG=1 for a traceback)",
                       err=True)  # fmt: skip
            sys.exit(code)

    return wrapper


def _write(text: str) -> None:
    out = sys.stdout.buffer
    out.write(text.encode("utf-8"))
    out.flush()


class _LazyGroup(click.Group):
    """Lists ``generate`` and ``parameters`` too, though ``main`` dispatches generate itself."""


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pykro")
def cli() -> None:
    """Typed Kubernetes resource graphs, rendered for GitOps."""


@cli.command()
@click.argument("app_dir", default=".", type=click.Path(file_okay=False))
@click.option("--env", "-e", "environment", required=True, help="Environment of pykro.yaml to render.")
@click.option("--mode", "-m", type=click.Choice(_MODES), help="Override the environment's mode.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file (atomically: the old file stays whole until the new one is) instead of stdout.")
@_fails_cleanly
def render(app_dir: str, environment: str, mode: str | None, output: str | None) -> None:
    """Render one environment of APP_DIR's pykro.yaml as a YAML stream (stdout, or --output)."""
    from ..project import render as render_project

    rendered = render_project(app_dir, environment, mode)
    if output is None:
        _write(rendered.text)
    else:
        _write_atomically(output, rendered.text)


def _write_atomically(path: str, text: str) -> None:
    """Write a temp file beside ``path`` and rename it over: readers see the old or the new file, never half."""
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".pykro-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@cli.command()
@click.argument("app_dir", default=".", type=click.Path(file_okay=False))
@click.option("--kubernetes", is_flag=True,
              help="Also check templates and manifests against Kubernetes schemas (pykro[kubernetes-schemas]).")
@click.option("--kube-version", default=None, help="Kubernetes version of the schemas (default: the newest shipped).")
@_fails_cleanly
def validate(app_dir: str, kubernetes: bool, kube_version: str | None) -> None:
    """Render every environment in every mode and check the results; report every problem, exit 1 if any.

    RGDs are checked against kro's CRD (schema and its CEL rules).
    """
    from ..project import validate as validate_project

    problems = validate_project(app_dir, kubernetes=kubernetes, kubernetes_version=kube_version)
    for env, mode, exc in problems:
        click.echo(f"pykro: [{env}/{mode}] {exc}", err=True)
    if problems:
        click.echo(f"pykro: {len(problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo("pykro: every environment renders in every mode", err=True)


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def generate(ctx: click.Context) -> None:
    """Argo CD plugin: render the app in the current directory from Argo CD's variables."""
    from ..argocd.generate import main as run

    sys.exit(run(list(ctx.args)))


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def parameters(ctx: click.Context) -> None:
    """Argo CD plugin: print the parameter announcement (environment, mode) as JSON."""
    from ..argocd.parameters import main as run

    sys.exit(run(list(ctx.args)))


@cli.group()
def cache() -> None:
    """The render cache ($PYKRO_CACHE_DIR)."""


@cache.command("stats")
@_fails_cleanly
def cache_stats() -> None:
    """Entries, size and location of the render cache."""
    from ..cache import RenderCache

    stats = RenderCache().stats()
    for name, value in sorted(vars(stats).items()) if hasattr(stats, "__dict__") else _fields(stats):
        click.echo(f"{name}: {value}")


def _fields(obj: Any) -> list[tuple[str, Any]]:
    import dataclasses

    return [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj)]


@cache.command("clear")
@_fails_cleanly
def cache_clear() -> None:
    """Remove every entry of the render cache."""
    from ..cache import RenderCache

    removed = RenderCache().clear()
    click.echo(f"removed {removed} entries")


def _load_objects(paths: tuple[str, ...]) -> list[dict[str, Any]]:
    """Objects from YAML files as ``kubectl get -o yaml`` prints them (``kind: List`` flattened)."""
    from pathlib import Path

    from ..errors import ProjectError
    from ..project.yamlpos import load

    objects: list[dict[str, Any]] = []
    for path in paths:
        import yaml

        text = Path(path).read_text(encoding="utf-8")
        try:
            docs = list(yaml.safe_load_all(text))
        except yaml.YAMLError:
            load(text, path)  # raises with the line and column
            raise
        for doc in docs:
            if doc is None:
                continue
            if not isinstance(doc, dict) or "kind" not in doc:
                raise ProjectError("every document must be a Kubernetes object", file=path)
            if doc["kind"].endswith("List") and isinstance(doc.get("items"), list):
                objects.extend(doc["items"])
            else:
                objects.append(doc)
    return objects


@cli.command()
@click.argument("graph")
@click.option("--instance", "instance_file", required=True, type=click.Path(dir_okay=False, exists=True),
              help="The instance (its spec gives the values), e.g. kubectl get webapp demo -o yaml.")
@click.option("--objects", "object_files", multiple=True, required=True, type=click.Path(dir_okay=False, exists=True),
              help="Live objects of the instance, as kubectl get -o yaml prints them (repeatable).")
@_fails_cleanly
def status(graph: str, instance_file: str, object_files: tuple[str, ...]) -> None:
    """Evaluate GRAPH's status and readyWhen against live objects, offline.

    GRAPH is path/to/module.py:attribute or an RGD YAML file.
    """
    from pathlib import Path

    from ..errors import ProjectError
    from ..project.config import GraphSource
    from ..project.loader import load_graph
    from ..render.status import evaluate_status
    from ..simpleschema import apply_defaults, to_openapi
    from ..yamlout import dump

    path, _, attribute = graph.partition(":")
    source = GraphSource(name=attribute or Path(path).stem, path=path, attribute=attribute or None, line=None)
    if source.is_python and not attribute:
        raise ProjectError("name the graph as path/to/module.py:attribute", path="GRAPH")
    loaded = load_graph(source, Path.cwd(), "GRAPH")
    instances = _load_objects((instance_file,))
    if len(instances) != 1:
        raise ProjectError(f"the instance file must hold one object, not {len(instances)}", file=instance_file)
    instance = instances[0]
    g = loaded.graph
    values = apply_defaults(to_openapi(g.spec_schema, g.types or None), dict(instance.get("spec") or {}))
    meta = instance.get("metadata") or {}
    report = evaluate_status(g, values, _load_objects(object_files), name=str(meta.get("name", g.name)),
                             namespace=meta.get("namespace"))  # fmt: skip
    out: dict[str, Any] = {"status": report.status, "ready": report.ready}
    if report.missing:
        out["missing"] = list(report.missing)
    if report.unresolved:
        out["unresolved"] = list(report.unresolved)
    _write(dump(out))


@cli.command()
@click.argument("app_dir", default=".", type=click.Path(file_okay=False, exists=True))
@click.option("--base", required=True, help="Revision to compare against (e.g. origin/main).")
@click.option("--head", default=None, help="Revision to compare (default: the working tree as it is).")
@click.option("--env", "-e", "environments", multiple=True, help="Only these environments (repeatable).")
@click.option("--mode", "-m", type=click.Choice(_MODES), help="Render every environment in this mode.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
@_fails_cleanly(code=2)
def diff(app_dir: str, base: str, head: str | None, environments: tuple[str, ...], mode: str | None,
         fmt: str) -> None:  # fmt: skip
    """What a change does to APP_DIR's rendered YAML, object by object, per environment.

    Exit 0: no difference; 1: differences; 2: an environment failed to render.
    Secret values are masked; RGD schema changes kro refuses are flagged BREAKING.
    """
    from pathlib import Path

    from ..diff import diff_project
    from ..project import find_repo_root

    root = find_repo_root(Path(app_dir))
    result = diff_project(root, Path(app_dir).resolve(), base=base, head=head,
                          environments=environments, mode=mode)  # fmt: skip
    _write(result.markdown() if fmt == "markdown" else result.text())
    if result.has_errors:
        for env in result.environments:
            if env.error:
                click.echo(f"pykro: [{env.environment}] {env.error}", err=True)
        sys.exit(2)
    sys.exit(1 if result.has_changes else 0)


@cli.command()
@click.argument("app_dir", default=".", type=click.Path(file_okay=False, exists=True))
@click.option("--out", "-o", "out", required=True, type=click.Path(file_okay=False),
              help="The tree to (re)write; replaced only once every environment rendered.")
@click.option("--env", "-e", "environments", multiple=True, help="Only these environments (repeatable).")
@click.option("--name", default=None, help="Application name in the Flux Kustomizations (default: APP_DIR's name).")
@click.option("--source-kind", type=click.Choice(["GitRepository", "OCIRepository"]), default="GitRepository",
              show_default=True)
@click.option("--source-name", default="rendered", show_default=True, help="The Flux source holding the tree.")
@click.option("--source-namespace", default="flux-system", show_default=True)
@click.option("--path-prefix", default=".", show_default=True, help="The tree's path inside the source.")
@_fails_cleanly
def flux(app_dir: str, out: str, environments: tuple[str, ...], name: str | None, source_kind: str,
         source_name: str, source_namespace: str, path_prefix: str) -> None:  # fmt: skip
    """Render every environment into a tree for Flux: <env>/rgds, <env>/app and flux/<env>.yaml.

    Commit the tree to a branch (or `flux push artifact` it) and apply flux/<env>.yaml:
    two Flux Kustomizations, the app's depending on the RGDs' (which waits for kro's CRDs).
    """
    from ..flux import FluxSource, write_tree

    source = FluxSource(kind=source_kind, name=source_name, namespace=source_namespace, path_prefix=path_prefix)
    written = write_tree(app_dir, out, environments=environments, source=source, name=name)
    for path in written:
        click.echo(f"wrote {path}", err=True)
