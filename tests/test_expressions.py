"""Python operators and Cel helpers -> CEL text, as kro reads it. One row per construct."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from pykro import Cel, Spec, simple, to_resource_graph


class S(Spec):
    name: str
    replicas: int = 1
    ratio: float = 0.5
    enabled: bool = True
    tags: list[str] = []
    labels: dict[str, str] = {}


def _status_of(build: Callable[[Any, Any], Any]) -> str:
    """The CEL a status field gets (no Status class: type checks are test_rejections' business)."""
    graph = to_resource_graph(
        {"name": "x", "apiVersion": "v1alpha1", "kind": "X", "spec": S},
        lambda schema: {"app": simple.Deployment(name=schema.spec.name, image="nginx")},
        lambda schema, r: {"value": build(schema, r["app"])},
    )
    return graph.rgd()["spec"]["schema"]["status"]["value"]


ROWS = [
    # operators
    ("eq", lambda s, a: a.status.readyReplicas == 3, "${app.status.readyReplicas == 3}"),
    ("ne", lambda s, a: a.status.phase != "Failed", '${app.status.phase != "Failed"}'),
    ("lt-le-gt-ge", lambda s, a: (a.spec.replicas < 5) & (a.spec.replicas <= 5) & (a.spec.replicas > 0)
     & (a.spec.replicas >= 1),
     "${app.spec.replicas < 5 && app.spec.replicas <= 5 && app.spec.replicas > 0 && app.spec.replicas >= 1}"),
    ("arith", lambda s, a: s.spec.replicas * 2 + 1 - s.spec.replicas % 2, "${schema.spec.replicas * 2 + 1 - schema.spec.replicas % 2}"),
    ("div", lambda s, a: s.spec.replicas / 2, "${schema.spec.replicas / 2}"),
    ("precedence", lambda s, a: (s.spec.replicas + 1) * 2, "${(schema.spec.replicas + 1) * 2}"),
    ("right-assoc-sub", lambda s, a: s.spec.replicas - (s.spec.replicas - 1), "${schema.spec.replicas - (schema.spec.replicas - 1)}"),
    ("reverse-ops", lambda s, a: 10 - s.spec.replicas, "${10 - schema.spec.replicas}"),
    ("or-and", lambda s, a: s.spec.enabled | (s.spec.replicas > 1) & s.spec.enabled,
     "${schema.spec.enabled || schema.spec.replicas > 1 && schema.spec.enabled}"),
    ("and-of-or", lambda s, a: (s.spec.enabled | s.spec.enabled) & s.spec.enabled,
     "${(schema.spec.enabled || schema.spec.enabled) && schema.spec.enabled}"),
    ("not", lambda s, a: ~s.spec.enabled, "${!schema.spec.enabled}"),
    ("not-of-and", lambda s, a: ~(s.spec.enabled & s.spec.enabled), "${!(schema.spec.enabled && schema.spec.enabled)}"),
    ("neg", lambda s, a: -s.spec.replicas, "${-schema.spec.replicas}"),
    ("string-concat", lambda s, a: s.spec.name + "-x", '${schema.spec.name + "-x"}'),
    ("index-int", lambda s, a: s.spec.tags[0], "${schema.spec.tags[0]}"),
    ("index-dotted-key", lambda s, a: s.spec.labels["app.kubernetes.io/name"], '${schema.spec.labels["app.kubernetes.io/name"]}'),
    ("reserved-word-key", lambda s, a: a.metadata.annotations["in"], '${app.metadata.annotations["in"]}'),
    ("metadata", lambda s, a: s.metadata.namespace, "${schema.metadata.namespace}"),
    ("literal-escape", lambda s, a: s.spec.name == 'say "hi"\n', '${schema.spec.name == "say \\"hi\\"\\n"}'),
    ("literal-list", lambda s, a: Cel.expr(s.spec.name, " in ", Cel.expr('["a", "b"]')), '${schema.spec.name in ["a", "b"]}'),
    ("float-literal", lambda s, a: s.spec.ratio > 1.0, "${schema.spec.ratio > 1.0}"),
    ("bool-literal", lambda s, a: s.spec.enabled == True, "${schema.spec.enabled == true}"),  # noqa: E712
    ("null-literal", lambda s, a: a.status.loadBalancer != None, "${app.status.loadBalancer != null}"),  # noqa: E711
    # Cel helpers
    ("expr", lambda s, a: Cel.expr(a.status.readyReplicas, " > 0"), "${app.status.readyReplicas > 0}"),
    ("expr-chain-nests-bare", lambda s, a: Cel.expr(s.spec.name, ".upperAscii()") + "!",
     '${schema.spec.name.upperAscii() + "!"}'),
    ("expr-operator-nests-parenthesized", lambda s, a: Cel.expr(s.spec.replicas, " + 1") * 2, "${(schema.spec.replicas + 1) * 2}"),
    ("template", lambda s, a: Cel.template("%s:%s", a.metadata.name, s.spec.replicas),
     "${app.metadata.name}:${string(schema.spec.replicas)}"),
    ("template-percent", lambda s, a: Cel.template("100%% %s", s.spec.name), "100% ${schema.spec.name}"),
    ("concat", lambda s, a: Cel.concat("http://", a.metadata.name, ":", 8080), 'http://${app.metadata.name}:${string(8080)}'),
    ("conditional", lambda s, a: Cel.conditional(s.spec.enabled, "on", "off"), '${schema.spec.enabled ? "on" : "off"}'),
    ("conditional-nested", lambda s, a: Cel.cond(s.spec.enabled, Cel.cond(s.spec.replicas > 1, "many", "one"), "off"),
     '${schema.spec.enabled ? (schema.spec.replicas > 1 ? "many" : "one") : "off"}'),
    ("default", lambda s, a: Cel.default(a.status.readyReplicas, 0), "${has(app.status.readyReplicas) ? app.status.readyReplicas : 0}"),
    ("has", lambda s, a: Cel.has(a.status.conditions), "${has(app.status.conditions)}"),
    ("not_", lambda s, a: Cel.not_(s.spec.enabled), "${!schema.spec.enabled}"),
    ("size", lambda s, a: Cel.size(s.spec.tags) > 0, "${size(schema.spec.tags) > 0}"),
    ("min-max", lambda s, a: Cel.min(s.spec.replicas, 3) + Cel.max(1, s.spec.replicas),
     "${[schema.spec.replicas, 3].min() + [1, schema.spec.replicas].max()}"),
    ("min-of-list", lambda s, a: Cel.string(Cel.min(s.spec.tags)), "${string(schema.spec.tags.min())}"),
    ("conversions", lambda s, a: Cel.string(s.spec.replicas) + Cel.string(Cel.int(s.spec.ratio)) + Cel.string(Cel.double(1)),
     "${string(schema.spec.replicas) + string(int(schema.spec.ratio)) + string(double(1))}"),
    ("fstring-in-expression", lambda s, a: Cel.cond(s.spec.enabled, f"{a.metadata.name}.svc", ""),
     '${schema.spec.enabled ? app.metadata.name + ".svc" : ""}'),
]


@pytest.mark.parametrize("build,expected", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_python_builds_cel(build, expected):
    assert _status_of(build) == expected


ACTIVATION = {
    "schema": {
        "spec": {"name": "web", "replicas": 2, "ratio": 0.5, "enabled": True, "tags": ["b", "a"],
                 "labels": {"app.kubernetes.io/name": "web"}},
        "metadata": {"name": "demo", "namespace": "apps"},
    },
    "app": {
        "metadata": {"name": "web", "annotations": {"in": "x"}},
        "spec": {"replicas": 2},
        "status": {"readyReplicas": 2, "availableReplicas": 2, "phase": "Running", "loadBalancer": {},
                   "conditions": []},
    },
}  # fmt: skip


@pytest.mark.parametrize("build,expected", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_generated_cel_runs_on_kros_library(build, expected):
    """Every expression pykro writes parses and evaluates with kro's CEL library (as pykro.celengine models it).

    Only functions kro enables may appear: a helper writing cel-go's math.least, which kro lacks,
    fails here.
    """
    from pykro.celengine import evaluate
    from pykro.graph.template import split

    for text, is_expr in split(expected) or ():
        if is_expr:
            evaluate(text, ACTIVATION)


@pytest.mark.parametrize(
    "fmt,args,error",
    [("%s-%s", ("a",), "more %s than arguments"), ("%s", ("a", "b"), "1 %s for 2 arguments")],
    ids=["too-few", "too-many"],
)
def test_template_arity(fmt, args, error):
    with pytest.raises(ValueError, match=error):
        Cel.template(fmt, *args)
