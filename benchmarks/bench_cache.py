"""How much the render cache saves, and what ``pykro generate`` costs to start.

    python benchmarks/bench_cache.py [--runs N] [--objects N] [--inputs N]

1. In process: ``pykro.argocd.generate.main`` with a fake render (``--objects``
   ConfigMaps built from ``--inputs`` files it reads and hashes, as a real
   render records them): cold render vs exact-key hit (commit known) vs
   inputs hit (new commit, same files). Medians and ratios.
2. Subprocess start-up: ``python -c "import pykro.argocd.generate"`` vs
   ``python -c pass``, median of ``--runs`` runs each, with bytecode caches
   written to a temporary prefix (as an installed image would have them), and
   a whole ``generate`` cache hit in a fresh process.

The fake render measures the cache, not pykro's renderer: a real render costs
more, so the real ratios are larger.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class _Rendered:
    text: str
    inputs: dict[str, str | None]
    kinds: tuple[tuple[str, str], ...]
    defines: tuple[tuple[str, str], ...] = ()


def _fake_render(objects: int):  # type: ignore[no-untyped-def]
    def render(app_dir: Path, environment: str, mode: str | None, *, repo_root: Path) -> _Rendered:
        inputs: dict[str, str | None] = {}
        for path in sorted(app_dir.glob("*.py")):
            inputs[path.relative_to(repo_root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        inputs[(app_dir / f"values-{environment}.yaml").relative_to(repo_root).as_posix()] = None
        docs = [
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: {environment}\n"
            f"data:\n  index: '{i}'\n  mode: {mode or 'kro'}\n"
            for i in range(objects)
        ]
        return _Rendered("---\n".join(docs), inputs, (("v1", "ConfigMap"),))

    return render


def _median_seconds(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _in_process(work: Path, runs: int, objects: int, inputs: int) -> None:
    import pykro.argocd.generate as generate

    app = work / "repo" / "apps" / "web"
    app.mkdir(parents=True)
    (work / "repo" / ".git").mkdir()
    for i in range(inputs):
        (app / f"module_{i}.py").write_text(f"# module {i}\n" + "x = 1\n" * 200)
    generate._render = _fake_render(objects)
    cache_dir = work / "cache"
    counter = iter(range(10**9))

    def run(env: dict[str, str]) -> None:
        out = io.BytesIO()
        code = generate.main(
            [], environ={"PYKRO_CACHE_DIR": str(cache_dir), "PYKRO_ENVIRONMENT": "dev", **env},
            cwd=str(app), stdout=out, stderr=sys.stderr,
        )
        assert code == 0 and out.getvalue()

    cold = _median_seconds(lambda: run({"ARGOCD_APP_REVISION": f"{next(counter):040x}", "PYKRO_CACHE_MAX_BYTES": "0"}), runs)
    run({"ARGOCD_APP_REVISION": "f" * 40})
    exact = _median_seconds(lambda: run({"ARGOCD_APP_REVISION": "f" * 40}), runs)
    by_inputs = _median_seconds(lambda: run({"ARGOCD_APP_REVISION": f"{next(counter):040x}"}), runs)
    print(f"in process ({objects} objects, {inputs} input files, median of {runs}):")
    print(f"  cold render (no cache)   {cold * 1e3:8.2f} ms")
    print(f"  exact-key hit            {exact * 1e3:8.2f} ms   {cold / exact:6.1f}x faster")
    print(f"  inputs hit (new commit)  {by_inputs * 1e3:8.2f} ms   {cold / by_inputs:6.1f}x faster")


_HIT_RUNNER = textwrap.dedent(
    """
    import sys
    import pykro.argocd.generate as generate
    sys.exit(generate.main([]))
    """
)


def _subprocess(work: Path, runs: int) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")

    # A whole generate served from the cache: seed the cache in process first.
    import pykro.argocd.generate as generate

    app = work / "repo" / "apps" / "web"
    request = {"PYKRO_CACHE_DIR": str(work / "cache"), "PYKRO_ENVIRONMENT": "dev", "ARGOCD_APP_REVISION": "e" * 40}
    assert generate.main([], environ=request, cwd=str(app), stdout=io.BytesIO(), stderr=sys.stderr) == 0
    runner = work / "hit.py"
    runner.write_text(_HIT_RUNNER)

    commands = {
        "python -c pass": ([sys.executable, "-c", "pass"], env),
        "python -c 'import pykro.argocd.generate'": ([sys.executable, "-c", "import pykro.argocd.generate"], env),
        "generate, cache hit (whole process)": ([sys.executable, str(runner)], {**env, **request}),
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):  # round 0 warms up: bytecode written, files in the page cache
        for name, (argv, environ) in commands.items():  # interleaved, so drift hits all alike
            start = time.perf_counter()
            done = subprocess.run(argv, env=environ, cwd=app, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if done.returncode:
                raise SystemExit(f"{name} failed: {done.stderr.strip()}")
            if round_:
                times[name].append(time.perf_counter() - start)
    count = "import sys; before = set(sys.modules); import pykro.argocd.generate; new = set(sys.modules) - before; "
    count += "print(len(new), len([m for m in new if m.startswith('pykro')]))"
    modules, own = subprocess.run([sys.executable, "-c", count], env=env, capture_output=True, text=True, check=True).stdout.split()
    bare = statistics.median(times["python -c pass"])
    print(f"subprocess start-up (median of {runs}, interleaved):")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"  {name:<42} {median * 1e3:8.2f} ms   ratio {median / bare:5.2f}")
    print(f"  import pykro.argocd.generate loads {modules} modules ({own} of them pykro's)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--objects", type=int, default=200)
    parser.add_argument("--inputs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pykro-bench-") as tmp:
        work = Path(tmp)
        _in_process(work, args.runs, args.objects, args.inputs)
        _subprocess(work, args.runs)


if __name__ == "__main__":
    main()
