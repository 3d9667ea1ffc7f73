"""pykro's RE2-to-Python translator proven against the real RE2 library (google-re2).

:mod:`pykro.celengine.re2` re-implements Go's regexp syntax on top of Python's
``re``. Our rule for code we write instead of using a library is to prove it
against that library: hypothesis builds random RE2 patterns from a grammar of
constructs (literals incl. non-ASCII, escapes, Perl/POSIX classes, brackets with
ranges and negation, anchors, groups of every kind, flags set and scoped, greedy
and lazy repeats, ``\\Q...\\E``, hex and octal escapes) and random texts over a
small alphabet chosen to make matches and near misses likely (case pairs, the
Turkish i's, long s, Kelvin sign, newline, digits, ``_``). Then:

1. whenever both compile a pattern, ``search`` finds a match in the same texts and
   the leftmost match has the same span (both are leftmost-first), and pykro's
   ``findAll`` equals Go's ``allMatches`` loop run on google-re2;
2. google-re2 and pykro accept and reject the same patterns, except where Go's
   regexp (what kro and the API server run) differs from RE2 C++ or pykro refuses
   on purpose: each such construct is a row of :data:`EXCLUSIONS`, pinned by a test,
   and left out of the generator for property 1.

google-re2 logs parse errors to stderr through absl unless ``log_errors`` is off,
so every pattern is compiled with :data:`_OPTIONS`.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import pytest
import re2 as google_re2
from celpy import celtypes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pykro.celengine.re2 import RE2Error, compile_re2
from pykro.celengine.regex import LIBRARY as REGEX

_OPTIONS = google_re2.Options()
_OPTIONS.log_errors = False  # else absl prints every rejected pattern to stderr

_SETTINGS = settings(derandomize=True, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                            HealthCheck.filter_too_much])


def _google(pattern: str) -> Any:
    """google-re2's compiled pattern, or None if RE2 rejects it."""
    try:
        return google_re2.compile(pattern, _OPTIONS)
    except google_re2.error:
        return None


def _pykro(pattern: str) -> re.Pattern[str] | None:
    try:
        return compile_re2(pattern)
    except RE2Error:
        return None


def _go_search(compiled: Any, text: str, pos: int = 0) -> tuple[int, int] | None:
    """The span of Go's leftmost match at or after code point ``pos``, found with google-re2.

    RE2 C++ runs on UTF-8 bytes, so an empty-width ``\\B`` also holds between the
    bytes of one character (see :data:`MATCH_DEVIATIONS`); Go's regexp steps by
    code point and never tries there. Searching the bytes shows where RE2 matched,
    and a match inside a character is passed over, as Go would.
    """
    data = text.encode()
    starts = [len(text[:k].encode()) for k in range(len(text) + 1)]  # byte offset of each code point
    at = starts[pos]
    while True:
        m = compiled.search(data, at)
        if m is None:
            return None
        start, end = m.span()
        if start in starts:
            return starts.index(start), starts.index(end)
        assert start == end, (compiled.pattern, text)  # only an empty match can start inside a character
        at = min(b for b in starts if b > start)


def _go_find_all(compiled: Any, text: str) -> list[str]:
    """Go's regexp.allMatches (regexp.go) on top of :func:`_go_search`."""
    out: list[str] = []
    pos, prev_end = 0, -1
    while pos <= len(text):
        span = _go_search(compiled, text, pos)
        if span is None:
            break
        start, end = span
        accept = True
        if end == pos:  # an empty match: skipped if it abuts the previous match
            accept = start != prev_end
            pos += 1
        else:
            pos = end
        prev_end = end
        if accept:
            out.append(text[start:end])
    return out


def _pykro_find_all(pattern: str, text: str) -> list[str]:
    result = REGEX.methods["findAll"](celtypes.StringType(text), celtypes.StringType(pattern))
    return [str(s) for s in result]


# --- where google-re2 (RE2 C++) and pykro legitimately disagree ---------------------------------


def _escapes(pattern: str) -> set[str]:
    """The letters following a backslash outside ``\\Q...\\E`` (``\\\\`` is skipped as a pair)."""
    out, i = set(), 0
    while i < len(pattern) - 1:
        if pattern[i] == "\\":
            if pattern[i + 1] == "Q":
                end = pattern.find("\\E", i + 2)
                i = len(pattern) if end < 0 else end + 2
                continue
            out.add(pattern[i + 1])
            i += 2
        else:
            i += 1
    return out


_FOLD_PAIRS = "\u0390\u1fd3\u03b0\u1fe3\ufb05\ufb06"

# (id, example, google-re2 accepts, pykro accepts, reason, does a pattern use it).
# Each construct is kept out of the generator for property 1; property 2 skips a
# disagreement on a pattern that uses it.
EXCLUSIONS: list[tuple[str, str, bool, bool, str, Callable[[str], bool]]] = [
    ("unicode-class", "\\pL", True, False,
     "Go and RE2 accept \\p/\\P Unicode classes; pykro refuses them (Python's re has none)",
     lambda p: bool(_escapes(p) & {"p", "P"})),
    ("unicode-class-braces", "[\\P{Greek}]", True, False, "as above, inside brackets too",
     lambda p: bool(_escapes(p) & {"p", "P"})),
    ("any-byte", "\\C", True, False,
     "RE2 C++ accepts \\C (any byte); Go's regexp rejects it (invalid escape), so pykro does",
     lambda p: "C" in _escapes(p)),
    ("non-ascii-group-name", "(?P<é>a)", True, False,
     "RE2 C++ accepts Unicode word characters in group names; Go's isValidCaptureName (regexp/syntax "
     "parse.go) allows only [A-Za-z0-9_], so pykro rejects them",
     lambda p: re.search(r"\(\?P?<[^>]*[^\x00-\x7f]", p) is not None),
    ("repeat-count-under-zero-repeat", "(?:(?:a{1000}){0}){2}", False, True,
     "RE2 C++'s RepetitionWalker counts repeats inside x{0}; Go's repeatIsValid (regexp/syntax parse.go) "
     "stops at a {0}, so Go and pykro accept",
     lambda p: re.search(r"\{0(,0)?\}", p) is not None and re.search(r"(?<!\\x)\{[0-9]{3,}[,}]", p) is not None),
    ("fold-unsure-pair", "(?i)\u0390", True, False,
     "ΐ/ΐ, ΰ/ΰ, ﬅ/ﬆ fold together in Python but Go's tables may keep them apart: pykro refuses "
     "folding one of them", lambda p: any(c in p for c in _FOLD_PAIRS)),
]


@pytest.mark.parametrize(("pattern", "google_accepts", "pykro_accepts"), [r[1:4] for r in EXCLUSIONS],
                         ids=[r[0] for r in EXCLUSIONS])
def test_exclusions_are_real(pattern: str, google_accepts: bool, pykro_accepts: bool) -> None:
    assert (_google(pattern) is not None) == google_accepts
    assert (_pykro(pattern) is not None) == pykro_accepts
    assert any(r[5](pattern) for r in EXCLUSIONS)


# Where google-re2 matches differently from Go's regexp (and pykro follows Go):
# (id, pattern, text, google-re2's search span on the str, Go's (pykro's), source).
MATCH_DEVIATIONS = [
    ("B-inside-a-character", "\\B", "0É0", (2, 2), None,
     "RE2 C++ executes on UTF-8 bytes (google/re2#314: 'the execution engines are byte-oriented'): \\B holds "
     "between the two non-word bytes of É; Go's regexp steps by rune (wasilibs/go-re2#109 fixed the same for Go)"),
]


# A pykro bug, not an exclusion: Go compiles x* with a nullable x as (x+)? and a
# later iteration that matches empty dies (compile.go star, golang.org/issue/46123;
# RE2 C++ the same), so a lower-priority non-empty path wins; Python's re ends the
# loop at the empty iteration instead. Python's re cannot express "x, non-empty"
# without rewriting x, so this is not fixed; property 1 repeats nullable bodies
# only a bounded number of times. (pattern, text, Go's and google-re2's span).
LOOP_OVER_NULLABLE = [
    ("lazy-alternative", "(?:b|a??)*", "ba", (0, 2)),
    ("lazy-in-sequence", "(?:a+|_*?[a-z]*)*", "b_", (0, 2)),
    ("plus", "(?:b|a??)+", "ba", (0, 2)),
    ("open-count", "(?:b|a??){1,}", "ba", (0, 2)),
]


@pytest.mark.xfail(strict=True, reason="known pykro deviation: Python's re ends a loop at an empty iteration")
@pytest.mark.parametrize(("pattern", "text", "go"), [r[1:] for r in LOOP_OVER_NULLABLE],
                         ids=[r[0] for r in LOOP_OVER_NULLABLE])
def test_loop_over_nullable_body(pattern: str, text: str, go: tuple[int, int]) -> None:
    assert _go_search(_google(pattern), text) == go
    got = compile_re2(pattern).search(text)
    assert (got.span() if got else None) == go


@pytest.mark.parametrize(("pattern", "text", "google", "go"), [r[1:5] for r in MATCH_DEVIATIONS],
                         ids=[r[0] for r in MATCH_DEVIATIONS])
def test_search_follows_go_not_google_re2(pattern: str, text: str, google: Any, go: Any) -> None:
    compiled = _google(pattern)
    m = compiled.search(text)
    assert (m.span() if m else None) == google
    assert _go_search(compiled, text) == go
    got = compile_re2(pattern).search(text)
    assert (got.span() if got else None) == go


# findAll: Go's allMatches versus google-re2's finditer (which steps past an empty
# match but does not drop one abutting the previous match).
# (id, text, pattern, Go's FindAllString (pykro's findAll), google-re2 finditer, source)
FIND_ALL_DEVIATIONS = [
    ("empty-after-match", "baaac", "a*", ["", "aaa", ""], ["", "aaa", "", ""],
     "Go regexp.go allMatches: an empty match right after a previous match is ignored"),
    ("empty-after-match-at-end", "ab", "b*", ["", "b"], ["", "b", ""],
     "Go regexp.go allMatches: an empty match right after a previous match is ignored"),
    ("empty-between-matches", "aba", "a?", ["a", "a"], ["a", "", "a", ""],
     "Go regexp.go allMatches: an empty match right after a previous match is ignored"),
]


@pytest.mark.parametrize(("text", "pattern", "go", "finditer"), [r[1:5] for r in FIND_ALL_DEVIATIONS],
                         ids=[r[0] for r in FIND_ALL_DEVIATIONS])
def test_find_all_follows_go_not_finditer(text: str, pattern: str, go: list[str], finditer: list[str]) -> None:
    compiled = _google(pattern)
    assert [m.group(0) for m in compiled.finditer(text)] == finditer
    assert _go_find_all(compiled, text) == go
    assert _pykro_find_all(pattern, text) == go


# --- the pattern grammar --------------------------------------------------------------------

# Letters that case-fold in interesting ways (Go and RE2: k/K/Kelvin sign, s/S/long s,
# i/I only; İ and ı fold to themselves) plus ASCII classes' edges.
_CHARS = "abAB01_ iIkKsS\néİıſ\u212a☺"
_TEXT_ALPHABET = _CHARS + "aab.-É"
_METAS = ".*+?()[]{}|^$\\"
_ESCAPES = ["\\.", "\\*", "\\\\", "\\[", "\\]", "\\{", "\\}", "\\(", "\\)", "\\|", "\\^", "\\$", "\\-", "\\_",
            "\\+", "\\?", "\\n", "\\t", "\\f", "\\v", "\\a", "\\r", "\\x41", "\\x61", "\\x4B", "\\x{263a}",
            "\\x{e9}", "\\x{E9}", "\\x{130}", "\\x{131}", "\\x{17f}", "\\x{212A}", "\\x{1F600}", "\\101", "\\0",
            "\\012", "\\141", "\\.", "\\ "]
_PERL = ["\\d", "\\w", "\\s", "\\D", "\\W", "\\S"]
_ASSERTIONS = ["^", "$", "\\A", "\\z", "\\b", "\\B"]
_POSIX = ["alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space",
          "upper", "word", "xdigit"]
_RANGES = ["a-z", "A-Z", "0-9", "a-c", "h-j", "H-J", "j-s", "à-ÿ", "ı-ſ", "\\x{100}-\\x{17f}", "\\x00-\\x{10FFFF}",
           " -/", "K-\\x{212a}", "_-a", "0-0"]
_CLASS_CHARS = [c for c in _CHARS if c not in "\n"] + ["\\]", "\\-", "\\\\", "\\[", "\\^", "\\n", "\\x{e9}", "\\x61",
                                                       "&", "~", ".", "*", "(", "|", "$", "^", "["]
_GROUPS = ["(", "(?:", "(?P<n>", "(?<g1>", "(?P<n>", "(?i:", "(?s:", "(?m:", "(?U:", "(?i-s:", "(?-i:", "(?im:",
           "(?is:", "(?i)(?:"]
_FLAGS = ["(?i)", "(?m)", "(?s)", "(?U)", "(?-i)", "(?im)", "(?i-U)", "(?sU)", "(?-m)", "(?)"]
_REPEATS = ["*", "+", "?", "{0}", "{1}", "{2}", "{3}", "{0,}", "{1,}", "{2,}", "{0,1}", "{1,2}", "{0,3}", "{2,3}"]
_BOUNDED_REPEATS = [r for r in _REPEATS if r not in ("*", "+") and not r.endswith(",}")]

# Not RE2 syntax, or at its edges: for property 2 only.
_NOISE = ["*", "+", "?", "**", "*+", "*?+", "{2}{3}", "{2}*", "{", "}", "{,2}", "{01}", "{2", "{2,1}", "{1001}",
          "{0,1001}", "{1000}", "(", ")", "[", "]", "[]", "[^]", "[]a]", "[^]a]", "[a-]", "[-a]", "[z-a]", "[a-\\d]",
          "[\\d-z]", "[[:foo:]]", "[[:alpha:]", "[:alpha:]", "[[:a]", "[[:^space:]]", "[\\b]", "[\\Q]\\E]", "\\",
          "\\1", "\\8", "\\9", "\\Z", "\\e", "\\u0041", "\\U00000041", "\\x{110000}", "\\x{}", "\\x{12", "\\xg0",
          "\\x4", "\\é", "\\k<n>", "\\G", "\\h", "\\K", "\\R", "\\X", "\\N", "\\o{101}", "\\c", "\\cA", "\\Q", "\\E",
          "\\Q\\E", "\\Q\\\\E", "(?=a)", "(?!a)", "(?<=a)", "(?<!a)", "(?>a)", "(?(1)a)", "(?P=n)", "(?P>n)", "(?#c)",
          "(?x)", "(?i-)", "(?-)", "(?i", "(?", "(?:", "(?P<>a)", "(?P<a-b>a)", "(?P<é>a)", "(?P<1a>a)", "(?<>a)",
          "(?<n", "(?P<n", "(?<ı>a)", "\\pL", "\\PL", "\\p{Greek}", "\\pN", "[\\p{Lu}a]", "\\p", "\\p{", "\\p{Foo}",
          "\\C", "[\\C]", "\u0390", "\u1fe3", "(?'n'a)", "(?P'n'a)", "(?i-i)", "(?ii)", "(?--i)", "(?i:)", "(?U-U:a)", "|", "||", "()",
          "(|)", "^*", "$+", "\\b?", "(?:)*", "(a*)*", "(a{500}){2}", "(a{500}){3}", "((a{10}){10}){10}",
          "((a{10}){10}){11}", "(?:a{2}){0}{3}", "a{0}{1001}", "(?:a{1000}){0}", "(?:(?:a{1000}){0}){2}"]


@st.composite
def _bracket(draw: st.DrawFn) -> str:
    items = []
    if draw(st.integers(0, 5)) == 0:
        items.append("]")
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            items.append(draw(st.sampled_from(_RANGES)))
        elif kind == 1:
            items.append(draw(st.sampled_from(_PERL)))
        elif kind == 2:
            items.append(f"[:{draw(st.sampled_from(['', '^']))}{draw(st.sampled_from(_POSIX))}:]")
        else:
            items.append(draw(st.sampled_from(_CLASS_CHARS)))
    if draw(st.integers(0, 5)) == 0:
        items.append("-")
    return f"[{draw(st.sampled_from(['', '', '^']))}{''.join(items)}]"


@st.composite
def _atom(draw: st.DrawFn, depth: int, noise: bool) -> tuple[str, bool]:
    """An atom and whether it can match the empty text (noise counts as nullable)."""
    kind = draw(st.integers(0, 13 if noise else 12))
    if kind <= 3:
        return draw(st.sampled_from(_CHARS)), False
    if kind == 4:
        return draw(st.sampled_from(_ESCAPES)), False
    if kind == 5:
        return draw(st.sampled_from(_PERL)), False
    if kind == 6:
        return draw(st.sampled_from(_ASSERTIONS)), True
    if kind == 7:
        return ".", False
    if kind == 8:
        return draw(_bracket()), False
    if kind == 9:
        body = draw(st.text(st.sampled_from(_CHARS[:8] + _METAS), max_size=3))
        return "\\Q" + body + draw(st.sampled_from(["\\E", "\\E", ""])), not body
    if kind in (10, 11) and depth > 0:
        inner, nullable = draw(_regex(depth - 1, noise))
        return f"{draw(st.sampled_from(_GROUPS))}{inner})", nullable
    if kind == 13:
        return draw(st.one_of(st.sampled_from(_NOISE), st.text(st.sampled_from("ab()[]{}*+?|\\^$.:-,019PQEpCxz<>=!i"),
                                                               min_size=1, max_size=6))), True
    return draw(st.sampled_from(_CHARS)), False


@st.composite
def _sequence(draw: st.DrawFn, depth: int, noise: bool) -> tuple[str, bool]:
    parts, nullable = [], True
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.integers(0, 9)) == 0:
            parts.append(draw(st.sampled_from(_FLAGS)))
            continue
        atom, empty = draw(_atom(depth, noise))
        if draw(st.integers(0, 2)) == 0:
            # A loop over a body that can match empty is the known deviation in
            # MATCH_DEVIATIONS: property 1 repeats such bodies a bounded number of times only.
            repeats = _BOUNDED_REPEATS if empty and not noise else _REPEATS
            op = draw(st.sampled_from(repeats))
            atom += op + draw(st.sampled_from(["", "", "?"]))
            empty = empty or op in ("*", "?") or op.startswith(("{0}", "{0,"))
            if noise and draw(st.integers(0, 5)) == 0:
                atom += draw(st.sampled_from(_REPEATS))
        parts.append(atom)
        nullable = nullable and empty
    return "".join(parts), nullable


@st.composite
def _regex(draw: st.DrawFn, depth: int, noise: bool) -> tuple[str, bool]:
    alternatives = draw(st.lists(_sequence(depth, noise), min_size=1, max_size=3))
    return "|".join(t for t, _ in alternatives), any(e for _, e in alternatives)


def _pattern(depth: int, noise: bool) -> st.SearchStrategy[str]:
    return _regex(depth, noise).map(lambda r: r[0])


_TEXTS = st.lists(st.text(st.sampled_from(_TEXT_ALPHABET), max_size=8), min_size=1, max_size=6)


# --- the properties ---------------------------------------------------------------------------


@settings(_SETTINGS, max_examples=1000)
@given(_pattern(3, False), _TEXTS)
def test_matches_agree_with_google_re2(pattern: str, texts: list[str]) -> None:
    assert not any(r[5](pattern) for r in EXCLUSIONS), pattern  # the generator avoids them
    google, pykro = _google(pattern), _pykro(pattern)
    assert (google is None) == (pykro is None), (pattern, google, pykro)
    if google is None or pykro is None:
        return
    for text in texts:
        got = pykro.search(text)
        assert (got.span() if got else None) == _go_search(google, text), (pattern, text)
        assert _pykro_find_all(pattern, text) == _go_find_all(google, text), (pattern, text)


@settings(_SETTINGS, max_examples=1400)
@given(_pattern(2, True))
def test_acceptance_agrees_with_google_re2(pattern: str) -> None:
    google_ok, pykro_ok = _google(pattern) is not None, _pykro(pattern) is not None
    if google_ok != pykro_ok:
        excluded = [r[0] for r in EXCLUSIONS if r[5](pattern) and r[2] == google_ok and r[3] == pykro_ok]
        assert excluded, (pattern, f"google-re2 {'accepts' if google_ok else 'rejects'}",
                          f"pykro {'accepts' if pykro_ok else 'rejects'}")
