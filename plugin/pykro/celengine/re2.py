"""Go ``regexp`` (RE2) syntax translated to an equivalent Python ``re`` pattern.

kro evaluates ``matches()``, ``find()`` and ``findAll()`` with Go's regexp, and
the API server checks OpenAPI ``pattern`` with it too.  Python's ``re`` reads
much of the same text with other meanings (``\\w`` is Unicode, ``$`` matches
before a final newline, ``a{,2}`` is a repeat, ``\\12`` a backreference) and
accepts constructs Go rejects, so handing it the pattern unchanged gives wrong
answers.  This module parses the pattern the way Go's ``regexp/syntax`` does
(Perl flags) and writes every construct out explicitly: literals as code-point
escapes, classes as range lists, anchors and flags scoped to the atom they
govern.  No global Python flag is used, so nothing depends on how Python would
have read the original text.  Whatever cannot be reproduced exactly raises
:class:`RE2Error` instead of matching differently.

Not reproduced: Go's limits on program size and nesting height (patterns far
beyond anything written by hand), Go's guaranteed linear time (Python
backtracks), and a loop whose body can match empty and prefers to: after the
first iteration Go lets such an empty iteration die so a non-empty path of the
body wins (``(?:b|a??)*`` matches all of ``ba``), Python's ``re`` ends the loop.
"""

from __future__ import annotations

import functools
import re

__all__ = ["RE2Error", "compile_re2", "translate"]


class RE2Error(ValueError):
    """The pattern is not valid Go regexp syntax, or pykro cannot match it exactly as Go would."""


_MAX_RUNE = 0x10FFFF
_MAX_REPEAT = 1000

# Parser flags, as Go's syntax.Flags (only those a pattern can change).
_FOLD, _MULTILINE, _DOTNL, _UNGREEDY = 1, 2, 4, 8
_FLAG_LETTERS = {"i": _FOLD, "m": _MULTILINE, "s": _DOTNL, "U": _UNGREEDY}

Ranges = list[tuple[int, int]]


def _ascii(spec: str) -> Ranges:
    """Ranges from a compact spec like ``"09AZaz__"`` (pairs of inclusive ends)."""
    return [(ord(spec[k]), ord(spec[k + 1])) for k in range(0, len(spec), 2)]


# Go's Perl classes are ASCII-only (perl_groups.go).
_PERL = {"d": _ascii("09"), "s": [(9, 10), (12, 13), (32, 32)], "w": _ascii("09AZ__az")}
# Go's POSIX bracket classes, also ASCII-only (perl_groups.go).
_POSIX = {
    "alnum": _ascii("09AZaz"), "alpha": _ascii("AZaz"), "ascii": [(0, 0x7F)], "blank": [(9, 9), (32, 32)],
    "cntrl": [(0, 0x1F), (0x7F, 0x7F)], "digit": _ascii("09"), "graph": [(0x21, 0x7E)], "lower": _ascii("az"),
    "print": [(0x20, 0x7E)], "punct": _ascii("!/:@[`{~"), "space": [(9, 13), (32, 32)], "upper": _ascii("AZ"),
    "word": _ascii("09AZ__az"), "xdigit": _ascii("09AFaf"),
}

# Case folding.  Python's IGNORECASE agrees with Go's simple case folding except
# for these: Python also equates i/I with dotless ı and dotted İ, which Go folds
# only to themselves; and it equates each pair below, which Go's Unicode tables
# may or may not (so a pattern folding exactly one of a pair is refused).
_TURKISH = frozenset(map(ord, "iIıİ"))
_GO_ORBIT = {ord("i"): {ord("i"), ord("I")}, ord("I"): {ord("i"), ord("I")}, ord("ı"): {ord("ı")}, ord("İ"): {ord("İ")}}
_PAIRS = ((0x390, 0x1FD3), (0x3B0, 0x1FE3), (0xFB05, 0xFB06))
# The non-ASCII letters Go folds to ASCII ones: long s and the Kelvin sign.
_ASCII_FOLDS = {"s": (0x17F,), "k": (0x212A,)}

_COUNTS = re.compile(r"\{(0|[1-9][0-9]*)(?:(,)(0|[1-9][0-9]*)?)?\}", re.ASCII)


def _err(what: str, expr: str) -> RE2Error:
    return RE2Error(f"{what}: `{expr}`")


def _esc(cp: int) -> str:
    """One code point, written so that no ``re`` version reads it as syntax."""
    ch = chr(cp)
    if ch.isascii() and (ch.isalnum() or ch == "_"):
        return ch
    if cp < 0x100:
        return f"\\x{cp:02x}"
    return f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"


def _normalize(ranges: Ranges) -> Ranges:
    out: Ranges = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _negate(ranges: Ranges) -> Ranges:
    out: Ranges = []
    nxt = 0
    for lo, hi in _normalize(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= _MAX_RUNE:
        out.append((nxt, _MAX_RUNE))
    return out


def _contains(ranges: Ranges, cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def _set(ranges: Ranges, negated: bool) -> str:
    if not ranges:
        return "[^\\x00-\\U0010ffff]" if not negated else "[\\x00-\\U0010ffff]"
    body = "".join(_esc(lo) if lo == hi else f"{_esc(lo)}-{_esc(hi)}" for lo, hi in _normalize(ranges))
    return f"[{'^' if negated else ''}{body}]"


def _class(ranges: Ranges, negated: bool, flags: int, expr: str) -> str:
    """A Go character class (Go folds the listed ranges first, then negates)."""
    if not flags & _FOLD:
        return _set(ranges, negated)
    for a, b in _PAIRS:
        if _contains(ranges, a) != _contains(ranges, b):
            raise _err("case-insensitive matching of this character is not supported by pykro "
                       "(Python and Go fold it differently)", expr)
    folded = f"(?i:{_set(ranges, negated)})"
    if not any(_contains(ranges, cp) for cp in _TURKISH):
        return folded
    # Keep Python's folding away from i/I/ı/İ and decide those four as Go does.
    members = [cp for cp in sorted(_TURKISH)
               if any(_contains(ranges, o) for o in _GO_ORBIT[cp]) != negated]
    exclusive = f"(?!{_set([(cp, cp) for cp in _TURKISH], False)}){folded}"
    if not members:
        return exclusive
    return f"(?:{exclusive}|{_set([(cp, cp) for cp in members], False)})"


def _literal(cp: int, flags: int) -> str:
    if flags & _FOLD and chr(cp).lower() != chr(cp).upper():
        return _class([(cp, cp)], False, flags, chr(cp))
    return _esc(cp)


class _Group:
    """An open group: finished alternatives, the current one, and the flags to restore at ``)``."""

    def __init__(self, saved_flags: int) -> None:
        self.alternatives: list[list[tuple[str, int]]] = []
        # (python text, weight): weight is the largest product of counted repeats
        # along any path below, as Go's repeatIsValid measures it.
        self.items: list[tuple[str, int]] = []
        self.saved_flags = saved_flags

    def close(self) -> tuple[str, int]:
        alternatives = [*self.alternatives, self.items]
        text = "|".join("".join(t for t, _ in alt) for alt in alternatives)
        weight = max((w for alt in alternatives for _, w in alt), default=1)
        return text, weight


class _Parser:
    """Go's regexp/syntax parse loop (parse.go), emitting Python text instead of a tree."""

    def __init__(self, pattern: str) -> None:
        self.s = pattern
        self.flags = 0
        self.stack = [_Group(0)]

    def parse(self) -> str:
        s, i, last_repeat = self.s, 0, -1
        while i < len(s):
            repeat_at = -1
            c = s[i]
            group = self.stack[-1]
            if c == "(":
                i = self._open(i)
            elif c == "|":
                group.alternatives.append(group.items)
                group.items = []
                i += 1
            elif c == ")":
                if len(self.stack) == 1:
                    raise _err("unexpected )", s)
                self.stack.pop()
                text, weight = group.close()
                self.flags = group.saved_flags
                self.stack[-1].items.append((f"(?:{text})", weight))
                i += 1
            elif c == "^":
                self._item("(?m:^)" if self.flags & _MULTILINE else "\\A")
                i += 1
            elif c == "$":  # Python's $ would also match before a final "\n"
                self._item("(?m:$)" if self.flags & _MULTILINE else "\\Z")
                i += 1
            elif c == ".":
                self._item("(?s:.)" if self.flags & _DOTNL else ".")
                i += 1
            elif c == "[":
                i = self._bracket(i)
            elif c in "*+?":
                repeat_at, i = i, self._repeat(i, i + 1, c, 0, 0, last_repeat)
            elif c == "{":
                counts = self._counts(i)
                if counts is None:  # not a well-formed repeat: Go reads "{" literally
                    self._item(_literal(ord("{"), self.flags))
                    i += 1
                else:
                    lo, hi, end = counts
                    if lo < 0 or lo > _MAX_REPEAT or hi > _MAX_REPEAT or 0 <= hi < lo:
                        raise _err("invalid repeat count", s[i:end])
                    repeat_at, i = i, self._repeat(i, end, "{", lo, hi, last_repeat)
            elif c == "\\":
                i = self._backslash(i)
            else:
                self._item(_literal(ord(c), self.flags))
                i += 1
            last_repeat = repeat_at
        if len(self.stack) > 1:
            raise _err("missing closing )", s)
        return self.stack[0].close()[0]

    def _item(self, text: str, weight: int = 1) -> None:
        self.stack[-1].items.append((text, weight))

    def _open(self, i: int) -> int:
        s = self.s
        if not s.startswith("(?", i):
            self.stack.append(_Group(self.flags))
            return i + 1
        t = s[i:]
        if (len(t) > 4 and t[2] == "P" and t[3] == "<") or (len(t) > 3 and t[2] == "<"):
            end = t.find(">")
            name = t[4 if t[2] == "P" else 3 : end]
            if end < 0 or not name or not all(ch == "_" or (ch.isascii() and ch.isalnum()) for ch in name):
                hint = " (lookbehind is not RE2 syntax)" if t.startswith(("(?<=", "(?<!")) else ""
                raise _err("invalid named capture" + hint, t if end < 0 else t[: end + 1])
            # Names only label submatches, which CEL never returns (and Go allows
            # names Python does not: duplicates, leading digits), so drop them.
            self.stack.append(_Group(self.flags))
            return i + end + 1
        flags, sign, saw_flag, j = self.flags, 1, False, i + 2
        while j < len(s):
            c = s[j]
            j += 1
            if c in _FLAG_LETTERS:
                flags = flags | _FLAG_LETTERS[c] if sign > 0 else flags & ~_FLAG_LETTERS[c]
                saw_flag = True
            elif c == "-" and sign > 0:
                sign, saw_flag = -1, False
            elif c in ":)" and (sign > 0 or saw_flag):
                if c == ":":
                    self.stack.append(_Group(self.flags))
                # "(?i)" alone changes the flags up to the end of the enclosing group.
                self.flags = flags
                return j
            else:
                break
        lookaround = s[i + 2 : i + 3] in ("=", "!", ">", "(")
        hint = " (lookaround, atomic groups and conditionals are not RE2 syntax)" if lookaround else ""
        raise _err("invalid or unsupported Perl syntax" + hint, s[i:j])

    def _counts(self, i: int) -> tuple[int, int, int] | None:
        """Go's parseRepeat: ``{n}``, ``{n,}``, ``{n,m}`` without leading zeros, else None."""
        m = _COUNTS.match(self.s, i)
        if m is None:
            return None
        # Go turns numbers of 9+ digits into -1 (an invalid count).
        lo = int(m[1]) if len(m[1]) < 9 else -1
        hi = lo if m[2] is None else -1 if m[3] is None else int(m[3]) if len(m[3]) < 9 else 10**9
        return lo, hi, m.end()

    def _repeat(self, i: int, end: int, op: str, lo: int, hi: int, last_repeat: int) -> int:
        s = self.s
        greedy = not self.flags & _UNGREEDY
        if s[end : end + 1] == "?":
            end += 1
            greedy = not greedy
        if last_repeat >= 0:
            # Go: "a**" is an error, and "a*+" (possessive elsewhere) is too.
            raise _err("invalid nested repetition operator", s[last_repeat:end])
        items = self.stack[-1].items
        if not items:
            raise _err("missing argument to repetition operator", s[i:end])
        text, weight = items.pop()
        if op == "{":
            count = hi if hi >= 0 else lo
            weight = 0 if hi == 0 else count * weight
            if (lo >= 2 or hi >= 2) and weight > _MAX_REPEAT:
                raise _err("invalid repeat count", s[i:end])
            op = f"{{{lo}}}" if lo == hi else f"{{{lo},{hi if hi >= 0 else ''}}}"
        # The group lets anchors and assertions be repeated, as Go allows.
        items.append((f"(?:{text}){op}{'' if greedy else '?'}", weight))
        return end

    def _backslash(self, i: int) -> int:
        s = self.s
        c = s[i + 1 : i + 2]
        # \b and \B are ASCII word boundaries in Go; \B is spelled out because
        # Python's \B (before 3.14) never matches the empty text, Go's does.
        simple = {"A": "\\A", "z": "\\Z", "b": "(?a:\\b)", "B": "(?a:(?<=\\w)(?=\\w)|(?<!\\w)(?!\\w))"}
        if c in simple:
            self._item(simple[c])
            return i + 2
        if c == "C":
            raise _err("invalid escape sequence (\\C is not supported by Go)", "\\C")
        if c == "Q":  # \Q...\E quotes literally, to the end if there is no \E
            end = s.find("\\E", i + 2)
            for ch in s[i + 2 : len(s) if end < 0 else end]:
                self._item(_literal(ord(ch), self.flags))
            return len(s) if end < 0 else end + 2
        self._unicode_class(i)
        if c.lower() in _PERL:
            ranges = _PERL[c.lower()]
            self._item(_class(ranges, c.isupper(), self.flags, s[i : i + 2]))
            return i + 2
        cp, j = self._escape(i)
        self._item(_literal(cp, self.flags))
        return j

    def _unicode_class(self, i: int) -> None:
        s = self.s
        if s[i + 1 : i + 2] in ("p", "P"):
            end = s.find("}", i) + 1 if s[i + 2 : i + 3] == "{" else i + 3
            raise _err("Unicode character classes are not supported by pykro (Python's re has none)",
                       s[i : end or len(s)])

    def _escape(self, i: int) -> tuple[int, int]:
        """Go's parseEscape: one code point from an escape sequence."""
        s = self.s
        if i + 1 >= len(s):
            raise _err("trailing backslash at end of expression", "")
        c, j = s[i + 1], i + 2
        octal = "01234567"
        if c == "0" or (c in "1234567" and s[j : j + 1] and s[j] in octal):
            # Up to three octal digits; a lone \1-\7 would be a backreference.
            cp = int(c)
            for _ in range(2):
                if not (s[j : j + 1] and s[j] in octal):
                    break
                cp, j = cp * 8 + int(s[j]), j + 1
            return cp, j
        if c == "x":
            hexdigits = "0123456789abcdefABCDEF"
            if s[j : j + 1] == "{":
                end = s.find("}", j)
                digits = s[j + 1 : end] if end >= 0 else ""
                if digits and all(d in hexdigits for d in digits) and int(digits, 16) <= _MAX_RUNE:
                    return int(digits, 16), end + 1
            elif len(s) >= j + 2 and s[j] in hexdigits and s[j + 1] in hexdigits:
                return int(s[j : j + 2], 16), j + 2
        elif c in "afnrtv":
            return ord({"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}[c]), j
        elif c.isascii() and not c.isalnum():  # escaped punctuation (and "\_") is itself
            return ord(c), j
        raise _err("invalid escape sequence", s[i:j])

    def _bracket(self, i: int) -> int:
        """Go's parseClass: ``[...]`` with ranges, escapes, Perl and POSIX classes."""
        s = self.s
        j, negated, ranges, first = i + 1, False, [], True
        if s[j : j + 1] == "^":
            negated, j = True, j + 1
        while j >= len(s) or s[j] != "]" or first:
            first = False
            if s.startswith("[:", j) and len(s) - j > 2:
                end = s.find(":]", j + 2)
                if end >= 0:
                    name = s[j + 2 : end]
                    group = _POSIX.get(name.removeprefix("^"))
                    if group is None:
                        raise _err("invalid character class range", s[j : end + 2])
                    ranges += self._negate_group(group) if name.startswith("^") else group
                    j = end + 2
                    continue
            if s.startswith("\\", j):
                self._unicode_class(j)
                letter = s[j + 1 : j + 2]
                if letter.lower() in _PERL:
                    group = _PERL[letter.lower()]
                    ranges += self._negate_group(group) if letter.isupper() else group
                    j += 2
                    continue
            start = j
            lo, j = self._class_char(j, i)
            hi = lo
            if len(s) - j >= 2 and s[j] == "-" and s[j + 1] != "]":
                hi, j = self._class_char(j + 1, i)
                if hi < lo:
                    raise _err("invalid character class range", s[start:j])
            ranges.append((lo, hi))
        self._item(_class(ranges, negated, self.flags, s[i : j + 1]))
        return j + 1

    def _negate_group(self, group: Ranges) -> Ranges:
        """A negated Perl or POSIX class inside brackets: Go folds it first, then negates (appendGroup)."""
        if not self.flags & _FOLD:
            return _negate(group)
        folded = list(group)
        for lo, hi in group:  # the groups are ASCII
            for ch in map(chr, range(lo, hi + 1)):
                if ch.isalpha():
                    folded += [(ord(ch.lower()), ord(ch.lower())), (ord(ch.upper()), ord(ch.upper()))]
                    folded += [(cp, cp) for cp in _ASCII_FOLDS.get(ch.lower(), ())]
        return _negate(folded)

    def _class_char(self, j: int, start: int) -> tuple[int, int]:
        s = self.s
        if j >= len(s):
            raise _err("missing closing ]", s[start:])
        if s[j] == "\\":
            return self._escape(j)
        return ord(s[j]), j + 1


def translate(pattern: str) -> str:
    """The Python ``re`` pattern (for use without flags) matching exactly what Go's regexp would."""
    return _Parser(pattern).parse()


@functools.lru_cache(maxsize=1024)
def compile_re2(pattern: str) -> re.Pattern[str]:
    """Compiled once per pattern: CEL rules re-evaluate the same constant pattern for every object."""
    try:
        return re.compile(translate(pattern))
    except (re.error, RecursionError) as ex:  # e.g. nesting deeper than Python's parser recurses
        raise RE2Error(f"pykro cannot translate this pattern to Python ({ex})") from None
