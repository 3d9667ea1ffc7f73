"""The repository files a render reads, and the boundary it must not leave.

A render reads graph modules (and the repository modules they import),
value files and included YAML. The cache (issue: renders keyed by commit)
reuses a render for a new commit whose recorded inputs are unchanged, so
every read of a repository file goes through :func:`read`, which records the
file's hash. The same function refuses paths that leave the repository:
Argo CD extracts untrusted repositories, and ``../../etc/passwd`` in a
``pykro.yaml`` must be an error, not a read.

Standard library only.
"""

from __future__ import annotations

import contextvars
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ProjectError

__all__ = ["Session", "current", "read", "inside", "sha256"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Session:
    """What one render may read (``root``) and has read (``inputs``)."""

    root: Path
    inputs: dict[str, str | None] = field(default_factory=dict)

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


_current: contextvars.ContextVar[Session | None] = contextvars.ContextVar("pykro_inputs", default=None)


def current() -> Session | None:
    return _current.get()


class reading:
    """Context manager making ``session`` the current one."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __enter__(self) -> Session:
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


def read(path: Path, *, what: str, referrer: str | None = None) -> bytes:
    """Read a repository file and record its hash in the current session."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        session = current()
        if session is not None:
            _record(session, path, None)
        raise ProjectError(f"{what} {path.name!r} does not exist", file=referrer, path=None) from None
    except IsADirectoryError:
        raise ProjectError(f"{what} {str(path)!r} is a directory", file=referrer) from None
    session = current()
    if session is not None:
        _record(session, path, sha256(data))
    return data


def record(path: Path, data: bytes | None) -> None:
    session = current()
    if session is not None:
        _record(session, path, None if data is None else sha256(data))


def _record(session: Session, path: Path, digest: str | None) -> None:
    try:
        rel = session.relative(path.resolve())
    except ValueError:
        return  # outside the repository (the Python standard library, site-packages): not an input
    session.inputs[rel] = digest
