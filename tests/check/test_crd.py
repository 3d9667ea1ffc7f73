"""check_rgd: kro v0.9.3's CRD as the API server applies it (defaults, schema, CEL rules)."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any, Callable

import jsonschema
import pytest
import yaml

from pykro.check import Problem, check_rgd
from pykro.check import crd

from tests._paths import KRO_EXAMPLES as EXAMPLES
WEBAPP = Path(__file__).resolve().parents[2] / "examples" / "webapp" / "graphs" / "webapp.py"


def _example_rgds() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(EXAMPLES.glob("**/*.yaml")):
        for index, doc in enumerate(yaml.safe_load_all(path.read_text())):
            if isinstance(doc, dict) and doc.get("kind") == "ResourceGraphDefinition":
                found.append((f"{path.relative_to(EXAMPLES)}#{index}", doc))
    return found


EXAMPLE_RGDS = _example_rgds()


def webapp_rgd() -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("pykro_example_webapp", WEBAPP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rgd: dict[str, Any] = module.webapp.rgd()
    return rgd


def base() -> dict[str, Any]:
    """A small valid RGD using every part of the CRD the broken rows break."""
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "webapp"},
        "spec": {
            "schema": {
                "apiVersion": "v1alpha1",
                "kind": "WebApp",
                "group": "example.com",
                "spec": {"name": "string", "regions": "[]string"},
                "status": {"ready": "${app.status.readyReplicas > 0}"},
                "additionalPrinterColumns": [{"name": "Ready", "type": "boolean", "jsonPath": ".status.ready"}],
            },
            "resources": [
                {
                    "id": "app",
                    "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "${region}"}},
                    "forEach": [{"region": "${schema.spec.regions}"}],
                    "includeWhen": ["${schema.spec.name != ''}"],
                    "readyWhen": ["${each.metadata.name != ''}"],
                },
                {
                    "id": "shared",
                    "externalRef": {
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "metadata": {"name": "shared", "namespace": "default"},
                    },
                },
            ],
        },
    }


@pytest.mark.parametrize("rgd", [r for _, r in EXAMPLE_RGDS], ids=[i for i, _ in EXAMPLE_RGDS])
def test_every_kro_example_rgd_is_admitted(rgd: dict[str, Any]) -> None:
    before = copy.deepcopy(rgd)
    assert check_rgd(rgd) == []
    assert rgd == before  # defaults are filled in a copy


def test_kro_examples_are_found() -> None:
    assert len(EXAMPLE_RGDS) >= 10


def test_the_webapp_example_rgd_is_admitted() -> None:
    rgd = webapp_rgd()
    assert check_rgd(rgd) == []
    assert check_rgd(rgd, old=rgd) == []


def test_base_is_admitted() -> None:
    assert check_rgd(base()) == []


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(rgd: dict[str, Any]) -> None:
        node = rgd
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def edit(rgd: dict[str, Any]) -> None:
        node = rgd
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return edit


def _both(rgd: dict[str, Any]) -> None:
    rgd["spec"]["resources"][0]["externalRef"] = copy.deepcopy(rgd["spec"]["resources"][1]["externalRef"])


R0 = ("spec", "resources", 0)
REF_META = ("spec", "resources", 1, "externalRef", "metadata")
SCHEMA = ("spec", "schema")

# (id, edit, expected problems)
BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], list[Problem]]] = [
    # CEL rule: exactly one of template or externalRef
    ("template-and-externalRef", _both,
     [Problem("spec.resources[0]", "exactly one of template or externalRef must be provided")]),
    ("neither-template-nor-externalRef", _delete(R0 + ("template",)),
     [Problem("spec.resources[0]", "exactly one of template or externalRef must be provided")]),
    # CEL rule: exactly one of name or selector
    ("externalRef-name-and-selector", _set(REF_META + ("selector",), {"matchLabels": {"a": "b"}}),
     [Problem("spec.resources[1].externalRef.metadata", "exactly one of name or selector must be provided")]),
    ("externalRef-neither-name-nor-selector", _delete(REF_META + ("name",)),
     [Problem("spec.resources[1].externalRef.metadata", "exactly one of name or selector must be provided")]),
    # schema: required fields
    ("missing-id", _delete(R0 + ("id",)), [Problem("spec.resources[0].id", 'missing required field "id"')]),
    ("null-id-is-pruned", _set(R0 + ("id",), None), [Problem("spec.resources[0].id", 'missing required field "id"')]),
    ("missing-schema", _delete(SCHEMA), [Problem("spec.schema", 'missing required field "schema"')]),
    ("missing-schema-kind", _delete(SCHEMA + ("kind",)),
     [Problem("spec.schema.kind", 'missing required field "kind"')]),
    ("missing-schema-apiVersion", _delete(SCHEMA + ("apiVersion",)),
     [Problem("spec.schema.apiVersion", 'missing required field "apiVersion"')]),
    ("externalRef-missing-kind", _delete(("spec", "resources", 1, "externalRef", "kind")),
     [Problem("spec.resources[1].externalRef.kind", 'missing required field "kind"')]),
    ("printer-column-missing-jsonPath", _delete(SCHEMA + ("additionalPrinterColumns", 0, "jsonPath")),
     [Problem("spec.schema.additionalPrinterColumns[0].jsonPath", 'missing required field "jsonPath"')]),
    # schema: patterns and enums
    ("kind-not-UpperCamelCase", _set(SCHEMA + ("kind",), "webApp"),
     [Problem("spec.schema.kind", '"webApp" does not match ^[A-Z][a-zA-Z0-9]{0,62}$; write the kind in '
              "UpperCamelCase, at most 63 letters or digits (e.g. WebApp)")]),
    ("kind-too-long", _set(SCHEMA + ("kind",), "W" * 64),
     [Problem("spec.schema.kind", f'"{"W" * 64}" does not match ^[A-Z][a-zA-Z0-9]{{0,62}}$; write the kind in '
              "UpperCamelCase, at most 63 letters or digits (e.g. WebApp)")]),
    ("schema-apiVersion-with-group", _set(SCHEMA + ("apiVersion",), "example.com/v1"),
     [Problem("spec.schema.apiVersion", '"example.com/v1" does not match ^v[0-9]+(alpha[0-9]+|beta[0-9]+)?$; '
              "write only the version, such as v1, v1alpha1 or v2beta1; the group goes in spec.schema.group")]),
    ("schema-apiVersion-trailing-newline", _set(SCHEMA + ("apiVersion",), "v1\n"),  # Go's $ is end of text
     [Problem("spec.schema.apiVersion", '"v1\\n" does not match ^v[0-9]+(alpha[0-9]+|beta[0-9]+)?$; '
              "write only the version, such as v1, v1alpha1 or v2beta1; the group goes in spec.schema.group")]),
    ("bad-scope", _set(SCHEMA + ("scope",), "Global"),
     [Problem("spec.schema.scope", '"Global" is not one of: "Namespaced", "Cluster"; '
              "write Namespaced (the default) or Cluster")]),
    # schema: forEach dimensions have exactly one entry
    ("forEach-two-variables", _set(R0 + ("forEach",), [{"a": "${x}", "b": "${y}"}]),
     [Problem("spec.resources[0].forEach[0]", "has 2 fields; expected at most 1; each forEach entry binds "
              "exactly one variable: write one entry per variable")]),
    ("forEach-empty-entry", _set(R0 + ("forEach",), [{}]),
     [Problem("spec.resources[0].forEach[0]", 'has 0 fields; expected at least 1; each forEach entry binds '
              'exactly one variable: {name: "${schema.spec.items}"}')]),
    # schema: types and unknown fields
    ("template-not-an-object", _set(R0 + ("template",), "ConfigMap"),
     [Problem("spec.resources[0].template", 'expected object, got string "ConfigMap"')]),
    ("includeWhen-not-a-list", _set(R0 + ("includeWhen",), "${true}"),
     [Problem("spec.resources[0].includeWhen", 'expected array, got string "${true}"')]),
    ("readyWhen-item-not-a-string", _set(R0 + ("readyWhen",), [True]),
     [Problem("spec.resources[0].readyWhen[0]", "expected string, got boolean true")]),
    ("misspelt-resource-field", _set(R0 + ("readywhen",), ["${true}"]),
     [Problem("spec.resources[0].readywhen", 'unknown field "readywhen"; did you mean "readyWhen"?')]),
    ("unknown-resource-field", _set(R0 + ("dependsOn",), ["shared"]),
     [Problem("spec.resources[0].dependsOn", 'unknown field "dependsOn"; expected one of: '
              "externalRef, forEach, id, includeWhen, readyWhen, template")]),
    ("unknown-spec-field", _set(("spec", "instances"), []),
     [Problem("spec.instances", 'unknown field "instances"; expected one of: resources, schema')]),
    ("label-value-not-a-string", _set(SCHEMA + ("metadata",), {"labels": {"a.b/c": 1}}),
     [Problem('spec.schema.metadata.labels["a.b/c"]', "expected string, got integer 1")]),
    ("externalRef-empty-name", _set(REF_META + ("name",), ""),
     [Problem("spec.resources[1].externalRef.metadata.name", '"" has 0 characters; expected at least 1')]),
    ("printer-column-priority-not-integer", _set(SCHEMA + ("additionalPrinterColumns", 0, "priority"), "1"),
     [Problem("spec.schema.additionalPrinterColumns[0].priority", 'expected integer, got string "1"')]),
    # the object itself
    ("wrong-apiVersion", _set(("apiVersion",), "kro.run/v1"),
     [Problem("apiVersion", 'expected kro.run/v1alpha1, got "kro.run/v1"')]),
    ("wrong-kind", _set(("kind",), "ResourceGraph"),
     [Problem("kind", 'expected ResourceGraphDefinition, got "ResourceGraph"')]),
    ("missing-name", _delete(("metadata", "name")), [Problem("metadata.name", 'missing required field "name"')]),
    ("bad-name", _set(("metadata", "name"), "Web_App"),
     [Problem("metadata.name", "\"Web_App\" is not a valid name; use at most 253 lowercase letters, digits, "
              "'-' and '.', starting and ending with a letter or digit")]),
    # several problems, in document order (list indexes compared as numbers)
    ("problems-in-order", lambda r: (r["spec"]["resources"].extend({"template": {}} for _ in range(10))),
     [Problem(f"spec.resources[{i}].id", 'missing required field "id"') for i in range(2, 12)]),
]


@pytest.mark.parametrize("edit,expected", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_rgds_are_refused_at_the_field(edit: Callable[[dict[str, Any]], None], expected: list[Problem]) -> None:
    rgd = base()
    edit(rgd)
    assert check_rgd(rgd) == expected


def test_not_a_mapping() -> None:
    expected = [Problem("", "expected a ResourceGraphDefinition object (a mapping), got array")]
    assert check_rgd(["spec"]) == expected  # type: ignore[arg-type]


# --- defaulting -------------------------------------------------------------------------------

DEFAULTED = [
    ("scope-filled", lambda r: None, ("spec", "schema", "scope"), "Namespaced"),
    ("group-filled", _delete(SCHEMA + ("group",)), ("spec", "schema", "group"), "kro.run"),
    ("null-group-pruned-then-filled", _set(SCHEMA + ("group",), None), ("spec", "schema", "group"), "kro.run"),
    ("given-scope-kept", _set(SCHEMA + ("scope",), "Cluster"), ("spec", "schema", "scope"), "Cluster"),
]


@pytest.mark.parametrize("edit,path,value", [d[1:] for d in DEFAULTED], ids=[d[0] for d in DEFAULTED])
def test_defaults_are_filled_as_the_api_server_does(
    edit: Callable[[dict[str, Any]], None], path: tuple[str, ...], value: str
) -> None:
    rgd = base()
    edit(rgd)
    defaulted = crd._defaulted(rgd)
    node: Any = defaulted
    for key in path:
        node = node[key]
    assert node == value
    assert check_rgd(rgd) == []


def test_without_defaulting_the_schema_would_refuse_an_rgd_that_omits_scope() -> None:
    """Why defaulting comes first: scope is required by the schema and only ever set by its default."""
    rgd = base()
    errors = list(crd._validator().iter_errors(rgd))
    found = [(list(e.absolute_path), e.message) for e in errors]
    assert found == [(["spec", "schema"], "'scope' is a required property")]


# --- the CRD's CEL rules, one by one ------------------------------------------------------------

RULE_ROWS: list[tuple[str, str, Any, Any, bool]] = [
    # (id, location of the rule, self, oldSelf, holds)
    ("template-xor-externalRef/template", "spec.resources[*]", {"id": "a", "template": {}}, None, True),
    ("template-xor-externalRef/externalRef", "spec.resources[*]", {"id": "a", "externalRef": {}}, None, True),
    ("template-xor-externalRef/both", "spec.resources[*]", {"id": "a", "template": {}, "externalRef": {}}, None, False),
    ("template-xor-externalRef/neither", "spec.resources[*]", {"id": "a"}, None, False),
    ("name-xor-selector/name", "spec.resources[*].externalRef.metadata", {"name": "x"}, None, True),
    ("name-xor-selector/selector", "spec.resources[*].externalRef.metadata", {"selector": {}}, None, True),
    ("name-xor-selector/both", "spec.resources[*].externalRef.metadata", {"name": "x", "selector": {}}, None, False),
    ("name-xor-selector/neither", "spec.resources[*].externalRef.metadata", {"namespace": "x"}, None, False),
    ("apiVersion-immutable/same", "spec.schema.apiVersion", "v1", "v1", True),
    ("apiVersion-immutable/changed", "spec.schema.apiVersion", "v2", "v1", False),
    ("group-immutable/same", "spec.schema.group", "kro.run", "kro.run", True),
    ("group-immutable/changed", "spec.schema.group", "a.io", "kro.run", False),
    ("kind-immutable/same", "spec.schema.kind", "WebApp", "WebApp", True),
    ("kind-immutable/changed", "spec.schema.kind", "Web", "WebApp", False),
    ("scope-immutable/same", "spec.schema.scope", "Cluster", "Cluster", True),
    ("scope-immutable/changed", "spec.schema.scope", "Cluster", "Namespaced", False),
]


@pytest.mark.parametrize("location,self_,old,holds", [r[1:] for r in RULE_ROWS], ids=[r[0] for r in RULE_ROWS])
def test_each_rule_function(location: str, self_: Any, old: Any, holds: bool) -> None:
    (rule,) = [r for r in crd.RULES if r.location == location]
    assert rule.check(self_, old) is holds


def test_every_rule_has_a_passing_and_a_failing_row() -> None:
    outcomes = {(r[1], r[4]) for r in RULE_ROWS}
    assert outcomes == {(rule.location, holds) for rule in crd.RULES for holds in (True, False)}


def test_python_rules_are_exactly_the_crds_rules() -> None:
    declared = {
        (location, rule, entry["message"]) for location, rule, entry in crd._declared_rules(crd.openapi_schema())
    }
    assert declared == {(r.location, crd._normalise(r.rule), r.message) for r in crd.RULES}
    assert len(declared) == 6
    assert [r.transition for r in crd.RULES] == [False, False, True, True, True, True]


def test_a_crd_rule_without_python_is_a_loud_error(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = copy.deepcopy(crd.openapi_schema())
    schema["properties"]["spec"]["properties"]["resources"]["items"]["properties"]["id"][
        "x-kubernetes-validations"
    ] = [{"rule": "self.size() < 64", "message": "id too long"}]
    monkeypatch.setattr(crd, "openapi_schema", lambda: schema)
    crd._rule_table.cache_clear()
    try:
        with pytest.raises(RuntimeError, match=r"no Python check for the CRD rule at spec\.resources\[\*\]\.id"):
            crd._rule_table()
    finally:
        crd._rule_table.cache_clear()


# --- transition rules: only with the old object ------------------------------------------------

TRANSITIONS: list[tuple[str, Callable[[dict[str, Any]], None], Callable[[dict[str, Any]], None], list[Problem]]] = [
    ("unchanged", lambda r: None, lambda r: None, []),
    ("kind-changed", lambda r: None, _set(SCHEMA + ("kind",), "Web"),
     [Problem("spec.schema.kind", "kind is immutable")]),
    ("apiVersion-changed", lambda r: None, _set(SCHEMA + ("apiVersion",), "v1"),
     [Problem("spec.schema.apiVersion", "apiVersion is immutable")]),
    ("scope-changed", lambda r: None, _set(SCHEMA + ("scope",), "Cluster"),
     [Problem("spec.schema.scope", "scope is immutable")]),
    ("scope-default-written-out", lambda r: None, _set(SCHEMA + ("scope",), "Namespaced"), []),
    ("group-default-written-out", _delete(SCHEMA + ("group",)), _set(SCHEMA + ("group",), "kro.run"), []),
    ("group-removed-so-defaulted", lambda r: None, _delete(SCHEMA + ("group",)),
     [Problem("spec.schema.group", "group is immutable")]),
    ("all-four-changed", lambda r: None,
     lambda r: r["spec"].update(schema={"apiVersion": "v2", "kind": "Other", "group": "b.io", "scope": "Cluster"}),
     [Problem("spec.schema.apiVersion", "apiVersion is immutable"), Problem("spec.schema.group", "group is immutable"),
      Problem("spec.schema.kind", "kind is immutable"), Problem("spec.schema.scope", "scope is immutable")]),
    ("old-without-schema", _delete(SCHEMA), _set(SCHEMA + ("kind",), "Web"), []),
]


@pytest.mark.parametrize(
    "edit_old,edit_new,expected", [t[1:] for t in TRANSITIONS], ids=[t[0] for t in TRANSITIONS]
)
def test_transition_rules_compare_with_the_old_object(
    edit_old: Callable[[dict[str, Any]], None], edit_new: Callable[[dict[str, Any]], None], expected: list[Problem]
) -> None:
    old, new = base(), base()
    edit_old(old)
    edit_new(new)
    assert check_rgd(new, old=old) == expected
    assert check_rgd(new) == []  # without the old object they cannot be checked


def test_go_pattern_translation() -> None:
    assert crd._go_pattern(r"^a$") == r"^a\Z"
    assert crd._go_pattern(r"^[$]\$x\z") == r"^[$]\$x\Z"
    assert jsonschema.Draft202012Validator({"pattern": crd._go_pattern("^v[0-9]+$")}).is_valid("v1")
    assert not jsonschema.Draft202012Validator({"pattern": crd._go_pattern("^v[0-9]+$")}).is_valid("v1\n")
