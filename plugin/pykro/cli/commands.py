"""click commands. Each imports the library inside its body (click's "further deferring imports")."""

from __future__ import annotations

import functools
import os
import sys
from typing import Any, Callable

import click

__all__ = ["cli"]

_MODES = ("kro", "rgd", "instance", "direct")


def _fails_cleanly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """One line on stderr and exit 1 for a user error; nothing on stdout, ever, on failure."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..errors import PykroError

        try:
            return fn(*args, **kwargs)
        except PykroError as exc:
            click.echo(f"pykro: {exc}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("PYKRO_DEBUG") == "1":
                raise
            click.echo(f"pykro: internal error: {type(exc).__name__}: {exc} (set PYKRO_DEBUG=1 for a traceback)",
                       err=True)  # fmt: skip
            sys.exit(1)

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
@_fails_cleanly
def render(app_dir: str, environment: str, mode: str | None) -> None:
    """Render one environment of APP_DIR's pykro.yaml to stdout as a YAML stream."""
    from ..project import render as render_project

    rendered = render_project(app_dir, environment, mode)
    _write(rendered.text)


@cli.command()
@click.argument("app_dir", default=".", type=click.Path(file_okay=False))
@_fails_cleanly
def validate(app_dir: str) -> None:
    """Render every environment in every mode; report every problem, exit 1 if any."""
    from ..project import validate as validate_project

    problems = validate_project(app_dir)
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
