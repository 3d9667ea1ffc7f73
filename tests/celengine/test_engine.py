"""Core CEL evaluation: operators, conversions, macros, optionals, errors, result conversion."""

from __future__ import annotations

import pytest

from pykro.celengine import check, evaluate
from pykro.errors import CelError

ACT = {
    "schema": {"spec": {"name": "web", "replicas": 3, "ratio": 0.5, "items": [3, 1, 2], "tags": ["b", "a", "b"],
                        "labels": {"app": "web"}, "flag": True, "none": None, "dotted": {"x.y": 1}}},
    "deployment": {"status": {"availableReplicas": 2}},
}

CASES = [
    # fast path
    ("schema.spec.name", "web"),
    ("schema.spec.items[1]", 1),
    ('schema.spec.dotted["x.y"]', 1),
    ("schema.spec.none", None),
    # arithmetic and comparison
    ("deployment.status.availableReplicas * 10 + size(schema.spec.items)", 23),
    ("schema.spec.replicas / 2", 1),
    ("-7 / 2", -3),
    ("-7 % 3", -1),
    ("schema.spec.ratio * 4.0", 2.0),
    ("3u + 4u", 7),
    ("1 == 1.0", True),
    ("1 < 1.5", True),
    ("2u > 1", True),
    ("'a' < 'b'", True),
    ("[1, 2] == [1, 2.0]", True),
    ("{'a': 1} == {'a': 1}", True),
    ("1 == 'a'", False),
    ("null == null", True),
    ("'x' in ['x', 'y']", True),
    ("'app' in schema.spec.labels", True),
    ("schema.spec.flag ? 'on' : 'off'", "on"),
    ("!schema.spec.flag", False),
    ("true || 1 / 0 > 0", True),
    ("1 / 0 > 0 || true", True),
    ("false && 1 / 0 > 0", False),
    ("'ab' + 'cd'", "abcd"),
    ("[1] + [2]", [1, 2]),
    ("b'ab' + b'c'", b"abc"),
    ("0x10 + 1", 17),
    ("9223372036854775807", 9223372036854775807),
    ("-9223372036854775808", -9223372036854775808),
    ("schema.spec.replicas == 3.0", True),
    ("schema.spec.flag == true", True),
    ("schema.spec.flag == 1", False),
    ("schema.spec.ratio / 0.0", float("inf")),
    ("uint(schema.spec.replicas) + 1u", 4),
    ("schema.spec.replicas in schema.spec.items", True),
    ("duration('1h') - duration('90m')", "-30m0s"),
    ("timestamp('2024-01-02T03:04:05Z') + duration('1h')", "2024-01-02T04:04:05Z"),
    ("[duration('1s'), duration('2s')].sum()", "3s"),
    # conversions
    ("string(1.5)", "1.5"),
    ("string(2.0)", "2"),
    ("string(1e21)", "1e+21"),
    ("string(true)", "true"),
    ("string(12)", "12"),
    ("int('42') + int(2.9)", 44),
    ("double(3)", 3.0),
    ("uint(3)", 3),
    ("bool('true')", True),
    ("bytes('hi')", b"hi"),
    ("string(b'hi')", "hi"),
    ("type(1) == int", True),
    ("type('a') == string", True),
    ("dyn(1) + 1", 2),
    ("string(duration('90s'))", "1m30s"),
    ("duration('1h') + duration('30m')", "1h30m0s"),
    ("timestamp('2024-01-02T03:04:05Z')", "2024-01-02T03:04:05Z"),
    ("timestamp('2024-01-02T03:04:05Z').getFullYear()", 2024),
    # macros
    ("schema.spec.items.map(x, x * 2)", [6, 2, 4]),
    ("schema.spec.items.map(x, x > 1, x * 10)", [30, 20]),
    ("schema.spec.items.filter(x, x > 1)", [3, 2]),
    ("schema.spec.items.all(x, x > 0)", True),
    ("schema.spec.items.exists(x, x == 2)", True),
    ("schema.spec.items.exists_one(x, x > 2)", True),
    ("schema.spec.labels.map(k, k + '!')", ["app!"]),
    ("[1, 0].exists(x, 1 / x == 1)", True),
    ("has(schema.spec.labels)", True),
    ("has(schema.spec.missing)", False),
    ("cel.bind(x, schema.spec.replicas, x * x)", 9),
    ("[[1, 2], [3]].map(l, l.map(x, x * 10))", [[10, 20], [30]]),
    # optionals
    ("schema.?spec.?missing.orValue('d')", "d"),
    ("schema.?spec.name.orValue('d')", "web"),
    ("schema.spec.labels[?'app'].orValue('none')", "web"),
    ("schema.spec.labels[?'nope'].hasValue()", False),
    ("schema.spec.items[?5].orValue(-1)", -1),
    ("optional.of(1).value()", 1),
    ("optional.none().orValue(2)", 2),
    ("optional.none().or(optional.of(3)).value()", 3),
    ("optional.ofNonZeroValue('').hasValue()", False),
    ("[?optional.none(), ?optional.of(1), 2]", [1, 2]),
    ("{'a': 1, ?'b': optional.none(), ?'c': optional.of(3)}", {"a": 1, "c": 3}),
    ("optional.of(2).optMap(x, x * 10).value()", 20),
    ("optional.none().optMap(x, x * 10).hasValue()", False),
    ("optional.of(2).optFlatMap(x, optional.of(x + 1)).value()", 3),
    ("schema.?spec.?missing", None),
    ("optional.of({'a': 1})", {"a": 1}),
    # literals
    ("[1, 2, ]", [1, 2]),
    ("{'a': 1, }", {"a": 1}),
    ("'''multi\nline'''", "multi\nline"),
    (r"'tab\there'", "tab\there"),
    ("r'raw\\n'", "raw\\n"),
]


@pytest.mark.parametrize(("expression", "expected"), CASES, ids=[c[0] for c in CASES])
def test_evaluate(expression: str, expected: object) -> None:
    result = evaluate(expression, ACT)
    assert result == expected
    assert type(result) is type(expected)


ERRORS = [
    ("missing.name", "undeclared reference to 'missing'"),
    ("missing + 1", "undeclared reference to 'missing'"),
    ("schema.spec.nope", "no such key: nope"),
    ("schema.spec.nope + 1", "no such key: nope"),
    ("schema.spec.labels['nope']", "no such key: nope"),
    ("schema.spec.items[7]", "index out of range: 7 (list size 3)"),
    ("schema.spec.items[7] + 1", "index out of range: 7 (list size 3)"),
    ("schema.spec.name.first", "type 'string' does not support field selection"),
    ("schema.spec.name.first + 'x'", "type 'string' does not support field selection"),
    ("'a' + 1", "found no matching overload for '_+_' applied to '(string, int)'"),
    ("1 + 1.0", "found no matching overload for '_+_' applied to '(int, double)'"),
    ("1 / 0", "division by zero"),
    ("1 % 0", "modulus by zero"),
    ("schema.spec.replicas + schema.spec.ratio", "found no matching overload for '_+_' applied to '(int, double)'"),
    ("1u - 2u", "unsigned integer overflow"),
    ("-9223372036854775807 - 2", "integer overflow"),
    ("'abc'[0]", "found no matching overload for '_[_]' applied to '(string, int)'"),
    ("9223372036854775807 + 1", "integer overflow"),
    ("1 ? 2 : 3", "no such overload"),
    ("1 < 'a'", "found no matching overload for '_<_' applied to '(int, string)'"),
    ("'a'.nosuch()", "undeclared reference to 'nosuch'"),
    ("nosuch(1)", "undeclared reference to 'nosuch'"),
    ("math.greatest(1, 2)", "undeclared reference to 'math.greatest'"),
    ("sets.contains([1], [1])", "undeclared reference to 'sets.contains'"),
    ("size(1)", "found no matching overload for 'size' applied to '(int)'"),
    ("'abc'.startsWith(1)", "found no matching overload for 'startsWith' applied to 'string.(int)'"),
    ("int('x')", "cannot convert string 'x' to int"),
    ("optional.none().value()", "optional.none() dereference"),
    ("{'a': 1, 'a': 2}", "repeated key in map literal: a"),
    ("{1: 'a'}", "map key must be a string"),
    ("omit()", "omit() is not supported offline"),
    ("runtime.condition(schema, 'Ready')", "runtime.condition() is not supported offline"),
    ("has(schema)", "invalid argument to has() macro"),
    ("Foo{a: 1}", "message construction"),
    ("[1, 2].all(x, x / 0 == 1)", "division by zero"),
    ("[1, 2].exists(x, 'a' + x)", "found no matching overload"),
]


@pytest.mark.parametrize(("expression", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_evaluate_errors(expression: str, message: str) -> None:
    with pytest.raises(CelError) as info:
        evaluate(expression, ACT)
    assert message in info.value.message
    assert info.value.expression == expression


SYNTAX = [
    ("a.b +", 6),
    ("a..b", 3),
    ("(1 + 2", 7),
    ("1 + * 2", 5),
    ("[1, 2", 6),
    ("a.b #", 5),
]


@pytest.mark.parametrize(("expression", "column"), SYNTAX, ids=[s[0] for s in SYNTAX])
def test_syntax_errors_have_column(expression: str, column: int) -> None:
    for fn in (check, lambda e: evaluate(e, ACT)):
        with pytest.raises(CelError) as info:
            fn(expression)
        assert info.value.column == column
        assert f"syntax error at column {column}" in info.value.message
        assert info.value.expression == expression


def test_check_accepts_valid_expressions() -> None:
    assert check("a.?b.orValue([?x, 1].size())") is None
    assert check("schema.spec.name") is None


def test_fast_path_returns_a_copy() -> None:
    data = {"a": {"b": [1, {"c": 2}]}}
    result = evaluate("a.b", data)
    assert result == [1, {"c": 2}]
    result[1]["c"] = 99  # type: ignore[index]
    assert data["a"]["b"][1]["c"] == 2


def test_activation_may_hold_big_ints_only_in_range() -> None:
    with pytest.raises(CelError, match="overflows int64"):
        evaluate("a + 1", {"a": 2**64})


def test_compiled_once() -> None:
    from pykro.celengine import engine

    engine.compile_expression.cache_clear()
    evaluate("a + 1", {"a": 1})
    evaluate("a + 1", {"a": 2})
    info = engine.compile_expression.cache_info()
    assert (info.misses, info.hits) == (1, 1)
