"""What a check found: a field path and one line saying what is wrong.

Checks report every problem they find instead of raising on the first one:
``pykro validate`` prints them all, and a test can assert the exact set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

__all__ = ["Problem", "join_path", "format_path", "sort_key"]

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem at ``path`` (kro style: ``spec.resources[0].id``; ``""`` is the whole object)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def join_path(path: str, key: str | int) -> str:
    """Extend a kro-style path: ``a.b``, ``a[0]``, and ``a["x.y"]`` for keys that are not identifiers."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENT.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f'{path}["' + key.replace("\\", "\\\\").replace('"', '\\"') + '"]'


def format_path(segments: Iterable[str | int], prefix: str = "") -> str:
    path = prefix
    for segment in segments:
        path = join_path(path, segment)
    return path


def sort_key(segments: Iterable[str | int], message: str) -> tuple[tuple[tuple[int, int, str], ...], str]:
    """Order problems by document position, with list indexes compared as numbers.

    Sorting the path text would put ``[10]`` before ``[2]``; output order
    must not depend on anything but the input.
    """
    return tuple((1, s, "") if isinstance(s, int) else (0, 0, s) for s in segments), message
