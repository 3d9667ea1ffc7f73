"""``pykro generate``: the Argo CD plugin's generate command.

Argo CD runs it in the application's directory of a fresh copy of the
repository, with the request in environment variables (see
:mod:`pykro.argocd._request` for which variable wins), and reads a YAML
stream from stdout. Its contract, and how this module keeps it:

* **Never partial output.** The whole output is built in memory and written
  in one write only after everything succeeded; every failure is one line
  ``pykro: <error>`` on stderr and exit status 1 (an empty stdout with status
  0 would make Argo CD prune every resource of the application).
* **Fast when nothing changed.** Argo CD re-runs the plugin on every refresh.
  The output is looked up in :mod:`pykro.cache` first, by an exact key (the
  commit and the request) and then by the request's inputs record (the
  hashes of the files the last renders read). That path imports neither the
  renderer nor any third-party library: ``pykro.project`` is imported only on
  a miss.
* **Killed cleanly.** At its deadline Argo CD sends SIGTERM to the process
  group: the run stops, prints nothing on stdout, removes its cache temp file
  and exits 143.

Cache keys hold, besides the request: pykro's code fingerprint (size and
mtime of every file of the package, so an edited checkout never serves stale
output), the installed distributions and the Python version.
"""

from __future__ import annotations

import os
import sys

from pykro.argocd._request import Request, resolve_request
from pykro.cache import RenderCache, key
from pykro.errors import ProjectError, PykroError, RenderError

TYPE_CHECKING = False  # typing is slow to import; mypy knows this name
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path
    from typing import Any, TextIO

    from pykro.project import Project, Rendered

__all__ = ["main", "EXIT_OK", "EXIT_ERROR", "EXIT_USAGE", "EXIT_SIGTERM"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_SIGTERM = 128 + 15

_USAGE = "usage: pykro generate [--environment ENV] [--mode MODE] [--no-cache]"
_KEY_VERSION = "pykro-generate-1"
_META = b"pykro-meta-1"

# Injection points for tests and embedders: None means "import from pykro.project
# on first use". Signatures: _render(app_dir: Path, environment: str, mode: str | None,
# *, repo_root: Path) -> Rendered; _load_project(app_dir: Path) -> project with
# .environments: tuple[str, ...].
_render: Callable[..., Rendered] | None = None
_load_project: Callable[[Path], Project] | None = None


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    stdout: TextIO | Any | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Render the application in ``cwd`` to ``stdout``; return the exit status.

    ``argv`` is what follows ``generate`` on the command line (Argo CD passes
    none). ``environ``, ``cwd``, ``stdout`` and ``stderr`` default to the
    process's own; ``stdout`` may be a text stream with a ``buffer`` or a
    binary stream.
    """
    env = os.environ if environ is None else environ
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    guard = _SigtermGuard()
    try:
        with guard:
            try:
                options = _parse_argv(list(argv or ()))
            except _Usage as usage:
                if usage.help:
                    _say(err, _USAGE)
                    return EXIT_OK
                _say(err, f"pykro: generate: {usage}; {_USAGE}")
                return EXIT_USAGE
            directory = os.fspath(cwd) if cwd is not None else os.getcwd()
            output, warnings = _generate(options, env, directory, err)
            for warning in warnings:
                _say(err, f"pykro: warning: {warning}")
            guard.writing = True  # from here SIGTERM waits: the output is whole or absent
            _emit(out, output)
        return EXIT_OK
    except _Terminated:
        return EXIT_SIGTERM
    except PykroError as error:
        _say(err, f"pykro: {_one_line(str(error))}")
        return EXIT_ERROR
    except Exception as error:  # noqa: BLE001 - the plugin's last line of defence
        _say(err, f"pykro: {type(error).__name__}: {_one_line(str(error))}")
        if env.get("PYKRO_DEBUG") == "1":
            import traceback

            err.write(traceback.format_exc())
            err.flush()
        return EXIT_ERROR


# -- the run ------------------------------------------------------------------------


class _Options:
    __slots__ = ("environment", "mode", "no_cache")

    def __init__(self) -> None:
        self.environment: str | None = None
        self.mode: str | None = None
        self.no_cache = False


class _Usage(Exception):
    def __init__(self, message: str = "", *, help: bool = False) -> None:  # noqa: A002
        super().__init__(message)
        self.help = help


def _parse_argv(args: list[str]) -> _Options:
    # Three flags do not justify importing argparse on the hit path.
    options = _Options()
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        name, eq, value = arg.partition("=")
        if arg in ("-h", "--help"):
            raise _Usage(help=True)
        if arg == "--no-cache":
            options.no_cache = True
            continue
        if name not in ("-e", "--environment", "--env", "--mode"):
            raise _Usage(f"unknown argument {arg!r}")
        if not eq:
            if i >= len(args):
                raise _Usage(f"{name} needs a value")
            value = args[i]
            i += 1
        if name == "--mode":
            options.mode = value
        else:
            options.environment = value
    return options


def _generate(options: _Options, environ: Mapping[str, str], cwd: str, stderr: TextIO) -> tuple[bytes, list[str]]:
    request = resolve_request(cwd, environ, environment=options.environment, mode=options.mode)
    cache = None
    if not options.no_cache:
        cache = RenderCache(environ=environ, warn=lambda message: _say(stderr, f"pykro: warning: {message}"))
    scope = key(
        _KEY_VERSION,
        request.app_path,
        request.environment or "",
        request.mode or "",
        request.parameters,
        _code_fingerprint(),
        sys.version,
    )
    exact = None
    payload = None
    if cache is not None and cache.enabled:
        commit = _commit(request, environ)
        exact = key(commit, scope) if commit else None
        if exact is not None:
            payload = _valid(cache.lookup(exact))
        if payload is None:
            # Not copied under the new commit's exact key: re-checking the inputs
            # costs about a millisecond, while a copy per commit and application
            # would fill the cache with duplicates and make every hit pay a store.
            payload = _valid(cache.lookup_inputs(scope, request.repo_root))
    if payload is None:
        rendered = _render_now(request)
        payload = _encode(rendered)
        if cache is not None:
            if exact is not None:
                cache.store(exact, payload)
            try:
                cache.store_inputs(scope, rendered.inputs, payload)
            except (TypeError, ValueError) as error:
                _say(stderr, f"pykro: warning: not caching this render: {error}")
    decoded = _decode(payload)
    assert decoded is not None  # _valid() or _encode() made it
    kinds, defines, body = decoded
    warnings = _api_warnings(kinds, defines, environ.get("KUBE_API_VERSIONS", ""))
    return body, warnings


def _commit(request: Request, environ: Mapping[str, str]) -> str | None:
    """The commit the checkout is at, or None when unknown or the tree has changes."""
    revision = environ.get("ARGOCD_APP_REVISION", "").strip()
    if revision:
        return revision
    from pykro.argocd._git import find_git_dir, head_commit, is_clean

    git_dir = find_git_dir(request.repo_root)
    if git_dir is None:
        return None
    head = head_commit(git_dir)
    if head is None or not is_clean(request.repo_root, environ):
        return None
    return head


def _render_now(request: Request) -> Rendered:
    from pathlib import Path

    if _render is not None:
        render = _render
    else:
        from pykro.project import render
    app_dir = Path(request.app_dir)
    environment = request.environment or _only_environment(app_dir)
    rendered = render(app_dir, environment, request.mode, repo_root=Path(request.repo_root))
    if not isinstance(getattr(rendered, "text", None), str):
        raise RenderError(f"the renderer returned {type(rendered).__name__}, not a Rendered with text")
    if not rendered.text.strip() and not getattr(rendered, "empty_allowed", False):
        raise RenderError(
            f"environment {environment!r} renders no objects; Argo CD would prune every resource of the application,"
            " so pykro refuses: add resources to the graph or check the environment"
        )
    return rendered


def _only_environment(app_dir: Path) -> str:
    if _load_project is not None:
        load_project = _load_project
    else:
        from pykro.project import load_project
    environments = tuple(load_project(app_dir).environments)
    if len(environments) == 1:
        return environments[0]
    if not environments:
        raise ProjectError("pykro.yaml defines no environment; add one to render this application")
    raise ProjectError(
        f"no environment given and pykro.yaml defines {len(environments)}: {', '.join(environments)};"
        " set the Application's plugin parameter 'environment' (or plugin env PYKRO_ENVIRONMENT)"
    )


def _code_fingerprint() -> str:
    """What pykro's output depends on besides the repository: its code and the installed packages.

    Sizes and mtimes of the package's files (not their contents: a stat is
    cheap, and an image's files never change), pykro's version when it has
    one, and the names of the installed distributions, which carry their
    versions (``cel_python-0.5.0.dist-info``).
    """
    import pykro

    parts = [str(getattr(pykro, "__version__", ""))]
    package = os.path.dirname(os.path.abspath(pykro.__file__ or ""))
    for directory, subdirs, files in os.walk(package):
        subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(directory, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            parts.append(f"{os.path.relpath(path, package)}:{stat.st_size}:{stat.st_mtime_ns}")
    for entry in sys.path:
        # Only the distribution names: the path itself may be the working
        # directory, a fresh temp dir on every Argo CD request.
        try:
            names = sorted(name for name in os.listdir(entry or ".") if name.endswith(".dist-info"))
        except OSError:
            continue
        if names:
            parts.append(",".join(names))
    return key(*parts)


# -- the cached payload: a small header with the kinds, then the YAML ---------------------


def _encode(rendered: Rendered) -> bytes:
    lines = [_META.decode("ascii")]
    for tag, pairs in (("K", rendered.kinds), ("D", rendered.defines)):
        for api_version, kind in sorted(set(pairs or ())):
            if _token(api_version) and _token(kind):
                lines.append(f"{tag} {api_version} {kind}")
    return ("\n".join(lines) + "\n\n").encode("utf-8") + rendered.text.encode("utf-8")


def _token(text: object) -> bool:
    return isinstance(text, str) and bool(text) and not any(c.isspace() for c in text)


def _decode(
    payload: bytes,
) -> tuple[list[tuple[str, str]], set[tuple[str, str]], bytes] | None:
    end = payload.find(b"\n\n")
    if end < 0 or not payload.startswith(_META + b"\n"):
        return None
    kinds: list[tuple[str, str]] = []
    defines: set[tuple[str, str]] = set()
    for line in payload[len(_META) + 1 : end].decode("utf-8", "replace").splitlines():
        fields = line.split(" ")
        if len(fields) != 3 or fields[0] not in ("K", "D"):
            return None
        (kinds.append if fields[0] == "K" else defines.add)((fields[1], fields[2]))
    return kinds, defines, payload[end + 2 :]


def _valid(payload: bytes | None) -> bytes | None:
    """A cached payload worth serving: well formed and not empty (else render again)."""
    if payload is None:
        return None
    decoded = _decode(payload)
    if decoded is None or not decoded[2].strip():
        return None
    return payload


def _api_warnings(kinds: list[tuple[str, str]], defines: set[tuple[str, str]], served_list: str) -> list[str]:
    """Kinds the destination cluster does not serve, per KUBE_API_VERSIONS.

    Argo CD sets it to a sorted, comma-joined list of ``group/version`` and
    ``group/version/Kind``. Kinds defined by this render's own RGDs do not
    exist before kro reconciles them, so they are not reported. A warning,
    not an error: the CRD may come from another application in the same sync.
    """
    served = {entry.strip() for entry in served_list.split(",") if entry.strip()}
    if not served:
        return []
    lists_kinds = any(entry.rsplit("/", 1)[-1][:1].isupper() for entry in served)
    warnings = []
    for api_version, kind in kinds:
        if (api_version, kind) in defines or f"{api_version}/{kind}" in served:
            continue
        if api_version not in served:
            warnings.append(
                f"the destination cluster does not serve {api_version} (kind {kind}); install its CRD or controller"
                " first, or fix the apiVersion"
            )
        elif lists_kinds:
            warnings.append(
                f"the destination cluster serves {api_version} but not kind {kind}; install its CRD first, or fix the kind"
            )
    return warnings


# -- process plumbing -----------------------------------------------------------------


class _Terminated(BaseException):
    """Raised by the SIGTERM handler; a BaseException so that ``except Exception`` in a render cannot swallow it."""


class _SigtermGuard:
    """SIGTERM -> unwind (``finally`` blocks remove temp files) -> exit 143, within a second.

    If the unwinding is swallowed or stuck, a timer ends the process after
    ``_FAILSAFE_SECONDS`` anyway (still with 143 and nothing on stdout).
    """

    _FAILSAFE_SECONDS = 0.8

    def __init__(self) -> None:
        self.writing = False
        self._fired = False
        self._installed = False
        self._previous: Any = None
        self._timer: Any = None

    def __enter__(self) -> _SigtermGuard:
        signal = _signal_module()
        try:
            self._previous = signal.signal(signal.SIGTERM, self._handle)
            self._installed = True
        except ValueError:
            pass  # not the main thread (embedded): the host handles its signals
        return self

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            signal = _signal_module()
            signal.signal(signal.SIGTERM, self._previous)
        if self._timer is not None:
            self._timer.cancel()

    def _handle(self, signum: int, frame: object) -> None:
        if self._fired or self.writing:
            return  # already unwinding, or the whole output is being written: finish it
        self._fired = True
        import threading

        self._timer = threading.Timer(self._FAILSAFE_SECONDS, os._exit, (EXIT_SIGTERM,))
        self._timer.daemon = True
        self._timer.start()
        raise _Terminated


def _signal_module() -> Any:
    """``_signal``, the C module the interpreter has already loaded at start-up.

    ``signal`` is a wrapper that converts numbers to enums; importing it (and
    ``enum``) costs more than the rest of a cache hit, for nothing we use.
    """
    try:
        import _signal

        return _signal
    except ImportError:  # pragma: no cover - other interpreters
        import signal

        return signal


def _emit(stream: Any, data: bytes) -> None:
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write(data)
        buffer.flush()
        return
    import io

    if isinstance(stream, io.TextIOBase):
        stream.write(data.decode("utf-8"))
    else:
        stream.write(data)
    stream.flush()


def _say(stream: TextIO, line: str) -> None:
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass  # stderr gone: nothing left to tell


def _one_line(text: str) -> str:
    return "; ".join(part.strip() for part in text.splitlines() if part.strip()) or "unknown error"
