"""What a directory listing of the repository looks like to a render.

A graph module that imports optionally (``try: import overrides``), globs
for files or walks a directory depends on which files exist, not only on
their contents. Such listings are inputs of the render like files are: the
cache stores the digest below and compares it on later commits. Python's
bytecode caches are left out, since importing writes them and they never
change what a render produces.

Standard library only: the cache's hit path imports this.
"""

from __future__ import annotations

import hashlib
import os

__all__ = ["listing_digest", "is_bytecode"]


def is_bytecode(name: str) -> bool:
    return name == "__pycache__" or name.endswith((".pyc", ".pyo"))


def listing_digest(path: str) -> str | None:
    """sha256 hex of the sorted entry names of ``path``, or None when it is not a readable directory."""
    try:
        names = os.listdir(path)
    except OSError:
        return None
    kept = sorted(name for name in names if not is_bytecode(name))
    return hashlib.sha256("\0".join(kept).encode("utf-8", "surrogateescape")).hexdigest()
