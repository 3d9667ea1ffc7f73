"""Go regexp (RE2) semantics of the pattern translator (pykro.celengine.re2).

Every expected value is what Go's regexp gives (syntax per regexp/syntax and
https://github.com/google/re2/wiki/Syntax): the match rows give Go's
FindString result (None: no match), the rejection rows a fragment of the error.
"""

from __future__ import annotations

from typing import Any

import pytest
from celpy import celtypes

from pykro.celengine import evaluate
from pykro.celengine.re2 import RE2Error, compile_re2
from pykro.celengine.regex import LIBRARY as REGEX
from pykro.errors import CelError

# Python warns (FutureWarning) on some class spellings; the translation must never trigger one.
pytestmark = pytest.mark.filterwarnings("error")

MATCHES = [
    # POSIX classes inside brackets (ASCII), negated, and literal text outside brackets
    ("posix-alpha", "[[:alpha:]]", "a", "a"),
    ("posix-alpha-ascii-only", "[[:alpha:]]", "é", None),
    ("posix-negated", "[[:^alpha:]]", "ab1", "1"),
    ("posix-word", "^[[:word:]]+$", "a_1", "a_1"),
    ("posix-punct", "^[[:punct:]]+$", "!/:@[`{~", "!/:@[`{~"),
    ("posix-space-has-vtab", "[[:space:]]", "\v", "\v"),
    ("posix-xdigit", "^[[:xdigit:]]+$", "09afAF", "09afAF"),
    ("posix-mixed", "^[x[:digit:]]+$", "x1", "x1"),
    ("posix-outside-brackets-is-a-class", "[:alpha:]", "p", "p"),
    ("posix-unclosed-is-literal", "[[:a]", "[", "["),
    # Perl classes and \b are ASCII-only
    ("w-ascii", "^\\w$", "é", None),
    ("d-ascii", "^\\d$", "١", None),
    ("s-ascii", "^\\s$", "\u00a0", None),
    ("s-no-vtab", "\\s", "\v", None),
    ("W-matches-unicode", "^\\W$", "é", "é"),
    ("b-ascii", "a\\b", "aé", "a"),
    ("B-ascii", "a\\B", "aé", None),
    ("B-empty-text", "\\B", "", ""),
    ("B-between-non-word", "a|\\B", " ", ""),
    # . and classes match code points
    ("dot-unicode", "^.$", "é", "é"),
    ("dot-no-newline", "^.$", "\n", None),
    ("dot-s-flag", "(?s)^.$", "\n", "\n"),
    ("negated-class-unicode", "^[^a]$", "é", "é"),
    ("negated-class-has-newline", "[^a]", "\n", "\n"),
    ("class-unicode-range", "[à-ÿ]", "é", "é"),
    # repetition
    ("brace-no-min-is-literal", "a{,2}", "a", None),
    ("brace-no-min-literal-text", "a{,2}", "a{,2}", "a{,2}"),
    ("brace-leading-zero-is-literal", "a{01}", "a{01}", "a{01}"),
    ("brace-unclosed-is-literal", "a{2", "a{2", "a{2"),
    ("brace-exact", "a{2}", "aaa", "aa"),
    ("brace-open", "^a{2,}$", "aaaa", "aaaa"),
    ("brace-range", "^a{1,2}$", "aaa", None),
    ("brace-1000", "^a{1000}$", "a" * 1000, "a" * 1000),
    ("nested-repeat-1000", "^(a{500}){2}$", "a" * 1000, "a" * 1000),
    ("non-greedy", "a+?", "aaa", "a"),
    ("ungreedy-flag", "(?U)a+", "aaa", "a"),
    ("ungreedy-flag-swaps-back", "(?U)a+?", "aaa", "aaa"),
    ("ungreedy-scoped", "(?U:a+)", "aaa", "a"),
    ("ungreedy-ends-with-group", "(?:(?U))a+", "aaa", "aaa"),
    ("repeat-anchor", "^*a", "a", "a"),
    # anchors: $ is end of text unless (?m)
    ("dollar-not-before-final-newline", "a$", "a\n", None),
    ("dollar-end", "a$", "ba", "a"),
    ("dollar-multiline", "(?m)a$", "a\nb", "a"),
    ("caret-not-after-newline", "^b", "a\nb", None),
    ("caret-multiline", "(?m)^b", "a\nb", "b"),
    ("multiline-scoped", "(?m:^b)|^c", "a\nc", None),
    ("z-end", "a\\z", "a", "a"),
    ("z-not-before-newline", "a\\z", "a\n", None),
    ("A-start", "\\Ab", "ab", None),
    # flags: scoped, mid-pattern (lasting to the end of the group, across |), negated
    ("fold", "(?i)abc", "xABC", "ABC"),
    ("fold-scoped", "(?i:a)b", "AB", None),
    ("fold-mid-pattern-crosses-bar", "a(?i)b|c", "C", "C"),
    ("fold-ends-with-group", "(a(?i)b)c", "aBC", None),
    ("fold-negated", "(?i)a(?-i)b", "AB", None),
    ("fold-empty-flags", "a(?)b", "ab", "ab"),
    ("fold-kelvin", "(?i)k", "\u212a", "\u212a"),
    ("fold-long-s-class", "(?i)^\\w$", "ſ", "ſ"),
    ("fold-class", "(?i)[a-z]+", "QI", "QI"),
    ("fold-dotless-i", "(?i)i", "ı", None),
    ("fold-dotted-I", "(?i)i", "İ", None),
    ("fold-dotless-i-class", "(?i)[h-j]", "ı", None),
    ("fold-dotless-i-self", "(?i)ı", "ı", "ı"),
    ("fold-dotless-i-not-I", "(?i)ı", "I", None),
    ("fold-negated-class-i", "(?i)[^i]", "ı", "ı"),
    ("fold-negated-class-I", "(?i)[^i]", "I", None),
    ("fold-negated-class", "(?i)[^k]", "\u212a", None),
    ("fold-negated-posix-in-class", "(?i)[[:^alnum:]]", "\u212a", None),
    ("fold-negated-perl-in-class", "(?i)[\\W]", "ſ", None),
    ("fold-negated-perl-in-class-ascii", "(?i)[\\Dx]", "\u212a", "\u212a"),
    # \Q...\E, escapes, named groups
    ("quote", "\\Qa.b\\E", "axb", None),
    ("quote-literal", "\\Qa.b\\E", "a.b", "a.b"),
    ("quote-to-end", "\\Qa*(", "a*(", "a*("),
    ("quote-repeat-last-char", "\\Qab\\E+", "abbb", "abbb"),
    ("hex-braces", "\\x{41}", "A", "A"),
    ("hex-braces-astral", "\\x{1F600}", "😀", "😀"),
    ("hex-two", "\\x41", "A", "A"),
    ("octal", "\\101", "A", "A"),
    ("octal-two-digits-not-backref", "(a)\\12", "a\n", "a\n"),
    ("octal-zero", "\\0", "\0", "\0"),
    ("c-escapes", "\\a\\f\\v\\t", "\a\f\v\t", "\a\f\v\t"),
    ("escaped-underscore", "\\_", "_", "_"),
    ("escaped-punct", "\\.\\[\\{", ".[{", ".[{"),
    ("named-P", "(?P<n>x)", "x", "x"),
    ("named-angle", "(?<n>x)", "x", "x"),
    ("named-duplicate-digit", "(?P<1>a)(?P<1>b)", "ab", "ab"),
    # bracket details
    ("bracket-first-close", "[]a]+", "]a", "]a"),
    ("bracket-negated-first-close", "[^]a]", "]b", "b"),
    ("bracket-trailing-dash", "[a-]+", "a-", "a-"),
    ("bracket-open-bracket", "[[]", "[", "["),
    ("bracket-perl-then-dash", "^[\\d-z]+$", "1-z", "1-z"),
    ("bracket-negated-perl", "[^\\D]", "x5", "5"),
    ("bracket-escape", "[\\]\\x{e9}]+", "]é", "]é"),
    ("bracket-ampersands", "[a&&b]+", "&&", "&&"),
    ("bracket-tilde", "[a~~b]+", "~~", "~~"),
]


@pytest.mark.parametrize(("pattern", "text", "expected"), [r[1:] for r in MATCHES], ids=[r[0] for r in MATCHES])
def test_go_match(pattern: str, text: str, expected: str | None) -> None:
    m = compile_re2(pattern).search(text)
    assert (m.group(0) if m else None) == expected


REJECTIONS = [
    ("possessive", "a*+", "invalid nested repetition operator: `*+`"),
    ("double-star", "a**", "invalid nested repetition operator"),
    ("brace-then-brace", "a{2}{3}", "invalid nested repetition operator"),
    ("atomic-group", "(?>a)", "not RE2 syntax"),
    ("lookahead", "(?=a)", "not RE2 syntax"),
    ("negative-lookahead", "(?!a)", "not RE2 syntax"),
    ("lookbehind", "(?<=a)b", "lookbehind is not RE2 syntax"),
    ("conditional", "(?(1)a)", "not RE2 syntax"),
    ("backreference", "(a)\\1", "invalid escape sequence: `\\1`"),
    ("named-backreference", "(?P=n)", "invalid or unsupported Perl syntax"),
    ("Z", "a\\Z", "invalid escape sequence: `\\Z`"),
    ("C", "\\C", "\\C"),
    ("unicode-class", "\\pL", "Unicode character classes are not supported by pykro"),
    ("unicode-class-braces", "\\p{Greek}", "`\\p{Greek}`"),
    ("unicode-class-negated", "\\P{Greek}", "Unicode character classes"),
    ("unicode-class-in-brackets", "[\\p{Greek}]", "Unicode character classes"),
    ("repeat-over-1000", "a{1001}", "invalid repeat count: `{1001}`"),
    ("repeat-max-over-1000", "a{0,1001}", "invalid repeat count"),
    ("repeat-min-over-max", "a{2,1}", "invalid repeat count"),
    ("nested-repeat-over-1000", "(a{500}){3}", "invalid repeat count"),
    ("missing-argument", "*a", "missing argument to repetition operator"),
    ("missing-argument-after-bar", "a|*", "missing argument to repetition operator"),
    ("missing-argument-after-flags", "(?i)*", "missing argument to repetition operator"),
    ("posix-unknown", "[[:foo:]]", "invalid character class range: `[:foo:]`"),
    ("range-reversed", "[z-a]", "invalid character class range: `z-a`"),
    ("range-to-perl-class", "[a-\\d]", "invalid escape sequence"),
    ("u-escape", "\\u0041", "invalid escape sequence"),
    ("e-escape", "\\e", "invalid escape sequence"),
    ("digit-8", "\\8", "invalid escape sequence"),
    ("backspace-in-class", "[\\b]", "invalid escape sequence"),
    ("non-ascii-escape", "\\é", "invalid escape sequence"),
    ("hex-too-big", "\\x{110000}", "invalid escape sequence"),
    ("hex-empty", "\\x{}", "invalid escape sequence"),
    ("hex-bad", "\\xg0", "invalid escape sequence"),
    ("flag-dash-only", "(?i-)", "invalid or unsupported Perl syntax"),
    ("flag-unknown", "(?x)", "invalid or unsupported Perl syntax"),
    ("flag-unclosed", "(?i", "invalid or unsupported Perl syntax"),
    ("name-empty", "(?P<>x)", "invalid named capture"),
    ("name-dash", "(?P<a-b>x)", "invalid named capture"),
    ("unexpected-paren", "a)", "unexpected )"),
    ("missing-paren", "(a", "missing closing )"),
    ("missing-bracket", "[a", "missing closing ]"),
    ("trailing-backslash", "a\\", "trailing backslash"),
    ("fold-unsure-pair", "(?i)ΐ", "fold it differently"),
]


@pytest.mark.parametrize(("pattern", "fragment"), [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS])
def test_go_rejects(pattern: str, fragment: str) -> None:
    with pytest.raises(RE2Error) as info:
        compile_re2(pattern)
    assert fragment in str(info.value)


FIND_ALL = [
    # Go's FindAllString drops an empty match abutting the previous match
    ("empty-after-match", "baaac", "a*", -1, ["", "aaa", ""]),
    # ...and steps past an empty match instead of retrying there for a longer one
    ("empty-preferred", "a", "|a", -1, ["", ""]),
    ("limit", "aaa", "a", 2, ["a", "a"]),
    ("zero-limit", "aaa", "a", 0, []),
    ("negative-limit", "aaa", "a", -5, ["a", "a", "a"]),
    ("unicode", "éa", ".", -1, ["é", "a"]),
    ("boundaries", "ab cd", "\\b", -1, ["", "", "", ""]),
]


@pytest.mark.parametrize(("text", "pattern", "limit", "expected"), [r[1:] for r in FIND_ALL],
                         ids=[r[0] for r in FIND_ALL])
def test_find_all_go_empty_matches(text: str, pattern: str, limit: int, expected: list[str]) -> None:
    result = REGEX.methods["findAll"](celtypes.StringType(text), celtypes.StringType(pattern), celtypes.IntType(limit))
    assert list(result) == expected


CEL = [
    ("matches-posix", "'a'.matches('[[:alpha:]]')", True),
    ("matches-unicode-w", "'é'.matches('^\\\\w$')", False),
    ("matches-dollar", "'a\\n'.matches('a$')", False),
    ("find", "'ab12'.find('\\\\d+')", "12"),
]


@pytest.mark.parametrize(("expression", "expected"), [r[1:] for r in CEL], ids=[r[0] for r in CEL])
def test_cel_functions_use_go_semantics(expression: str, expected: Any) -> None:
    assert evaluate(expression, {}) == expected


def test_cel_error_names_the_construct() -> None:
    with pytest.raises(CelError, match=r"invalid regex 'a\*\+': invalid nested repetition operator: `\*\+`"):
        evaluate("'a'.matches('a*+')", {})
