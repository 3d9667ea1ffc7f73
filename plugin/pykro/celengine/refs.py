"""A small hand-written CEL lexer: field references, field-path detection, fast path.

Why not celpy: the graph builder asks for the references of every expression on
every render, and importing celpy and building its Lark parser costs ~0.2 s. This
module is standard library only and does one linear pass over the text.

Path convention (documented for the graph builder): ``a.b[0].c`` reads
``('a', 'b', '0', 'c')`` and ``a["x.y"]`` reads ``('a', 'x.y')``; literal index
keys extend the path as strings. A non-literal index (``a.b[i]``) ends the path
at ``('a', 'b')`` and the index expression is scanned for its own references.
Optional selection (``a.?b``, ``a[?"b"]``) extends the path like plain selection.
A path followed by a method call (``x.y.size()``) ends before the method name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from pykro.errors import CelError

__all__ = [
    "Token",
    "tokenize",
    "references",
    "is_field_path",
    "parse_field_path",
    "walk_field_path",
    "calls_omit",
]

# Namespaces of kro's CEL function libraries: ``ns.fn(...)`` is a function call,
# never a read of a resource called ``ns`` (the engine's function check reads it too).
NAMESPACES = frozenset(
    {"hash", "json", "random", "base64", "math", "strings", "lists", "sets", "optional", "cel", "ip", "runtime"}
)
_KEYWORDS = frozenset({"true", "false", "null", "in"})
# Identifiers that name types or built-ins when used bare (``type(x) == int``).
_BUILTIN_IDENTS = frozenset(
    {"int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type", "dyn"}
)
# Macros whose leading arguments are variable names bound in the later arguments.
_ONE_VAR_MACROS = frozenset({"map", "filter", "sortBy", "optMap", "optFlatMap"})
_MAYBE_TWO_VAR_MACROS = frozenset(
    {"all", "exists", "exists_one", "existsOne", "transformList", "transformMap", "transformMapEntry"}
)

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>[\t\n\f\r ]+|//[^\n]*)
  | (?P<string>[bB]?[rR]?(?:\"\"\"(?:\\.|[^\\])*?\"\"\"|'''(?:\\.|[^\\])*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
               |[rR][bB](?:\"\"\"(?:\\.|[^\\])*?\"\"\"|'''(?:\\.|[^\\])*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
  | (?P<number>0[xX][0-9a-fA-F]+[uU]?|(?:[0-9]+\.[0-9]+|\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?[uU]?)
  | (?P<ident>[_a-zA-Z][_a-zA-Z0-9]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/%<>!?:.,\[\](){}])
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "string", "number", "ident", "op"
    text: str
    column: int  # 1-based, like the CEL parser's error columns


def tokenize(expression: str) -> tuple[Token, ...]:
    """Split ``expression`` into tokens; CelError (with column) on a character CEL does not allow."""
    tokens: list[Token] = []
    pos = 0
    n = len(expression)
    match = _TOKEN_RE.match
    while pos < n:
        m = match(expression, pos)
        if m is None:
            raise CelError(
                f"syntax error at column {pos + 1}: unexpected character {expression[pos]!r}",
                column=pos + 1,
                expression=expression,
            )
        kind = m.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, m.group(), pos + 1))
        pos = m.end()
    return tuple(tokens)


def _string_value(text: str) -> str | None:
    """The value of a simple string literal (no escapes, not bytes); None otherwise."""
    if text[0] in "bB" or text.startswith(('"""', "'''")):
        return None
    raw = text[0] in "rR"
    body = text[2:-1] if raw else text[1:-1]
    if not raw and "\\" in body:
        return None
    return body


def _literal_key(tok: Token) -> str | None:
    if tok.kind == "string":
        return _string_value(tok.text)
    if tok.kind == "number" and tok.text.isdigit():
        return str(int(tok.text))
    return None


def _matching(tokens: tuple[Token, ...], open_index: int) -> int:
    """Index of the bracket closing the one at ``open_index`` (or len(tokens) when unbalanced)."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    depth = 0
    for j in range(open_index, len(tokens)):
        t = tokens[j]
        if t.kind != "op":
            continue
        if t.text in pairs:
            depth += 1
        elif t.text in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return j
    return len(tokens)


def _split_args(tokens: tuple[Token, ...], start: int, end: int) -> list[tuple[int, int]]:
    """Top-level comma-separated argument spans in tokens[start:end]."""
    spans: list[tuple[int, int]] = []
    depth = 0
    arg_start = start
    for j in range(start, end):
        t = tokens[j]
        if t.kind != "op":
            continue
        if t.text in "([{":
            depth += 1
        elif t.text in ")]}":
            depth -= 1
        elif t.text == "," and depth == 0:
            spans.append((arg_start, j))
            arg_start = j + 1
    if arg_start < end:
        spans.append((arg_start, end))
    return spans


def _is_op(tokens: tuple[Token, ...], i: int, text: str) -> bool:
    return i < len(tokens) and tokens[i].kind == "op" and tokens[i].text == text


def _scan(tokens: tuple[Token, ...], start: int, end: int, bound: frozenset[str], out: set[tuple[str, ...]]) -> None:
    i = start
    while i < end:
        tok = tokens[i]
        after_dot = i > 0 and _is_op(tokens, i - 1, ".") or (i > 1 and _is_op(tokens, i - 1, "?") and _is_op(tokens, i - 2, "."))
        if tok.kind == "ident" and not after_dot:
            # A global call ``f(...)``: the name is not a reference, its arguments are scanned.
            if _is_op(tokens, i + 1, "("):
                i += 1
                continue
            name = tok.text
            if name in NAMESPACES and _is_op(tokens, i + 1, ".") and i + 3 < len(tokens) \
                    and tokens[i + 2].kind == "ident" and _is_op(tokens, i + 3, "("):
                if name == "cel" and tokens[i + 2].text == "bind":
                    i = _scan_macro(tokens, i + 3, "bind", bound, out)
                    continue
                i += 3  # the call's arguments are scanned as the loop goes on
                continue
            if name in _KEYWORDS or name in _BUILTIN_IDENTS or name in bound:
                i += 1
                continue
            path = [name]
            j = i + 1
            while j < end:
                if _is_op(tokens, j, ".") and j + 1 < end:
                    k = j + 1
                    if _is_op(tokens, k, "?"):
                        k += 1
                    if k < end and tokens[k].kind == "ident" and not _is_op(tokens, k + 1, "("):
                        path.append(tokens[k].text)
                        j = k + 1
                        continue
                    break
                if _is_op(tokens, j, "["):
                    k = j + 1
                    if _is_op(tokens, k, "?"):
                        k += 1
                    if k + 1 < end and _is_op(tokens, k + 1, "]"):
                        key = _literal_key(tokens[k])
                        if key is not None:
                            path.append(key)
                            j = k + 2
                            continue
                break
            out.add(tuple(path))
            i = j
            continue
        if tok.kind == "ident" and after_dot and _is_op(tokens, i + 1, "("):
            if tok.text in _ONE_VAR_MACROS or tok.text in _MAYBE_TWO_VAR_MACROS:
                i = _scan_macro(tokens, i + 1, tok.text, bound, out)
                continue
        i += 1


def _scan_macro(tokens: tuple[Token, ...], open_index: int, name: str, bound: frozenset[str],
                out: set[tuple[str, ...]]) -> int:
    """Scan a macro call's arguments with its variables bound; return the index after ``)``."""
    close = _matching(tokens, open_index)
    args = _split_args(tokens, open_index + 1, close)

    def var_of(span: tuple[int, int]) -> str | None:
        a, b = span
        if b - a == 1 and tokens[a].kind == "ident":
            return tokens[a].text
        return None

    nvars = 0
    if name == "bind":
        nvars = 1
    elif name in _ONE_VAR_MACROS:
        nvars = 1 if len(args) >= 2 else 0
    elif name in _MAYBE_TWO_VAR_MACROS:
        nvars = 2 if len(args) >= 3 and name != "exists_one" else (1 if len(args) >= 2 else 0)
    names = [var_of(s) for s in args[:nvars]]
    if nvars == 0 or any(v is None for v in names):
        _scan(tokens, open_index + 1, close, bound, out)
        return close + 1
    inner = bound | frozenset(v for v in names if v)
    rest = args[nvars:]
    if name == "bind":
        # cel.bind(v, init, body): v is bound in the body only.
        if rest:
            _scan(tokens, rest[0][0], rest[0][1], bound, out)
        for a, b in rest[1:]:
            _scan(tokens, a, b, inner, out)
    else:
        for a, b in rest:
            _scan(tokens, a, b, inner, out)
    return close + 1


def calls_omit(expression: str) -> bool:
    """Whether ``expression`` calls kro's global ``omit()`` (not a method of that name).

    kro allows it only as the whole value of a template field: the graph
    builder refuses it in includeWhen/readyWhen, direct mode in RGD files.
    """
    if "omit" not in expression:
        return False
    toks = tokenize(expression)
    return any(
        t.kind == "ident" and t.text == "omit" and toks[i + 1].text == "(" and (i == 0 or toks[i - 1].text != ".")
        for i, t in enumerate(toks[:-1])
    )


def references(expression: str) -> tuple[tuple[str, ...], ...]:
    """The field paths ``expression`` reads from free identifiers, sorted and deduplicated."""
    tokens = tokenize(expression)
    out: set[tuple[str, ...]] = set()
    _scan(tokens, 0, len(tokens), frozenset(), out)
    return tuple(sorted(out))


def parse_field_path(expression: str) -> tuple[str | int, ...] | None:
    """Segments of a plain field path (``a.b[0]["x.y"]``), or None when it is anything else.

    String segments are map keys (or the root name); int segments are list indices.
    """
    try:
        tokens = tokenize(expression)
    except CelError:
        return None
    if not tokens or tokens[0].kind != "ident" or tokens[0].text in _KEYWORDS:
        return None
    segments: list[str | int] = [tokens[0].text]
    i, n = 1, len(tokens)
    while i < n:
        t = tokens[i]
        if t.kind != "op":
            return None
        if t.text == "." and i + 1 < n and tokens[i + 1].kind == "ident":
            segments.append(tokens[i + 1].text)
            i += 2
            continue
        if t.text == "[" and i + 2 < n and _is_op(tokens, i + 2, "]"):
            key_tok = tokens[i + 1]
            if key_tok.kind == "number" and key_tok.text.isdigit():
                segments.append(int(key_tok.text))
            elif key_tok.kind == "string" and (value := _string_value(key_tok.text)) is not None:
                segments.append(value)
            else:
                return None
            i += 3
            continue
        return None
    return tuple(segments)


def is_field_path(expression: str) -> bool:
    """True for ``a.b.c``, ``a.b[0]``, ``a["x.y"]``: expressions the fast path evaluates."""
    return parse_field_path(expression) is not None


def _copy(value: object) -> object:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def walk_field_path(expression: str, segments: tuple[str | int, ...], activation: Mapping[str, object]) -> object:
    """Evaluate a plain field path by walking dicts and lists, with the CEL engine's error messages."""
    root = segments[0]
    if root not in activation:
        raise CelError(f"undeclared reference to '{root}'", expression=expression)
    value = activation[root]  # type: ignore[index]
    for seg in segments[1:]:
        if isinstance(seg, int):
            if isinstance(value, list):
                if seg >= len(value):
                    raise CelError(f"index out of range: {seg} (list size {len(value)})", expression=expression)
                value = value[seg]
                continue
            if isinstance(value, dict):
                raise CelError(f"no such key: {seg}", expression=expression)
            raise CelError(f"no such overload: {_type_name(value)}[int]", expression=expression)
        if isinstance(value, dict):
            if seg not in value:
                raise CelError(f"no such key: {seg}", expression=expression)
            value = value[seg]
            continue
        raise CelError(
            f"type '{_type_name(value)}' does not support field selection (selecting '{seg}')",
            expression=expression,
        )
    return _copy(value)


def _type_name(value: object) -> str:
    if value is None:
        return "null_type"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes):
        return "bytes"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "map"
    return type(value).__name__
