"""Every RGD pykro renders from the bundled examples is one kro's API server admits.

The RGD validates against kro v0.9.3's CRD (defaults filled as the API server would, plus the
CRD's CEL rules checked by hand), and every template against the Kubernetes schema of its kind
where the kind is known.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from pykro import ResourceGraph
from pykro.check import check_rgd, check_templates

from ._paths import ROOT

MODULES = sorted(p for p in (ROOT / "examples").rglob("*.py") if "argocd" not in p.parts)


def _graphs(path: Path) -> list[ResourceGraph]:
    sys.path.insert(0, str(path.parent))
    try:
        spec = importlib.util.spec_from_file_location(f"example_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return [v for v in vars(module).values() if isinstance(v, ResourceGraph)]


def test_examples_found():
    assert len(MODULES) >= 12


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(ROOT)) for p in MODULES])
def test_example_rgds_are_admitted(path):
    graphs = _graphs(path)
    if path.name.endswith("_common.py"):
        assert graphs == []  # a helper module, no graph of its own
        return
    assert graphs, f"{path} defines no graph"
    for graph in graphs:
        rgd = graph.rgd()
        assert check_rgd(rgd) == []
        assert check_templates(rgd) == []
