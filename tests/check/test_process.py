"""pykro.check in a fresh interpreter: nothing heavy at import, the same output whatever the hash seed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

_IMPORTS = """
import sys
import pykro.check
print(sorted(m for m in ("jsonschema", "yaml", "referencing", "celpy", "ruamel", "git", "kubernetes_validate")
             if m in sys.modules))
"""

_MANY_PROBLEMS = """
from pykro.check import check_rgd, check_template
rgd = {"apiVersion": "kro.run/v1", "kind": "RGD", "metadata": {"name": "A_b"},
       "spec": {"x": 1, "y": 2, "schema": {"apiVersion": "v", "kind": "k", "scope": "S", "a": 1, "b": 2},
                "resources": [{"template": {}, "externalRef": {"metadata": {}}, "z": 1}] * 12}}
for p in check_rgd(rgd):
    print(p)
obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"nmae": 1, "lables": 2},
       "spec": {"replicass": 1, "replica": 2, "template": {"spec": {"containers": [{"x": 1, "y": 2}] * 3}}}}
for p in check_template(obj):
    print(p)
"""


def _run(code: str, seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def test_importing_pykro_check_imports_nothing_heavy() -> None:
    assert _run(_IMPORTS, "0") == "[]\n"


@pytest.mark.parametrize("seed", ["1", "4242"], ids=["seed-1", "seed-4242"])
def test_problems_do_not_depend_on_the_hash_seed(seed: str) -> None:
    reference = _run(_MANY_PROBLEMS, "0")
    assert reference.count("\n") > 40
    assert _run(_MANY_PROBLEMS, seed) == reference
