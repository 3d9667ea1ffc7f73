"""Benchmark: pykro.yamlout.dump_all against pyyaml's emitters, same process, same data.

Run: ``python benchmarks/bench_yaml.py [--docs 200] [--repeat 5]``. Prints the
best-of-N wall time per emitter and the ratios. It is a script, not a test:
timings depend on the machine, so nothing here asserts a speed.

The data is what pykro renders: ``--docs`` Deployment + Service pairs with
labels, annotations, env vars, probes, resources and a multi-line config
string, built fresh per pair so that nothing is shared between documents.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugin"))

import yaml  # noqa: E402

from pykro import yamlout  # noqa: E402
from pykro.yamlout import dump_all  # noqa: E402


def _deployment(index: int) -> dict[str, Any]:
    name = f"app-{index}"
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "shop", "tier": "web"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": "shop",
            "labels": dict(labels),
            "annotations": {"pykro.dev/graph": "webapp", "checksum/config": f"{index:064x}"},
        },
        "spec": {
            "replicas": 1 + index % 3,
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "serviceAccountName": name,
                    "containers": [
                        {
                            "name": "web",
                            "image": f"registry.example.com/shop/{name}:1.{index}.0",
                            "args": ["--port=8080", "--log-level=info", f"--shard={index}"],
                            "env": [
                                {"name": "MODE", "value": "production"},
                                {"name": "DEBUG", "value": "false"},
                                {"name": "WORKERS", "value": str(4 + index % 4)},
                                {"name": "RATIO", "value": "0.75"},
                                {
                                    "name": "POD_IP",
                                    "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}},
                                },
                            ],
                            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "128Mi"},
                                "limits": {"cpu": 1, "memory": "512Mi"},
                            },
                            "readinessProbe": {
                                "httpGet": {"path": "/healthz", "port": "http"},
                                "initialDelaySeconds": 5,
                                "periodSeconds": 10,
                            },
                            "volumeMounts": [{"name": "config", "mountPath": "/etc/app", "readOnly": True}],
                        }
                    ],
                    "volumes": [{"name": "config", "configMap": {"name": f"{name}-config"}}],
                },
            },
        },
    }


def _service(index: int) -> dict[str, Any]:
    name = f"app-{index}"
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "shop", "labels": {"app.kubernetes.io/name": name}},
        "spec": {
            "type": "ClusterIP",
            "selector": {"app.kubernetes.io/name": name},
            "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def _config_map(index: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"app-{index}-config", "namespace": "shop"},
        "data": {"app.yaml": f"server:\n  port: 8080\n  shard: {index}\nfeatures:\n- a\n- b\n"},
    }


def _documents(pairs: int) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for index in range(pairs):
        documents += [_deployment(index), _service(index), _config_map(index)]
    return documents


def _best(function: Callable[[], str], repeat: int) -> tuple[float, int]:
    best = float("inf")
    size = 0
    for _ in range(repeat):
        # Every run starts cold, as a one-shot `pykro render` does.
        yamlout._STR_CACHE.clear()
        yamlout._KEY_CACHE.clear()
        start = time.perf_counter()
        text = function()
        best = min(best, time.perf_counter() - start)
        size = len(text)
    return best, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="Deployment+Service(+ConfigMap) sets")
    parser.add_argument("--repeat", type=int, default=5, help="runs per emitter; the best is kept")
    args = parser.parse_args()
    documents = _documents(args.docs)

    def pyyaml(dumper: type) -> Callable[[], str]:
        return lambda: yaml.dump_all(
            documents, Dumper=dumper, default_flow_style=False, sort_keys=True, allow_unicode=True
        )

    emitters: dict[str, Callable[[], str]] = {"pykro.yamlout": lambda: dump_all(documents)}
    if getattr(yaml, "CSafeDumper", None) is not None:
        emitters["pyyaml CSafeDumper"] = pyyaml(yaml.CSafeDumper)
    else:
        print("pyyaml has no libyaml: CSafeDumper skipped")
    emitters["pyyaml SafeDumper"] = pyyaml(yaml.SafeDumper)

    results = {name: _best(function, args.repeat) for name, function in emitters.items()}
    ours = results["pykro.yamlout"][0]
    print(f"{len(documents)} documents, best of {args.repeat} runs")
    for name, (seconds, size) in results.items():
        ratio = seconds / ours
        print(f"  {name:20} {seconds * 1000:8.1f} ms  {size:8d} chars  {ratio:6.2f}x pykro.yamlout's time")

    # Same data back? (cheap sanity check; the tests prove it properly)
    assert list(yaml.load_all(dump_all(documents), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))) == documents


if __name__ == "__main__":
    main()
