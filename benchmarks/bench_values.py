"""Benchmark pykro.simpleschema.validate_values (not a test): run ``python benchmarks/bench_values.py``.

Compares pykro's own validator (what ``validate_values`` runs) with the
jsonschema reference it replaced (``values._validate_values_reference``):

* per call, in one process, on a realistic schema with valid and invalid
  values (both engines also default the values first, as at run time);
* the one-off cost of compiling a schema (first call on a new schema);
* what a one-shot ``pykro render`` pays: a fresh interpreter that imports
  ``pykro.simpleschema`` and validates once, best of several runs, measured
  inside the child so interpreter start-up is left out.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugin"))

from pykro.simpleschema import to_openapi, validate_values  # noqa: E402
from pykro.simpleschema import values as values_module  # noqa: E402

TYPES = {
    "Port": "integer | default=8080 minimum=1 maximum=65535",
    "Container": {
        "name": "string | required=true pattern=\"^[a-z][a-z0-9-]*$\" maxLength=63",
        "image": "string | required=true",
        "port": "Port",
        "env": "map[string]string",
        "args": "[]string",
    },
}
SPEC = {
    "name": 'string | required=true minLength=1 maxLength=63 pattern="^[a-z][a-z0-9-]*$"',
    "namespace": 'string | default="default"',
    "replicas": "integer | default=1 minimum=0 maximum=100",
    "environment": 'string | default="dev" enum="dev,staging,prod"',
    "containers": "[]Container | required=true minItems=1 listType=map listMapKey=name",
    "tags": "[]string | uniqueItems=true maxItems=10",
    "labels": "map[string]string",
    "resources": {"cpu": 'string | default="100m"', "memory": 'string | default="128Mi"'},
    "ingress": {"enabled": "boolean | default=false", "host": "string", "paths": "[]string"},
    "extra": "object",
    "ratio": "float | minimum=0 maximum=1",
}
VALID: dict[str, Any] = {
    "name": "web",
    "replicas": 3,
    "environment": "prod",
    "containers": [
        {"name": "app", "image": "nginx:1.27", "port": 80, "env": {"A": "1", "B": "2"}, "args": ["--x", "--y"]},
        {"name": "sidecar", "image": "busybox", "args": ["sleep", "3600"]},
    ],
    "tags": ["a", "b", "c"],
    "labels": {"app": "web", "tier": "frontend", "team.example.com/owner": "x"},
    "ingress": {"enabled": True, "host": "web.example.com", "paths": ["/", "/api"]},
    "extra": {"anything": [1, 2, {"x": None}]},
    "ratio": 0.5,
}
INVALID: dict[str, Any] = {
    **VALID,
    "name": "Web_1",
    "replicas": 101,
    "environment": "test",
    "containers": [{"name": "app", "image": "nginx"}, {"name": "app", "image": "x", "port": 0}],
    "tags": ["a", "a"],
    "replica": 1,
    "ratio": "half",
}


def _per_call(fn: Callable[[], object], min_time: float = 0.3) -> float:
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_time and n >= 5:
            return elapsed / n


_CHILD = textwrap.dedent(
    """
    import json, sys, time
    start = time.perf_counter()
    import pykro.simpleschema as ss
    from pykro.simpleschema import values
    spec, types, data = json.loads(sys.argv[1])
    schema = ss.to_openapi(spec, types)
    check = values._validate_values_reference if sys.argv[2] == "jsonschema" else ss.validate_values
    check(schema, data)
    print(time.perf_counter() - start, "jsonschema" in sys.modules)
    """
)


def _one_shot(engine: str, runs: int) -> tuple[float, bool]:
    best, imported = float("inf"), False
    payload = json.dumps([SPEC, TYPES, INVALID])
    plugin = str(Path(__file__).resolve().parents[1] / "plugin")
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", f"import sys; sys.path.insert(0, {plugin!r})\n" + _CHILD, payload, engine],
            capture_output=True, text=True, check=True,
        )
        seconds, flag = out.stdout.split()
        best, imported = min(best, float(seconds)), flag == "True"
    return best, imported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per engine; the best is kept")
    args = parser.parse_args()

    schema = to_openapi(SPEC, TYPES)
    reference = values_module._validate_values_reference
    for data in (VALID, INVALID):
        assert validate_values(schema, data) == reference(schema, data)  # same answer, or the figures mean nothing
    print(f"problems on the invalid values: {len(validate_values(schema, INVALID))}")

    print("per call, in process (defaulting included):")
    for label, data in (("valid", VALID), ("invalid", INVALID)):
        ours = _per_call(lambda: validate_values(schema, data))
        theirs = _per_call(lambda: reference(schema, data))
        print(f"  {label:8} pykro {ours * 1e6:8.1f} us   jsonschema {theirs * 1e6:8.1f} us   {theirs / ours:6.1f}x faster")
    defaults_only = _per_call(lambda: values_module.apply_defaults(schema, VALID))
    print(f"  of which apply_defaults alone: {defaults_only * 1e6:.1f} us")

    def compile_fresh() -> None:
        values_module._COMPILED.clear()
        values_module._compiled(schema)

    print(f"compiling the schema once (cache miss): {_per_call(compile_fresh) * 1e6:.1f} us")

    print(f"one-shot process, import + to_openapi + one validation, best of {args.runs}:")
    ours_once, ours_js = _one_shot("pykro", args.runs)
    theirs_once, theirs_js = _one_shot("jsonschema", args.runs)
    print(f"  pykro      {ours_once * 1000:7.1f} ms   (jsonschema imported: {ours_js})")
    print(f"  jsonschema {theirs_once * 1000:7.1f} ms   (jsonschema imported: {theirs_js})")
    print(f"  saved per render: {(theirs_once - ours_once) * 1000:.1f} ms ({theirs_once / ours_once:.1f}x)")


if __name__ == "__main__":
    main()
