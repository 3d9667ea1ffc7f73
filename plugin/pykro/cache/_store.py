"""The on-disk store behind :class:`RenderCache`.

Layout under the cache directory (``v1`` is the format version: a future
format uses another directory instead of misreading this one)::

    v1/out/<k[:2]>/<k>          exact-key outputs
    v1/in/<key(scope)>/<r>      inputs records of one scope (at most MAX_RECORDS_PER_SCOPE)
    .../.tmp.<pid>.<random>     a write in progress (or left by a killed process)

Every file is ``pykro-cache-1 <sha256 of body> <length of body>\\n<body>``. An
inputs record's body is ``<n>\\n`` then ``n`` lines ``<path>\\t<sha256 or ->``
then the output. Paths are percent-escaped for ``%``, tab and newlines, so that
the hit path needs no JSON parser.

Concurrency rests on three POSIX facts: ``os.replace`` is atomic, an open file
stays readable after it is unlinked, and removing an already removed file is
harmless. There are no locks, so a killed process can never leave one behind.
"""

from __future__ import annotations

import hashlib
import os
import stat as _stat
import sys
import time

TYPE_CHECKING = False  # typing costs more to import than the whole hit path; mypy knows this name
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from pykro.cache._stats import CacheStats

__all__ = ["RenderCache", "key", "DEFAULT_MAX_BYTES", "MAX_RECORDS_PER_SCOPE"]

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
"""Size bound used when neither ``max_bytes`` nor ``$PYKRO_CACHE_MAX_BYTES`` says otherwise."""

MAX_RECORDS_PER_SCOPE = 8
"""Inputs records kept per scope: enough for a few branches rendered in turn."""

_MAGIC = b"pykro-cache-1"
_TMP_PREFIX = ".tmp."
_STALE_TMP_SECONDS = 3600.0
"""A temp file this old belongs to a killed process (Argo CD's SIGKILL) and is removed."""
_EVICT_TO = 0.9
"""Eviction goes down to this fraction of max_bytes, so that it does not run on every store."""
_HEX = frozenset("0123456789abcdef")


def key(*parts: str) -> str:
    """Return a stable sha256 hex digest of ``parts``.

    Each part is length-prefixed, so ``key("ab", "c") != key("a", "bc")``; the
    result depends on nothing but the strings (no hash seed, no locale).
    """
    digest = hashlib.sha256()
    for part in parts:
        if not isinstance(part, str):
            raise TypeError(f"cache key parts must be str, got {type(part).__name__}")
        data = part.encode("utf-8", "surrogatepass")
        digest.update(b"%d:" % len(data))
        digest.update(data)
    return digest.hexdigest()


_make_key = key  # methods take a parameter named ``key``


class RenderCache:
    """Rendered outputs on disk, safe for many processes at once.

    ``directory``: the argument, else ``$PYKRO_CACHE_DIR``, else
    ``<temp dir>/pykro-cache-<uid>`` (the temp dir chosen like
    :func:`tempfile.gettempdir`: ``$TMPDIR``, ``$TEMP``, ``$TMP``, ``/tmp``).
    ``max_bytes``: the argument, else ``$PYKRO_CACHE_MAX_BYTES``, else 256 MiB;
    ``0`` turns the cache off. ``environ`` replaces ``os.environ`` for those
    look-ups and ``warn`` replaces the one-line warning on stderr (both for
    embedding and tests).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        max_bytes: int | None = None,
        environ: Mapping[str, str] | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self._warn_sink = warn
        self._warned = False
        self._default_dir = False
        if directory is None:
            directory = env.get("PYKRO_CACHE_DIR") or None
        if directory is None:
            self._default_dir = True
            directory = os.path.join(_temp_dir(env), f"pykro-cache-{_user_id(env)}")
        self._dir = os.path.abspath(os.fspath(directory))
        if max_bytes is None:
            max_bytes = _max_bytes_from(env.get("PYKRO_CACHE_MAX_BYTES"), self._warn)
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0, got {max_bytes}")
        self._max_bytes = max_bytes
        self._enabled = max_bytes > 0
        self._root_checked = not self._default_dir
        self._out = os.path.join(self._dir, "v1", "out")
        self._in = os.path.join(self._dir, "v1", "in")

    @property
    def directory(self) -> str:
        return self._dir

    @property
    def enabled(self) -> bool:
        """False once the cache has turned itself off; lookups then miss and stores do nothing."""
        return self._enabled

    # -- exact keys ---------------------------------------------------------------

    def lookup(self, key: str) -> bytes | None:
        """Return the output stored under ``key``, or None (missing, corrupted or cache off)."""
        if not self._usable():
            return None
        found = self._read_verified(self._entry_path(key))
        return None if found is None else found[1]

    def store(self, key: str, output: bytes) -> None:
        """Store ``output`` under ``key``; never raises for a disk problem (it warns once)."""
        if not isinstance(output, bytes):
            raise TypeError(f"output must be bytes, got {type(output).__name__}")
        if not self._usable():
            return
        if self._write(self._entry_path(key), output):
            self._evict()

    # -- inputs records -----------------------------------------------------------

    def lookup_inputs(self, scope: str, root: str | os.PathLike[str]) -> bytes | None:
        """Return the output of the newest record of ``scope`` whose inputs still match under ``root``.

        A recorded file matches when its sha256 is unchanged; a file recorded
        as absent matches while it is still not a regular file. Each file is
        hashed at most once per call, however many records list it.
        """
        if not self._usable():
            return None
        scope_dir = self._scope_dir(scope)
        root_path = os.fspath(root)
        states: dict[str, str | None] = {}
        for _, _, path in _newest_first(_list_files(scope_dir)):
            found = self._read_verified(path, touch=False)
            if found is None:
                continue
            stat, body = found
            parsed = _parse_record(body)
            if parsed is None:
                # A record that hashes right but does not parse was not written by
                # this code: treat it like corruption.
                _remove_if_same(path, stat)
                continue
            inputs, output = parsed
            if all(_file_state(root_path, rel, states) == want for rel, want in inputs):
                _touch(path)
                return output
        return None

    def store_inputs(self, scope: str, inputs: Mapping[str, str | None], output: bytes) -> None:
        """Record that rendering ``scope`` read ``inputs`` and produced ``output``.

        ``inputs`` maps repository-relative POSIX paths to the sha256 hex of the
        file's bytes, or to None for a file that was looked for and absent.
        Only the newest :data:`MAX_RECORDS_PER_SCOPE` records of a scope are kept.
        """
        if not isinstance(output, bytes):
            raise TypeError(f"output must be bytes, got {type(output).__name__}")
        header = _encode_inputs(inputs)
        if not self._usable():
            return
        scope_dir = self._scope_dir(scope)
        record = os.path.join(scope_dir, key(header.decode("utf-8", "surrogatepass")))
        if self._write(record, header + output):
            _prune(scope_dir, MAX_RECORDS_PER_SCOPE)
            self._evict()

    # -- maintenance --------------------------------------------------------------

    def stats(self) -> CacheStats:
        from pykro.cache._stats import CacheStats

        entries = records = total = 0
        scopes: set[str] = set()
        for _, size, path in self._all_files():
            total += size
            if path.startswith(self._out + os.sep):
                entries += 1
            else:
                records += 1
                scopes.add(os.path.dirname(path))
        return CacheStats(
            directory=self._dir,
            entries=entries,
            input_records=records,
            scopes=len(scopes),
            bytes=total,
            max_bytes=self._max_bytes,
            enabled=self._enabled,
        )

    def clear(self) -> int:
        """Remove every entry and record; return how many were removed.

        Writes in progress in other processes are left alone: their temp files
        are theirs, and their entries simply arrive after the clear.
        """
        removed = 0
        for _, _, path in self._all_files():
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            except OSError:
                continue
            removed += 1
        return removed

    # -- internals ----------------------------------------------------------------

    def _entry_path(self, key: str) -> str:
        name = key if _is_digest(key) else _make_key(key)
        return os.path.join(self._out, name[:2], name)

    def _scope_dir(self, scope: str) -> str:
        return os.path.join(self._in, key(scope))

    def _usable(self) -> bool:
        if not self._enabled:
            return False
        if not self._root_checked:
            self._root_checked = True
            self._check_default_root()
        return self._enabled

    def _check_default_root(self) -> None:
        """Refuse a default directory another user could have planted in the shared /tmp."""
        getuid = getattr(os, "getuid", None)
        if getuid is None:
            return
        try:
            st = os.stat(self._dir)
        except FileNotFoundError:
            return
        except OSError as err:
            self._disable(f"cannot use the render cache {self._dir}: {err.strerror or err}")
            return
        if st.st_uid != getuid() or st.st_mode & 0o022:
            self._disable(
                f"not using the render cache {self._dir}: it is not a private directory of this user;"
                " set PYKRO_CACHE_DIR to one"
            )

    def _read_verified(self, path: str, *, touch: bool = True) -> tuple[os.stat_result, bytes] | None:
        try:
            with open(path, "rb") as handle:
                stat = os.fstat(handle.fileno())
                data = handle.read()
        except OSError:
            return None  # missing, evicted meanwhile, or unreadable: a miss
        body = _unwrap(data)
        if body is None:
            _remove_if_same(path, stat)
            return None
        if touch:
            _touch(path)
        return stat, body

    def _write(self, path: str, body: bytes) -> bool:
        """Write atomically; return False (after a single warning) when the disk refuses."""
        blob = _wrap(body)
        if len(blob) > self._max_bytes:
            return False
        directory = os.path.dirname(path)
        for attempt in (1, 2):
            try:
                os.makedirs(directory, mode=0o700, exist_ok=True)
                _write_atomic(directory, path, blob)
                return True
            except FileNotFoundError:
                # A concurrent clear() removed the directory between makedirs and
                # open: create it again once, then give up quietly.
                if attempt == 2:
                    return False
            except OSError as err:
                self._disable(f"cannot write the render cache {self._dir}: {err.strerror or err}")
                return False
        return False

    def _evict(self) -> None:
        files = list(self._all_files())
        total = sum(size for _, size, _ in files)
        if total <= self._max_bytes:
            return
        target = int(self._max_bytes * _EVICT_TO)
        files.sort()
        for _, size, path in files:
            if total <= target:
                break
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass  # another process evicted it: it is gone all the same
            except OSError:
                continue
            total -= size

    def _all_files(self) -> Iterator[tuple[int, int, str]]:
        for top in (self._out, self._in):
            try:
                subdirs = [entry.path for entry in os.scandir(top) if entry.is_dir(follow_symlinks=False)]
            except OSError:
                continue
            for sub in sorted(subdirs):
                yield from _list_files(sub)

    def _disable(self, message: str) -> None:
        self._enabled = False
        self._warn(message + "; rendering without a cache")

    def _warn(self, message: str) -> None:
        if self._warned:
            return
        self._warned = True
        if self._warn_sink is not None:
            self._warn_sink(message)
        else:
            sys.stderr.write(f"pykro: warning: {message}\n")
            sys.stderr.flush()


def _temp_dir(env: Mapping[str, str]) -> str:
    # tempfile.gettempdir()'s choice without importing tempfile (which costs
    # more than the whole cache-hit path).
    for name in ("TMPDIR", "TEMP", "TMP"):
        value = env.get(name)
        if value and os.path.isdir(value):
            return value
    for candidate in ("/tmp", "/var/tmp", "/usr/tmp"):
        if os.path.isdir(candidate):
            return candidate
    import tempfile

    return tempfile.gettempdir()


def _user_id(env: Mapping[str, str]) -> str:
    getuid = getattr(os, "getuid", None)
    if getuid is not None:
        return str(getuid())
    return "".join(c for c in env.get("USERNAME", "user") if c.isalnum()) or "user"


def _max_bytes_from(raw: str | None, warn: Callable[[str], None]) -> int:
    if raw is None or not raw.strip():
        return DEFAULT_MAX_BYTES
    try:
        value = int(raw.strip())
    except ValueError:
        value = -1
    if value < 0:
        warn(f"PYKRO_CACHE_MAX_BYTES={raw!r} is not a byte count (write e.g. 268435456, or 0 to turn the cache off); using 256 MiB")
        return DEFAULT_MAX_BYTES
    return value


def _is_digest(text: str) -> bool:
    return len(text) == 64 and _HEX.issuperset(text)


def _wrap(body: bytes) -> bytes:
    return b"%s %s %d\n" % (_MAGIC, hashlib.sha256(body).hexdigest().encode("ascii"), len(body)) + body


def _unwrap(data: bytes) -> bytes | None:
    """Return the body of a stored file, or None when it is not whole and intact."""
    end = data.find(b"\n", 0, 128)
    if end < 0:
        return None
    fields = data[:end].split(b" ")
    if len(fields) != 3 or fields[0] != _MAGIC:
        return None
    body = data[end + 1 :]
    try:
        length = int(fields[2])
    except ValueError:
        return None
    if length != len(body) or hashlib.sha256(body).hexdigest().encode("ascii") != fields[1]:
        return None
    return body


def _write_atomic(directory: str, path: str, blob: bytes) -> None:
    tmp = os.path.join(directory, f"{_TMP_PREFIX}{os.getpid()}.{os.urandom(8).hex()}")
    renamed = False
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            view = memoryview(blob)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        finally:
            os.close(fd)
        os.replace(tmp, path)
        renamed = True
    finally:
        # Also runs when SIGTERM's exception unwinds through here: no temp file is left.
        if not renamed:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _list_files(directory: str) -> Iterator[tuple[int, int, str]]:
    """Yield (mtime_ns, size, path) of the finished files of ``directory``; drop stale temp files."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    now = time.time_ns()
    for entry in entries:
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            stat = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if entry.name.startswith(_TMP_PREFIX):
            if now - stat.st_mtime_ns > _STALE_TMP_SECONDS * 1e9:
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass
            continue
        yield stat.st_mtime_ns, stat.st_size, entry.path


def _newest_first(files: Iterator[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    return sorted(files, key=lambda item: (-item[0], item[2]))


def _prune(scope_dir: str, keep: int) -> None:
    for _, _, path in _newest_first(_list_files(scope_dir))[keep:]:
        try:
            os.unlink(path)
        except OSError:
            pass


def _touch(path: str) -> None:
    try:
        os.utime(path)
    except OSError:
        pass  # evicted meanwhile: the caller already holds the bytes


def _remove_if_same(path: str, stat: os.stat_result) -> None:
    """Remove a bad file unless another process has already replaced it with a good one."""
    try:
        current = os.stat(path)
        if (current.st_ino, current.st_dev) == (stat.st_ino, stat.st_dev):
            os.unlink(path)
    except OSError:
        pass


def _quote(path: str) -> str:
    return path.replace("%", "%25").replace("\t", "%09").replace("\n", "%0A").replace("\r", "%0D")


def _unquote(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%09", "\t").replace("%25", "%")


def _check_rel_path(path: str) -> bool:
    """A repository-relative POSIX file path, or a directory's: ``dir/`` (the root's is ``./``)."""
    if path == "./":
        return True
    if path.endswith("/"):
        path = path[:-1]
    if not path or path.startswith("/") or "\\" in path or "\0" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def _encode_inputs(inputs: Mapping[str, str | None]) -> bytes:
    lines = []
    for path in sorted(inputs):
        digest = inputs[path]
        if not isinstance(path, str) or not _check_rel_path(path):
            raise ValueError(f"input path {path!r} is not a repository-relative POSIX path (write e.g. 'apps/web/main.py')")
        if digest is not None and not _is_digest(digest):
            raise ValueError(f"input {path!r}: {digest!r} is not a sha256 hex digest (or None for an absent file)")
        lines.append(f"{_quote(path)}\t{digest or '-'}\n")
    return (f"{len(lines)}\n" + "".join(lines)).encode("utf-8", "surrogatepass")


def _parse_record(body: bytes) -> tuple[list[tuple[str, str | None]], bytes] | None:
    end = body.find(b"\n")
    try:
        count = int(body[:end])
    except ValueError:
        return None
    inputs: list[tuple[str, str | None]] = []
    pos = end + 1
    for _ in range(count):
        end = body.find(b"\n", pos)
        if end < 0:
            return None
        quoted, sep, digest = body[pos:end].decode("utf-8", "surrogatepass").partition("\t")
        path = _unquote(quoted)
        if not sep or not _check_rel_path(path) or not (digest == "-" or _is_digest(digest)):
            return None
        inputs.append((path, None if digest == "-" else digest))
        pos = end + 1
    return inputs, body[pos:]


def _file_state(root: str, rel: str, memo: dict[str, str | None]) -> str | None:
    """sha256 hex of ``root/rel``, or None when it is not a readable regular file.

    For a directory (``rel`` ends in ``/``), the digest of its listing.
    """
    if rel in memo:
        return memo[rel]
    state: str | None
    if rel.endswith("/"):
        from pykro._listing import listing_digest

        state = memo[rel] = listing_digest(os.path.join(root, *rel.rstrip("/").split("/")))
        return state
    try:
        with open(os.path.join(root, *rel.split("/")), "rb") as handle:
            if not _is_regular(handle.fileno()):
                state = None
            else:
                state = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        state = None
    memo[rel] = state
    return state


def _is_regular(fd: int) -> bool:
    return _stat.S_ISREG(os.fstat(fd).st_mode)
