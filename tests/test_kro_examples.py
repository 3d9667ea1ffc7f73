"""kro's example RGDs, re-expressed as Python graph modules (examples/kro/*.py), are equivalent to kro's YAML.

Each check compares our module's graph with the graph pykro reads from
kro's own file (:func:`pykro.graph.from_rgd.graph_from_rgd`), piece by piece:
the SimpleSchema as kro parses it, the resource ids, every template leaf
(expressions as ``Field.kro()`` text, whitespace inside ``${}`` normalized),
includeWhen/readyWhen/forEach, status and the dependency edges.

Where our spelling legitimately differs from kro's, the difference is stated
exactly in the table (``required``, ``template_diffs``) and asserted, so any
other difference, or a listed one disappearing, fails.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any

import pytest
import yaml

from pykro.graph.from_rgd import graph_from_rgd
from pykro.graph.model import Field, Graph
from pykro.simpleschema import parse_field, to_openapi
from pykro.simpleschema.markers import Marker

from ._paths import KRO_EXAMPLES, ROOT

MODULES = ROOT / "examples" / "kro"

MISSING = "<absent>"

@dataclass(frozen=True)
class Example:
    id: str
    module: str  # examples/kro/<module>.py
    rgd: str  # kro's file, relative to its examples directory
    instance: str | None  # kro's instance file, if it has one
    # Spec fields kro leaves optional (no marker) that our typed Spec makes
    # required (a Python field with no default): ours == kro + required=true.
    # Every port now writes such fields as Optional[str] = None, as kro has them.
    required: frozenset[str] = frozenset()
    # (resource id, template path) -> (kro's leaf, our leaf), MISSING where absent.
    template_diffs: dict[tuple[str, str], tuple[Any, Any]] = field(default_factory=dict)


EXAMPLES = [
    Example("webapp", "webapp", "webapp/rg.yaml", "webapp/instance.yaml"),
    Example("defaults", "defaults", "defaults/rg.yaml", "defaults/instance.yaml"),
    Example(
        "cel-functions", "cel_functions", "cel-functions/rg.yaml", "cel-functions/instance.yaml"
    ),
    Example("job-example", "job_example", "job-example/rgd.yaml", "job-example/instance.yaml"),
    Example(
        "additionalPrinterColumns", "additional_printer_columns", "additionalPrinterColumns/rg.yaml",
        "additionalPrinterColumns/instance.yaml"
    ),
    Example(
        "vote-app", "vote_app", "dogsvscats/vote-app/rg.yaml", "dogsvscats/vote-app/instance.yaml"
    ),
    Example(
        "result-app", "result_app", "dogsvscats/result-app/rg.yaml", "dogsvscats/result-app/instance.yaml"
    ),
    Example(
        "worker-app", "worker_app", "dogsvscats/worker-app/rg.yaml", "dogsvscats/worker-app/instance.yaml"
    ),
    Example(
        "tenant", "tenant", "saas-multi-tenant/tenant-rgd.yaml", "saas-multi-tenant/tenant-instance.yaml"
    ),
    Example(
        "tenant-environment", "tenant_environment", "saas-multi-tenant/tenant-environment-rgd.yaml", None,
        template_diffs={
            # kro's YAML has an empty `matchLabels:` (null); simple.NetworkPolicy writes
            # `podSelector: {}`. Both select every pod of the namespace.
            ("tenantNetworkpolicy", "spec.podSelector"): (MISSING, {}),
            ("tenantNetworkpolicy", "spec.podSelector.matchLabels"): (None, MISSING),
        },
    ),
    Example(
        "tenant-application", "tenant_application", "saas-multi-tenant/tenant-application-rgd.yaml", None
    ),
]
IDS = [e.id for e in EXAMPLES]


# -- loading --------------------------------------------------------------------


@cache
def load_module(name: str) -> ModuleType:
    """An examples/kro module, imported as the project loader does (its directory on sys.path)."""
    path = MODULES / f"{name}.py"
    sys.path.insert(0, str(MODULES))
    try:
        spec = importlib.util.spec_from_file_location(f"kro_example_{name}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(MODULES))
    return module


@cache
def kro_doc(rel: str) -> dict[str, Any]:
    return yaml.safe_load((KRO_EXAMPLES / rel).read_text())


def kro_graph(example: Example) -> Graph:
    return graph_from_rgd(kro_doc(example.rgd), file=example.rgd)


def our_graph(example: Example) -> Graph:
    return load_module(example.module).graph.graph


# -- normalizing ------------------------------------------------------------------


def normalize_cel(text: str) -> str:
    """Whitespace runs outside CEL string literals collapsed to one space; ends stripped."""
    out: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            out.append(c)
            if c == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"":
            quote = c
            out.append(c)
        elif c.isspace():
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(c)
        i += 1
    return "".join(out).strip()


def field_text(f: Field) -> str:
    """``Field.kro()`` with the whitespace inside each ``${}`` normalized."""
    out = []
    for part in f.parts:
        out.append(part if isinstance(part, str) else "${" + normalize_cel(part.text) + "}")
    return "".join(out)


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """Template leaves by kro-style path; a Field becomes its normalized text, empty containers are leaves."""
    if isinstance(value, Field):
        return {path: field_text(value)}
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            key = k if k.replace("_", "a").isalnum() else f'["{k}"]'
            out.update(flatten(v, f"{path}.{key}" if path and not key.startswith("[") else f"{path}{key}"))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, v in enumerate(value):
            out.update(flatten(v, f"{path}[{i}]"))
        return out
    return {path: value}


def diff(kro: dict[str, Any], ours: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {
        p: (kro.get(p, MISSING), ours.get(p, MISSING))
        for p in sorted(set(kro) | set(ours))
        if kro.get(p, MISSING) != ours.get(p, MISSING)
    }


def schema_leaves(spec: dict[str, Any], path: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in spec.items():
        p = f"{path}.{k}" if path else k
        if isinstance(v, dict):
            out.update(schema_leaves(v, p))
        else:
            out[p] = v
    return out


def with_required(spec: dict[str, Any], names: frozenset[str], path: str = "") -> dict[str, Any]:
    """kro's SimpleSchema with ``required=true`` added to the named fields."""
    out: dict[str, Any] = {}
    for k, v in spec.items():
        p = f"{path}.{k}" if path else k
        if isinstance(v, dict):
            out[k] = with_required(v, names, p)
        elif p in names:
            out[k] = f"{v} required=true" if "|" in v else f"{v} | required=true"
        else:
            out[k] = v
    return out


# -- the checks -----------------------------------------------------------------------


def test_table_covers_every_module() -> None:
    shipped = {p.stem for p in MODULES.glob("*.py")} - {"dogsvscats_common"}
    assert shipped == {e.module for e in EXAMPLES}


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_api(example: Example) -> None:
    kro, ours = kro_graph(example), our_graph(example)
    assert (ours.name, ours.group, ours.version, ours.kind, ours.scope) == (
        kro.name, kro.group, kro.version, kro.kind, kro.scope,
    )
    assert ours.printer_columns == kro.printer_columns
    assert ours.types == kro.types


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_schema_fields_parse_the_same(example: Example) -> None:
    kro, ours = schema_leaves(kro_graph(example).spec_schema), schema_leaves(our_graph(example).spec_schema)
    assert sorted(ours) == sorted(kro)
    differing = set()
    for path, text in kro.items():
        k, o = parse_field(text), parse_field(ours[path])
        if k == o:
            continue
        differing.add(path)
        # The one allowed difference: ours adds required=true, nothing else.
        assert o.type == k.type, path
        assert [m for m in o.markers if m.marker is not Marker.REQUIRED] == list(k.markers), path
        assert [(m.marker, m.value) for m in o.markers if m.marker is Marker.REQUIRED] == [(Marker.REQUIRED, "true")]
    assert differing == set(example.required)


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_openapi_is_kros_plus_the_stated_required_fields(example: Example) -> None:
    kro, ours = kro_graph(example), our_graph(example)
    expected = to_openapi(with_required(kro.spec_schema, example.required), kro.types or None)
    assert to_openapi(ours.spec_schema, ours.types or None) == expected
    if example.required:  # the difference is real, not vacuous
        assert to_openapi(kro.spec_schema, kro.types or None) != expected


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_resource_ids_and_order(example: Example) -> None:
    kro, ours = kro_graph(example), our_graph(example)
    assert [n.id for n in ours.nodes] == [n.id for n in kro.nodes]
    assert ours.order == kro.order
    assert {n.id: n.dependencies for n in ours.nodes} == {n.id: n.dependencies for n in kro.nodes}
    assert {n.id: n.external for n in ours.nodes} == {n.id: n.external for n in kro.nodes}


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_templates_field_by_field(example: Example) -> None:
    kro, ours = kro_graph(example), our_graph(example)
    found = {}
    for k in kro.nodes:
        o = ours.node(k.id)
        for path, pair in diff(flatten(k.template), flatten(o.template)).items():
            found[(k.id, path)] = pair
    assert found == example.template_diffs


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_conditions(example: Example) -> None:
    kro, ours = kro_graph(example), our_graph(example)

    def conditions(g: Graph) -> dict[str, Any]:
        return {
            n.id: {
                "includeWhen": [field_text(f) for f in n.include_when],
                "readyWhen": [field_text(f) for f in n.ready_when],
                "forEach": [(name, field_text(f)) for name, f in n.for_each],
            }
            for n in g.nodes
        }

    assert conditions(ours) == conditions(kro)


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_status(example: Example) -> None:
    kro, ours = kro_graph(example), our_graph(example)
    assert {n: field_text(f) for n, f in ours.status} == {n: field_text(f) for n, f in kro.status}


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_rendered_rgd_reads_back_as_the_same_graph(example: Example) -> None:
    """What the checks above compared is what ``.rgd()`` writes: reading it back changes nothing."""
    module = load_module(example.module)
    ours = module.graph.graph
    again = graph_from_rgd(module.graph.rgd())
    assert [(n.id, flatten(n.template)) for n in again.nodes] == [(n.id, flatten(n.template)) for n in ours.nodes]
    assert {n: field_text(f) for n, f in again.status} == {n: field_text(f) for n, f in ours.status}
    assert again.spec_schema == ours.spec_schema


# -- the comparison itself can fail ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  a.b  ==\n  c ", "a.b == c"),
        ("x ? 'a  b' : \"c\\\"  d\"", "x ? 'a  b' : \"c\\\"  d\""),
        ("f(a,  b)", "f(a, b)"),
    ],
    ids=["spaces-and-newline", "strings-kept", "inner-run"],
)
def test_normalize_cel(text: str, expected: str) -> None:
    assert normalize_cel(text) == expected


def test_template_diff_sees_a_changed_expression_and_a_missing_field() -> None:
    webapp = EXAMPLES[0]
    kro = flatten(kro_graph(webapp).node("deployment").template)
    changed = dict(kro)
    changed["spec.replicas"] = "${schema.spec.replicas + 1}"
    del changed["spec.template.spec.restartPolicy"]
    assert diff(kro, changed) == {
        "spec.replicas": ("${schema.spec.replicas}", "${schema.spec.replicas + 1}"),
        "spec.template.spec.restartPolicy": ("Always", MISSING),
    }
    assert 'metadata.labels["app.kubernetes.io/name"]' in kro
