"""Benchmark pykro.celengine (not a test): run ``python benchmarks/bench_cel.py``.

Prints, in one process, per-evaluation times as ratios against a baseline (the
no-engine fast path on a plain field path), plus one-off costs: importing the
engine, building our patched Lark parser, building celpy's ``Environment()``,
and compiling an expression. For comparison it runs celpy's own interpreter on
the expressions celpy can evaluate, and, when ``/tmp/celexpr-venv`` exists,
Google's C++ CEL (``cel-expr-python``) in that separate venv (never in the
project's environment).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from typing import Any, Callable

ACTIVATION: dict[str, Any] = {
    "schema": {"spec": {"name": "web", "replicas": 3, "items": [{"n": i, "p": i % 7} for i in range(20)],
                        "tags": ["b", "a", "c", "a"], "labels": {"app": "web", "tier": "fe"}},
               "metadata": {"uid": "0b5c8f3e-uid"}},
    "deployment": {"status": {"availableReplicas": 2, "conditions": [{"type": "Available", "status": "True"}]}},
}

FAST = "schema.spec.name"
EXPRESSIONS = {
    "arith": "deployment.status.availableReplicas * 10 + size(schema.spec.items)",
    "ternary": "schema.spec.replicas > 2 ? 'big' : 'small'",
    "concat": "schema.spec.name + '-' + string(schema.spec.replicas)",
    "map/filter": "schema.spec.items.filter(i, i.p > 2).map(i, i.n * 2)",
    "exists": "deployment.status.conditions.exists(c, c.type == 'Available' && c.status == 'True')",
    "strings.join": "schema.spec.tags.join(',')",
    "format": "'%s-%d'.format([schema.spec.name, schema.spec.replicas])",
    "hash": "'%x'.format([hash.fnv64a(schema.metadata.uid)])",
    "optional": "schema.spec.?missing.orValue('d')",
}
# the subset celpy's own interpreter and cel-expr-python can run (no kro libraries)
PORTABLE = ["arith", "ternary", "concat", "map/filter", "exists"]
CELEXPR_ONLY = {"strings.join": True, "format": True, "optional": True}


def _per_call(fn: Callable[[], object], min_time: float = 0.2) -> float:
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_time and n >= 5:
            return elapsed / n


def _once_in_fresh_process(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def _celexpr(expressions: dict[str, str]) -> dict[str, float] | None:
    python = "/tmp/celexpr-venv/bin/python"
    if not os.path.exists(python):
        return None
    script = textwrap.dedent(
        """
        import json, sys, time
        t0 = time.perf_counter()
        from cel_expr_python import cel
        from cel_expr_python.ext import ext_strings, ext_optional
        t1 = time.perf_counter()
        env = cel.NewEnv(variables={"schema": cel.Type.DYN, "deployment": cel.Type.DYN},
                         extensions=[ext_strings.ExtStrings(), ext_optional.ExtOptional()])
        t2 = time.perf_counter()
        exprs, act = json.loads(sys.stdin.read())
        out = {"import": t1 - t0, "env": t2 - t1}
        for name, text in exprs.items():
            c0 = time.perf_counter(); compiled = env.compile(text); out["compile:" + name] = time.perf_counter() - c0
            n, s = 0, time.perf_counter()
            while True:
                compiled.eval(data=act).plain_value(); n += 1
                if time.perf_counter() - s > 0.2 and n >= 5:
                    break
            out["eval:" + name] = (time.perf_counter() - s) / n
        print(json.dumps(out))
        """
    )
    proc = subprocess.run([python, "-c", script], input=json.dumps([expressions, ACTIVATION]),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        print("cel-expr-python failed:", proc.stderr.strip().splitlines()[-1:])
        return None
    return json.loads(proc.stdout)


def main() -> None:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "plugin"))
    print("== one-off costs (fresh processes) ==")
    t_pkg = _once_in_fresh_process(
        "import time; t=time.perf_counter(); import pykro.celengine as c; c.references('a.b'); "
        "c.evaluate('a.b', {'a': {'b': 1}}); print(time.perf_counter()-t)")
    t_engine = _once_in_fresh_process(
        "import time; t=time.perf_counter(); import pykro.celengine.engine; print(time.perf_counter()-t)")
    t_parser = _once_in_fresh_process(
        "import pykro.celengine.engine as e, time; t=time.perf_counter(); e._parser(); print(time.perf_counter()-t)")
    t_env = _once_in_fresh_process(
        "import celpy, time; t=time.perf_counter(); celpy.Environment(); print(time.perf_counter()-t)")
    print(f"import celengine + fast path + references : {t_pkg * 1e3:8.2f} ms")
    print(f"import engine (celpy types, libraries)    : {t_engine * 1e3:8.2f} ms")
    print(f"build patched Lark parser (once/process)  : {t_parser * 1e3:8.2f} ms")
    print(f"celpy.Environment() (not used by engine)  : {t_env * 1e3:8.2f} ms")

    import celpy

    from pykro.celengine import engine, evaluate, references

    engine._parser()
    baseline = _per_call(lambda: evaluate(FAST, ACTIVATION))
    print(f"\n== per evaluation, baseline = fast path '{FAST}': {baseline * 1e6:.2f} us ==")
    print(f"{'references() (memoized)':28s} {_per_call(lambda: references(EXPRESSIONS['map/filter'])) / baseline:8.2f}x")
    ref_raw = _per_call(lambda: __import__('pykro.celengine.refs', fromlist=['x']).references(EXPRESSIONS['map/filter']))
    print(f"{'references() (uncached)':28s} {ref_raw / baseline:8.2f}x")

    env = celpy.Environment()
    celpy_act = {k: celpy.json_to_cel(v) for k, v in ACTIVATION.items()}
    print(f"\n{'expression':14s} {'compile us':>11s} {'pykro eval':>11s} {'celpy eval':>11s} {'cel-expr':>10s}"
          "   (eval columns: ratio to baseline)")
    cx = _celexpr({k: EXPRESSIONS[k] for k in PORTABLE + list(CELEXPR_ONLY)})
    for name, text in EXPRESSIONS.items():
        engine.compile_expression.cache_clear()
        c0 = time.perf_counter()
        engine.compile_expression(text)
        compile_us = (time.perf_counter() - c0) * 1e6
        ours = _per_call(lambda: evaluate(text, ACTIVATION)) / baseline
        theirs = "-"
        if name in PORTABLE:
            program = env.program(env.compile(text))
            theirs = f"{_per_call(lambda: program.evaluate(celpy_act)) / baseline:10.1f}x"
        cxr = f"{cx['eval:' + name] / baseline:9.2f}x" if cx and "eval:" + name in cx else "-"
        print(f"{name:14s} {compile_us:11.0f} {ours:10.1f}x {theirs:>11s} {cxr:>10s}")
    if cx:
        print(f"\ncel-expr-python: import {cx['import'] * 1e3:.1f} ms, NewEnv {cx['env'] * 1e3:.1f} ms, "
              f"compile {sum(v for k, v in cx.items() if k.startswith('compile:')) / len(PORTABLE + list(CELEXPR_ONLY)) * 1e6:.0f} us/expr")
    else:
        print("\ncel-expr-python: not measured (no /tmp/celexpr-venv)")


if __name__ == "__main__":
    main()
