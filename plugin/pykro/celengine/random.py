"""kro's ``Random`` library (pkg/cel/library/random.go): deterministic values seeded by a string.

Ported byte for byte: both functions hash the seed with SHA-256. ``seededString``
takes 4 big-endian bytes per character (``(i*4) % 32``, so the 36-letter alphabet
pattern repeats every 8 characters, exactly as kro's code does: its re-hash branch
is unreachable because ``start + 4`` never exceeds 32). ``seededInt`` reads the
first 8 bytes as a big-endian uint64 and wraps like Go's int64/uint64 arithmetic.
"""

from __future__ import annotations

import hashlib
from typing import Any

from celpy import celtypes

from ._runtime import EvalFailure, Library, type_name

__all__ = ["LIBRARY", "seeded_string", "seeded_int"]

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_U64 = (1 << 64) - 1


def seeded_string(length: int, seed: str) -> str:
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    result = bytearray(length)
    for i in range(length):
        start = (i * 4) % len(digest)
        if start + 4 > len(digest):  # pragma: no cover - unreachable, mirrors kro
            digest = hashlib.sha256(digest + bytes(result[:i])).digest()
            start = 0
        idx = int.from_bytes(digest[start:start + 4], "big") % len(_ALPHABET)
        result[i] = ord(_ALPHABET[idx])
    return result.decode("ascii")


def _to_int64(u: int) -> int:
    u &= _U64
    return u - (1 << 64) if u >= 1 << 63 else u


def seeded_int(minimum: int, maximum: int, seed: str) -> int:
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    v = int.from_bytes(digest[:8], "big")
    range_size = (maximum - minimum) & _U64
    return _to_int64(minimum + _to_int64(v % range_size))


def _seeded_string(length: Any, seed: Any) -> Any:
    if type_name(length) != "int":
        raise EvalFailure("random.seededString length must be an integer")
    if length <= 0:
        raise EvalFailure("random.seededString length must be positive")
    if type_name(seed) != "string":
        raise EvalFailure("random.seededString seed must be a string")
    return celtypes.StringType(seeded_string(int(length), str(seed)))


def _seeded_int(minimum: Any, maximum: Any, seed: Any) -> Any:
    if type_name(minimum) != "int":
        raise EvalFailure("random.seededInt min must be an integer")
    if type_name(maximum) != "int":
        raise EvalFailure("random.seededInt max must be an integer")
    if type_name(seed) != "string":
        raise EvalFailure("random.seededInt seed must be a string")
    if minimum >= maximum:
        raise EvalFailure("random.seededInt min must be less than max")
    return celtypes.IntType(seeded_int(int(minimum), int(maximum), str(seed)))


LIBRARY = Library(functions={"random.seededString": _seeded_string, "random.seededInt": _seeded_int})
