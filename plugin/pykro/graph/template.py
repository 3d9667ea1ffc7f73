"""Splitting strings on kro's ``${...}`` delimiters, the way kro does.

kro finds the end of an expression by counting braces outside string
literals, and only ``"`` delimits a string literal there (``'`` does not).
An unterminated ``${`` is literal text; ``${`` nested inside an expression
is an error unless it sits in a string literal (``${"${"}`` is the
documented way to write a literal ``${``).
"""

from __future__ import annotations

from ..errors import CelError

__all__ = ["split"]


def split(text: str) -> tuple[tuple[str, bool], ...] | None:
    """``((piece, is_expression), ...)`` of ``text``; None when it has no expression."""
    if "${" not in text:
        return None
    parts: list[tuple[str, bool]] = []
    literal_start = 0
    pos = 0
    n = len(text)
    while True:
        start = text.find("${", pos)
        if start < 0:
            break
        depth = 1
        i = start + 2
        in_string = False
        escaped = False
        while i < n:
            c = text[i]
            if escaped:
                escaped = False
            elif in_string and c == "\\":
                escaped = True
            elif c == '"':
                in_string = not in_string
            elif not in_string:
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth == 0:
                        break
                elif c == "$" and text.startswith("${", i) and text[i - 1] != '"':
                    raise CelError(
                        "nested ${...} inside an expression",
                        expression=text,
                        hint='write a literal "${" as ${"${"}',
                    )
            i += 1
        if depth != 0:
            pos = start + 1  # unterminated: literal text, as kro reads it
            continue
        if start > literal_start:
            parts.append((text[literal_start:start], False))
        expression = text[start + 2 : i]
        if not expression.strip():
            raise CelError("empty expression ${}", expression=text)
        parts.append((expression, True))
        literal_start = pos = i + 1
    if not any(is_expr for _, is_expr in parts):
        return None
    if literal_start < n:
        parts.append((text[literal_start:], False))
    return tuple(parts)
