"""Kubernetes ``library.URLs()``: ``url``, ``isURL`` and the ``URL`` getters.

Like the apiserver, a string is accepted when Go's ``url.ParseRequestURI``
accepts it: an absolute URI (``scheme:...``) or an absolute path (``/...``),
without whitespace or control characters, with a numeric port if any.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from celpy import celtypes

from ._runtime import EvalFailure, Library, NoOverload, parses, string_arg

__all__ = ["LIBRARY", "URL"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")


class URL:
    cel_type_name = "kubernetes.URL"

    def __init__(self, text: str) -> None:
        self.text = text
        self.parts = urllib.parse.urlsplit(text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, URL) and other.text == self.text

    __hash__ = None  # type: ignore[assignment]

    def text_form(self) -> str:
        return self.text


def parse(text: str) -> URL:
    if not text:
        raise EvalFailure("URL parse error during conversion from string: empty url")
    if any(ord(c) < 0x21 or c == "\x7f" for c in text):
        raise EvalFailure(f"URL parse error during conversion from string: parse {text!r}: invalid character in URL")
    if not text.startswith("/"):
        scheme, sep, _ = text.partition(":")
        if not sep or not _SCHEME.match(scheme):
            raise EvalFailure(f"URL parse error during conversion from string: parse {text!r}: invalid URI for request")
    try:
        u = URL(text)
        u.parts.port  # noqa: B018 - validates the port
    except ValueError as ex:
        raise EvalFailure(f"URL parse error during conversion from string: parse {text!r}: {ex}") from None
    host = u.parts.netloc.rpartition("@")[2]
    if host.count(":") > 0 and not host.startswith("["):
        port = host.rpartition(":")[2]
        if port and not port.isdigit():
            raise EvalFailure(f"URL parse error during conversion from string: parse {text!r}: invalid port")
    return u


def _u(value: Any) -> URL:
    if isinstance(value, URL):
        return value
    raise NoOverload


def _url(text: Any) -> Any:
    return parse(string_arg(text))


def _is_url(text: Any) -> Any:
    return parses(parse, string_arg(text))


def _host(u: URL) -> str:
    return u.parts.netloc.rpartition("@")[2]


def _hostname(u: URL) -> str:
    host = _host(u)
    if host.startswith("["):
        return host[1:host.index("]")] if "]" in host else host[1:]
    return host.rpartition(":")[0] if ":" in host else host


def _port(u: URL) -> str:
    host = _host(u)
    if host.startswith("["):
        rest = host[host.index("]") + 1:] if "]" in host else ""
        return rest[1:] if rest.startswith(":") else ""
    return host.rpartition(":")[2] if ":" in host else ""


def _escaped_path(u: URL) -> str:
    path = u.parts.path
    return urllib.parse.quote(urllib.parse.unquote(path), safe="/:@!$&'()*+,;=-._~")


def _query(u: URL) -> Any:
    values: dict[str, list[str]] = {}
    for key, value in urllib.parse.parse_qsl(u.parts.query, keep_blank_values=True):
        values.setdefault(key, []).append(value)
    return celtypes.MapType(
        {celtypes.StringType(k): celtypes.ListType(celtypes.StringType(v) for v in vs) for k, vs in values.items()}
    )


LIBRARY = Library(
    functions={"url": _url, "isURL": _is_url},
    methods={
        "getScheme": lambda v: celtypes.StringType(_u(v).parts.scheme),
        "getHost": lambda v: celtypes.StringType(_host(_u(v))),
        "getHostname": lambda v: celtypes.StringType(_hostname(_u(v))),
        "getPort": lambda v: celtypes.StringType(_port(_u(v))),
        "getEscapedPath": lambda v: celtypes.StringType(_escaped_path(_u(v))),
        "getQuery": lambda v: _query(_u(v)),
    },
)
