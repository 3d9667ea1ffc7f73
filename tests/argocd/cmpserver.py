"""A test stand-in for Argo CD's cmp-server sidecar and the repo-server side of one request.

Why it exists: pykro runs inside Argo CD as a config-management plugin, and most plugin bugs
only show up under Argo CD's exact conditions — the repository copied through a tarball (file
modes reset, ``.git`` included), the working directory set to the app path, inputs passed only as
environment variables, a process group killed at the gRPC deadline, and stdout parsed as a
YAML-or-JSON stream in which every document must have a ``kind``. Running a real Argo CD in tests
is not possible here, so this module reproduces those conditions for one request, following the
Argo CD sources (``cmpserver/plugin``, ``util/cmp/stream.go``, ``util/io/files/tar.go``,
``reposerver/repository/repository.go``, ``util/app/discovery``, ``pkg/apis/.../types.go``).

Written from reading those sources; no Argo CD code is reused. Deliberate simplifications are
listed in :class:`CmpServer`'s docstring.

Standard library only, except PyYAML (imported lazily) to read ``plugin.yaml`` and YAML output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tarfile
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

__all__ = [
    "CmpServer",
    "CmpServerError",
    "GenerateResult",
    "PluginCommand",
    "PluginConfig",
    "DEFAULT_API_VERSIONS",
    "DEFAULT_REPO_URL",
    "escape_param_name",
    "go_envsubst",
    "go_glob",
    "go_match",
    "parse_kube_version",
    "parameters_environ",
    "split_manifests",
    "zglob",
]

DEFAULT_REPO_URL = "https://git.example.com/org/repo.git"
#: A realistic, already sorted ``q.ApiVersions`` list (the controller sends it sorted).
DEFAULT_API_VERSIONS: tuple[str, ...] = (
    "apps/v1",
    "apps/v1/Deployment",
    "kro.run/v1alpha1",
    "kro.run/v1alpha1/ResourceGraphDefinition",
    "v1",
    "v1/ConfigMap",
    "v1/Service",
)

#: cmp-server stops server-side work this long before the request deadline (cmpTimeoutBuffer).
_TIMEOUT_BUFFER = 0.1
#: Delay between SIGTERM to the process group and SIGKILL to it (runCommand's cleanupTimeout).
_KILL_GRACE = 5.0
_PLUGIN_KIND = "ConfigManagementPlugin"


class CmpServerError(Exception):
    """Argo CD would fail the request before or around running a command (bad config, no match...)."""


# --------------------------------------------------------------------------- plugin.yaml


@dataclass(frozen=True)
class PluginCommand:
    """``{command: [...], args: [...]}``: Argo CD runs ``command + args`` with no shell."""

    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()

    @property
    def argv(self) -> tuple[str, ...]:
        return self.command + self.args

    def __bool__(self) -> bool:
        return bool(self.command)


@dataclass(frozen=True)
class PluginConfig:
    """The fields of ``plugin.yaml`` that Argo CD reads; every other key is ignored (non-strict)."""

    name: str
    version: str
    generate: PluginCommand
    init: PluginCommand = PluginCommand()
    discover_file_name: str = ""
    discover_glob: str = ""
    discover_command: PluginCommand = PluginCommand()
    static_parameters: tuple[Mapping[str, Any], ...] = ()
    dynamic_parameters: PluginCommand = PluginCommand()
    preserve_file_mode: bool = False
    provide_git_creds: bool = False

    @property
    def plugin_name(self) -> str:
        """The name an Application uses in ``spec.source.plugin.name`` (also the socket's name)."""
        return f"{self.name}-{self.version}" if self.version else self.name

    @property
    def discovery_configured(self) -> bool:
        return bool(self.discover_file_name or self.discover_glob or self.discover_command)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "PluginConfig":
        """Read and validate like ``ReadPluginConfig`` + ``ValidatePluginConfig``."""
        import yaml

        try:
            doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise CmpServerError(f"error unmarshaling plugin config {path}: {exc}") from exc
        if not isinstance(doc, dict):
            raise CmpServerError(f"invalid plugin configuration file {path}: not a YAML object")
        meta = _obj(doc.get("metadata"), "metadata")
        spec = _obj(doc.get("spec"), "spec")
        name = _str(meta.get("name"), "metadata.name")
        if not name:
            raise CmpServerError("invalid plugin configuration file. metadata.name should be non-empty")
        kind = _str(doc.get("kind"), "kind")
        if kind != _PLUGIN_KIND:
            raise CmpServerError(
                f"invalid plugin configuration file. kind should be {_PLUGIN_KIND}, found {kind}"
            )
        generate = _command(spec.get("generate"), "spec.generate")
        if not generate.command:
            raise CmpServerError(
                "invalid plugin configuration file. spec.generate command should be non-empty"
            )
        discover = _obj(spec.get("discover"), "spec.discover")
        find = _obj(discover.get("find"), "spec.discover.find")
        params = _obj(spec.get("parameters"), "spec.parameters")
        static = params.get("static") or []
        if not isinstance(static, list) or not all(isinstance(p, dict) for p in static):
            raise CmpServerError("spec.parameters.static must be a list of objects")
        return cls(
            name=name,
            version=_str(spec.get("version"), "spec.version"),
            generate=generate,
            init=_command(spec.get("init"), "spec.init"),
            discover_file_name=_str(discover.get("fileName"), "spec.discover.fileName"),
            discover_glob=_str(find.get("glob"), "spec.discover.find.glob"),
            discover_command=_command(find, "spec.discover.find"),
            static_parameters=tuple(static),
            dynamic_parameters=_command(params.get("dynamic"), "spec.parameters.dynamic"),
            preserve_file_mode=_bool(spec.get("preserveFileMode"), "spec.preserveFileMode"),
            provide_git_creds=_bool(spec.get("provideGitCreds"), "spec.provideGitCreds"),
        )


def _obj(value: object, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CmpServerError(f"{where} must be an object, found {type(value).__name__}")
    return value


def _str(value: object, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CmpServerError(f"{where} must be a string, found {type(value).__name__}")
    return value


def _bool(value: object, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise CmpServerError(f"{where} must be a boolean, found {type(value).__name__}")
    return value


def _strings(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CmpServerError(f"{where} must be a list of strings")
    return tuple(value)


def _command(value: object, where: str) -> PluginCommand:
    obj = _obj(value, where)
    return PluginCommand(
        _strings(obj.get("command"), f"{where}.command"), _strings(obj.get("args"), f"{where}.args")
    )


# --------------------------------------------------------------------------- Go semantics


def go_match(pattern: str, name: str) -> bool:
    """Go ``filepath.Match``: ``*``/``?`` never match ``/``; ``[^...]`` negates; ``\\`` escapes.

    Raises :class:`CmpServerError` for a malformed pattern (Go's ``ErrBadPattern``).
    """
    return _go_pattern_regex(pattern).fullmatch(name) is not None


def _go_pattern_regex(pattern: str) -> "re.Pattern[str]":
    out: list[str] = []
    i, n = 0, len(pattern)

    def bad() -> CmpServerError:
        return CmpServerError(f"syntax error in pattern {pattern!r}")

    def one_char(j: int) -> tuple[str, int]:
        # A class member: a plain char or \c; '-' and ']' are not allowed bare (Go getEsc).
        if j >= n or pattern[j] in "-]":
            raise bad()
        if pattern[j] == "\\":
            j += 1
            if j >= n:
                raise bad()
        return pattern[j], j + 1

    while i < n:
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "\\":
            if i + 1 >= n:
                raise bad()
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif c == "[":
            i += 1
            negated = i < n and pattern[i] == "^"
            if negated:
                i += 1
            ranges: list[tuple[str, str]] = []
            while True:
                if i < n and pattern[i] == "]" and ranges:
                    i += 1
                    break
                lo, i = one_char(i)
                hi = lo
                if i < n and pattern[i] == "-":
                    hi, i = one_char(i + 1)
                ranges.append((lo, hi))
            members = "".join(
                f"{re.escape(lo)}-{re.escape(hi)}" for lo, hi in ranges if lo <= hi
            )
            if negated:
                out.append(f"[^{members}]" if members else "(?s:.)")
            else:
                out.append(f"[{members}]" if members else "(?!)")
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out), re.DOTALL)


def _has_meta(path: str) -> bool:
    return any(c in path for c in "*?[\\")


def go_glob(pattern: str) -> list[str]:
    """Go ``filepath.Glob``: component-wise, no ``**``, dotfiles not special, sorted per directory."""
    _go_pattern_regex(pattern)  # Glob reports ErrBadPattern for the whole pattern first
    if not _has_meta(pattern):
        return [pattern] if os.path.lexists(pattern) else []
    directory, file = os.path.split(pattern)
    directory = directory or "."
    if directory != "/":
        directory = directory.rstrip("/") or "/"
    if not _has_meta(directory):
        return _glob_in(directory, file)
    if directory == pattern:
        raise CmpServerError(f"syntax error in pattern {pattern!r}")
    matches: list[str] = []
    for d in go_glob(directory):
        matches.extend(_glob_in(d, file))
    return matches


def _glob_in(directory: str, pattern: str) -> list[str]:
    if not os.path.isdir(directory):
        return []
    regex = _go_pattern_regex(pattern)
    return [
        os.path.join(directory, name)
        for name in sorted(os.listdir(directory))
        if regex.fullmatch(name)
    ]


def zglob(pattern: str) -> list[str]:
    """``github.com/mattn/go-zglob`` as used for ``discover.find.glob``: Go glob plus ``**``.

    ``**`` as a whole path component matches zero or more directories; the walk starts at the
    pattern's longest meta-free directory prefix.
    """
    parts = pattern.split("/")
    base_parts: list[str] = []
    for part in parts[:-1]:
        if _has_meta(part):
            break
        base_parts.append(part)
    base = "/".join(base_parts) or ("/" if pattern.startswith("/") else ".")
    rest = parts[len(base_parts):]
    regex_parts = []
    for k, part in enumerate(rest):
        if part == "**":
            regex_parts.append("(?:[^/]+/)*" if k < len(rest) - 1 else ".*")
        else:
            regex_parts.append(_go_pattern_regex(part).pattern + ("/" if k < len(rest) - 1 else ""))
    regex = re.compile("".join(regex_parts), re.DOTALL)
    if not os.path.isdir(base):
        return []
    found: list[str] = []
    for root, dirs, files in os.walk(base):
        dirs.sort()
        for name in sorted(dirs + files):
            full = os.path.join(root, name)
            if regex.fullmatch(os.path.relpath(full, base)):
                found.append(full)
    return found


def escape_param_name(name: str) -> str:
    """Argo CD's ``escaped``: uppercase, then every char outside ``[A-Z0-9_]`` becomes ``_``."""
    return re.sub(r"[^A-Z0-9_]", "_", name.upper())


def go_envsubst(text: str, variables: Mapping[str, str]) -> str:
    """Go ``os.Expand`` with Argo CD's mapping: ``$$`` is ``$``; unknown names expand to ``""``."""
    special = set("*#$@!?-0123456789")
    out: list[str] = []
    i = 0
    j = 0
    while j < len(text):
        if text[j] == "$" and j + 1 < len(text):
            out.append(text[i:j])
            rest = text[j + 1:]
            name, width = "", 0
            if rest[0] == "{":
                if len(rest) > 2 and rest[1] in special and rest[2] == "}":
                    name, width = rest[1], 3
                else:
                    close = rest.find("}", 1)
                    if close == 1:
                        width = 2  # "${}": bad syntax, eaten
                    elif close == -1:
                        width = 1  # "${" unterminated: bad syntax, eaten
                    else:
                        name, width = rest[1:close], close + 1
            elif rest[0] in special:
                name, width = rest[0], 1
            else:
                m = re.match(r"[A-Za-z0-9_]*", rest)
                name = m.group(0) if m else ""
                width = len(name)
            if name:
                out.append("$" if name == "$" else variables.get(name, ""))
            elif width == 0:
                out.append("$")  # "$" not followed by a name stays
            j += width
            i = j + 1
        j += 1
    out.append(text[i:])
    return "".join(out)


def parse_kube_version(version: str) -> str:
    """``k8s.io/apimachinery`` ``ParseGeneric(v).String()``: ``v1.30.2-eks-1`` -> ``1.30.2``."""
    if version == "":
        return ""
    m = re.match(r"^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)$", version, re.DOTALL)
    if not m:
        raise CmpServerError(f"could not parse kubernetes version {version}")
    comps = m.group(1).split(".")
    if len(comps) < 2 or (comps[0].startswith("0") and comps[0] != "0"):
        raise CmpServerError(f"could not parse kubernetes version {version}")
    return ".".join(str(int(c)) for c in comps)


def _go_json(value: object) -> str:
    """``encoding/json.Marshal``: compact, map keys sorted, HTML characters escaped."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def parameters_environ(parameters: Sequence[Mapping[str, Any]] | None) -> dict[str, str]:
    """``ApplicationSourcePluginParameters.Environ``: the JSON variable plus one per value.

    No parameters marshal as ``null`` (the list arrives through protobuf, so it is nil when empty).
    """
    params = list(parameters or [])
    marshalled = []
    env: dict[str, str] = {}
    for p in params:
        unknown = set(p) - {"name", "string", "array", "map"}
        if unknown:
            raise CmpServerError(f"unknown parameter fields {sorted(unknown)} in {dict(p)!r}")
        out: dict[str, Any] = {"name": p.get("name", "")}
        base = "PARAM_" + escape_param_name(out["name"])
        if "string" in p:
            out["string"] = str(p["string"])
            env[base] = out["string"]
        if "map" in p:
            out["map"] = {str(k): str(v) for k, v in (p["map"] or {}).items()}
            for key in sorted(out["map"]):
                env[f"{base}_{escape_param_name(key)}"] = out["map"][key]
        if "array" in p:
            out["array"] = [str(v) for v in (p["array"] or [])]
            for i, value in enumerate(out["array"]):
                env[f"{base}_{i}"] = value
        marshalled.append(out)
    return {"ARGOCD_APP_PARAMETERS": _go_json(marshalled or None), **env}


# --------------------------------------------------------------------------- output parsing


def _yaml_loader() -> type:
    """A YAML 1.1 SafeLoader that, like sigs.k8s.io/yaml, keeps timestamps as strings."""
    import yaml

    class _Loader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> dict[str, Any]:
            # Keys become strings as they are read: ``1`` and ``true`` stay two keys, as in Go.
            self.flatten_mapping(node)
            return {
                _json_key(self.construct_object(k, deep=deep)): self.construct_object(v, deep=deep)
                for k, v in node.value
            }

    _Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return _Loader


def _json_key(key: Any) -> str:
    """YAMLToJSON turns every mapping key into a string (``1`` -> ``"1"``, ``true`` -> ``"true"``)."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def _yaml_documents(text: str) -> list[str]:
    """k8s ``YAMLReader``: a document ends at a line starting with ``---`` followed by nothing
    but whitespace or a comment."""
    docs: list[str] = []
    current: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("---"):
            tail = line[3:].strip()
            if not tail or tail.startswith("#"):
                docs.append("".join(current))
                current = []
                continue
        current.append(line)
    docs.append("".join(current))
    return docs


def split_manifests(stdout: str) -> list[dict[str, Any]]:
    """What ``kube.SplitYAMLToString`` + ``kube.SplitYAML`` + List flattening do with stdout.

    A stream starting with ``{`` is concatenated JSON; anything else is YAML documents. Empty and
    ``null`` documents are skipped; every other document must be an object with a string
    ``kind``; ``items`` lists are flattened, a null ``items`` with no spec/status is dropped.
    Raises :class:`CmpServerError` with Argo CD's wording.
    """
    raw: list[Any] = []
    if stdout.lstrip(" \t\r\n").startswith("{"):
        decoder = json.JSONDecoder()
        pos = 0
        while True:
            while pos < len(stdout) and stdout[pos] in " \t\r\n":
                pos += 1
            if pos >= len(stdout):
                break
            try:
                value, pos = decoder.raw_decode(stdout, pos)
            except json.JSONDecodeError as exc:
                raise CmpServerError(f"failed to unmarshal manifest: {exc}") from exc
            raw.append(value)
    else:
        import yaml

        loader = _yaml_loader()
        for doc in _yaml_documents(stdout):
            try:
                raw.append(yaml.load(doc, Loader=loader))  # noqa: S506 - SafeLoader subclass
            except yaml.YAMLError as exc:
                raise CmpServerError(f"failed to unmarshal manifest: {exc}") from exc
    objects: list[dict[str, Any]] = []
    for value in raw:
        if value is None:
            continue
        if not isinstance(value, dict):
            raise CmpServerError(
                "failed to unmarshal manifest: cannot unmarshal "
                f"{_go_type(value)} into Go value of type map[string]interface {{}}"
            )
        kind = value.get("kind")
        if not isinstance(kind, str) or not kind:
            raise CmpServerError(
                f"failed to unmarshal manifest: Object 'Kind' is missing in '{_go_json(value)}'"
            )
        items = value.get("items", ...)
        if isinstance(items, list):
            for item in items:
                if not isinstance(item, dict):
                    raise CmpServerError("resource list item has unexpected type")
                objects.append(item)
        elif items is None and "spec" not in value and "status" not in value:
            continue
        else:
            objects.append(value)
    return objects


def _go_type(value: object) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    return "number"


# --------------------------------------------------------------------------- repository transfer


def _inbound(candidate: str, base: str) -> bool:
    target = os.path.normpath(candidate if os.path.isabs(candidate) else os.path.join(base, candidate))
    return target.startswith(os.path.normpath(base) + os.sep)


def _tar_repository(root: str, excludes: Sequence[str], tgz: str) -> int:
    """``files.Tgz``: walk like ``filepath.Walk`` (lexical, symlinks not followed), keep
    directories, regular files and symlinks; return how many regular files were written."""
    written = 0
    with tarfile.open(tgz, "w:gz", format=tarfile.PAX_FORMAT) as tar:

        def walk(path: str) -> None:
            nonlocal written
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            is_dir = os.path.isdir(path) and not os.path.islink(path)
            if any(go_match(p, rel) for p in excludes):
                return
            if not (is_dir or os.path.islink(path) or os.path.isfile(path)):
                return  # sockets, fifos, devices are skipped
            info = tar.gettarinfo(path, arcname=rel)
            info.mode = st.st_mode & 0o7777
            if info.isreg():
                with open(path, "rb") as fh:
                    tar.addfile(info, fh)
                written += 1
            else:
                tar.addfile(info)
            if is_dir:
                for name in sorted(os.listdir(path)):
                    walk(os.path.join(path, name))

        walk(root)
    return written


def _untar(dst: str, tgz: str, preserve_file_mode: bool) -> None:
    """``files.Untgz``: modes reset to 0755/0644 unless preserved; escaping symlinks rejected."""
    with tarfile.open(tgz, "r:gz") as tar:
        for member in tar:
            if member.name in (".", "./"):
                continue
            target = os.path.normpath(os.path.join(dst, member.name))
            if not _inbound(target, dst):
                raise CmpServerError(f"illegal filepath in archive: {target}")
            if member.isdir():
                os.makedirs(target, mode=member.mode if preserve_file_mode else 0o755, exist_ok=True)
            elif member.issym():
                # filepath.Join re-roots absolute link names under the link's directory.
                link = os.path.normpath(os.path.dirname(target) + "/" + member.linkname)
                try:
                    real = os.path.realpath(link, strict=True)
                except FileNotFoundError:
                    real = link
                if not _inbound(real, dst):
                    raise CmpServerError(f"illegal filepath in symlink: {link}")
                os.symlink(os.path.relpath(real, os.path.dirname(target)), target)
            elif member.isreg():
                os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
                mode = member.mode if preserve_file_mode else 0o644
                fd = os.open(target, os.O_RDWR | os.O_CREAT | os.O_TRUNC, mode)
                with os.fdopen(fd, "wb") as out:
                    src = tar.extractfile(member)
                    assert src is not None
                    out.write(src.read())


# --------------------------------------------------------------------------- running commands


@dataclass(frozen=True)
class _Run:
    stdout: str
    stderr: str
    exit_code: int | None  # None: the command could not be started
    timed_out: bool
    start_error: str = ""


def _run(argv: Sequence[str], cwd: str, env: Mapping[str, str], deadline: float | None,
         kill_grace: float) -> _Run:
    """``runCommand``: own process group; at the deadline SIGTERM the group and SIGKILL the
    leader (``exec.CommandContext`` kills it), then SIGKILL the group ``kill_grace`` later."""
    try:
        proc = subprocess.Popen(
            list(argv), cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, process_group=0,
        )
    except OSError as exc:  # Go: cmd.Start() fails with "fork/exec <path>: <reason>"
        reason = (exc.strerror or str(exc)).lower()
        return _Run("", "", None, False, f"fork/exec {argv[0]}: {reason}")
    pgid = proc.pid
    timed_out = False
    killer: threading.Timer | None = None
    try:
        remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
        out, err = proc.communicate(timeout=remaining)
    except subprocess.TimeoutExpired:
        timed_out = True
        _signal_group(pgid, signal.SIGTERM)
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        killer = threading.Timer(kill_grace, _signal_group, (pgid, signal.SIGKILL))
        killer.start()
        # Like cmd.Wait: returns once the pipes close, i.e. when every group member is gone.
        try:
            out, err = proc.communicate(timeout=kill_grace + 30)
        except subprocess.TimeoutExpired:
            raise CmpServerError(
                f"`{' '.join(argv)}` left processes outside its group holding stdout open"
            ) from None
    finally:
        if killer is not None:
            killer.cancel()
    return _Run(out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                proc.returncode, timed_out)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _exit_text(code: int) -> str:
    if code < 0:
        name = {signal.SIGKILL: "killed", signal.SIGTERM: "terminated"}.get(-code, f"signal {-code}")
        return f"signal: {name}"
    return f"exit status {code}"


# --------------------------------------------------------------------------- the server


@dataclass(frozen=True)
class GenerateResult:
    """One GenerateManifest request: parsed objects, raw streams, and Argo CD's error if any."""

    objects: tuple[dict[str, Any], ...]
    stdout: str
    stderr: str
    exit_code: int | None
    error: str | None = None
    timed_out: bool = False
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    def check(self) -> "GenerateResult":
        """Raise :class:`CmpServerError` with Argo CD's message unless the request succeeded."""
        if self.error is not None:
            raise CmpServerError(self.error)
        return self


_NAMED = object()


class CmpServer:
    """Argo CD repo-server + cmp-server for one plugin and one repository.

    Each call is one request: the repository root is tarred (``.git`` included, minus
    ``tar_exclude`` globs like ``--plugin-tar-exclude``), extracted into a fresh directory under a
    private work root, the command runs with cwd = the app path, and the directory is deleted.

    ``sidecar_env`` is the cmp-server process environment (``os.Environ()`` in the sidecar); by
    default only ``PATH`` (the caller's) and ``HOME`` (a private temp dir), as in a minimal image.

    Not emulated: the 100 MiB message cap, git credentials (``provideGitCreds``),
    ``manifest-generate-paths`` root narrowing, the JSON-then-YAML fallback of newer
    apimachinery decoders, duplicate-key handling differences between PyYAML and go-yaml.
    """

    def __init__(
        self,
        repo_root: str | os.PathLike[str],
        plugin_yaml_path: str | os.PathLike[str],
        *,
        sidecar_env: Mapping[str, str] | None = None,
        tar_exclude: Iterable[str] = (),
        kill_grace: float = _KILL_GRACE,
    ) -> None:
        self.repo_root = os.path.realpath(repo_root)
        self.config = PluginConfig.load(plugin_yaml_path)
        self.tar_exclude = tuple(tar_exclude)
        self.kill_grace = kill_grace
        self._work_root = tempfile.mkdtemp(prefix="cmp-server-")
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._work_root, True)
        if sidecar_env is None:
            home = os.path.join(self._work_root, "home")
            os.makedirs(home)
            sidecar_env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": home}
        self.sidecar_env = dict(sidecar_env)

    # ---- request environments

    def close(self) -> None:
        """Remove the private work root (also done when the server is garbage-collected)."""
        self._cleanup()

    def generate_env(
        self,
        app_path: str,
        *,
        revision: str | None = None,
        app_name: str = "app",
        namespace: str = "default",
        project: str = "default",
        repo_url: str = DEFAULT_REPO_URL,
        target_revision: str = "HEAD",
        kube_version: str = "v1.30.2",
        api_versions: Sequence[str] = DEFAULT_API_VERSIONS,
        plugin_name: Any = _NAMED,
        env: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        parameters: Sequence[Mapping[str, Any]] | None = None,
    ) -> dict[str, str]:
        """The variables the repo-server sends with a manifest request (``getPluginEnvs``)."""
        if revision is None:
            revision = self._head_revision()
        build = {
            "ARGOCD_APP_NAME": app_name,
            "ARGOCD_APP_NAMESPACE": namespace,
            "ARGOCD_APP_PROJECT_NAME": project,
            "ARGOCD_APP_REVISION": revision,
            "ARGOCD_APP_REVISION_SHORT": revision[:7],
            "ARGOCD_APP_REVISION_SHORT_8": revision[:8],
            "ARGOCD_APP_SOURCE_REPO_URL": repo_url,
            "ARGOCD_APP_SOURCE_PATH": app_path,
            "ARGOCD_APP_SOURCE_TARGET_REVISION": target_revision,
            "KUBE_VERSION": parse_kube_version(kube_version),
            "KUBE_API_VERSIONS": ",".join(api_versions),
        }
        return self._with_plugin_vars(build, plugin_name, env, parameters)

    def parameters_env(
        self,
        app_path: str,
        *,
        app_name: str = "app",
        repo_url: str = DEFAULT_REPO_URL,
        target_revision: str = "HEAD",
        plugin_name: Any = _NAMED,
        env: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        parameters: Sequence[Mapping[str, Any]] | None = None,
    ) -> dict[str, str]:
        """The reduced variables of an app-details request (``populatePluginAppDetails``)."""
        build = {
            "ARGOCD_APP_NAME": app_name,
            "ARGOCD_APP_SOURCE_REPO_URL": repo_url,
            "ARGOCD_APP_SOURCE_PATH": app_path,
            "ARGOCD_APP_SOURCE_TARGET_REVISION": target_revision,
        }
        return self._with_plugin_vars(build, plugin_name, env, parameters)

    @staticmethod
    def _with_plugin_vars(build: dict[str, str], plugin_name: Any, env: Any,
                          parameters: Sequence[Mapping[str, Any]] | None) -> dict[str, str]:
        out = dict(build)
        if plugin_name is None and env is None and parameters is None:
            return out  # the Application has no spec.source.plugin block
        pairs = list(env.items()) if isinstance(env, Mapping) else list(env or [])
        for name, value in pairs:
            out[f"ARGOCD_ENV_{name}"] = go_envsubst(str(value), build)
        out.update(parameters_environ(parameters))
        return out

    def _head_revision(self) -> str:
        proc = subprocess.run(["git", "-C", self.repo_root, "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise CmpServerError(f"cannot resolve the revision of {self.repo_root}: {proc.stderr.strip()}")
        return proc.stdout.strip()

    # ---- requests

    def discover(self, app_path: str, **request: Any) -> bool:
        """``MatchRepository``: whether discovery rules accept the app (False if none are set)."""
        with self._workdir() as workdir:
            return self._match(workdir, app_path, self.generate_env(app_path, **request), None)

    def parameters(self, app_path: str, *, timeout: float = 60.0, **request: Any) -> list[dict[str, Any]]:
        """``GetParametersAnnouncement``: dynamic announcements first, then the static ones."""
        plugin_name = request.get("plugin_name", _NAMED)
        env = self.parameters_env(app_path, **request)
        deadline = time.monotonic() + timeout - _TIMEOUT_BUFFER
        with self._workdir() as workdir:
            self._select(workdir, app_path, env, plugin_name, deadline)
            appdir = self._app_dir(workdir, app_path)
            announced: list[dict[str, Any]] = []
            command = self.config.dynamic_parameters
            if command:
                run = _run(command.argv, appdir, {**self.sidecar_env, **env}, deadline, self.kill_grace)
                if run.exit_code != 0:
                    raise CmpServerError(
                        "error executing dynamic parameter output command: "
                        + self._cmd_error(command, run)
                    )
                announced = _parse_announcements(run.stdout.removesuffix("\n"))
            return announced + [dict(p) for p in self.config.static_parameters]

    def generate(self, app_path: str, *, timeout: float = 60.0, **request: Any) -> GenerateResult:
        """``GenerateManifest`` as the repo-server drives it for an Application at ``app_path``.

        ``request`` takes the keywords of :meth:`generate_env`. ``plugin_name`` defaults to this
        plugin's ``NAME-VERSION`` (the Application selects it by name); ``None`` means the
        Application names no plugin and discovery must match.
        """
        plugin_name = request.get("plugin_name", _NAMED)
        env = self.generate_env(app_path, **request)
        deadline = time.monotonic() + timeout - _TIMEOUT_BUFFER
        with self._workdir() as workdir:
            self._select(workdir, app_path, env, plugin_name, deadline)
            appdir = self._app_dir(workdir, app_path)
            full_env = {**self.sidecar_env, **env}
            if self.config.init:
                run = _run(self.config.init.argv, appdir, full_env, deadline, self.kill_grace)
                if run.exit_code != 0:
                    return GenerateResult((), run.stdout, run.stderr, run.exit_code,
                                          self._cmd_error(self.config.init, run), run.timed_out, env)
            run = _run(self.config.generate.argv, appdir, full_env, deadline, self.kill_grace)
            if run.exit_code != 0:
                return GenerateResult((), run.stdout, run.stderr, run.exit_code,
                                      self._cmd_error(self.config.generate, run), run.timed_out, env)
            try:
                objects = split_manifests(run.stdout.removesuffix("\n"))
            except CmpServerError as exc:
                return GenerateResult((), run.stdout, run.stderr, run.exit_code, str(exc), False, env)
            return GenerateResult(tuple(objects), run.stdout, run.stderr, run.exit_code, None, False, env)

    # ---- internals

    def _workdir(self) -> "_Workdir":
        return _Workdir(self)

    def _app_dir(self, workdir: str, app_path: str) -> str:
        appdir = os.path.normpath(os.path.join(workdir, app_path))
        if not appdir.startswith(workdir):
            raise CmpServerError("illegal appPath: out of workDir bound")
        if not os.path.isdir(appdir):
            raise CmpServerError(f"app path {app_path!r} does not exist in the repository")
        return appdir

    def _select(self, workdir: str, app_path: str, env: Mapping[str, str], plugin_name: Any,
                deadline: float) -> None:
        """``DetectConfigManagementPlugin``: a named plugin must exist and, if it has discovery
        rules, match them; an unnamed request needs matching discovery rules."""
        named = plugin_name is not None
        wanted = self.config.plugin_name if plugin_name is _NAMED else plugin_name
        if named and wanted != self.config.plugin_name:
            raise CmpServerError(
                f"could not find cmp-server plugin with name {wanted!r} supporting the given repository"
            )
        if not self.config.discovery_configured:
            if named:
                return
            raise CmpServerError("could not find plugin supporting the given repository")
        if not self._match(workdir, app_path, env, deadline):
            if named:
                raise CmpServerError(
                    f"could not find cmp-server plugin with name {wanted!r} supporting the given repository"
                )
            raise CmpServerError("could not find plugin supporting the given repository")

    def _match(self, workdir: str, app_path: str, env: Mapping[str, str], deadline: float | None) -> bool:
        appdir = os.path.normpath(os.path.join(workdir, app_path))
        if not appdir.startswith(workdir):
            appdir = workdir  # securejoin clamps into the root
        cfg = self.config
        if cfg.discover_file_name:
            return bool(go_glob(os.path.normpath(os.path.join(appdir, cfg.discover_file_name))))
        if cfg.discover_glob:
            return bool(zglob(os.path.normpath(os.path.join(appdir, cfg.discover_glob))))
        if cfg.discover_command:
            run = _run(cfg.discover_command.argv, appdir, {**self.sidecar_env, **env}, deadline,
                       self.kill_grace)
            if run.exit_code != 0:
                raise CmpServerError("error running find command: " + self._cmd_error(cfg.discover_command, run))
            return run.stdout.removesuffix("\n") != ""
        return False

    @staticmethod
    def _cmd_error(command: PluginCommand, run: _Run) -> str:
        if run.exit_code is None:
            return run.start_error
        text = f"`{' '.join(command.argv)}` failed {_exit_text(run.exit_code)}"
        if run.stderr.strip():
            text += f": {run.stderr.strip()}"
        return text


class _Workdir:
    """A fresh copy of the repository for one request, removed afterwards."""

    def __init__(self, server: CmpServer) -> None:
        self._server = server
        self.path = ""

    def __enter__(self) -> str:
        server = self._server
        self.path = tempfile.mkdtemp(dir=server._work_root)
        os.chmod(self.path, 0o755)
        fd, tgz = tempfile.mkstemp(dir=server._work_root, suffix=".tgz")
        os.close(fd)
        try:
            if _tar_repository(server.repo_root, server.tar_exclude, tgz) == 0:
                raise CmpServerError(f"no files to send({server.repo_root})")
            _untar(self.path, tgz, server.config.preserve_file_mode)
        finally:
            os.unlink(tgz)
        return self.path

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


_ANNOUNCEMENT_FIELDS: dict[str, type | tuple[type, ...]] = {
    "name": str, "title": str, "tooltip": str, "required": bool, "itemType": str,
    "collectionType": str, "string": str, "array": list, "map": dict,
}


def _parse_announcements(stdout: str) -> list[dict[str, Any]]:
    """``json.Unmarshal`` into ``[]*ParameterAnnouncement``: one JSON array (or null), typed fields."""
    try:
        value = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise CmpServerError(
            "error unmarshaling dynamic parameter output into ParametersAnnouncementResponse: "
            f"{exc}"
        ) from exc
    if value is None:
        return []
    if not isinstance(value, list):
        raise CmpServerError(
            "error unmarshaling dynamic parameter output into ParametersAnnouncementResponse: "
            f"cannot unmarshal {_go_type(value)} into Go value of type []*apiclient.ParameterAnnouncement"
        )
    out = []
    for item in value:
        if item is None:
            continue
        if not isinstance(item, dict):
            raise CmpServerError(
                "error unmarshaling dynamic parameter output into ParametersAnnouncementResponse: "
                f"cannot unmarshal {_go_type(item)} into Go value of type apiclient.ParameterAnnouncement"
            )
        for key, want in _ANNOUNCEMENT_FIELDS.items():
            if key in item and item[key] is not None and not isinstance(item[key], want):
                raise CmpServerError(
                    "error unmarshaling dynamic parameter output into ParametersAnnouncementResponse: "
                    f"field {key} has the wrong type {type(item[key]).__name__}"
                )
        if isinstance(item.get("array"), list) and not all(isinstance(v, str) for v in item["array"]):
            raise CmpServerError("dynamic parameter announcement: array items must be strings")
        if isinstance(item.get("map"), dict) and not all(isinstance(v, str) for v in item["map"].values()):
            raise CmpServerError("dynamic parameter announcement: map values must be strings")
        out.append(item)
    return out
