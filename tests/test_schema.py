"""Spec classes -> kro SimpleSchema, and that SimpleSchema read back the way kro reads it.

Each row: a Spec class, the SimpleSchema pykro writes for it (spec and schema.types), and the
OpenAPI kro would generate from that (pykro.simpleschema.to_openapi, kro's transform).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

import pytest

from pykro import Spec, field
from pykro.schema import to_simpleschema
from pykro.simpleschema import parse_field, to_openapi


class Atoms(Spec):
    name: str
    count: int
    enabled: bool
    ratio: float


class Defaults(Spec):
    image: str = "nginx:1.27"
    replicas: int = 2
    debug: bool = False
    ratio: float = 0.5
    tags: list[str] = ["a", "b"]
    limits: dict[str, str] = {"cpu": "1"}
    quoted: str = 'say "hi"'


class Optionals(Spec):
    nickname: Optional[str] = None
    port: int | None = None


class Markers(Spec):
    replicas: Annotated[int, field(minimum=1, maximum=20, description="how many pods")] = 2
    name: Annotated[str, field(pattern="^[a-z]+$", min_length=1, max_length=63)]
    zones: Annotated[list[str], field(min_items=1, max_items=3, unique_items=True)]
    tier: Literal["web", "worker"] = "web"
    size: Literal[1, 2, 4]
    bucket: Annotated[str, field(immutable=True)]
    cpu: Annotated[str, field(validation="self.endsWith('m')")]


class Port(Spec):
    name: str
    port: int = 80


class Database(Spec):
    engine: str = "postgres"
    size: str


class Nested(Spec):
    db: Database
    ports: list[Port]
    sidecars: dict[str, Port]
    extra: dict
    anything: Any
    matrix: list[list[int]]


ROWS = [
    ("atoms", Atoms, {"name": "string | required=true", "count": "integer | required=true",
                      "enabled": "boolean | required=true", "ratio": "float | required=true"}, {}),
    ("defaults", Defaults, {
        "image": 'string | default="nginx:1.27"', "replicas": "integer | default=2", "debug": "boolean | default=false",
        "ratio": "float | default=0.5", "tags": '[]string | default=["a","b"]',
        "limits": 'map[string]string | default={"cpu":"1"}', "quoted": r'string | default="say \\\"hi\\\""'}, {}),
    ("optionals", Optionals, {"nickname": "string", "port": "integer"}, {}),
    ("markers", Markers, {
        "replicas": 'integer | default=2 description="how many pods" minimum=1 maximum=20',
        "name": "string | required=true pattern=\"^[a-z]+$\" minLength=1 maxLength=63",
        "zones": "[]string | required=true minItems=1 maxItems=3 uniqueItems=true",
        "tier": 'string | default="web" enum="web,worker"',
        "size": 'integer | required=true enum="1,2,4"',
        "bucket": "string | required=true immutable=true",
        "cpu": "string | required=true validation=\"self.endsWith('m')\""}, {}),
    ("nested", Nested, {
        "db": {"engine": 'string | default="postgres"', "size": "string | required=true"},
        "ports": "[]Port | required=true", "sidecars": "map[string]Port | required=true",
        "extra": "object | required=true", "anything": "object | required=true",
        "matrix": "[][]integer | required=true"},
     {"Port": {"name": "string | required=true", "port": "integer | default=80"}}),
]


@pytest.mark.parametrize("cls,spec,types", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_simpleschema(cls, spec, types):
    assert to_simpleschema(cls) == (spec, types)


@pytest.mark.parametrize("cls", [r[1] for r in ROWS], ids=[r[0] for r in ROWS])
def test_kro_parses_what_pykro_writes(cls):
    spec, types = to_simpleschema(cls)

    def leaves(node):
        for v in node.values():
            if isinstance(v, dict):
                yield from leaves(v)
            else:
                yield v

    for text in list(leaves(spec)) + list(leaves(types)):
        parse_field(text)  # raises on anything kro's parser would reject
    to_openapi(spec, types or None)


def test_openapi_types_and_defaults_are_kros():
    spec, types = to_simpleschema(Defaults)
    props = to_openapi(spec)["properties"]
    assert props["replicas"] == {"type": "integer", "default": 2}
    assert props["ratio"] == {"type": "number", "default": 0.5}
    assert props["tags"] == {"type": "array", "items": {"type": "string"}, "default": ["a", "b"]}
    assert props["limits"]["additionalProperties"] == {"type": "string"}
    assert props["quoted"]["default"] == 'say "hi"'


def test_openapi_markers():
    spec, _ = to_simpleschema(Markers)
    openapi = to_openapi(spec)
    props = openapi["properties"]
    assert openapi["required"] == sorted(["bucket", "cpu", "name", "size", "zones"])
    assert props["replicas"] == {"type": "integer", "default": 2, "description": "how many pods", "minimum": 1,
                                 "maximum": 20}  # fmt: skip
    assert props["tier"]["enum"] == ["web", "worker"] and props["size"]["enum"] == [1, 2, 4]
    assert props["bucket"]["x-kubernetes-validations"][0]["rule"] == "self == oldSelf"
    assert props["cpu"]["x-kubernetes-validations"][0]["rule"] == "self.endsWith('m')"
    assert props["zones"]["x-kubernetes-list-type"] == "set"  # kro's spelling of uniqueItems


def test_custom_types_resolve():
    spec, types = to_simpleschema(Nested)
    openapi = to_openapi(spec, types)
    port = openapi["properties"]["ports"]["items"]
    assert port["properties"]["port"] == {"type": "integer", "default": 80}
    assert openapi["properties"]["sidecars"]["additionalProperties"]["required"] == ["name"]
    assert openapi["properties"]["extra"] == {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


from hypothesis import given, settings, strategies as st  # noqa: E402

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(default=_TEXT, description=_TEXT.filter(str.strip), tags=st.lists(_TEXT, max_size=4))
def test_any_string_survives_kros_marker_parser(default, description, tags):
    """Whatever a default or description holds, kro reads back exactly that value."""
    cls = type("Arbitrary", (Spec,), {
        "__annotations__": {"a": Annotated[str, field(description=description)], "b": list[str]},
        "a": default, "b": tags, "__module__": __name__,
    })
    spec, _ = to_simpleschema(cls)
    props = to_openapi(spec)["properties"]
    assert props["a"]["default"] == default
    assert props["b"]["default"] == tags
    assert props["a"]["description"] == description
