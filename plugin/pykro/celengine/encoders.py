"""cel-go ``ext.Encoders()``: ``base64.encode(bytes)`` and ``base64.decode(string)``."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from celpy import celtypes

from ._runtime import EvalFailure, Library, NoOverload

__all__ = ["LIBRARY"]


def _encode(value: Any) -> Any:
    if not isinstance(value, bytes):
        raise NoOverload
    return celtypes.StringType(base64.b64encode(bytes(value)).decode("ascii"))


def _decode(value: Any) -> Any:
    if not isinstance(value, str):
        raise NoOverload
    text = str(value)
    try:
        # cel-go tries StdEncoding, then RawStdEncoding (no padding).
        return celtypes.BytesType(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        pass
    try:
        if len(text) % 4 == 1 or text.endswith("="):
            raise ValueError
        return celtypes.BytesType(base64.b64decode(text + "=" * (-len(text) % 4), validate=True))
    except (binascii.Error, ValueError):
        raise EvalFailure(f"base64.decode: illegal base64 data in {text!r}") from None


LIBRARY = Library(functions={"base64.encode": _encode, "base64.decode": _decode})
