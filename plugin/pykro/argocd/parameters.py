"""``pykro parameters``: the plugin's ``parameters.dynamic`` command.

Argo CD runs it in the application's directory and shows its output, a JSON
array of parameter announcements, as the plugin's form in the Application UI.
It announces what :mod:`pykro.argocd.generate` reads: ``environment`` (the
environments of the project's pykro.yaml in the tooltip) and ``mode``.
Announced defaults are only shown, never sent back: ``generate`` applies the
same defaults itself (the only environment, the project's default mode).

The output is deterministic (sorted keys, fixed separators), so the UI does
not flicker between refreshes.
"""

from __future__ import annotations

import os
import sys

from pykro.errors import PykroError

TYPE_CHECKING = False  # typing is slow to import; mypy knows this name
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any, TextIO

__all__ = ["main", "announcement"]

# Injection point for tests: None means pykro.project.load_project(app_dir: Path),
# which returns an object with .environments: tuple[str, ...] and .default_mode: str.
_load_project: Callable[..., Any] | None = None


_MODE_HELP = {
    "kro": "ResourceGraphDefinitions and their instances, for kro to reconcile",
    "rgd": "only the ResourceGraphDefinitions",
    "instance": "only the instances",
    "direct": "plain manifests, every CEL expression evaluated by pykro",
}


def announcement(
    environments: Sequence[str],
    default_mode: str,
    modes: Sequence[str] = tuple(_MODE_HELP),
    environment_modes: Mapping[str, str] | None = None,
) -> list[dict[str, object]]:
    """The parameter announcements for a project with these environments, modes and default mode.

    ``environment_modes`` (each environment's own mode) matters when they
    differ: then no single default is announced, since the default is the
    chosen environment's mode and the UI would otherwise show a wrong one.
    """
    environments = tuple(environments)
    distinct = sorted(set((environment_modes or {}).values()))
    if len(distinct) == 1:
        default_mode = distinct[0]
    environment: dict[str, object] = {
        "name": "environment",
        "title": "Environment",
        "tooltip": (
            f"Environment of pykro.yaml to render: {', '.join(environments)}"
            if environments
            else "pykro.yaml defines no environment"
        ),
        "required": len(environments) != 1,
        "itemType": "string",
        "collectionType": "string",
    }
    if len(environments) == 1:
        environment["string"] = environments[0]
    per_environment = len(distinct) > 1
    default_text = (
        "the environment's own mode (" + ", ".join(f"{e}: {m}" for e, m in (environment_modes or {}).items()) + ")"
        if per_environment
        else default_mode
    )
    mode: dict[str, object] = {
        "name": "mode",
        "title": "Render mode",
        "tooltip": "; ".join(f"{m}: {_MODE_HELP[m]}" if m in _MODE_HELP else m for m in modes)
        + f". Default: {default_text}",
        "required": False,
        "itemType": "string",
        "collectionType": "string",
    }
    if not per_environment:
        mode["string"] = default_mode
    return [environment, mode]


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Print the announcement for the application in ``cwd``; return the exit status."""
    env = os.environ if environ is None else environ
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    args = list(argv or ())
    if args:
        if args[0] in ("-h", "--help"):
            err.write("usage: pykro parameters\n")
            return 0
        err.write(f"pykro: parameters: unknown argument {args[0]!r}; usage: pykro parameters\n")
        return 2
    try:
        import json
        from pathlib import Path

        from pykro.project import MODES

        if _load_project is not None:
            load_project = _load_project
        else:
            from pykro.project import load_project
        project = load_project(Path(os.fspath(cwd) if cwd is not None else os.getcwd()))
        text = json.dumps(
            announcement(
                project.environments,
                project.default_mode,
                MODES,
                {name: env.mode for name, env in getattr(project, "environment_configs", {}).items()},
            ),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
    except PykroError as error:
        err.write(f"pykro: {_one_line(str(error))}\n")
        return 1
    except Exception as error:  # noqa: BLE001 - Argo CD shows stderr; a traceback helps nobody there
        err.write(f"pykro: {type(error).__name__}: {_one_line(str(error))}\n")
        if env.get("PYKRO_DEBUG") == "1":
            import traceback

            err.write(traceback.format_exc())
        return 1
    out.write(text + "\n")
    out.flush()
    return 0


def _one_line(text: str) -> str:
    return "; ".join(part.strip() for part in text.splitlines() if part.strip()) or "unknown error"
