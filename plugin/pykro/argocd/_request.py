"""What one ``pykro generate`` run is asked to render, read from Argo CD's environment.

Where each value comes from, first match wins (empty values count as unset,
because Argo CD passes empty plugin env entries through):

1. the command line (``--environment``, ``--mode``): a person debugging locally
   means exactly what they typed;
2. ``ARGOCD_APP_PARAMETERS``: the Application's plugin parameters, the
   authoritative list for this request (Argo CD derives ``PARAM_*`` from it);
3. ``PARAM_ENVIRONMENT`` / ``PARAM_MODE``: the same parameters, when only the
   escaped variables are present;
4. ``ARGOCD_ENV_PYKRO_ENVIRONMENT`` / ``ARGOCD_ENV_PYKRO_MODE``: the
   Application's ``spec.source.plugin.env``;
5. ``PYKRO_ENVIRONMENT`` / ``PYKRO_MODE``: a local shell.

Parameters win over plugin env because they are what Argo CD's UI edits.
An unknown parameter name is an error rather than ignored: a typo would
otherwise render the wrong environment without a word.
"""

from __future__ import annotations

import os

from pykro.errors import ProjectError

TYPE_CHECKING = False  # typing is slow to import; mypy knows this name
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Request", "PARAMETER_NAMES", "find_repo_root", "resolve_request"]

PARAMETER_NAMES = ("environment", "mode")
"""The plugin parameters pykro understands (also announced by ``pykro parameters``)."""


class Request:
    """The resolved inputs of one run.

    A plain slotted class rather than a dataclass: importing ``dataclasses``
    would cost more than the rest of the cache-hit path. Treat it as frozen.
    """

    __slots__ = ("repo_root", "app_dir", "app_path", "environment", "mode", "parameters")

    def __init__(
        self,
        *,
        repo_root: str,
        app_dir: str,
        app_path: str,
        environment: str | None,
        mode: str | None,
        parameters: str,
    ) -> None:
        self.repo_root = repo_root
        """Absolute path of the repository root (paths of render inputs are relative to it)."""
        self.app_dir = app_dir
        """Absolute path of the application directory (the working directory)."""
        self.app_path = app_path
        """``app_dir`` relative to ``repo_root``, POSIX, ``.`` for the root itself."""
        self.environment = environment
        """The environment asked for, or None: the project's only one (decided on a miss)."""
        self.mode = mode
        """The mode asked for, or None: the project's default mode."""
        self.parameters = parameters
        """Canonical text of ARGOCD_APP_PARAMETERS, part of the cache key."""

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"Request({fields})"


def find_repo_root(cwd: str, environ: Mapping[str, str]) -> str:
    """The nearest parent of ``cwd`` holding ``.git``; else ``cwd`` minus ARGOCD_APP_SOURCE_PATH; else ``cwd``.

    Argo CD sends the repository with ``.git`` unless the operator excludes it
    (``--plugin-tar-exclude``); then the application's source path says how
    deep the working directory sits below the root.
    """
    directory = cwd
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    source_path = environ.get("ARGOCD_APP_SOURCE_PATH", "")
    parts = [part for part in source_path.replace("\\", "/").split("/") if part not in ("", ".")]
    if parts and ".." not in parts:
        root = cwd
        for _ in parts:
            root = os.path.dirname(root)
        return root
    return cwd


def resolve_request(
    cwd: str,
    environ: Mapping[str, str],
    *,
    environment: str | None = None,
    mode: str | None = None,
) -> Request:
    """Resolve the run's repository, application, environment and mode (see the module doc)."""
    app_dir = os.path.abspath(cwd)
    repo_root = find_repo_root(app_dir, environ)
    app_path = os.path.relpath(app_dir, repo_root).replace(os.sep, "/")
    parameters = _parse_parameters(environ.get("ARGOCD_APP_PARAMETERS", ""))
    return Request(
        repo_root=repo_root,
        app_dir=app_dir,
        app_path=app_path,
        environment=_pick("environment", environment, parameters, environ),
        mode=_pick("mode", mode, parameters, environ),
        parameters="\n".join(f"{name}={value}" for name, value in sorted(parameters.items())),
    )


def _pick(name: str, flag: str | None, parameters: Mapping[str, str], environ: Mapping[str, str]) -> str | None:
    upper = name.upper()
    candidates = (
        flag,
        parameters.get(name),
        environ.get(f"PARAM_{upper}"),
        environ.get(f"ARGOCD_ENV_PYKRO_{upper}"),
        environ.get(f"PYKRO_{upper}"),
    )
    for value in candidates:
        if value is not None and value.strip():
            return value.strip()
    return None


def _parse_parameters(raw: str) -> dict[str, str]:
    """Read ARGOCD_APP_PARAMETERS: ``[{"name": ..., "string": ...}, ...]``.

    Argo CD sends ``null`` or ``[]`` when the Application sets no parameter;
    those skip the JSON parser, which the cache-hit path would rather not load.
    """
    raw = raw.strip()
    if raw in ("", "null", "[]"):
        return {}
    import json

    try:
        items = json.loads(raw)
    except ValueError as err:
        raise ProjectError(
            f"ARGOCD_APP_PARAMETERS is not valid JSON ({err}); Argo CD sets it to a JSON array of parameters",
            path="ARGOCD_APP_PARAMETERS",
        ) from None
    if items is None:
        return {}
    if not isinstance(items, list):
        raise ProjectError(
            f"ARGOCD_APP_PARAMETERS must be a JSON array of parameters, got {type(items).__name__}",
            path="ARGOCD_APP_PARAMETERS",
        )
    found: dict[str, str] = {}
    for index, item in enumerate(items):
        where = f"ARGOCD_APP_PARAMETERS[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ProjectError('each parameter must be an object with a "name"', path=where)
        name = item["name"]
        if name not in PARAMETER_NAMES:
            raise ProjectError(
                f"unknown plugin parameter {name!r}; pykro's parameters are: {', '.join(PARAMETER_NAMES)}",
                path=where,
            )
        if "array" in item or "map" in item or not isinstance(item.get("string", ""), str):
            raise ProjectError(f"plugin parameter {name!r} must be a string", path=where)
        value = item.get("string")
        if value is not None and value.strip():
            found[name] = value.strip()
    return found
