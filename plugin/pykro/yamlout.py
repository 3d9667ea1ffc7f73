"""A fast, deterministic YAML emitter for Kubernetes objects.

Why not ``yaml.safe_dump``? Rendered manifests are diffed by Argo CD and by
people, read by Kubernetes (a YAML 1.1 decoder that takes ``y``/``n``/``on``
as booleans), by pyyaml (YAML 1.1) and by ruamel.yaml and Go tooling (YAML
1.2). pyyaml's emitter quotes for 1.1 alone: it writes the strings ``1e3``,
``0o17`` and ``y`` plain, which YAML 1.2 reads as numbers and Kubernetes as a
boolean; it also folds long strings, emits anchors for shared objects and
is slow in pure Python. This module writes one conservative style that every
one of those readers loads back to the same value, deciding each scalar with
precompiled regexes instead of a per-character loop.

Output style
    Block style, 2-space indent, sequences in kubectl style (``- `` at the
    parent key's indentation), empty containers as ``{}`` / ``[]``, never an
    anchor or alias (an object used twice is written twice), never a folded
    line. Multi-line strings become literal block scalars (``|``, ``|-``,
    ``|+``, with an indentation indicator when the first non-empty line starts
    with a space or tab) when that reads back exactly, else double-quoted. Other
    strings are plain only when plain is unambiguous under YAML 1.1 *and* 1.2
    (and Kubernetes' 1.1 booleans ``y``, ``n``, ``yes``, ``off``..., numbers
    in Go syntax, timestamps, ``null``/``~``, ``<<``, ``=``); otherwise
    single-quoted when printable on one line, else double-quoted with
    escapes. Floats are written so that both 1.1 and 1.2 read them as floats
    (``1.0e+20``, ``.inf``, ``-.inf``, ``.nan``); ints and bools plainly
    (``true``/``false``); ``None`` as ``null``.

Key order (:func:`key_order`)
    At every mapping level, keys with a rank come first, in rank order:
    ``apiVersion``, ``kind``, ``metadata``, ``id``, ``name``, ``namespace``,
    ``generateName``, ``schema`` (so an RGD shows its API before its resources);
    then every other key sorted by plain string order (code
    points). So an object reads apiVersion, kind, metadata, then data / spec /
    status; a container reads ``name`` first; a kro RGD resource entry reads
    ``id`` first. The order depends on nothing but the keys, so output is
    byte-identical whatever the dict insertion order, hash seed or locale.

Data model
    ``Mapping`` (string keys), ``list``/``tuple``, ``str``, ``int``,
    ``float``, ``bool``, ``None``. Anything else (sets, bytes, datetimes,
    non-string keys, strings holding a lone surrogate) raises
    :class:`UnsupportedValueError` (a ``TypeError`` and a
    :class:`~pykro.errors.RenderError`) naming the field path. Keys follow the
    string rules; a key longer than ~1000 characters is written as an
    explicit ``? key`` because YAML readers stop looking for the ``:`` of an
    implicit key after 1024 characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pykro.errors import RenderError

__all__ = ["dump", "dump_all", "key_order", "UnsupportedValueError"]


class UnsupportedValueError(RenderError, TypeError):
    """A value (or mapping key) that has no YAML form in pykro's data model."""


# --------------------------------------------------------------------------
# Key order

_RANK = {
    "apiVersion": 0,
    "kind": 1,
    "metadata": 2,
    "id": 3,
    "name": 4,
    "namespace": 5,
    "generateName": 6,
    # An RGD's spec: the API it defines reads before the resources behind it.
    "schema": 7,
}
_UNRANKED = len(_RANK)


def key_order(key: str) -> tuple[int, str]:
    """Sort key for mapping keys: ranked Kubernetes keys first, then code-point order."""
    return (_RANK.get(key, _UNRANKED), key)


# --------------------------------------------------------------------------
# Scalar classification
#
# Characters that never appear raw in output: C0 controls (tab and newline
# included: they are handled by escapes or block scalars), DEL and C1
# controls, NEL/LS/PS (line breaks in YAML 1.1), the BOM, lone surrogates and
# the non-characters U+FFFE/U+FFFF.
_UNSAFE = "\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff"

# Plain-style syntax: no indicator first ('-' only before a non-space, and
# never a '---'/'...' document marker), no ': ' or ' #', no ':' or space at
# the end, no leading space, nothing unsafe.
_PLAIN_SYNTAX = re.compile(
    rf"(?!---|\.\.\.)"
    rf"(?:[^{_UNSAFE} \-?:,\[\]{{}}#&*!|>'\"%@`]|-(?=[^{_UNSAFE} ]))"
    rf"(?:[^{_UNSAFE} :]|:(?=[^{_UNSAFE} ])| (?=[^{_UNSAFE}#]))*"
)

# Fast path: starts with a letter, so no indicator and no number; no ':',
# no space, nothing unsafe. Only _RESERVED words remain to check.
_COMMON_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*")

# Plain strings that some reader resolves to null, bool, merge or value:
# YAML 1.1 (pyyaml; Kubernetes also reads y/n) and 1.2 (ruamel.yaml).
_RESERVED = frozenset(
    """~ null Null NULL
    y Y yes Yes YES n N no No NO true True TRUE false False FALSE
    on On ON off Off OFF << =""".split()
)

# Strings starting with [-+.0-9] that look like a number or a timestamp to
# any of pyyaml, ruamel.yaml (1.1 or 1.2) or Go's strconv (which Kubernetes'
# YAML decoder uses), tested after removing '_' (every one of them ignores
# underscores somewhere). Deliberately broader than the union: quoting a
# string that would have read back fine costs two characters; a missed
# number changes a value.
_NUMBER_LIKE = re.compile(
    r"""[-+]?(?:
          [0-9]*\.?[0-9]*(?:e[-+]?[0-9]+)?            # decimal, exponent (1.2)
        | 0x[0-9a-f]*(?:\.[0-9a-f]*)?(?:p[-+]?[0-9]+)? # hex int / Go hex float
        | 0o[0-7]* | 0b[01]*                           # 1.2 octal, binary
        | \.?(?:inf|infinity|nan)                      # .inf, Go's +Inf
        | [0-9]+(?::[0-9]*)+(?:\.[0-9]*)?              # 1.1 sexagesimal
        )
    | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[t\ \t].*)?     # timestamps, Go's 2024-1-2
    """,
    re.X | re.I | re.S,
)
_NUMBER_START = frozenset("-+.0123456789")

# Printable on one line: may be single-quoted.
_SINGLE_LINE = re.compile(rf"[^{_UNSAFE}]*")
# May be a literal block scalar: printable, with newlines and tabs.
_BLOCK_TEXT = re.compile(
    "[^\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]*"
)
# Characters escaped inside double quotes.
_DQ_ESCAPE = re.compile(rf'[{_UNSAFE}"\\]')
_DQ_NAMED = {
    "\x00": "\\0",
    "\x07": "\\a",
    "\x08": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\x0b": "\\v",
    "\x0c": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}

# Above this length a key cannot be a simple (implicit) key: pyyaml and
# libyaml give up looking for its ':' after 1024 characters.
_MAX_SIMPLE_KEY = 1000


def _dq_char(match: re.Match[str]) -> str:
    ch = match.group()
    named = _DQ_NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        raise _Unsupported(
            f"string contains the lone surrogate U+{code:04X}, which no YAML reader "
            "accepts; decode the text it came from with errors='replace'"
        )
    if code <= 0xFF:
        return f"\\x{code:02X}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"  # pragma: no cover - only BMP characters are unsafe


def _double_quoted(text: str) -> str:
    return '"' + _DQ_ESCAPE.sub(_dq_char, text) + '"'


def _is_plain(text: str) -> bool:
    if _COMMON_PLAIN.fullmatch(text) is not None:  # names, paths, image refs
        return text not in _RESERVED
    if text in _RESERVED or _PLAIN_SYNTAX.fullmatch(text) is None:
        return False
    return not (text[0] in _NUMBER_START and _NUMBER_LIKE.fullmatch(text.replace("_", "")))


def _inline_str(text: str) -> str:
    """One-line form of a string: plain, single- or double-quoted."""
    if _is_plain(text):
        return text
    if _SINGLE_LINE.fullmatch(text) is not None:
        return "'" + text.replace("'", "''") + "'"
    return _double_quoted(text)


def _literal(text: str) -> str | None:
    """Literal block form ``|<indicator><chomp>\\n<line>\\n...`` (lines unindented), or None.

    None when a block scalar would not read back exactly: unprintable
    characters, carriage returns, or nothing but line breaks.
    """
    body = text.rstrip("\n")
    if not body or _BLOCK_TEXT.fullmatch(text) is None:
        return None
    if len(text) - len(body) > 1:
        chomp = "+"
    elif len(body) < len(text):
        chomp = ""
    else:
        chomp = "-"
    lines = text.split("\n")
    if chomp != "-":
        lines.pop()  # the final break belongs to the last line
    first = body.lstrip("\n")
    # Auto-detected indentation would swallow a leading space, and libyaml
    # rejects a tab where it is still looking for the indentation.
    indicator = "2" if first[0] in " \t" else ""
    return "|" + indicator + chomp + "\n" + "\n".join(lines)


def _render_str(text: str) -> str:
    """Rendered value string; a literal block starts with '|' (nothing else can)."""
    if "\n" in text:
        block = _literal(text)
        if block is not None:
            return block
        return _double_quoted(text)
    return _inline_str(text)


def _render_float(value: float) -> str:
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = float.__repr__(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"  # YAML 1.1 floats need a '.' in the mantissa
        if exponent[0] not in "+-":  # pragma: no cover - repr always signs it
            exponent = "+" + exponent
        text = mantissa + "e" + exponent
    return text


# --------------------------------------------------------------------------
# Emitter

_STR_CACHE: dict[str, str] = {}
_KEY_CACHE: dict[str, str] = {}
# Manifests repeat the same keys and short values (names, labels, "TCP")
# thousands of times: remember how they render, boundedly.
_CACHE_LIMIT = 8192
_CACHE_MAX_LENGTH = 256


class _Unsupported(Exception):
    """Internal: carries the failing path outwards, innermost segment first."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.segments: list[str | int] = []


def _type_name(value: object) -> str:
    return type(value).__name__


def _scalar(value: Any) -> str:
    """Rendered non-container value; literal blocks start with '|'."""
    kind = type(value)
    if kind is str:
        rendered = _STR_CACHE.get(value)
        if rendered is None:
            rendered = _render_str(value)
            if len(value) <= _CACHE_MAX_LENGTH and len(_STR_CACHE) < _CACHE_LIMIT:
                _STR_CACHE[value] = rendered
        return rendered
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is float:
        return _render_float(value)
    # Subclasses (str enums, IntEnum, ruamel's scalar types...): their own
    # __str__/__repr__ may say anything; write the underlying value.
    if isinstance(value, str):
        return _render_str(str.__str__(value))
    if isinstance(value, bool):  # pragma: no cover - bool cannot be subclassed
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _render_float(value)
    raise _Unsupported(
        f"cannot write a value of type {_type_name(value)} as YAML; "
        "use a dict, list, str, int, float, bool or None"
    )


def _key(key: Any) -> str:
    rendered = _KEY_CACHE.get(key) if type(key) is str else None
    if rendered is not None:
        return rendered
    if not isinstance(key, str):
        raise _Unsupported(
            f"mapping key {key!r} is a {_type_name(key)}, not a string; "
            "write mapping keys as str"
        )
    text = str.__str__(key)
    rendered = _inline_str(text)
    if len(rendered) > _MAX_SIMPLE_KEY:
        rendered = "? " + rendered + "\n"  # explicit key; caller adds indentation and ':'
    if type(key) is str and len(_KEY_CACHE) < _CACHE_LIMIT:
        _KEY_CACHE[key] = rendered
    return rendered


_RANKED_KEYS = tuple(sorted(_RANK, key=_RANK.__getitem__))
_RANKED_SET = frozenset(_RANK)


def _sorted_keys(mapping: Mapping[Any, Any]) -> list[Any]:
    """Keys in :func:`key_order`, computed with C-level sorts and set checks."""
    try:
        keys = sorted(mapping)
    except TypeError:
        for key in mapping:
            _key(key)  # raises for the first non-string key
        raise  # pragma: no cover - sorting str keys cannot fail
    if _RANKED_SET.isdisjoint(keys):
        return keys
    return [k for k in _RANKED_KEYS if k in mapping] + [k for k in keys if k not in _RANKED_SET]


def _is_mapping(value: Any, kind: type) -> bool:
    return kind is dict or (kind is not str and kind is not list and isinstance(value, Mapping))


def _is_sequence(value: Any, kind: type) -> bool:
    return kind is list or kind is tuple or (kind is not str and isinstance(value, (list, tuple)))


def _emit_block(block: str, indent: str, out: list[str]) -> None:
    """Append a literal block (from :func:`_literal`) whose content is at ``indent``."""
    header, _, body = block.partition("\n")
    out.append(header + "\n")
    out.append("".join([indent + line + "\n" if line else "\n" for line in body.split("\n")]))


def _emit_mapping(mapping: Mapping[Any, Any], indent: int, first_pad: str, out: list[str]) -> None:
    # The hot loop of the module: a key line with a cached scalar value is
    # one dict lookup and one append.
    pad = " " * indent
    line_pad = first_pad
    key = None
    key_cache = _KEY_CACHE
    str_cache = _STR_CACHE
    append = out.append
    try:
        for key in _sorted_keys(mapping):
            rendered_key = key_cache.get(key) if type(key) is str else None
            if rendered_key is None:
                rendered_key = _key(key)
            if rendered_key[0] == "?":  # explicit key: "? <key>\n" then ":" below it
                rendered_key = rendered_key + pad
            value = mapping[key]
            kind = type(value)
            rendered = str_cache.get(value) if kind is str else None
            if rendered is None:
                if _is_mapping(value, kind):
                    if value:
                        append(line_pad + rendered_key + ":\n")
                        _emit_mapping(value, indent + 2, pad + "  ", out)
                    else:
                        append(line_pad + rendered_key + ": {}\n")
                    line_pad = pad
                    continue
                if _is_sequence(value, kind):
                    if value:
                        append(line_pad + rendered_key + ":\n")
                        _emit_sequence(value, indent, pad, out)
                    else:
                        append(line_pad + rendered_key + ": []\n")
                    line_pad = pad
                    continue
                rendered = _scalar(value)
            if rendered[0] == "|":
                append(line_pad + rendered_key + ": ")
                _emit_block(rendered, pad + "  ", out)
            else:
                append(line_pad + rendered_key + ": " + rendered + "\n")
            line_pad = pad
    except _Unsupported as error:
        if isinstance(key, str):
            error.segments.append(str.__str__(key))
        raise


def _emit_sequence(items: list[Any] | tuple[Any, ...], indent: int, first_pad: str, out: list[str]) -> None:
    pad = " " * indent
    line_pad = first_pad
    index = 0
    append = out.append
    try:
        for index, item in enumerate(items):
            kind = type(item)
            if _is_mapping(item, kind):
                if item:
                    append(line_pad + "- ")
                    _emit_mapping(item, indent + 2, "", out)
                else:
                    append(line_pad + "- {}\n")
            elif _is_sequence(item, kind):
                if item:
                    append(line_pad + "- ")
                    _emit_sequence(item, indent + 2, "", out)
                else:
                    append(line_pad + "- []\n")
            else:
                rendered = _scalar(item)
                if rendered[0] == "|":
                    append(line_pad + "- ")
                    _emit_block(rendered, pad + "  ", out)
                else:
                    append(line_pad + "- " + rendered + "\n")
            line_pad = pad
    except _Unsupported as error:
        error.segments.append(index)
        raise


def _emit_document(document: Any, out: list[str]) -> None:
    kind = type(document)
    if _is_mapping(document, kind):
        if document:
            _emit_mapping(document, 0, "", out)
        else:
            out.append("{}\n")
    elif _is_sequence(document, kind):
        if document:
            _emit_sequence(document, 0, "", out)
        else:
            out.append("[]\n")
    else:
        rendered = _scalar(document)
        if rendered[0] == "|":
            _emit_block(rendered, "  ", out)
        else:
            out.append(rendered + "\n")


_SIMPLE_SEGMENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")


def _format_path(segments: list[str | int]) -> str | None:
    """kro-style field path from innermost-first segments: ``spec.containers[0]["a.b"]``."""
    text = ""
    for segment in reversed(segments):
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif _SIMPLE_SEGMENT.fullmatch(segment):
            text += ("." if text else "") + segment
        else:
            text += '["' + segment.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return text or None


def _run(documents: Iterable[Any], separator: bool) -> str:
    out: list[str] = []
    index = 0
    try:
        for index, document in enumerate(documents):
            if separator:
                out.append("---\n")
            _emit_document(document, out)
    except _Unsupported as error:
        segments = error.segments
        if separator:
            segments.append(index)
        path = _format_path(segments)
        if separator:
            path = "documents" + (path or "")
        raise UnsupportedValueError(error.message, path=path) from None
    except RecursionError:
        raise RenderError(
            "value is nested too deeply or contains itself; "
            "pass a finite tree of dicts and lists"
        ) from None
    return "".join(out)


def dump(document: Any) -> str:
    """YAML text of one document (a mapping, list or scalar), ending with a newline."""
    return _run((document,), separator=False)


def dump_all(documents: Iterable[Mapping[str, Any]]) -> str:
    """YAML stream of several documents, each preceded by ``---``; "" for none."""
    return _run(documents, separator=True)
