"""A render cache on the local disk, shared by concurrent ``pykro generate`` runs.

Argo CD re-runs the plugin for every refresh of every application, often many
at once and sometimes twice at once for the same application. Most runs see
inputs that did not change, so the rendered bytes are kept here and served
again, under two kinds of keys:

* an exact key (built with :func:`key` from the commit and the request), valid
  because a commit fixes every file of the repository;
* an *inputs record* under a scope (the request without the commit): the list
  of repository files the render read, with their hashes. A later run whose
  files still hash the same is served the recorded output, whatever the
  commit: a commit that touches other applications does not re-render this one.

Every entry is written atomically (a temp file in the same directory, then
``os.replace``) and stored with the sha256 of its content, checked before use:
a truncated or corrupted entry is removed, never served. The total size is
bounded; the least recently used entries (file mtime, touched on every hit)
are evicted first. A cache that cannot be written warns once on stderr and
turns itself off: the cache never fails a render.

This package imports only the standard library, and little of it: it is on the
cache-hit path, whose whole point is to be fast.
"""

from __future__ import annotations

from pykro.cache._store import DEFAULT_MAX_BYTES, MAX_RECORDS_PER_SCOPE, RenderCache, key

TYPE_CHECKING = False  # not from typing: importing it is slow; mypy knows this name
if TYPE_CHECKING:
    from pykro.cache._stats import CacheStats

__all__ = ["RenderCache", "CacheStats", "key", "DEFAULT_MAX_BYTES", "MAX_RECORDS_PER_SCOPE"]


def __getattr__(name: str) -> object:
    # CacheStats is a dataclass; importing ``dataclasses`` costs more than the
    # whole cache-hit path, so it is only loaded when asked for.
    if name == "CacheStats":
        from pykro.cache._stats import CacheStats

        return CacheStats
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
