"""Whole-process timings of pykro's render paths, as Argo CD and users run them.

Prints the median of N runs of each scenario and its ratio to the baseline
measured in the same run (``python -c pass``: the interpreter's own start),
so figures compare across machines. Nothing here is asserted: run it and
record the figures.

    python benchmarks/bench_render.py [--runs 15]

Scenarios (the bundled example, examples/webapp):
- render kro / direct: ``pykro render`` (no cache is involved);
- generate cold: ``pykro generate`` with an empty cache;
- generate hit: the same commit again (exact cache hit);
- generate new commit, same inputs: another commit whose recorded inputs are unchanged.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "examples" / "webapp"


def _pykro() -> list[str]:
    exe = shutil.which("pykro", path=str(Path(sys.executable).parent)) or shutil.which("pykro")
    return [exe] if exe else [sys.executable, "-m", "pykro"]


# An installed pykro has its bytecode compiled at install time; an editable
# checkout gets it on first import, unless PYTHONDONTWRITEBYTECODE (set on
# some machines, ours included) forbids it and every run recompiles every
# module. Measure what users run: bytecode allowed, first run discarded.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(cmd: list[str], runs: int, *, cwd: Path | None = None, env_for_run=None) -> float:
    samples = []
    subprocess.run(cmd, cwd=cwd, env=env_for_run(runs) if env_for_run else _ENV, capture_output=True)  # warm-up
    for i in range(runs):
        env = env_for_run(i) if env_for_run else _ENV
        start = time.perf_counter()
        result = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        samples.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"{cmd} failed: {result.stderr.decode()}")
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    runs = args.runs
    pykro = _pykro()
    cache_root = Path(tempfile.mkdtemp(prefix="pykro-bench-"))
    base_env = dict(_ENV, PARAM_ENVIRONMENT="dev", ARGOCD_APP_SOURCE_PATH="examples/webapp")

    def argocd_env(revision: str, cache: Path) -> dict[str, str]:
        return dict(base_env, ARGOCD_APP_REVISION=revision, PYKRO_CACHE_DIR=str(cache))

    results: list[tuple[str, float]] = []
    baseline = _time([sys.executable, "-c", "pass"], runs)
    results.append(("python -c pass (baseline)", baseline))
    results.append(("pykro --version", _time(pykro + ["--version"], runs)))
    results.append(("pykro render --env dev (kro)", _time(pykro + ["render", str(APP), "--env", "dev"], runs)))
    results.append(("pykro render --env prod (direct)", _time(pykro + ["render", str(APP), "--env", "prod"], runs)))
    results.append((
        "pykro generate, cold (empty cache)",
        _time(pykro + ["generate"], runs, cwd=APP,
              env_for_run=lambda i: argocd_env("a" * 40, cache_root / f"cold{i}")),
    ))  # fmt: skip
    warm = cache_root / "warm"
    subprocess.run(pykro + ["generate"], cwd=APP, env=argocd_env("b" * 40, warm), check=True, stdout=subprocess.DEVNULL)
    results.append(("pykro generate, same commit (hit)",
                    _time(pykro + ["generate"], runs, cwd=APP, env_for_run=lambda i: argocd_env("b" * 40, warm))))
    results.append((
        "pykro generate, new commit, same inputs (hit)",
        _time(pykro + ["generate"], runs, cwd=APP, env_for_run=lambda i: argocd_env(f"{i + 1:040x}", warm)),
    ))  # fmt: skip
    shutil.rmtree(cache_root, ignore_errors=True)
    width = max(len(name) for name, _ in results)
    print(f"{'scenario':<{width}}  median      x baseline   ({runs} runs each)")
    for name, seconds in results:
        print(f"{name:<{width}}  {seconds * 1000:7.1f} ms  {seconds / baseline:6.1f}x")


if __name__ == "__main__":
    main()
