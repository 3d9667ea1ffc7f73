"""kro's ``Hash`` library (pkg/cel/library/hash.go): raw-byte digests of a string's UTF-8 bytes."""

from __future__ import annotations

import hashlib
from typing import Any

from celpy import celtypes

from ._runtime import EvalFailure, Library

__all__ = ["LIBRARY", "fnv64a"]

_FNV64_OFFSET = 0xCBF29CE484222325
_FNV64_PRIME = 0x100000001B3


def fnv64a(data: bytes) -> bytes:
    """Go's ``hash/fnv.New64a().Sum(nil)``: the 64-bit FNV-1a state, big-endian."""
    h = _FNV64_OFFSET
    for byte in data:
        h ^= byte
        h = (h * _FNV64_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h.to_bytes(8, "big")


def _text(name: str, value: Any) -> bytes:
    if not isinstance(value, str):
        raise EvalFailure(f"hash.{name} argument must be a string")
    return str(value).encode("utf-8")


def _fnv(value: Any) -> Any:
    return celtypes.BytesType(fnv64a(_text("fnv64a", value)))


def _sha256(value: Any) -> Any:
    return celtypes.BytesType(hashlib.sha256(_text("sha256", value)).digest())


def _md5(value: Any) -> Any:
    return celtypes.BytesType(hashlib.md5(_text("md5", value)).digest())  # noqa: S324 - kro's md5, not security


LIBRARY = Library(functions={"hash.fnv64a": _fnv, "hash.sha256": _sha256, "hash.md5": _md5})
