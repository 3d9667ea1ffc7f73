"""Bad input never escapes as anything but a PykroError (one clear line), never a traceback.

Hypothesis mutates real inputs — kro's example RGDs and the bundled pykro.yaml — by putting
values of the wrong shape anywhere in them, and renders the result in every mode. Whatever it
builds, pykro must either render or raise a PykroError: an internal error would reach Argo CD
as a traceback instead of a message naming the field.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from pykro import PykroError
from pykro.graph.from_rgd import graph_from_rgd
from pykro.render import direct, kro
from pykro.simpleschema import apply_defaults, to_openapi

from ._paths import KRO_EXAMPLES, ROOT

RGDS = [yaml.safe_load(p.read_text()) for p in sorted(KRO_EXAMPLES.rglob("*.yaml"))
        if "kind: ResourceGraphDefinition" in p.read_text()]  # fmt: skip
PROJECT = yaml.safe_load((ROOT / "examples" / "webapp" / "pykro.yaml").read_text())

ODD = st.sampled_from([
    None, 0, 1, -1, 3.5, True, "", "x", "../x", "${", "${x}", "${schema.spec.name}", "${a.b.c}", "${1 +}", "}",
    [], [1], [None], {}, {"a": 1}, {"a": None}, "string | default=x", "[]string", "map[int]string", "kro", "direct",
    "graphs/webapp.py:nope",
])  # fmt: skip


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, path + (i,))
    return out


@st.composite
def _mutated(draw: Any, documents: list[Any]) -> Any:
    doc = copy.deepcopy(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)))
        value = copy.deepcopy(draw(ODD))
        if not path:
            doc = value
            continue
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return doc


SETTINGS = settings(derandomize=True, max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip


@SETTINGS
@given(doc=_mutated(RGDS), spec=st.dictionaries(st.sampled_from(["name", "tenantId", "replicas", "image", "service"]),
                                                ODD, max_size=4))  # fmt: skip
def test_mutated_rgds_fail_cleanly(doc, spec):
    try:
        graph = graph_from_rgd(doc)
        kro.rgd(graph)
        values = apply_defaults(to_openapi(graph.spec_schema, graph.types or None), spec)
        direct.render(graph, values, name="i", namespace="ns")
    except PykroError:
        pass


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    app = tmp_path_factory.mktemp("fuzz") / "app"
    shutil.copytree(ROOT / "examples" / "webapp", app, ignore=shutil.ignore_patterns("__pycache__"))
    return app


@settings(derandomize=True, max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip
@given(project=_mutated([PROJECT]))
def test_mutated_projects_fail_cleanly(app, project):
    from pykro.project import render

    (app / "pykro.yaml").write_text(yaml.safe_dump(project))
    for environment in ("dev", "prod"):
        for mode in (None, "kro", "direct"):
            try:
                render(app, environment, mode, repo_root=app)
            except PykroError:
                pass


@settings(derandomize=True, max_examples=200, deadline=None)
@given(doc=_mutated(RGDS))
def test_mutated_rgd_files_name_a_line_of_the_file(doc):
    """An error about an RGD file points at a line:column that exists in it, never at a column alone."""
    from pykro.project.yamlpos import load

    text = yaml.safe_dump(doc, sort_keys=False)
    try:
        data, positions = load(text, "rgd.yaml")
    except PykroError:
        return
    if not isinstance(data, dict):
        return
    try:
        graph_from_rgd(data, file="rgd.yaml", positions=positions)
    except PykroError as exc:
        assert exc.file == "rgd.yaml", exc
        assert exc.line is not None and 1 <= exc.line <= len(text.splitlines()), exc
        assert exc.column is not None, exc
