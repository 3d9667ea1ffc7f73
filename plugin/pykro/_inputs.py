"""The repository files a render reads, and the boundary it must not leave.

A render reads graph modules (and the repository modules they import),
value files and included YAML. The cache (issue: renders keyed by commit)
reuses a render for a new commit whose recorded inputs are unchanged, so
every read of a repository file goes through :func:`read`, which records the
file's hash. The same function refuses paths that leave the repository:
Argo CD extracts untrusted repositories, and ``../../etc/passwd`` in a
``pykro.yaml`` must be an error, not a read.

Graph modules are ordinary Python and may read files their own way
(``Path(__file__).with_name("tag.txt").read_text()``), import optionally
(``try: import overrides``) or glob. None of that goes through :func:`read`,
and a cache that missed it would serve a stale render for a commit that
changed such a file. So while a session is current, an audit hook
(:pep:`578`) notes every repository file opened for reading and every
repository directory listed (the import system lists a directory to find a
module, so a module that appears later changes a recorded listing);
:meth:`Session.settle` hashes them. What stays invisible is a bare
existence check (``os.path.exists``: a stat raises no audit event).

Standard library only.
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ._listing import is_bytecode, listing_digest
from .errors import ProjectError

__all__ = ["Session", "current", "read", "inside", "sha256", "is_installed"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Session:
    """What one render may read (``root``) and has read (``inputs``).

    ``inputs`` maps a repository-relative path to the sha256 of the file (None:
    looked for, absent); a directory's key ends in ``/`` (the root's is ``./``)
    and maps to its :func:`~pykro._listing.listing_digest`.
    """

    root: Path
    inputs: dict[str, str | None] = field(default_factory=dict)
    # Paths the audit hook saw opened for reading / listed, not yet settled.
    opened: set[str] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)
    _settling: bool = False

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def settle(self) -> list[tuple[Path, bool, str | None]]:
        """Record what the audit hook saw since the last call; return it as (path, is_dir, digest)."""
        found: list[tuple[Path, bool, str | None]] = []
        self._settling = True
        try:
            opened, listed = self.opened, self.listed
            self.opened, self.listed = set(), set()
            for raw, is_dir in [(p, False) for p in sorted(opened)] + [(p, True) for p in sorted(listed)]:
                path = Path(raw).resolve()
                if path != self.root and self.root not in path.parents:
                    continue
                if is_installed(path) or any(map(is_bytecode, path.parts)):
                    continue
                if is_dir:
                    digest = listing_digest(str(path))
                    if digest is None:
                        continue
                    rel = self.relative(path) + "/"
                    self.inputs[rel] = digest
                else:
                    rel = self.relative(path)
                    if rel in self.inputs:
                        continue  # read through read(): already hashed
                    try:
                        digest = sha256(path.read_bytes()) if path.is_file() else None
                    except OSError:
                        digest = None
                    self.inputs[rel] = digest
                found.append((path, is_dir, digest))
        finally:
            self._settling = False
        return found


_current: contextvars.ContextVar[Session | None] = contextvars.ContextVar("pykro_inputs", default=None)


def current() -> Session | None:
    return _current.get()


_PYKRO_DIR = Path(__file__).resolve().parent


def _installation_dirs() -> tuple[Path, ...]:
    import sysconfig

    dirs = {_PYKRO_DIR, Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix)}
    dirs.update(Path(p) for p in (sysconfig.get_paths().get(k) for k in ("stdlib", "purelib", "platlib")) if p)
    return tuple(sorted({d.resolve() for d in dirs}))


_INSTALLED: tuple[Path, ...] | None = None


def is_installed(path: Path) -> bool:
    """Whether ``path`` (resolved) belongs to pykro or the Python installation running it.

    A virtualenv often lives inside the repository (``.venv``): the libraries
    a render imports from it are the tool, not the repository's content, so
    they are never inputs nor the user's modules.
    """
    global _INSTALLED
    if _INSTALLED is None:
        _INSTALLED = _installation_dirs()
    return any(path == d or d in path.parents for d in _INSTALLED)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_hook_installed = False


def _audit(event: str, args: tuple[object, ...]) -> None:
    """The PEP 578 hook: note repository reads and listings of the current session.

    It runs on every audited event of the process, so it does as little as it
    can: a string comparison, then a context-variable read.
    """
    if event == "open":
        session = _current.get()
        if session is None or session._settling:
            return
        path, mode, flags = args
        if isinstance(mode, str):
            if any(c in mode for c in "wax+"):
                return
        elif isinstance(flags, int) and flags & _WRITE_FLAGS:
            return
        if isinstance(path, (str, bytes, os.PathLike)):
            session.opened.add(os.path.abspath(os.fsdecode(path)))
    elif event == "os.listdir" or event == "os.scandir":
        session = _current.get()
        if session is None or session._settling:
            return
        (path,) = args
        if path is None:
            path = "."
        if isinstance(path, (str, bytes, os.PathLike)):
            session.listed.add(os.path.abspath(os.fsdecode(path)))


class reading:
    """Context manager making ``session`` the current one."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __enter__(self) -> Session:
        global _hook_installed
        if not _hook_installed:  # once per process: audit hooks cannot be removed
            sys.addaudithook(_audit)
            _hook_installed = True
        self._token = _current.set(self.session)
        return self.session

    def __exit__(self, *exc: object) -> None:
        _current.reset(self._token)


def inside(path: str | os.PathLike[str], *, base: Path, what: str, referrer: str | None = None) -> Path:
    """``path`` (relative to ``base``) resolved, checked to stay in the repository.

    Symlinks are resolved first, so a link pointing outside is refused too.
    Without a current session the boundary is ``base`` itself's filesystem.
    """
    resolved = (base / path).resolve()
    session = current()
    if session is not None:
        root = session.root
        if resolved != root and root not in resolved.parents:
            raise ProjectError(
                f"{what} {str(path)!r} leaves the repository ({root})",
                file=referrer,
                hint="every file a render reads must be inside the repository",
            )
    return resolved


def read(path: Path, *, what: str, referrer: str | None = None, written: str | None = None) -> bytes:
    """Read a repository file and record its hash in the current session.

    ``written`` is the path as the user wrote it, for the error naming a missing file.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        session = current()
        if session is not None:
            _record(session, path, None)
        shown = written if written is not None else path.name
        raise ProjectError(f"{what} {shown!r} does not exist", file=referrer, path=None) from None
    except IsADirectoryError:
        shown = written if written is not None else str(path)
        raise ProjectError(f"{what} {shown!r} is a directory", file=referrer) from None
    session = current()
    if session is not None:
        _record(session, path, sha256(data))
    return data


def record(path: Path, data: bytes | None) -> None:
    session = current()
    if session is not None:
        _record(session, path, None if data is None else sha256(data))


def record_listing(path: Path, digest: str | None) -> None:
    """Record a directory listing (as :meth:`Session.settle` does) in the current session."""
    session = current()
    if session is not None and digest is not None:
        try:
            session.inputs[session.relative(path.resolve()) + "/"] = digest
        except ValueError:
            pass


def _record(session: Session, path: Path, digest: str | None) -> None:
    try:
        rel = session.relative(path.resolve())
    except ValueError:
        return  # outside the repository (the Python standard library, site-packages): not an input
    session.inputs[rel] = digest
