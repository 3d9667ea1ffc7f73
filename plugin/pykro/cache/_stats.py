"""The cache's statistics, kept apart so that the hit path never imports ``dataclasses``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CacheStats"]


@dataclass(frozen=True, slots=True)
class CacheStats:
    """What ``RenderCache.stats()`` found on disk at one moment.

    Other processes may change the cache at any time, so the numbers are a
    snapshot, not an invariant.
    """

    directory: str
    """The cache directory (whether or not it exists)."""
    entries: int
    """Exact-key outputs stored."""
    input_records: int
    """Inputs records stored, over all scopes."""
    scopes: int
    """Scopes that hold at least one inputs record."""
    bytes: int
    """Total size of the entries and records on disk."""
    max_bytes: int
    """The size bound; least recently used entries go first beyond it."""
    enabled: bool
    """False when the cache turned itself off (unwritable directory, ``max_bytes == 0``)."""
