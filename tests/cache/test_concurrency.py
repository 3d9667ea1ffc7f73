"""Many processes on one cache directory: no torn reads, a consistent cache, no temp files left."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from pathlib import Path

import pytest

from pykro.cache import RenderCache, key

PROCESSES = 16
ROUNDS = 30
SHARED_KEYS = 12


def _output(name: str) -> bytes:
    # Large enough that a torn write would be visible, different per key.
    return (f"# {name}\n" + "kind: ConfigMap\n" * 300).encode()


def _worker(directory: str, max_bytes: int, worker: int, start: multiprocessing.synchronize.Barrier, results) -> None:  # type: ignore[name-defined,no-untyped-def]
    cache = RenderCache(directory, max_bytes=max_bytes, warn=lambda message: results.put(("warning", message)))
    root = Path(directory).parent / "repo"
    inputs = {"a.py": hashlib.sha256((root / "a.py").read_bytes()).hexdigest(), "absent.py": None}
    start.wait()
    bad = served = 0
    for round_ in range(ROUNDS):
        names = [f"shared-{(round_ + i) % SHARED_KEYS}" for i in range(3)] + [f"own-{worker}-{round_}"]
        for name in names:
            found = cache.lookup(key(name))
            if found is None:
                cache.store(key(name), _output(name))
            else:
                served += 1
                bad += found != _output(name)
        scope = f"scope-{round_ % 3}"
        found = cache.lookup_inputs(scope, root)
        if found is None:
            cache.store_inputs(scope, inputs, _output(scope))
        else:
            served += 1
            bad += found != _output(scope)
    results.put(("done", worker, bad, served))


@pytest.mark.slow
@pytest.mark.parametrize("max_bytes", [64 * 1024 * 1024, 40_000], ids=["roomy", "constant-eviction"])
def test_sixteen_processes_share_one_cache(tmp_path: Path, max_bytes: int) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "a.py").write_bytes(b"graph = 1\n")
    directory = str(tmp_path / "cache")
    context = multiprocessing.get_context("fork")
    start = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=_worker, args=(directory, max_bytes, i, start, results)) for i in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=120) for _ in range(PROCESSES)]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    assert [r for r in reports if r[0] == "warning"] == []
    assert sum(r[2] for r in reports) == 0, "no process was ever served wrong bytes"
    assert sum(r[3] for r in reports) > 0, "the processes did share entries"

    files = [p for p in Path(directory).rglob("*") if p.is_file()]
    assert [p for p in files if p.name.startswith(".tmp.")] == [], "no temp file left behind"
    cache = RenderCache(directory, max_bytes=max_bytes)
    stats = cache.stats()
    assert stats.bytes == sum(p.stat().st_size for p in files)
    if max_bytes < 64 * 1024 * 1024:
        # Concurrent stores may each add one entry past the bound before evicting.
        assert stats.bytes <= max_bytes + PROCESSES * len(_output("shared-10")) * 2
    entries = [p for p in files if p.parent.parent.name == "out"]
    by_name = {key(f"shared-{i}"): f"shared-{i}" for i in range(SHARED_KEYS)}
    by_name.update({key(f"own-{w}-{r}"): f"own-{w}-{r}" for w in range(PROCESSES) for r in range(ROUNDS)})
    for entry in entries:
        assert cache.lookup(entry.name) == _output(by_name[entry.name]), "every entry left is whole and right"
    for scope in ("scope-0", "scope-1", "scope-2"):
        found = cache.lookup_inputs(scope, tmp_path / "repo")
        assert found in (None, _output(scope))
    assert os.listdir(directory) == ["v1"]
