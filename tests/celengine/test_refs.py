"""references(), is_field_path() and the stdlib-only promise of the fast path."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pykro.celengine import is_field_path, references
from pykro.errors import CelError

REFS = [
    ("deployment.status.availableReplicas * 10 + size(schema.spec.items)",
     (("deployment", "status", "availableReplicas"), ("schema", "spec", "items"))),
    ("a.b[0].c", (("a", "b", "0", "c"),)),
    ('a["x.y"].z', (("a", "x.y", "z"),)),
    ("a[b.c].d", (("a",), ("b", "c"))),
    ("schema.spec.items.map(x, x.y + z.w)", (("schema", "spec", "items"), ("z", "w"))),
    ("items.filter(x, x > 1).all(y, y < limit)", (("items",), ("limit",))),
    ("l.exists(e, e == 1) || l.exists_one(e, e == 2)", (("l",),)),
    ("m.all(k, v, k != v && v != other)", (("m",), ("other",))),
    ("m.transformMap(k, v, v > q, v * 2)", (("m",), ("q",))),
    ("items.sortBy(i, i.data.priority)", (("items",),)),
    ("cel.bind(x, a.b, x.c + y)", (("a", "b"), ("y",))),
    ("cel.bind(x, x.init, x)", (("x", "init"),)),
    ('hash.fnv64a(schema.spec.name + "-" + schema.metadata.namespace)',
     (("schema", "metadata", "namespace"), ("schema", "spec", "name"))),
    ("json.marshal(x) + base64.encode(bytes(y)) + random.seededString(8, z)", (("x",), ("y",), ("z",))),
    ("lists.range(3).map(i, i * n)", (("n",),)),
    ("math.greatest(a, b)", (("a",), ("b",))),
    ("ip.isCanonical(s.ip)", (("s", "ip"),)),
    ("a.?b.c.orValue(1)", (("a", "b", "c"),)),
    ("x.y.size() + size(x.z)", (("x", "y"), ("x", "z"))),
    ("type(a) == int && b != null && true", (("a",), ("b",))),
    ("'schema.spec.name' + \"deployment.x\"", ()),
    ("a.b // comment c.d", (("a", "b"),)),
    ("{k: 1}", (("k",),)),
    ("[1, 2].map(x, [x].map(y, x + y + w))", (("w",),)),
]


@pytest.mark.parametrize(("expression", "expected"), REFS, ids=[r[0] for r in REFS])
def test_references(expression: str, expected: tuple[tuple[str, ...], ...]) -> None:
    assert references(expression) == expected


def test_references_bad_character_reports_column() -> None:
    with pytest.raises(CelError, match="column 5: unexpected character '#'") as info:
        references("a.b #")
    assert info.value.column == 5


PATHS = [
    ("a.b.c", True),
    ("a.b[0]", True),
    ('a["x.y"]', True),
    ("schema.spec.items[0].name", True),
    ("a.b + 1", False),
    ("a.b()", False),
    ("a[b]", False),
    ("a.?b", False),
    ("true", False),
    ('a["x\\ny"]', False),
    ("1", False),
]


@pytest.mark.parametrize(("expression", "expected"), PATHS, ids=[p[0] for p in PATHS])
def test_is_field_path(expression: str, expected: bool) -> None:
    assert is_field_path(expression) is expected


def test_fast_path_and_references_never_import_celpy() -> None:
    code = (
        "import sys\n"
        "from pykro.celengine import evaluate, references, is_field_path, check\n"
        "assert evaluate('a.b[1]', {'a': {'b': [1, 2]}}) == 2\n"
        "references('a.b.map(x, x + c)'); is_field_path('a'); check('a.b')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('celpy', 'lark')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
